import t from 'tap';
import { UptimeLedger, mergeSpans, type MaintenanceSource } from '../../../collector/uptime/ledger.ts';
import { createUptimeService, observation } from '../../../collector/uptime/module.ts';
import { monthRange, namedMonthRange } from '../../../collector/uptime/time.ts';
import { localMidnight } from '../../../lib/zoned-time.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { int } from '../../../protocol/sample.ts';

const H = 3_600_000;
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);
const TZ = 'Asia/Shanghai';

/** Polls a camera every `step` ms over [from, to): down inside any of `outages`, up elsewhere. */
function poll(l: UptimeLedger, target: string, from: number, to: number, step: number, outages: { start: number; end: number }[]) {
  for (let x = from; x < to; x += step) {
    const down = outages.some((o) => x >= o.start && x < o.end);
    l.observe(target, 'camera', !down, down ? 'unreachable' : '', x);
  }
}

function maint(list: { target: string; start: number; end: number }[]): MaintenanceSource {
  return { intervals: (target, from, to) => list.filter((m) => m.target === target && m.end > from && m.start < to).map(({ start, end }) => ({ start, end })) };
}

const fixed = (x: number | null) => (x === null ? null : x.toFixed(9));

t.test('calendar helpers use the office time zone', async (t) => {
  t.equal(localMidnight(2026, 11, 10, TZ), at('2026-11-10T00:00:00+08:00'));
  t.same(monthRange(at('2026-11-30T23:59:59+08:00'), TZ), { start: at('2026-11-01T00:00:00+08:00'), end: at('2026-12-01T00:00:00+08:00') });
  // 2026-11-30T17:00Z is already December 1st in Beijing.
  t.same(monthRange(at('2026-11-30T17:00:00Z'), TZ), { start: at('2026-12-01T00:00:00+08:00'), end: at('2027-01-01T00:00:00+08:00') });
  t.same(namedMonthRange('2026-12', TZ), { start: at('2026-12-01T00:00:00+08:00'), end: at('2027-01-01T00:00:00+08:00') });
  t.equal(namedMonthRange('2026-13', TZ), undefined);
  // A zone with DST: the day of the spring change is 23 h long.
  t.equal(localMidnight(2026, 3, 30, 'Europe/Berlin') - localMidnight(2026, 3, 29, 'Europe/Berlin'), 23 * H);
  t.same(
    mergeSpans(
      [
        { start: 5, end: 9 },
        { start: 0, end: 3 },
        { start: 2, end: 6 },
        { start: 20, end: 30 },
      ],
      1,
      25,
    ),
    [
      { start: 1, end: 9 },
      { start: 20, end: 25 },
    ],
  );
});

t.test('an outage crossing midnight splits exactly between the two days', async (t) => {
  const db = openStateDb(':memory:');
  const l = new UptimeLedger(db, { silenceMs: 300_000 });
  const outage = { start: at('2026-11-09T23:30:00+08:00'), end: at('2026-11-10T00:30:00+08:00') };
  poll(l, 'cam-1', at('2026-11-09T00:00:00+08:00'), at('2026-11-11T00:00:00+08:00'), MIN, [outage]);
  const now = at('2026-11-11T00:00:00+08:00');
  const d9 = l.report('cam-1', at('2026-11-09T00:00:00+08:00'), at('2026-11-10T00:00:00+08:00'), now);
  t.equal(d9.up_ms, 23.5 * H);
  t.equal(d9.down_ms, 0.5 * H);
  t.equal(d9.unknown_ms, 0);
  t.equal(fixed(d9.uptime_pct), '97.916666667', '23.5 h of 24 h');
  t.same(d9.outages, [{ start: outage.start, end: at('2026-11-10T00:00:00+08:00'), reason: 'unreachable' }]);
  const d10 = l.report('cam-1', at('2026-11-10T00:00:00+08:00'), now, now);
  t.equal(d10.down_ms, 0.5 * H);
  t.equal(fixed(d10.uptime_pct), '97.916666667');
  // The rolling 24 h ending at 12:00 on the 10th holds all 60 minutes of it.
  const r = l.report('cam-1', at('2026-11-09T12:00:00+08:00'), at('2026-11-10T12:00:00+08:00'), now);
  t.equal(r.down_ms, H);
  t.equal(fixed(r.uptime_pct), ((100 * 23) / 24).toFixed(9));
  t.equal(db.prepare("SELECT count(*) AS n FROM uptime_intervals WHERE target = 'cam-1'").get()!.n, 3, 'up, down, up: three intervals');
});

