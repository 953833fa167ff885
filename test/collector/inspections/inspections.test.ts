import pino from 'pino';
import t from 'tap';
import { influxInspectionInputs } from '../../../collector/inspections/inputs.ts';
import { periodOf, scheduleStatus } from '../../../collector/inspections/schedule.ts';
import { InspectionService, type InspectionServiceOptions } from '../../../collector/inspections/service.ts';
import { influxReader } from '../../../collector/store/influx-reader.ts';
import { localMidnight } from '../../../lib/zoned-time.ts';
import { AuditLog } from '../../../collector/store/audit.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import type { Event, Sample } from '../../../protocol/sample.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { seedInflux, TZ } from '../reports/seed.ts';

const log = pino({ level: 'silent' });

t.test('periods: months, quarters and ISO weeks in the office time zone', async (t) => {
  const at = (y: number, m: number, d: number, h = 12) => localMidnight(y, m, d, TZ) + h * 3600_000;
  t.equal(periodOf('monthly', at(2026, 10, 31, 23), TZ).label, '2026-10');
  t.equal(periodOf('monthly', localMidnight(2026, 11, 1, TZ), TZ).label, '2026-11', 'local midnight starts the next month');
  t.equal(periodOf('quarterly', at(2026, 11, 15), TZ).label, '2026-Q4');
  t.equal(periodOf('weekly', at(2026, 12, 31), TZ).label, '2026-W53');
  t.equal(periodOf('weekly', at(2027, 1, 3), TZ).label, '2026-W53', 'Sunday 2027-01-03 is in 2026-W53');
  t.equal(periodOf('weekly', at(2027, 1, 4), TZ).label, '2027-W01');
  const w = periodOf('weekly', at(2026, 10, 14), TZ);
  t.equal(w.endMs - w.startMs, 7 * 86_400_000);
  t.equal(w.startMs, localMidnight(2026, 10, 12, TZ), 'weeks start on Monday');
});

t.test('schedule status: due dates, reminders, overdue', async (t) => {
  const s = {
    id: 'net',
    title: 'Net',
    kind: 'network' as const,
    every: 'monthly' as const,
    remind_days_before: 3,
    scope: { area: 'any' as const, devices: [] },
  };
  const fresh = scheduleStatus(s, localMidnight(2026, 10, 10, TZ), TZ, undefined);
  t.equal(fresh.due_ms, localMidnight(2026, 11, 1, TZ), 'never done: due at the end of this month');
  t.notOk(fresh.overdue);
  t.notOk(fresh.reminder);
  t.ok(scheduleStatus(s, localMidnight(2026, 10, 29, TZ), TZ, undefined).reminder, 'reminder 3 days before');
  const signed = { id: 1, period: '2026-10', started_ms: localMidnight(2026, 10, 20, TZ), signed_ms: localMidnight(2026, 10, 21, TZ) };
  const done = scheduleStatus(s, localMidnight(2026, 10, 29, TZ), TZ, signed);
  t.equal(done.done_id, 1);
  t.notOk(done.reminder, 'no reminder once done');
  t.equal(done.due_ms, localMidnight(2026, 12, 1, TZ), 'next one due by the end of November');
  const late = scheduleStatus(s, localMidnight(2026, 12, 2, TZ), TZ, signed);
  t.ok(late.overdue, 'November missed: overdue in December');
});

