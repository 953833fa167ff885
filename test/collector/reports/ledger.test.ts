import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { gatherReportData } from '../../../collector/reports/data.ts';
import { DeviceIndex } from '../../../collector/reports/devices.ts';
import { generateReport } from '../../../collector/reports/generate.ts';
import { monthPeriod } from '../../../lib/month-period.ts';
import { localMidnight } from '../../../lib/zoned-time.ts';
import { InspectionStore } from '../../../collector/inspections/store.ts';
import { AuditLog } from '../../../collector/store/audit.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { UptimeLedger } from '../../../collector/uptime/ledger.ts';
import { createUptimeService } from '../../../collector/uptime/module.ts';
import { collectorConfigSchema, type CollectorConfig } from '../../../config/schema/collector.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const TZ = 'Asia/Shanghai';
const H = 3600_000;

t.test('camera compliance comes from the uptime ledger; silence is unknown, not down', async (t) => {
  const db = openStateDb(':memory:');
  t.teardown(() => db.close());
  const ledger = new UptimeLedger(db, { silenceMs: 15 * 60_000 });
  const p = monthPeriod('2026-10', TZ);
  const downFrom = localMidnight(2026, 10, 10, TZ) + 10 * H;
  const downTo = downFrom + 3 * H;
  for (let ts = p.startMs; ts <= p.endMs; ts += 5 * 60_000) {
    ledger.observe('cam-lobby', 'camera', !(ts >= downFrom && ts < downTo), 'poll', ts);
    // A second camera that stopped reporting on the 20th: the rest of its month is unknown.
    if (ts < localMidnight(2026, 10, 20, TZ)) ledger.observe('cam-gate', 'camera', true, 'poll', ts);
  }
  ledger.observe('sw-1', 'device', true, 'poll', p.startMs);
  const now = p.endMs + H;
  const uptime = { ledger, report: (target: string, from: number, to: number) => ledger.report(target, from, to, now) };
  const config = collectorConfigSchema.parse({
    collector: { data_dir: ':memory:' },
    inventory: { devices: [{ name: 'cam-lobby', kind: 'camera', building: 'A', floor: '1' }] },
  });
  const d = await gatherReportData(p, { config, influx: undefined, uptime, now: () => now });
  const lobby = d.cameras.find((c) => c.name === 'cam-lobby')!;
  t.match(lobby, { building: 'A', floor: '1', days: 31, compliant_days: 30, coverage: { days_monitored: 31, days_in_period: 31, first_day: '2026-10-01' } });
  t.ok(Math.abs(lobby.worst_24h_pct! - 87.5) < 0.01, `worst day ${lobby.worst_24h_pct}`);
  t.ok(Math.abs(lobby.month_pct! - (100 * (744 - 3)) / 744) < 0.01, `month ${lobby.month_pct}`);
  const gate = d.cameras.find((c) => c.name === 'cam-gate')!;
  // The 19th's last poll is 23:55; the 5 minutes to midnight are still within silence_s.
  t.match(
    gate,
    { kind: 'unregistered', days: 19, compliant_days: 19, month_pct: 100, coverage: { days_monitored: 19 } },
    'camera-days are the days it was watched',
  );
  t.notOk(
    d.cameras.some((c) => c.name === 'sw-1'),
    'devices are not cameras',
  );
  t.equal(d.trend.camera_uptime.filter((x) => x.value !== null).length, 31, 'a daily trend point per monitored day');
});