t.test('an outage crossing a month end is counted in both months', async (t) => {
  const db = openStateDb(':memory:');
  const l = new UptimeLedger(db, { silenceMs: 300_000 });
  const outage = { start: at('2026-11-30T23:00:00+08:00'), end: at('2026-12-01T02:00:00+08:00') };
  poll(l, 'cam-2', at('2026-11-01T00:00:00+08:00'), at('2026-12-01T12:00:00+08:00'), 4 * MIN, [outage]);
  const now = at('2026-12-01T12:00:00+08:00');
  const svc = createUptimeService(l, { silenceMs: 300_000, timezone: TZ, compliantPct: 99.5, writeIntervalMs: 60_000 }, () => now);
  const nov = svc.month('cam-2', at('2026-11-15T00:00:00+08:00'));
  t.equal(nov.counted_ms, 720 * H, 'November has 30 days');
  t.equal(nov.down_ms, H);
  t.equal(fixed(nov.uptime_pct), ((100 * 719) / 720).toFixed(9), '99.861111111 %');
  const dec = svc.month('cam-2');
  t.equal(dec.from, at('2026-12-01T00:00:00+08:00'));
  t.equal(dec.to, now, 'the current month counts up to now');
  t.equal(dec.down_ms, 2 * H);
  t.equal(fixed(dec.uptime_pct), ((100 * 10) / 12).toFixed(9));
  const pts = svc.points();
  t.equal(pts.length, 1);
  t.equal(pts[0]!.measurement, 'camera_uptime');
  t.same(pts[0]!.tags, { camera: 'cam-2' });
  // Last 24 h: Nov 30 12:00 → Dec 1 12:00 holds the whole 3 h outage.
  t.equal(fixed(pts[0]!.fields.uptime_24h_pct as number), ((100 * 21) / 24).toFixed(9));
  t.equal(pts[0]!.fields.compliant_24h, false);
  t.equal(pts[0]!.fields.unknown_24h_pct, 0);
});

t.test('maintenance windows are excluded, also where they overlap an outage', async (t) => {
  const db = openStateDb(':memory:');
  const windows = [
    { target: 'cam-3', start: at('2026-11-09T22:00:00+08:00'), end: at('2026-11-09T23:45:00+08:00') },
    // Overlapping windows for the same target count once.
    { target: 'cam-3', start: at('2026-11-09T22:30:00+08:00'), end: at('2026-11-09T23:00:00+08:00') },
    { target: 'other', start: at('2026-11-09T00:00:00+08:00'), end: at('2026-11-10T00:00:00+08:00') },
  ];
  const l = new UptimeLedger(db, { silenceMs: 300_000, maintenance: maint(windows) });
  const outage = { start: at('2026-11-09T23:30:00+08:00'), end: at('2026-11-10T00:30:00+08:00') };
  poll(l, 'cam-3', at('2026-11-09T00:00:00+08:00'), at('2026-11-11T00:00:00+08:00'), MIN, [outage]);
  const now = at('2026-11-11T00:00:00+08:00');
  const d9 = l.report('cam-3', at('2026-11-09T00:00:00+08:00'), at('2026-11-10T00:00:00+08:00'), now);
  t.equal(d9.maintenance_ms, 1.75 * H);
  t.equal(d9.counted_ms, 22.25 * H);
  t.equal(d9.up_ms, 22 * H);
  t.equal(d9.down_ms, 0.25 * H, 'only 23:45–24:00 of the outage is outside maintenance');
  t.equal(fixed(d9.uptime_pct), ((100 * 22) / 22.25).toFixed(9), '98.876404494 %');
  t.equal(fixed(d9.uptime_pct), '98.876404494');
  t.equal(d9.known_ms, 22.25 * H, 'maintenance is neither known nor unknown');
  // The day's first observation outside maintenance is 00:00; on a range starting inside a window it is the window's end.
  t.equal(l.report('cam-3', windows[0]!.start, at('2026-11-10T00:00:00+08:00'), now).first_known_ms, windows[0]!.end);
  const d10 = l.report('cam-3', at('2026-11-10T00:00:00+08:00'), now, now);
  t.equal(d10.maintenance_ms, 0);
  t.equal(fixed(d10.uptime_pct), '97.916666667');
  // The whole range under maintenance: nothing to count.
  const all = l.report('cam-3', windows[0]!.start, windows[0]!.end, now);
  t.equal(all.counted_ms, 0);
  t.equal(all.uptime_pct, null);
});

