import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { parseConfig } from '../../config/load.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { DATASOURCE } from '../../dashboards/lib/panels.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const COMPOSE_DIR = path.join(ROOT, 'deploy/compose');

interface Compose {
  services: Record<string, { image?: string; build?: { context: string; dockerfile: string }; volumes?: string[]; environment?: Record<string, string> }>;
}

// Docker cannot run here: these check that the files agree with each other and with the code.
t.test('the data source is the one every dashboard refers to, InfluxQL', async (t) => {
  const ds = parse(read('deploy/grafana/provisioning/datasources/watchpost.yaml')) as {
    apiVersion: number;
    datasources: { uid: string; type: string; jsonData: { version: string } }[];
  };
  t.equal(ds.apiVersion, 1);
  t.equal(ds.datasources[0]?.uid, DATASOURCE.uid);
  t.equal(ds.datasources[0]?.type, DATASOURCE.type);
  t.equal(ds.datasources[0]?.jsonData.version, 'InfluxQL');
  for (const lang of ['zh', 'en']) {
    for (const f of readdirSync(path.join(ROOT, 'dashboards/generated', lang))) {
      const uids = new Set([...read(`dashboards/generated/${lang}/${f}`).matchAll(/"uid": "([^"]+)"/g)].map((m) => m[1]));
      uids.delete(JSON.parse(read(`dashboards/generated/${lang}/${f}`)).uid);
      t.same([...uids], [DATASOURCE.uid], `${lang}/${f} uses only the provisioned data source`);
    }
  }
});

t.test('compose mounts the provisioning files and generated dashboards where the provider reads them', async (t) => {
  const compose = parse(read('deploy/compose/docker-compose.yml')) as Compose;
  t.same(Object.keys(compose.services).sort(), ['collector', 'grafana', 'influxdb']);
  const mounts = new Map(
    (compose.services.grafana?.volumes ?? [])
      .map((v) => v.split(':'))
      .filter((v) => v[0]!.startsWith('.'))
      .map(([src, dst]) => [dst!, path.resolve(COMPOSE_DIR, src!)]),
  );
  for (const src of mounts.values()) t.ok(existsSync(src), `${path.relative(ROOT, src)} exists`);
  const providers = parse(read('deploy/grafana/provisioning/dashboards/watchpost.yaml')) as { providers: { options: { path: string } }[] };
  for (const p of providers.providers) {
    const [dst, src] = [...mounts].find(([d]) => p.options.path.startsWith(d + '/')) ?? [];
    t.ok(dst, `provider path ${p.options.path} is inside a mount`);
    const local = path.join(src!, p.options.path.slice(dst!.length));
    t.ok(
      readdirSync(local).some((f) => f.endsWith('.json')),
      `${path.relative(ROOT, local)} holds dashboards`,
    );
  }
  const home = compose.services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
  const [hdst, hsrc] = [...mounts].find(([d]) => home.startsWith(d + '/')) ?? [];
  t.ok(hdst && existsSync(path.join(hsrc!, home.slice(hdst.length))), 'the home dashboard (wall screen) exists');
  t.equal(compose.services.grafana?.environment?.WATCHPOST_INFLUX_URL, 'http://influxdb:8086');
  const build = compose.services.collector?.build;
  t.ok(build && existsSync(path.join(path.resolve(COMPOSE_DIR, build.context), build.dockerfile)), 'the collector Dockerfile exists');
});

t.test('the compose collector config is valid and writes to the compose InfluxDB', async (t) => {
  const cfg = parseConfig(read('deploy/compose/collector.yaml'), 'deploy/compose/collector.yaml', collectorConfigSchema);
  t.equal(cfg.influxdb?.url, 'http://influxdb:8086');
  t.equal(cfg.influxdb?.database, 'watchpost');
  t.equal(cfg.collector.listen_host, '0.0.0.0');
  const compose = parse(read('deploy/compose/docker-compose.yml')) as Compose;
  t.ok(
    compose.services.collector?.volumes?.some((v) => v.endsWith(`:${cfg.collector.data_dir}`)),
    'the data dir is a volume',
  );
});

t.test('the playlist names dashboards that exist', async (t) => {
  const pl = JSON.parse(read('deploy/grafana/playlist.json')) as { interval: string; items: { type: string; value: string }[] };
  const uids = new Set(
    readdirSync(path.join(ROOT, 'dashboards/generated/zh')).map((f) => (JSON.parse(read(`dashboards/generated/zh/${f}`)) as { uid: string }).uid),
  );
  t.ok(pl.items.length > 0);
  for (const it of pl.items) t.ok(it.type === 'dashboard_by_uid' && uids.has(it.value), `${it.value} exists`);
});
