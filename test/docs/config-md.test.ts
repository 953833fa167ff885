import { readFileSync } from 'node:fs';
import t from 'tap';
import { OUT_FILE, renderConfig } from '../../docs/generate-config.ts';

t.test('docs/config.md is what `npm run docs` generates from the schemas', async (t) => {
  const fresh = renderConfig().text;
  const committed = readFileSync(OUT_FILE, 'utf8');
  t.ok(committed === fresh, 'docs/config.md is stale: a config schema changed — run npm run docs and commit docs/config.md');
  t.equal(renderConfig().text, fresh, 'generation is deterministic');
});

t.test('the reference names every section and probe kind, with types, defaults and descriptions', async (t) => {
  const { text, rows } = renderConfig();
  for (const h of ['## Collector (`collector.yaml`)', '## Agent (`agent.yaml`)', '## Probes', '### `alerts`', '### `http`', '### `snmp_trap`']) t.ok(text.includes(h), h);
  const row = (key: string) => rows.find((r) => r.key === key);
  t.match(row('collector.listen_port'), { type: 'integer (≥ 0, ≤ 65535)', required: false, default: '`8080`' });
  t.match(row('influxdb.url'), { required: true });
  t.match(row('alerts.rules[type=threshold].op'), { required: true, type: /one of `>`/ });
  t.match(row('http.interval_s'), { default: '`60`' });
  t.match(row('alerts.route.routes'), { type: /route/ }, 'a recursive schema is named, not expanded forever');
  t.ok(rows.filter((r) => r.description).length > 0, 'descriptions come from the schemas');
});
