import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadRules } from '../../../collector/alerts/module.ts';
import { loadConfig, redact } from '../../../config/load.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

t.test('rules from the config and from rules files; errors carry file:line', async (t) => {
  const dir = tempDir('rules');
  t.teardown(() => removeDir(dir));
  const good = path.join(dir, 'more.yaml');
  writeFileSync(
    good,
    'rules:\n  - name: disk_full\n    type: threshold\n    measurement: disk\n    field: used_percent\n    op: ">"\n    fire: 90\n    clear: 85\n',
  );
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, 'rules:\n  - name: x\n    type: absence\n    measurement: ping\n');
  const base = collectorConfigSchema.parse({
    alerts: { rules: [{ name: 'cam', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0 }], rules_files: [good] },
  });
  t.same(
    loadRules({ config: base }).map((r) => r.name),
    ['cam', 'disk_full'],
  );
  const withBad = collectorConfigSchema.parse({ alerts: { rules_files: [bad] } });
  t.throws(() => loadRules({ config: withBad }), { name: 'ConfigError', message: /bad\.yaml:2:5: rules\[0\]\.for_s/ });
  const dup = collectorConfigSchema.parse({ alerts: { rules: [{ name: 'disk_full', type: 'absence', measurement: 'disk', for_s: 60 }], rules_files: [good] } });
  t.throws(() => loadRules({ config: dup }), /defined twice/);
});

t.test('the example config shows no alerting or notifier secret when dumped', async (t) => {
  const cfg = loadConfig(path.join(ROOT, 'config/collector.example.yaml'), collectorConfigSchema);
  const shown = JSON.stringify(redact(cfg));
  for (const s of [
    cfg.alerts.ack.secret,
    cfg.notify.email?.password,
    cfg.notify.webhook?.secret,
    cfg.notify.dingtalk?.secret,
    cfg.notify.sms.uplink.token,
    ...cfg.notify.sms.providers.map((p) => (p.kind === 'aliyun' ? p.access_key_secret : p.secret_key)),
  ]) {
    t.ok(s, 'the example sets it');
    t.notMatch(shown, s!, 'not shown');
  }
  t.equal(cfg.notify.sms.budget.yearly_quota, 200_000);
  t.equal(cfg.alerts.sla.resolve_within_s, 7200);
});