t.test('the current month, monitoring started today: figures over the hours monitored', async (t) => {
  // The first report: 0.065 % network availability, 8/8 below target, 0/9 camera-days.
  const influx = await startInfluxd();
  const dir = tempDir('report-today');
  const db = openStateDb(path.join(dir, 'data'));
  t.teardown(async () => {
    db.close();
    await influx.destroy();
    removeDir(dir);
  });
  await influx.query('CREATE DATABASE "today"');
  const today = localMidnight(2026, 10, 20, TZ);
  const start = today + 9 * H;
  const now = today + 15 * H;
  const ledger = new UptimeLedger(db, { silenceMs: 300_000 });
  const uptime = createUptimeService(ledger, { silenceMs: 300_000, timezone: TZ, compliantPct: 99, writeIntervalMs: 60_000 }, () => now);
  const switches = ['sw-1', 'sw-2', 'sw-3', 'sw-4', 'sw-5'];
  const pcs = ['10.3.1.21', '10.3.1.22', 'pc-0303.office.lan'];
  for (let ts = start; ts <= now; ts += 5 * 60_000) {
    for (const s of switches) ledger.observe(s, 'device', true, '', ts);
    // pc-0303 does not answer 09:30–10:00.
    for (const p of pcs) ledger.observe(p, 'device', !(p.startsWith('pc-0303') && ts >= start + 0.5 * H && ts < start + H), 'no_reply', ts);
    for (const c of ['cam-1', 'cam-2']) ledger.observe(c, 'camera', true, '', ts);
  }
  const store = new InspectionStore(db, new AuditLog(db), () => now);
  store.addProblem('engineer:li', { title: 'Relabel rack A', severity: 'warn', owner: 'Zhao', due_ms: now + 14 * 86_400_000 });
  store.addProblem('engineer:li', { title: 'Fix shaft door', severity: 'fail', owner: 'Wang', due_ms: now - 86_400_000 });
  const parsed = collectorConfigSchema.parse({
    collector: { data_dir: dir },
    influxdb: { url: influx.url, database: 'today' },
    reports: { timezone: TZ },
    inventory: {
      devices: [
        ...switches.map((name) => ({ name, kind: 'switch' as const, building: 'A', floor: '1' })),
        { name: 'sw-6', kind: 'switch', building: 'A', floor: '2' },
        { name: 'pc-0301', kind: 'pc', address: '10.3.1.21', building: 'A', floor: '3', room: '301' },
        { name: 'pc-0302', kind: 'pc', address: '10.3.1.22', building: 'A', floor: '3', room: '302' },
        { name: 'pc-0303', kind: 'pc', building: 'A', floor: '3', room: '303' },
        { name: 'cam-1', kind: 'camera', building: 'A', floor: '1' },
        { name: 'cam-2', kind: 'camera', building: 'A', floor: '1' },
      ],
    },
  });
  // An inventory address may be a list (IP and host name); the report matches either.
  const config = {
    ...parsed,
    inventory: { devices: parsed.inventory.devices.map((d) => (d.name === 'pc-0303' ? { ...d, address: ['10.3.1.23', 'pc-0303.office.lan'] } : d)) },
  } as unknown as CollectorConfig;
  const { data: d, pdf } = await generateReport({ config, month: '2026-10', lang: 'en', inspections: store, uptime, now: () => now });

  t.same(
    d.devices.map((x) => [x.name, x.availability_pct, x.coverage.days_monitored]),
    [...switches.map((n) => [n, 100, 1]), ['sw-6', null, 0]],
    'switches: 100 % over the 6 hours watched; sw-6 never seen',
  );
  t.same(
    d.pcs.map((x) => [x.host, x.availability_pct === null ? null : Number(x.availability_pct.toFixed(3))]),
    [
      ['pc-0301', 100],
      ['pc-0302', 100],
      ['pc-0303', 91.667],
    ],
    'pinged PCs by inventory name: 5.5 of 6 h',
  );
  t.same(
    d.cameras.map((c) => [c.name, c.days, c.compliant_days]),
    [
      ['cam-1', 1, 1],
      ['cam-2', 1, 1],
    ],
    'one camera-day each, today',
  );

  const file = path.join(dir, 'today.pdf');
  writeFileSync(file, pdf);
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout.replace(/[ \t]+/g, ' ');
  t.match(text, /Network device availability \(mean\) 100\.000%/, 'not 0.065 %');
  t.match(text, /Network devices below target 0 ?\/ ?5/, 'not 8/8');
  t.match(text, /Camera-days meeting the 24 h target 2 \/ 2 \(100\.0%\)/, 'not 0/9');
  t.match(text, /Devices with data this month 10 \/ 11/);
  t.match(text, /Monitored device-days \(coverage\) 10 \/ 341 \(2\.9%\)/);
  t.match(text, /Monitoring data from 2026-10-20: monitored 1 of 31 days\./);
  t.match(text, /Open problems 2 \(overdue 1\)/, 'due in two weeks is not overdue');
  t.match(text, /Relabel rack A Zhao 2026-11-03 open/);
  t.match(text, /Fix shaft door Wang 2026-10-19 overdue/);
  t.match(text, /pc-0303 Building A · Floor 3 ·[^\n]*? 91\.667% 1 \/ 31/, 'the address list matched the host name');
  t.notMatch(text, /10\.3\.1\.2|pc-0303\.office\.lan/, 'no raw address anywhere');
});