t.test('inspection runs against a seeded month in a real influxd', async (t) => {
  const influx = await startInfluxd();
  t.teardown(() => influx.destroy());
  await seedInflux(influx.url, 'watchpost');
  const config = collectorConfigSchema.parse({
    collector: { data_dir: ':memory:' },
    reports: { default_lang: 'en' },
    inventory: {
      devices: [
        { name: 'sw-a-shaft1', kind: 'switch', building: 'A', shaft: 'A-1' },
        { name: 'sw-a-3f-01', kind: 'switch', building: 'A', floor: '3' },
        { name: 'sw-a-4f-02', kind: 'switch', building: 'A', floor: '4' },
        { name: 'cam-a-3f-lobby', kind: 'camera', building: 'A', floor: '3' },
        { name: 'pc-a-301', kind: 'pc', building: 'A', floor: '3' },
        { name: 'pc-a-302', kind: 'pc', building: 'A', floor: '3' },
        { name: 'pc-a-303', kind: 'pc', building: 'A', floor: '3' },
      ],
    },
    inspections: {
      schedules: [
        { id: 'net-office', title: 'Office network', kind: 'network', every: 'monthly', owner: 'Wang', scope: { building: 'A', area: 'office' } },
        { id: 'net-shaft', title: 'Shaft network', kind: 'network', every: 'monthly', scope: { area: 'shaft' } },
        { id: 'cctv', title: 'CCTV', kind: 'cctv', every: 'monthly' },
        { id: 'pcs', title: 'PCs', kind: 'pc', every: 'quarterly', manual_items: ['Printers working'] },
        { id: 'srv', title: 'Critical server', kind: 'server', every: 'weekly', scope: { devices: ['srv-01'] } },
      ],
    },
  });
  const db = openStateDb(':memory:');
  t.teardown(() => db.close());
  const audit = new AuditLog(db);
  // The last hour of October, local time.
  let now = localMidnight(2026, 11, 1, TZ) - 3600_000;
  const emitted: { samples: Sample[]; events: Event[] }[] = [];
  const raised: unknown[] = [];
  const opts: InspectionServiceOptions = {
    config,
    db,
    audit,
    devices: config.inventory.devices,
    inputs: influxInspectionInputs(
      influxReader({ ...config.influxdb!, url: influx.url, database: 'watchpost', batch_points: 1, timeout_ms: 10_000, create_database: false }),
    ),
    log,
    now: () => now,
    emit: (samples, events) => emitted.push({ samples, events }),
  };
  const svc = new InspectionService(opts);

  t.same(svc.scopeDevices(svc.schedule('net-office')), ['sw-a-3f-01', 'sw-a-4f-02'], 'office area: switches without a shaft');
  t.same(svc.scopeDevices(svc.schedule('net-shaft')), ['sw-a-shaft1']);

  const item = (id: number, device: string, code: string) => svc.store.get(id)!.items.find((i) => i.device === device && i.code === code);

  await t.test('network: reboots, new errors, ports down, temperature', async (t) => {
    const shaft = await svc.start('engineer:li', 'net-shaft');
    t.equal(item(shaft, 'sw-a-shaft1', 'reachable')?.result, 'pass');
    t.match(item(shaft, 'sw-a-shaft1', 'reboots'), { result: 'warn', evidence: { reboots: 1 } }, 'the reboot after the outage');
    const office = await svc.start('engineer:li', 'net-office');
    const errs = item(office, 'sw-a-3f-01', 'port_errors')!;
    t.equal(errs.result, 'fail', 'CRC errors past the fail threshold');
    t.ok((errs.evidence.new_errors as number) > 1000, `new errors ${errs.evidence.new_errors}`);
    t.match(item(office, 'sw-a-3f-01', 'ports_down')?.evidence, { ports: ['GE0/0/4'], new: ['GE0/0/4'] });
    t.match(item(office, 'sw-a-3f-01', 'temperature'), { result: 'warn', evidence: { peak_c: 61.5 } });
    t.equal(item(office, 'sw-a-4f-02', 'port_errors')?.result, 'pass');
    t.same(svc.store.get(office)!.inventory, ['sw-a-3f-01', 'sw-a-4f-02'], 'inventory snapshot');
    const manual = svc.store.get(office)!.items.filter((i) => i.mode === 'manual');
    t.equal(manual.length, 4, 'default manual items for network');

    t.throws(() => svc.sign('engineer:li', office, 'done'), { code: 'incomplete' }, 'cannot sign with manual items open');
    for (const m of manual)
      svc.record('engineer:li', office, m.seq, {
        result: m.seq === manual[1]!.seq ? 'fail' : 'pass',
        note: m.seq === manual[1]!.seq ? 'door lock broken' : '',
      });
    t.throws(() => svc.record('engineer:li', office, 1, { result: 'pass', note: '' }), /no manual item/, 'automatic items cannot be overridden');
    now += 3600_000;
    const { problems } = svc.sign('engineer:li', office, 'Office network checked');
    t.ok(problems.length >= 3, `problems from fail/warn items: ${problems.length}`);
    const list = svc.store.problems({ open: true });
    const lock = list.find((p) => p.title.includes('door lock broken'))!;
    t.equal(lock.owner, 'Wang', 'owner from the schedule');
    t.equal(lock.due_ms, now + 14 * 86_400_000, 'due after problem_due_days');
    t.throws(() => svc.record('engineer:li', office, manual[0]!.seq, { result: 'fail', note: 'x' }), /signed/, 'signed inspections are read-only');

    // Next month: the same port is still down — no longer new; same problems are not duplicated.
    now = localMidnight(2026, 11, 1, TZ) + 3600_000;
    const again = await svc.start('engineer:li', 'net-office');
    t.equal(item(again, 'sw-a-3f-01', 'ports_down')?.result, 'pass');
    t.same(item(again, 'sw-a-3f-01', 'ports_down')?.evidence, { ports: ['GE0/0/4'], new: [] }, 'baseline from the previous inspection');
    for (const m of svc.store.get(again)!.items.filter((i) => i.mode === 'manual'))
      svc.record('engineer:li', again, m.seq, { result: m.seq === manual[1]!.seq ? 'fail' : 'pass', note: m.seq === manual[1]!.seq ? 'door lock broken' : '' });
    svc.sign('engineer:li', again, 'again');
    t.equal(svc.store.problems({ open: true }).filter((p) => p.title.includes('door lock broken')).length, 1, 'an open problem is carried, not duplicated');
    svc.store.closeProblem('engineer:li', lock.id, 'lock replaced');
    t.notOk(svc.store.problems({ open: true }).some((p) => p.id === lock.id));
    t.throws(() => svc.store.closeProblem('engineer:li', lock.id, 'again'), /no open problem/);
  });

  await t.test('cctv, pcs and a server without data', async (t) => {
    now = localMidnight(2026, 11, 1, TZ) - 3600_000;
    const cctv = await svc.start('engineer:li', 'cctv');
    t.equal(item(cctv, 'cam-a-3f-lobby', 'uptime_24h')?.result, 'pass');
    const month = item(cctv, 'cam-a-3f-lobby', 'uptime_month')!;
    t.ok((month.evidence.pct as number) > 99.5 && (month.evidence.pct as number) < 99.6, `3 h down in the last 30 days: ${month.evidence.pct}`);
    t.equal(item(cctv, 'cam-a-3f-lobby', 'stream')?.result, 'pass');
    t.match(item(cctv, 'cam-a-3f-lobby', 'clock_drift'), { result: 'pass', evidence: { drift_s: 0.4 } });
    const pcs = await svc.start('engineer:li', 'pcs');
    t.match(item(pcs, 'pc-a-301', 'patch'), { result: 'warn', evidence: { days: 45 } });
    t.equal(item(pcs, 'pc-a-301', 'security_updates')?.result, 'warn');
    t.match(item(pcs, 'pc-a-302', 'antivirus'), { result: 'fail', evidence: { protected: false } });
    t.match(item(pcs, 'pc-a-303', 'disk'), { result: 'warn', evidence: { used_pct: 91 } });
    t.same(
      svc.store
        .get(pcs)!
        .items.filter((i) => i.mode === 'manual')
        .map((i) => i.label),
      ['Printers working'],
      'configured manual items',
    );
    for (const m of svc.store.get(cctv)!.items.filter((i) => i.mode === 'manual')) svc.record('engineer:zhang', cctv, m.seq, { result: 'pass', note: '' });
    svc.sign('engineer:zhang', cctv, 'all cameras fine');
    const srv = await svc.start('engineer:li', 'srv');
    t.match(item(srv, 'srv-01', 'reachable'), { result: 'fail', evidence: { data: 'none' } }, 'no data is a failure, not a pass');
  });

  await t.test('tick: measurement, reminders and overdue through alerts or events, once', async (t) => {
    now = localMidnight(2026, 12, 2, TZ);
    const st = svc.tick();
    t.notOk(st.find((s) => s.id === 'net-office')!.overdue, 'signed in November: due by the end of December');
    t.ok(st.find((s) => s.id === 'cctv')!.overdue, 'CCTV signed in October, nothing in November: overdue');
    const first = emitted.at(-1)!;
    t.same(
      first.events.map((e) => [e.kind, e.target, e.severity]),
      [['inspection_overdue', 'cctv', 'warning']],
      'without an alerts module: an event',
    );
    const sample = first.samples.find((s) => s.tags.scope === 'cctv')!;
    t.equal(sample.measurement, 'inspection');
    t.same(sample.tags, { kind: 'cctv', scope: 'cctv' });
    t.equal(sample.fields.overdue, 1n);
    t.equal(sample.fields.last_done_s, BigInt(Math.trunc(svc.store.lastSigned('cctv')!.signed_ms! / 1000)));
    svc.tick();
    t.equal(emitted.at(-1)!.events.length, 0, 'notices are sent once per due date');

    opts.alerts = { reportInspection: (st: unknown) => raised.push(st) };
    now = localMidnight(2027, 1, 2, TZ);
    svc.tick();
    t.equal(raised.length, 5, 'with the alerts module: every schedule status goes to its inspection rules');
    t.match(
      raised.find((r) => (r as { scope: string }).scope === 'net-office'),
      { kind: 'network', scope: 'net-office', overdue: true },
    );
    t.match(
      raised.find((r) => (r as { scope: string }).scope === 'srv'),
      { kind: 'server', overdue: false, due_in_days: 2 },
    );
    t.equal(emitted.at(-1)!.events.length, 0, 'and no events of its own');
    delete opts.alerts;
    svc.tick();
    t.same(
      emitted.at(-1)!.events.map((e) => [e.kind, e.target]),
      [
        ['inspection_overdue', 'net-office'],
        ['inspection_reminder', 'srv'],
      ],
      'without it: an overdue event and a reminder for the weekly server check due on Monday',
    );
    t.ok(audit.verify().ok, 'audit chain intact');
    const actions = audit.list(500).map((e) => e.action);
    for (const a of ['inspection.start', 'inspection.item', 'inspection.sign', 'problem.close', 'inspection.overdue', 'inspection.reminder'])
      t.ok(actions.includes(a), `${a} audit-logged`);
  });
});
