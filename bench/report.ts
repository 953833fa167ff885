// bench:report — time, peak RSS and size of the monthly PDF report for a month of data on
// 500 entities (switch ports, cameras, PCs) in a real influxd, with three signed inspections
// (~1,800 checklist rows) in the state DB. Side by side in the same run: the reference run
// that only gathers the same data (the InfluxQL queries, no PDF), and the budget.
// A third run reads availability from the uptime ledger in the state DB, as the collector's
// report does (one ledger report per target and day).
//   npm run bench:report                      (defaults: 10 switches x 20 ports, 200 cameras, 100 PCs, 10-min samples)
//   STEP_S=300 CAMERAS=300 npm run bench:report
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { InspectionStore } from '../collector/inspections/store.ts';
import { gatherReportData, type UptimeProvider } from '../collector/reports/data.ts';
import { generateReport } from '../collector/reports/generate.ts';
import { influxReader } from '../collector/store/influx-reader.ts';
import { monthPeriod } from '../lib/month-period.ts';
import { AuditLog } from '../collector/store/audit.ts';
import { openStateDb } from '../collector/store/db.ts';
import { UptimeLedger } from '../collector/uptime/ledger.ts';
import { collectorConfigSchema } from '../config/schema/collector.ts';
import { MONTH, seedInflux, TZ, type SeedScale } from '../test/collector/reports/seed.ts';
import { startInfluxd } from '../test/peers/influxd.ts';
import { removeDir, tempDir } from '../test/peers/util.ts';
import { cpuSeconds, table } from './lib.ts';

const SCALE: SeedScale = {
  switches: Number(process.env.SWITCHES ?? 10),
  portsPerSwitch: Number(process.env.PORTS ?? 20),
  cameras: Number(process.env.CAMERAS ?? 200),
  pcs: Number(process.env.PCS ?? 100),
  stepS: Number(process.env.STEP_S ?? 600),
};

function config(influxUrl: string, dataDir: string) {
  return collectorConfigSchema.parse({
    collector: { data_dir: dataDir },
    influxdb: { url: influxUrl, database: 'watchpost', timeout_ms: 120_000 },
    reports: { organisation: '某市政务服务中心', contractor: 'Bench 运维', timezone: TZ },
  });
}

/** Child: one measured run in a fresh process so maxRSS is this run's alone. */
async function child(influxUrl: string, dataDir: string, mode: string): Promise<void> {
  const cfg = config(influxUrl, dataDir);
  const db = openStateDb(dataDir);
  const store = new InspectionStore(db, new AuditLog(db));
  const t0 = performance.now();
  let bytes = 0;
  let lang = '';
  if (mode === 'gather') {
    await gatherReportData(monthPeriod(MONTH, TZ), { config: cfg, influx: influxReader(cfg.influxdb!), inspections: store });
  } else {
    lang = mode === 'ledger' ? 'zh-CN' : mode;
    let uptime: UptimeProvider | undefined;
    if (mode === 'ledger') {
      const ledger = new UptimeLedger(db, { silenceMs: 15 * 60_000 });
      const end = monthPeriod(MONTH, TZ).endMs;
      uptime = { ledger, report: (target: string, from: number, to: number) => ledger.report(target, from, to, end) };
    }
    const { pdf } = await generateReport({ config: cfg, month: MONTH, lang: lang as 'en' | 'zh-CN', inspections: store, uptime });
    bytes = pdf.length;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dataDir, `report-${mode}.pdf`), pdf);
  }
  const ms = performance.now() - t0;
  db.close();
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ ms, cpu_s: (cpu.user + cpu.system) / 1e6, max_rss_mb: process.resourceUsage().maxRSS / 1024, bytes }));
}

/** The uptime ledger as the collector would have kept it for the seeded cameras and switches (same outages). Returns observations. */
function seedLedger(dataDir: string): number {
  const db = openStateDb(dataDir);
  const ledger = new UptimeLedger(db, { silenceMs: 15 * 60_000 });
  const p = monthPeriod(MONTH, TZ);
  const day = 86_400_000;
  let n = 0;
  // observe() runs its own transactions; a seed does not need each one on disk.
  db.exec('PRAGMA synchronous = OFF');
  for (let t = p.startMs; t <= p.endMs; t += SCALE.stepS * 1000) {
    for (let i = 0; i < SCALE.switches; i++) {
      const down = i === 0 && t >= p.startMs + 4 * day + 8 * 3600_000 && t < p.startMs + 4 * day + 14 * 3600_000;
      ledger.observe(i === 0 ? 'sw-a-shaft1' : `sw-a-${i + 2}f-${String(i).padStart(2, '0')}`, 'device', !down, 'snmp_no_response', t);
      n++;
    }
    for (let c = 0; c < SCALE.cameras; c++) {
      const down = c === 0 && t >= p.startMs + 9 * day + 10 * 3600_000 && t < p.startMs + 9 * day + 13 * 3600_000;
      ledger.observe(c === 0 ? 'cam-a-3f-lobby' : `cam-a-${3 + (c % 3)}f-${String(c).padStart(3, '0')}`, 'camera', !down, 'unreachable', t);
      n++;
    }
  }
  db.close();
  return n;
}

