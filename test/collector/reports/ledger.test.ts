import t from 'tap';
import { gatherReportData } from '../../../collector/reports/data.ts';
import { localMidnight, monthPeriod } from '../../../collector/reports/period.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { UptimeLedger } from '../../../collector/uptime/ledger.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';

const TZ = 'Asia/Shanghai';

t.test('camera compliance comes from the uptime ledger when it runs', async (t) => {
  const db = openStateDb(':memory:');
  t.teardown(() => db.close());
  const ledger = new UptimeLedger(db, { silenceMs: 15 * 60_000 });
  const p = monthPeriod('2026-10', TZ);
  const downFrom = localMidnight(2026, 10, 10, TZ) + 10 * 3600_000;
  const downTo = downFrom + 3 * 3600_000;
  for (let ts = p.startMs; ts <= p.endMs; ts += 5 * 60_000) {
    ledger.observe('cam-lobby', 'camera', !(ts >= downFrom && ts < downTo), 'poll', ts);
    // A second camera that stopped reporting on the 20th: its silence counts against it.
    if (ts < localMidnight(2026, 10, 20, TZ)) ledger.observe('cam-gate', 'camera', true, 'poll', ts);
  }
  ledger.observe('sw-1', 'device', true, 'poll', p.startMs);
  const now = p.endMs + 3600_000;
  const uptime = { ledger, report: (target: string, from: number, to: number) => ledger.report(target, from, to, now) };
  const config = collectorConfigSchema.parse({ collector: { data_dir: ':memory:' }, inventory: { devices: [{ name: 'cam-lobby', kind: 'camera', building: 'A', floor: '1' }] } });
  const d = await gatherReportData(p, { config, influx: undefined, modules: new Map([['uptime', uptime]]), now: () => now });
  const lobby = d.cameras.find((c) => c.name === 'cam-lobby')!;
  t.match(lobby, { building: 'A', floor: '1', days: 31, compliant_days: 30 });
  t.ok(Math.abs(lobby.worst_24h_pct! - 87.5) < 0.01, `worst day ${lobby.worst_24h_pct}`);
  t.ok(Math.abs(lobby.month_pct! - (100 * (744 - 3)) / 744) < 0.01, `month ${lobby.month_pct}`);
  const gate = d.cameras.find((c) => c.name === 'cam-gate')!;
  t.equal(gate.compliant_days, 19, 'compliant until it went silent');
  t.ok(gate.month_pct! < 62, `unknown time counts against the month: ${gate.month_pct}`);
  t.notOk(d.cameras.some((c) => c.name === 'sw-1'), 'devices are not cameras');
  t.equal(d.trend.camera_uptime.length, 31, 'a daily trend point per day');
});
