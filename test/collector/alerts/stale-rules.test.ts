import pino from 'pino';
import t from 'tap';
import type { Source } from '../../../collector/ingest/ingest.ts';
import { startCollector } from '../../../collector/main.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const inventory = {
  devices: [
    { name: 'poller-a-b1', kind: 'pc', building: 'A', floor: '1', room: 'IT' },
    { name: 'pc-0301', kind: 'pc', address: '10.3.1.21', building: 'A', floor: '3', room: '301' },
    { name: 'cam-a-1f', kind: 'camera', building: 'A', floor: '1', room: 'lobby' },
  ],
};
const agent: Source = { kind: 'agent', name: 'poller-a-b1', tags: {} };
const ping = (url: string, rc: number, time: number): Sample => ({ measurement: 'ping', tags: { url, host: 'poller-a-b1', agent: 'poller-a-b1' }, fields: { result_code: int(rc) }, time });

t.test('a rule edited or removed: its alerts are resolved with a reason at start and suppress nothing; targets resolve to devices', async (t) => {
  const dir = tempDir('stale');
  const cfg = (rules: unknown[]) =>
    collectorConfigSchema.parse({
      collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: dir, log_level: 'silent' },
      inventory,
      alerts: { rules, group_wait_s: 0, eval_interval_ms: 60_000 },
    });
  // Before: the ping rule targets the poller (host), and an old rule that will be deleted.
  const v1 = [
    { name: 'ping_down', type: 'threshold', measurement: 'ping', field: 'result_code', op: '!=', fire: 0, target_tag: 'host', severity: 'critical' },
    { name: 'old_rule', type: 'threshold', measurement: 'ping', field: 'result_code', op: '!=', fire: 0, severity: 'warning' },
    { name: 'camera_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0, severity: 'critical' },
  ];
  let c = await startCollector(cfg(v1), pino({ level: 'silent' }));
  t.teardown(async () => {
    await c.stop();
    removeDir(dir);
  });
  const alerts = () => c.modules.alerts!;
  c.ctx.ingest.accept(agent, [ping('10.3.1.21', 2, Date.now())]);
  const before = alerts().engine.openAlerts().map((a) => [a.rule, a.target]).sort();
  t.same(before, [['old_rule', 'pc-0301'], ['ping_down', 'poller-a-b1']], 'the default target is the device pinged, by inventory name; target_tag: host is the poller');
  const old = alerts().engine.openAlerts().find((a) => a.rule === 'old_rule')!;
  t.match(old.labels, { building: 'A', floor: '3', room: '301', device_kind: 'pc' }, 'the alert carries the device\'s location, not the poller\'s');
  await c.stop();

  // After: ping_down targets the URL, old_rule is gone.
  const v2 = [{ ...v1[0]!, target_tag: 'url' }, v1[2]!];
  c = await startCollector(cfg(v2), pino({ level: 'silent' }));
  t.same(alerts().engine.openAlerts(), [], 'nothing of the old rules is left firing');
  const resolved = alerts().store.list({ state: 'resolved' }).map((a) => [a.rule, a.target, a.resolved_reason]).sort();
  t.same(resolved, [
    ['old_rule', 'pc-0301', 'rule "old_rule" no longer exists'],
    ['ping_down', 'poller-a-b1', 'rule "ping_down" changed (what it measures or its target)'],
  ]);
  // A camera behind the poller is news, not suppressed by the stale poller alert.
  c.ctx.ingest.accept(agent, [ping('10.3.1.21', 2, Date.now()), { measurement: 'camera', tags: { camera: 'cam-a-1f', agent: 'poller-a-b1' }, fields: { up: int(0) }, time: Date.now() }]);
  const now = alerts().engine.openAlerts().map((a) => [a.rule, a.target, a.state]).sort();
  t.same(now, [['camera_down', 'cam-a-1f', 'firing'], ['ping_down', 'pc-0301', 'firing']], 'with target_tag: url the alert names pc-0301; the camera fires');
  const audit = c.ctx.audit;
  const a = alerts().acknowledge(alerts().engine.openAlerts().find((x) => x.rule === 'camera_down')!.id, 'li', 'console', 'on my way, ladder in shaft A-1');
  t.equal(a?.ack_note, 'on my way, ladder in shaft A-1');
  t.match(audit.list(10).find((e) => e.action === 'alert.ack'), { actor: 'li' });
  t.match(JSON.stringify(audit.list(10).find((e) => e.action === 'alert.ack')), 'ladder in shaft A-1', 'the note is audit-logged');
});