t.test('a silent agent makes time unknown, not up', async (t) => {
  const db = openStateDb(':memory:');
  const l = new UptimeLedger(db, { silenceMs: 300_000 });
  const day = at('2026-11-12T00:00:00+08:00');
  poll(l, 'cam-4', day, day + 10 * H + MIN, MIN, []); // last report at 10:00
  poll(l, 'cam-4', day + 12 * H, day + 24 * H, MIN, []); // resumes at 12:00
  const r = l.report('cam-4', day, day + 24 * H, day + 24 * H);
  t.equal(r.unknown_ms, 2 * H);
  t.equal(r.up_ms, 22 * H);
  t.equal(fixed(r.uptime_pct), ((100 * 22) / 24).toFixed(9));
  t.equal(fixed(r.unknown_pct), ((100 * 2) / 24).toFixed(9));
  // Coverage: what a report prints next to availability over the observed time only.
  t.equal(r.known_ms, 22 * H);
  t.equal(r.availability_pct, 100, 'up all the time it was observed');
  t.equal(fixed(r.coverage_pct), ((100 * 22) / 24).toFixed(9));
  t.equal(r.first_known_ms, day);
  // Monitoring that starts mid-range: first observation, and availability over the hours after it.
  const first = l.report('cam-4', day - 24 * H, day + H, day + 24 * H);
  t.match(first, { known_ms: H, availability_pct: 100, first_known_ms: day });
  t.equal(fixed(first.uptime_pct), (100 / 25).toFixed(9), 'uptime_pct still counts the unknown day against it');
  // Still silent at "now": the open interval stops at its last report.
  const later = l.report('cam-4', day + 24 * H, day + 48 * H, day + 48 * H);
  t.equal(later.up_ms, 0, 'the last report was at 23:59 the day before');
  t.equal(later.unknown_ms, 24 * H);
  // Before the first report is unknown too.
  const before = l.report('cam-4', day - 24 * H, day, day + 24 * H);
  t.equal(before.unknown_pct, 100);
  t.equal(l.report('never', day, day + H, day + H).kind, undefined);
});

t.test('observations: duplicates and older ones are ignored; a new down reason starts a new interval', async (t) => {
  const db = openStateDb(':memory:');
  const l = new UptimeLedger(db, { silenceMs: 300_000 });
  const x = at('2026-11-12T08:00:00+08:00');
  t.equal(l.observe('c', 'camera', true, '', x), 'opened');
  t.equal(l.observe('c', 'camera', true, '', x + MIN), undefined);
  t.equal(l.observe('c', 'camera', false, 'unreachable', x + 30_000), undefined, 'older than the last one');
  t.equal(l.observe('c', 'camera', false, 'unreachable', x + 2 * MIN), 'changed');
  t.equal(l.observe('c', 'camera', false, 'auth_failed', x + 3 * MIN), 'changed');
  t.equal(l.observe('c', 'camera', false, 'auth_failed', x + 4 * MIN), undefined);
  t.equal(l.observe('c', 'camera', false, 'auth_failed', x + 20 * MIN), 'resumed', 'after a silence');
  const r = l.report('c', x, x + 20 * MIN, x + 20 * MIN);
  t.same(
    r.outages.map((o) => o.reason),
    ['unreachable', 'auth_failed'],
    'the interval opened at "now" is empty',
  );
  t.equal(r.up_ms, 2 * MIN);
  t.equal(r.down_ms, 2 * MIN, '2→3 unreachable, 3→4 auth_failed, 4→20 silent');
  t.equal(r.unknown_ms, 16 * MIN);
  t.same(l.targets(), [{ target: 'c', kind: 'camera' }]);
});

t.test('observation() reads camera, snmp_device and ping samples', async (t) => {
  t.same(observation({ measurement: 'camera', tags: { camera: 'c1' }, fields: { up: int(0), error_class: 'auth_failed' }, time: 1 }), {
    target: 'c1',
    kind: 'camera',
    up: false,
    reason: 'auth_failed',
  });
  t.same(observation({ measurement: 'snmp_device', tags: { device: 's1' }, fields: { up: int(1) }, time: 1 }), {
    target: 's1',
    kind: 'device',
    up: true,
    reason: 'snmp_no_response',
  });
  t.same(observation({ measurement: 'ping', tags: { url: '10.0.0.1' }, fields: { result_code: int(2) }, time: 1 }), {
    target: '10.0.0.1',
    kind: 'device',
    up: false,
    reason: 'no_reply',
  });
  t.equal(observation({ measurement: 'cpu', tags: {}, fields: { usage_idle: 1 }, time: 1 }), undefined);
  t.equal(observation({ measurement: 'camera', tags: { camera: 'c' }, fields: { reachable: true }, time: 1 }), undefined);
});