function seedInspections(dataDir: string): number {
  const db = openStateDb(dataDir);
  const p = monthPeriod(MONTH, TZ);
  let clock = p.startMs + 25 * 86_400_000;
  const store = new InspectionStore(db, new AuditLog(db), () => clock);
  let rows = 0;
  const kinds: [string, string, string[], string[]][] = [
    [
      'net',
      'network',
      Array.from({ length: SCALE.switches }, (_, i) => `sw-${i}`),
      ['reachable', 'reboots', 'ports_down', 'port_errors', 'flaps', 'temperature', 'fan_psu', 'config_changed'],
    ],
    [
      'cctv',
      'cctv',
      Array.from({ length: SCALE.cameras }, (_, i) => `cam-${i}`),
      ['reachable', 'uptime_24h', 'uptime_month', 'clock_drift', 'stream', 'snapshot'],
    ],
    ['pcs', 'pc', Array.from({ length: SCALE.pcs }, (_, i) => `pc-${i}`), ['patch', 'security_updates', 'antivirus', 'disk', 'disk_health']],
  ];
  for (const [id, kind, devices, codes] of kinds) {
    const items = devices.flatMap((d, i) =>
      codes.map((code, j) => ({
        mode: 'auto' as const,
        code,
        device: d,
        label: code,
        result: (i * 7 + j) % 23 === 0 ? ('fail' as const) : ('pass' as const),
        evidence: { value: i + j / 10 },
        note: '',
        photo: null,
      })),
    );
    const all: Parameters<InspectionStore['create']>[1]['items'] = [
      ...items,
      { mode: 'manual', code: 'manual:1', device: '', label: 'Cabling tidy and labelled', result: null, evidence: {}, note: '', photo: null },
    ];
    const ins = store.create('bench', { schedule_id: id, title: `${kind} inspection`, kind, period: MONTH, inventory: devices, items: all });
    store.recordManual('bench', ins, all.length, { result: 'pass', note: 'ok' });
    clock += 3600_000;
    store.sign('bench', ins, 'bench', { owner: 'Li', dueDays: 14 });
    rows += all.length;
  }
  db.close();
  return rows;
}

const [, , flag, a1, a2, a3] = process.argv;
if (flag === '--child') {
  await child(a1!, a2!, a3!);
} else {
  const log = pino({ level: 'info' });
  const influx = await startInfluxd();
  const dir = tempDir('bench-report');
  try {
    const entities = SCALE.switches * SCALE.portsPerSwitch + SCALE.cameras + SCALE.pcs;
    const t0 = performance.now();
    const lines = await seedInflux(influx.url, 'watchpost', SCALE);
    log.info({ entities, lines, seconds: Math.round((performance.now() - t0) / 100) / 10 }, 'seeded a month of data');
    const rows = seedInspections(dir);
    const t1 = performance.now();
    const observations = seedLedger(dir);
    log.info({ observations, seconds: Math.round((performance.now() - t1) / 100) / 10 }, 'seeded the uptime ledger');
    const run = (mode: string) => {
      const c0 = cpuSeconds(influx.pid());
      const r = spawnSync(process.execPath, [import.meta.filename, '--child', influx.url, dir, mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms: number; cpu_s: number; max_rss_mb: number; bytes: number };
      return { ...out, influx_cpu_s: cpuSeconds(influx.pid()) - c0 };
    };
    // Warm influxd's caches once, then measure.
    run('gather');
    const gather = run('gather');
    const zh = run('zh-CN');
    const en = run('en');
    const led = run('ledger');
    const pages = (f: string) => Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [f], { encoding: 'utf8' }).stdout)?.[1] ?? 0);
    console.log(
      `\nbench:report — ${MONTH}, ${SCALE.switches} switches x ${SCALE.portsPerSwitch} ports + ${SCALE.cameras} cameras + ${SCALE.pcs} PCs = ${entities} entities, ${lines.toLocaleString('en-US')} points (${SCALE.stepS} s step), ${rows} checklist rows\n`,
    );
    const row = (name: string, r: typeof zh, file?: string) => ({
      run: name,
      seconds: r.ms / 1000,
      cpu_s: r.cpu_s,
      influxd_cpu_s: r.influx_cpu_s,
      peak_rss_mb: r.max_rss_mb,
      pdf_mb: r.bytes / 1048576,
      pages: file ? pages(path.join(dir, file)) : 0,
      'time / gather': r.ms / gather.ms,
    });
    console.log(
      table([
        row('report zh-CN (PDF)', zh, 'report-zh-CN.pdf'),
        row('report en (PDF)', en, 'report-en.pdf'),
        row('report zh-CN (PDF), availability from the uptime ledger', led, 'report-ledger.pdf'),
        row('reference: gather only (InfluxQL + state DB)', gather),
        { run: 'budget (issue 7)', seconds: 5, cpu_s: 0, influxd_cpu_s: 0, peak_rss_mb: 300, pdf_mb: 3, pages: 0, 'time / gather': 0 },
      ]),
    );
    console.log(
      `\nload average during the run: ${(await import('node:os'))
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${(await import('node:os')).cpus().length} CPUs (wall times inflate with contention; cpu_s does less)`,
    );
    const worst = [zh, en, led];
    console.log(
      `\nagainst the budget: time ${(Math.max(...worst.map((w) => w.ms)) / 5000).toFixed(2)}x, RSS ${(Math.max(...worst.map((w) => w.max_rss_mb)) / 300).toFixed(2)}x, size ${(Math.max(...worst.map((w) => w.bytes)) / 3 / 1048576).toFixed(2)}x (≤ 1.00 meets it)`,
    );
  } finally {
    await influx.destroy();
    removeDir(dir);
  }
}
