import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { signAck, verifyAck } from '../../../collector/alerts/ack.ts';
import { HolidayCalendar, timeClasses } from '../../../collector/calendar/holiday-calendar.ts';
import { Router } from '../../../collector/alerts/routing.ts';
import { startCollector } from '../../../collector/main.ts';
import { windowIntervals } from '../../../collector/maintenance/windows.ts';
import { hashToken } from '../../../collector/store/agents.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { routeSchema } from '../../../config/schema/alerts.ts';
import { silentLogger } from '../../../lib/log.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const CAL = path.resolve(import.meta.dirname, '../../../../shared/calendar/cn-2026.yaml');
const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');
const cst = (s: string) => Date.parse(`${s}+08:00`);

t.test('calendar: holidays, adjusted working days, time classes', async (t) => {
  const cal = HolidayCalendar.fromFiles([CAL]);
  const hours = { start: '08:30', end: '17:30' };
  t.ok(timeClasses(cst('2026-10-03T10:00:00'), 'Asia/Shanghai', cal, hours).has('holiday'));
  const sat = timeClasses(cst('2026-10-10T10:00:00'), 'Asia/Shanghai', cal, hours);
  t.ok(sat.has('workday') && sat.has('working_hours'), '2026-10-10 is a working Saturday');
  t.ok(timeClasses(cst('2026-10-17T10:00:00'), 'Asia/Shanghai', cal, hours).has('weekend'));
  const night = timeClasses(cst('2026-10-12T23:00:00'), 'Asia/Shanghai', cal, hours);
  t.ok(night.has('night') && night.has('off_hours') && night.has('workday'));
  t.equal(cal.holidayName('2026-02-17'), '春节');
  t.throws(
    () => new HolidayCalendar().add({ year: 2027, holidays: [{ name: 'x', days_off: ['2027-13-01x'] }] }, 'bad.yaml'),
    /bad.yaml: holidays.0.days_off.0/,
  );
});

t.test('routing tree: first match wins unless continue; inheritance', async (t) => {
  const r = new Router(
    routeSchema.parse({
      receiver: 'eng',
      escalate: [{ after_s: 60, receiver: 'boss' }],
      routes: [
        { match: { building: 'A' }, receiver: 'a-team', continue: true },
        { match_re: { target: 'cam-.*' }, when: ['night'], receiver: 'night-duty' },
        { match: { severity: 'info' }, receiver: 'robot' },
      ],
    }),
    { group_wait_s: 10, repeat_interval_s: 0 },
  );
  const day = new Set(['workday', 'working_hours']);
  t.same(
    r.route({ building: 'A', target: 'cam-1' }, day).map((x) => x.receiver),
    ['a-team'],
    'a matching child (even with continue) replaces the parent',
  );
  t.same(
    r.route({ building: 'A', target: 'cam-1' }, new Set(['night'])).map((x) => x.receiver),
    ['a-team', 'night-duty'],
  );
  t.same(
    r.route({ severity: 'info' }, day).map((x) => x.receiver),
    ['robot'],
  );
  t.same(r.route({ severity: 'info' }, day)[0]?.escalate, [{ after_s: 60, receiver: 'boss' }], 'escalation inherited');
});

t.test('ack tokens: signed, expiring', async (t) => {
  const tok = signAck('s'.repeat(32), { alert: 5, by: 'duty', exp: 1000 });
  t.match(verifyAck('s'.repeat(32), tok, 999), { ok: true, claim: { alert: 5, by: 'duty' } });
  t.match(verifyAck('s'.repeat(32), tok, 1001), { ok: false, reason: 'expired' });
  t.match(verifyAck('x'.repeat(32), tok, 999), { ok: false, reason: 'bad_signature' });
  t.match(verifyAck('s'.repeat(32), 'garbage', 999), { ok: false, reason: 'malformed' });
});