t.test('targets are matched by name, then by address (one or a list), case-insensitively', async (t) => {
  const idx = new DeviceIndex([
    { name: 'pc-0301', kind: 'pc', address: ['10.3.1.21', 'PC-0301.office.lan'] },
    { name: 'prn-1', kind: 'printer', address: '10.3.1.50' },
    { name: '10.3.1.50', kind: 'other' },
  ]);
  t.equal(idx.nameOf('10.3.1.21'), 'pc-0301');
  t.equal(idx.nameOf('pc-0301.OFFICE.lan'), 'pc-0301');
  t.equal(idx.nameOf('PC-0301'), 'pc-0301', "a Windows agent's capitals");
  t.equal(idx.nameOf('10.3.1.50'), '10.3.1.50', 'a name wins over an address');
  t.equal(idx.nameOf('10.9.9.9'), '10.9.9.9', 'unregistered keeps its own name');
  t.equal(
    idx.monitoredSince('prn-1', (y, m, d) => Date.UTC(y, m - 1, d)),
    undefined,
  );
  const cfg = collectorConfigSchema.safeParse({ inventory: { devices: [{ name: 'x', monitored_since: '2026-10-32' }] } });
  t.notOk(cfg.success, 'monitored_since must be a real date');
  t.match(String(cfg.error), /expected a date like 2026-10-20/);
});

t.test('watchpost report reads the uptime ledger from the state DB, with maintenance excluded', async (t) => {
  const dir = tempDir('report-cli-ledger');
  t.teardown(() => removeDir(dir));
  const dataDir = path.join(dir, 'data');
  const db = openStateDb(dataDir);
  const ledger = new UptimeLedger(db, { silenceMs: 300_000 });
  const p = monthPeriod('2026-10', TZ);
  const from = localMidnight(2026, 10, 20, TZ);
  const downFrom = localMidnight(2026, 10, 25, TZ) + 10 * H;
  for (let ts = from; ts <= p.endMs; ts += 5 * 60_000) {
    ledger.observe('sw-x', 'device', !(ts >= downFrom && ts < downFrom + 2 * H), 'snmp_no_response', ts);
    ledger.observe('10.3.1.21', 'device', true, '', ts);
  }
  db.close();
  const cfg = path.join(dir, 'collector.yaml');
  writeFileSync(
    cfg,
    [
      `collector: { data_dir: ${JSON.stringify(dataDir)} }`,
      `reports: { timezone: ${TZ} }`,
      'inventory:',
      '  devices:',
      '    - { name: sw-x, kind: switch, building: B, floor: "2" }',
      '    - { name: pc-0301, kind: pc, address: 10.3.1.21, building: B, floor: "3", room: "301" }',
      'maintenance:',
      '  windows:',
      '    - { name: swap, targets: [sw-x], start: "2026-10-25T11:00:00+08:00", end: "2026-10-25T12:00:00+08:00" }',
      '',
    ].join('\n'),
  );
  const out = path.join(dir, 'r.pdf');
  const r = spawnSync(
    process.execPath,
    [path.resolve(import.meta.dirname, '../../../cli/watchpost.ts'), 'report', '--config', cfg, '--month', '2026-10', '--lang', 'en', '--out', out],
    { encoding: 'utf8' },
  );
  t.equal(r.status, 0, r.stderr);
  const text = spawnSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' }).stdout.replace(/[ \t]+/g, ' ');
  // 12 days = 288 h, 1 h of it maintenance; down 10:00–12:00, of which 10:00–11:00 counts: 286 / 287 h.
  t.match(text, /sw-x 99\.652% 12 \/ 31/, 'availability over the monitored, non-maintenance time');
  t.match(text, /pc-0301 Building B · Floor 3 ·[^\n]*? 100\.000% 12 \/ 31/, "the ledger's 10.3.1.21 is pc-0301");
  t.match(text, /Monitoring data from 2026-10-20: monitored 12 of 31 days\./);
});