t.test('maintenance: recurring windows in local time, API, audit; alerts silenced; CLI ack', async (t) => {
  const w = { name: 'w', targets: [], match: {}, recurring: { days: ['sat' as const], start: '23:00', duration_min: 120 } };
  const iv = windowIntervals(w, cst('2026-10-03T00:00:00'), cst('2026-10-05T00:00:00'), 'Asia/Shanghai');
  t.same(iv, [{ start: cst('2026-10-03T23:00:00'), end: cst('2026-10-04T01:00:00') }], 'runs past midnight');
  let clock = cst('2026-10-12T10:00:00');
  const dir = tempDir('maint');
  t.teardown(() => removeDir(dir));
  const API = 'unit-api-token-0123456789';
  const cfg = collectorConfigSchema.parse({
    collector: { listen_port: 0, data_dir: dir, log_level: 'silent' },
    inventory: {
      devices: [
        { name: 'cam-1', kind: 'camera', building: 'A', floor: '3' },
        { name: 'cam-2', kind: 'camera', building: 'B' },
        { name: 'sw-1', kind: 'switch' },
        { name: 'cam-3', kind: 'camera', parent: 'sw-1' },
      ],
    },
    alerts: {
      api_tokens: [{ name: 'u', token_sha256: hashToken(API) }],
      eval_interval_ms: 20,
      group_wait_s: 0,
      rules: [
        { name: 'down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0 },
        { name: 'sw_down', type: 'threshold', measurement: 'snmp_device', field: 'up', op: '==', fire: 0 },
        { name: 'disk', type: 'threshold', measurement: 'disk', field: 'used_percent', op: '>', fire: 90, clear: 85 },
      ],
    },
    maintenance: { windows: [{ name: 'floor3', match: { building: 'A', floor: '3' }, start: '2026-10-12T09:00:00+08:00', end: '2026-10-12T11:00:00+08:00' }] },
  });
  const col = await startCollector(cfg, silentLogger, { now: () => clock });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : col.stop()));
  const m = col.modules.maintenance!;
  const alerts = col.modules.alerts!;
  t.same(m.intervals('cam-1', cst('2026-10-12T00:00:00'), cst('2026-10-13T00:00:00')), [
    { start: cst('2026-10-12T09:00:00'), end: cst('2026-10-12T11:00:00') },
  ]);
  t.same(m.intervals('cam-2', cst('2026-10-12T00:00:00'), cst('2026-10-13T00:00:00')), []);
  const auth = { authorization: `Bearer ${API}` };
  t.equal((await fetch(`${col.url}/api/maintenance`)).status, 401);
  const created = await fetch(`${col.url}/api/maintenance`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'cam2', targets: ['cam-2'], start: '2026-10-13T09:00:00+08:00', end: '2026-10-13T10:00:00+08:00' }),
  });
  t.equal(created.status, 201);
  const { id } = (await created.json()) as { id: number };
  t.equal(m.intervals('cam-2', cst('2026-10-13T00:00:00'), cst('2026-10-14T00:00:00')).length, 1);
  t.equal((await fetch(`${col.url}/api/maintenance/${id}`, { method: 'DELETE', headers: auth })).status, 200);
  t.same(
    col.ctx.audit
      .list(5)
      .map((e) => e.action)
      .filter((a) => a.startsWith('maintenance')),
    ['maintenance.delete', 'maintenance.create'],
  );
  // Alerts: cam-1 is in maintenance (silenced); the switch and the camera behind it: the camera is suppressed.
  col.ctx.ingest.accept({ kind: 'http', name: 't', tags: {} }, [
    { measurement: 'camera', tags: { camera: 'cam-1' }, fields: { up: 0n }, time: clock },
    { measurement: 'snmp_device', tags: { device: 'sw-1' }, fields: { up: 0n }, time: clock },
    { measurement: 'camera', tags: { camera: 'cam-3' }, fields: { up: 0n }, time: clock },
    { measurement: 'disk', tags: { host: 'pc-1', path: 'C:' }, fields: { used_percent: 95 }, time: clock },
  ]);
  const byTarget = () => Object.fromEntries(alerts.engine.openAlerts().map((a) => [a.target, a]));
  t.ok(byTarget()['cam-1']?.silenced, 'silenced by the maintenance window');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(byTarget()['cam-3']?.state, 'suppressed');
  t.equal(byTarget()['cam-3']?.suppressed_by, byTarget()['sw-1']?.id);
  // Hysteresis: 88 % does not clear a disk alert that fired above 90 %; 80 % does.
  col.ctx.ingest.accept({ kind: 'http', name: 't', tags: {} }, [{ measurement: 'disk', tags: { host: 'pc-1' }, fields: { used_percent: 88 }, time: clock }]);
  t.equal(byTarget()['pc-1']?.state, 'firing');
  col.ctx.ingest.accept({ kind: 'http', name: 't', tags: {} }, [{ measurement: 'disk', tags: { host: 'pc-1' }, fields: { used_percent: 80 }, time: clock }]);
  t.notOk(byTarget()['pc-1'], 'cleared below the clear threshold');
  // CLI ack through the API.
  const sw = byTarget()['sw-1']!;
  const run = promisify(execFile);
  const out = await run(process.execPath, [CLI, 'ack', String(sw.id), '--collector', col.url, '--by', 'wang'], {
    env: { ...process.env, WATCHPOST_API_TOKEN: API },
  });
  t.match(JSON.parse(out.stdout), { id: sw.id, state: 'acknowledged', acked_by: 'api:u/wang' });
  await t.rejects(
    run(process.execPath, [CLI, 'ack', String(sw.id), '--collector', col.url], { env: { ...process.env, WATCHPOST_API_TOKEN: API } }),
    { code: 1 } as never,
    'acking twice: 409, exit 1',
  );
  t.equal(col.ctx.audit.list(10).find((e) => e.action === 'alert.ack')?.actor, 'api:u/wang');
  // Restart: open alerts survive.
  clock += 1000;
  const count = alerts.engine.openAlerts().length;
  await col.stop();
  stopped = true;
  const col2 = await startCollector(cfg, silentLogger, { now: () => clock });
  t.teardown(() => col2.stop());
  t.equal(col2.modules.alerts!.engine.openAlerts().length, count, 'open alerts reloaded after restart');
});
