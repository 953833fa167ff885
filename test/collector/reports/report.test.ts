import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { evaluate } from '../../../collector/inspections/checks.ts';
import { influxInspectionInputs } from '../../../collector/inspections/inputs.ts';
import { InspectionStore } from '../../../collector/inspections/store.ts';
import { influxReader } from '../../../collector/store/influx-reader.ts';
import { AuditLog } from '../../../collector/store/audit.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { monthPeriod } from '../../../lib/month-period.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { removeDir, tempDir } from '../../peers/util.ts';
import { pdftotext, sections, squash } from './pdf-text.ts';
import { MONTH, seedInflux, TZ } from './seed.ts';

const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');

/**
 * The inventory of the seeded building: what the report names and places devices by. Besides
 * the seeded switches, cameras and PCs: a PC known to the pinger only by its IP (and to its own
 * agent as PC-0301), a printer added on the 16th, a camera whose monitoring began on the 11th,
 * and a switch nothing ever polled.
 */
export const INVENTORY = [
  { name: 'sw-a-shaft1', kind: 'switch', address: '10.3.0.2', building: 'A', shaft: 'A-1' },
  { name: 'sw-a-3f-01', kind: 'switch', building: 'A', floor: '3', room: '301 network closet' },
  { name: 'sw-a-4f-02', kind: 'switch', building: 'A', floor: '4' },
  { name: 'sw-a-5f-03', kind: 'switch', address: '10.3.5.2', building: 'A', floor: '5' },
  { name: 'cam-a-3f-lobby', kind: 'camera', building: 'A', floor: '3', room: 'lobby' },
  { name: 'cam-a-4f-001', kind: 'camera', building: 'A', floor: '4' },
  { name: 'cam-a-5f-002', kind: 'camera', building: 'A', floor: '5', monitored_since: '2026-10-11' },
  { name: 'cam-a-3f-003', kind: 'camera', building: 'A', floor: '3' },
  { name: 'pc-a-301', kind: 'pc', building: 'A', floor: '3' },
  { name: 'pc-a-302', kind: 'pc', building: 'A', floor: '3' },
  { name: 'pc-a-303', kind: 'pc', building: 'A', floor: '3' },
  // A list of addresses is matched too (test/collector/reports/ledger.test.ts); the config schema here takes one.
  { name: 'pc-0301', kind: 'pc', address: '10.3.1.21', building: 'A', floor: '3', room: '301' },
  { name: 'prn-a-3f', kind: 'printer', address: '10.3.1.50', building: 'A', floor: '3', room: '302' },
];

t.test('watchpost report: a seeded month, in English and Chinese, from a real influxd', async (t) => {
  const influx = await startInfluxd();
  const dir = tempDir('report');
  t.teardown(async () => {
    await influx.destroy();
    removeDir(dir);
  });
  await seedInflux(influx.url, 'watchpost');
  await seedInflux(influx.url, 'from20', undefined, { fromDay: 20 });
  const dataDir = path.join(dir, 'data');
  // An inspection with a failed manual item (→ a problem) and a problem carried from September.
  const db = openStateDb(dataDir);
  const period = monthPeriod(MONTH, TZ);
  let clock = period.startMs + 20 * 86_400_000;
  const store = new InspectionStore(db, new AuditLog(db), () => clock);
  const id = store.create('engineer:li', {
    schedule_id: 'network-shaft-a1',
    title: 'Shaft A-1 network',
    kind: 'network',
    period: MONTH,
    inventory: ['sw-a-shaft1'],
    items: [
      { mode: 'auto', code: 'reboots', device: 'sw-a-shaft1', label: 'No unexpected reboots', result: 'warn', evidence: { reboots: 1 }, note: '', photo: null },
      { mode: 'manual', code: 'manual:1', device: '', label: 'Shaft door locked', result: null, evidence: {}, note: '', photo: null },
    ],
  });
  store.recordManual('engineer:li', id, 2, { result: 'fail', note: 'lock broken' });
  clock += 3600_000;
  store.sign('engineer:li', id, 'Shaft checked', { owner: 'Wang', dueDays: 7 });
  // The CCTV inspection's automatic items, judged on the seeded cameras by the real checks.
  const cams = ['cam-a-3f-lobby', 'cam-a-4f-001', 'cam-a-5f-002', 'cam-a-3f-003'];
  const th = collectorConfigSchema.parse({}).inspections.thresholds;
  const auto = await evaluate(
    'cctv',
    cams,
    influxInspectionInputs(influxReader(collectorConfigSchema.parse({ influxdb: { url: influx.url, database: 'watchpost' } }).influxdb!)),
    { sinceMs: period.startMs, untilMs: period.endMs },
    th,
    'en',
  );
  t.match(
    auto.find((i) => i.device === 'cam-a-3f-003' && i.code === 'stream'),
    { result: 'na', evidence: { checked: false } },
    'stream check off: not checked',
  );
  t.match(
    auto.find((i) => i.device === 'cam-a-3f-lobby' && i.code === 'stream'),
    { result: 'pass' },
  );
  clock = period.startMs + 28 * 86_400_000;
  const cctv = store.create('engineer:li', { schedule_id: 'cctv-a', title: 'CCTV building A', kind: 'cctv', period: MONTH, inventory: cams, items: auto });
  store.sign('engineer:li', cctv, 'Cameras checked', { owner: 'Wang', dueDays: 7 });
  clock = period.startMs - 10 * 86_400_000;
  store.addProblem('engineer:li', { title: 'Label patch panel 2 in shaft A-1', severity: 'warn', owner: 'Zhao', due_ms: period.startMs + 86_400_000 });
  // Due after the month's end: open, not overdue, in October's report even when printed in December.
  store.addProblem('engineer:li', { title: 'Replace UPS battery', severity: 'warn', owner: 'Zhao', due_ms: period.endMs + 9 * 86_400_000 });
  db.close();

  const config = (database: string) => {
    const file = path.join(dir, `collector-${database}.yaml`);
    writeFileSync(
      file,
      stringify({
        collector: { data_dir: dataDir },
        influxdb: { url: influx.url, database },
        inventory: { devices: INVENTORY },
        reports: { organisation: '某市政务服务中心', contractor: 'Acme IT 运维', timezone: TZ },
      }),
    );
    return file;
  };
  const run = (lang: string, database = 'watchpost') => {
    const out = path.join(dir, `report-${database}-${lang}.pdf`);
    const r = spawnSync(process.execPath, [CLI, 'report', '--config', config(database), '--month', MONTH, '--lang', lang, '--out', out], { encoding: 'utf8' });
    t.equal(r.status, 0, `report --lang ${lang} exits 0: ${r.stderr}`);
    return out;
  };
  const keep = (file: string) => {
    // WP_KEEP_REPORTS=DIR keeps the PDFs for a person to look at.
    if (process.env.WP_KEEP_REPORTS && existsSync(process.env.WP_KEEP_REPORTS)) spawnSync('cp', [file, process.env.WP_KEEP_REPORTS]);
  };

  await t.test('English', async (t) => {
    const file = run('en');
    keep(file);
    const text = squash(pdftotext(file, '-layout'));
    const headings = [
      'Executive summary',
      'Network equipment',
      'CCTV system',
      'PCs and peripherals',
      'Alerts and response times',
      'SMS usage against the yearly budget',
      'Inspections',
      'Problem list',
    ];
    const s = sections(text, headings);
    t.match(text, 'Monthly Operations and Inspection Report');
    t.match(text, '某市政务服务中心', 'organisation (CJK) on the cover');
    t.match(text, '2026-10-01 – 2026-10-31', 'period in local dates');

    const sum = s['Executive summary']!;
    // Switches: the shaft switch was down 6 of 744 hours (99.194%), the other two 100%; sw-a-5f-03 was never seen.
    t.match(sum, /Network device availability \(mean\) 99\.731% ≥ 99\.5%/, 'mean over the three switches seen');
    t.match(sum, /Network devices below target 1 ?\/ ?3 0/, 'the never-seen switch is not "below target"');
    t.match(sum, /Devices with data this month 12 \/ 13/, 'all but sw-a-5f-03');
    // Up/down device-days: switches 31+31+31+0, cameras 31+31+21+31, pc-0301 31, printer 16 (from the 16th); the other PCs are not pinged.
    t.match(sum, /Monitored device-days \(coverage\) 254 \/ 403 \(63\.0%\)/, 'coverage in device-days');
    // Lobby 30 of 31 days; cam-a-5f-002 counted from its monitored_since (21 days, its outage on the 5th left out).
    t.match(sum, /Camera-days meeting the 24 h target 113 \/ 114 \(99\.1%\) ≥ 99%/, 'camera-days over monitored days only');
    t.match(sum, /Cameras: mean monthly uptime 99\.899%/, '(99.597 + 100 × 3) / 4');
    // pc-a-301 is 45 days behind; the printer has no patch or antivirus check: not counted either way.
    t.match(sum, /PCs patched \(patch compliance\) 3 \/ 4 \(75\.0%\)/, 'patch compliance over the PCs checked');
    t.match(sum, /PCs with active, up-to-date antivirus 3 \/ 4 \(75\.0%\)/, 'antivirus compliance over the PCs checked');
    t.match(sum, /Incidents \(alerts\) 3 \(of which critical 1\)/, 'three alert episodes');
    t.match(sum, /On-site within SLA 2 \/ 3 \(66\.7%\)/, 'acked in 30 and 20 min; one in 150 min');
    t.match(sum, /SMS parts used this year 150 \/ 1000/, 'SMS against the budget derived from budget_used_pct');
    t.match(sum, /Inspections signed off 2 ?\/ ?2/, 'both inspections signed');
    // Reboot (warn) and door (fail) due on the 28th, the patch panel on the 2nd: before the month's end. The UPS is due in November.
    t.match(sum, /Open problems 4 \(overdue 3\)/, 'overdue means due before the month ended');
    t.notMatch(sum, /Monitoring data from/, 'a whole month of data needs no start note');
    t.match(sum, /No data this month from: sw-a-5f-03\./, 'the never-seen device is named');

    const net = s['Network equipment']!;
    t.match(net, /Building A · Shaft A-1\s+Device Availability Monitored/, 'network grouped by shaft');
    t.match(net, /sw-a-shaft1 99\.194% 31 \/ 31 1 0 0 0 38\.0/, 'shaft switch availability, coverage and its reboot');
    t.match(net, /Building A · Floor 3 · 301 network closet/, 'by floor and room from the inventory');
    t.match(net, /sw-a-3f-01 100\.000% 31 \/ 31 0 1 2229 0 61\.5/, 'a port down at month end; 3 CRC errors an hour for 743 hours; 61.5 °C on the 16th');
    t.match(net, /Building A · Floor 5 · Office area[\s\S]*sw-a-5f-03 — never seen — — — — —/, 'the never-seen switch: no figure, not down');
    t.notMatch(net, /10\.3\.1\.|pc-|prn-/, 'no PC, printer or raw IP among network equipment');
    t.notMatch(text, 'Location not in inventory', 'every device is placed by the inventory');

    const cctv = s['CCTV system']!;
    t.match(cctv, /cam-a-3f-lobby Building A · Floor 3 · lobby 31 \/ 31 30 \/ 31 87\.50% 99\.597%/, 'lobby: 21/24 h on its worst day');
    t.match(cctv, /cam-a-5f-002 Building A · Floor 5 ·[^\n]*? 21 \/ 31 21 \/ 21 100\.00% 100\.000%/, 'counted from monitored_since');

    const pcs = s['PCs and peripherals']!;
    t.match(
      pcs,
      /pc-0301 Building A · Floor 3 ·[^\n]*? 99\.462% 31 \/ 31 5 0 yes — yes/,
      "the ping of 10.3.1.21 and PC-0301's agent are pc-0301: 740 of 744 h",
    );
    t.match(pcs, /prn-a-3f Building A · Floor 3 ·[^\n]*? 100\.000% 16 \/ 31 — — not checked — not checked/, 'printer added on the 16th; no patch check made');
    t.notMatch(pcs, 'poller-a-b1', "an agent's own host with only a disk reading is not listed as a PC");
    t.match(pcs, /pc-a-301 Building A · Floor 3 ·[^\n]*? — — 45 2 yes 50% no/, 'PC 45 days behind on patches');

    const alerts = s['Alerts and response times']!;
    t.match(alerts, /device_down sw-a-shaft1 critical .*30 min 6 h 00 met/, 'time to ack / resolve');
    t.match(alerts, /camera_down cam-a-3f-lobby warning .*2 h 30 3 h 00 missed/, 'SLA missed');
    t.match(alerts, /ping_down pc-0301 warning .*20 min 4 h 00 met/, 'the alert on 10.3.1.21 names pc-0301');

    const ins = s['Inspections']!;
    t.match(ins, /Signed off by engineer:li/, 'inspection sign-off');
    t.match(ins, /Shaft door locked fail lock broken/, 'manual finding with its note');
    t.match(ins, /cam-a-3f-003 Video stream not checked/, 'a switched-off check is not checked, not failed');
    t.notMatch(ins, /Video stream fail/, 'no stream failed');

    const probs = s['Problem list']!;
    t.match(probs, /Shaft door locked: lock broken Wang 2026-10-28 overdue/, 'failed item became a problem, due before month end');
    t.match(probs, /Label patch panel 2 in shaft A-1 Zhao 2026-10-02 overdue/, 'problem carried from last month, overdue');
    t.match(probs, /Replace UPS battery Zhao 2026-11-10 open/, 'due after the month: open');

    const pages = Number(/Page 1 of (\d+)/.exec(text)?.[1]);
    t.ok(pages >= 8, `page numbers (${pages} pages)`);
    t.match(text, `Page ${pages} of ${pages}`, 'last page numbered');
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout;
    t.match(fonts, /[A-Z]{6}\+WenQuanYiMicroHei\s+CID TrueType\s+Identity-H\s+yes yes yes/, 'embedded subset with ToUnicode');
    t.notMatch(fonts, /Helvetica/, 'no unembedded standard font');
  });

  await t.test('Chinese', async (t) => {
    const file = run('zh-CN');
    keep(file);
    const text = squash(pdftotext(file, '-layout'));
    const s = sections(text, ['摘要', '网络设备', '视频监控系统', '电脑及外设', '告警及响应时间', '短信用量与年度预算', '巡检记录', '问题清单']);
    t.match(text, '月度运维巡检报告');
    const sum = s['摘要']!;
    t.match(sum, /网络设备平均可用率 99\.731%/);
    t.match(sum, /未达标网络设备 1 ?\/ ?3/);
    t.match(sum, /本月有监测数据的设备 12 \/ 13/);
    t.match(sum, /已监测设备·天（覆盖率） 254 \/ 403 \(63\.0%\)/);
    t.match(sum, /摄像机24小时在线达标（机·天） 113 \/ 114 \(99\.1%\)/, 'camera-days');
    t.match(sum, /电脑补丁合规 3 \/ 4 \(75\.0%\)/);
    t.match(sum, /未关闭问题 4 \(已逾期 3\)/);
    t.match(sum, /无数据的时段计为未知，不\s*计为中断/, 'the rule is printed with the figures');
    t.match(s['网络设备']!, /A楼 · 竖井 A-1/, 'grouped by shaft');
    t.match(s['网络设备']!, /sw-a-5f-03 — 无数据 — — — — —/, 'never seen');
    t.notMatch(s['网络设备']!, /10\.3\.1\.|pc-0301|未登记位置/, 'no PC or raw IP under 网络设备 / 未登记位置');
    t.match(s['电脑及外设']!, /pc-0301 A楼 · 3层 · 301 99\.462% 31 \/ 31/, 'pc-0301 under 电脑及外设');
    t.match(s['电脑及外设']!, /prn-a-3f A楼 · 3层 · 302 100\.000% 16 \/ 31 — — 未检查/, 'printer: 未检查');
    t.match(s['视频监控系统']!, /cam-a-5f-002 .* 21 \/ 31 21 \/ 21/);
    t.match(s['巡检记录']!, /cam-a-3f-003 Video stream 未检查/, '未检查, not 异常 (labels are stored in the language the inspection ran in)');
    t.notMatch(s['巡检记录']!, /Video stream 异常/);
    t.match(s['问题清单']!, /Replace UPS battery Zhao 2026-11-10 未结束/, 'due after the month: 未结束');
    t.match(text, /第 1 页，共 \d+ 页/, 'page numbers');
  });

  await t.test('a month whose monitoring starts on the 20th', async (t) => {
    const file = run('en', 'from20');
    keep(file);
    const text = squash(pdftotext(file, '-layout'));
    const s = sections(text, ['Executive summary', 'Network equipment', 'CCTV system', 'PCs and peripherals', 'Alerts and response times']);
    const sum = s['Executive summary']!;
    t.match(sum, /Network device availability \(mean\) 100\.000%/, 'the 19 days before have no data: unknown, not down');
    t.match(sum, /Network devices below target 0 ?\/ ?3/);
    // 3 switches + 4 cameras + pc-0301 + printer, 12 days each.
    t.match(sum, /Monitored device-days \(coverage\) 108 \/ 403 \(26\.8%\)/);
    t.match(sum, /Camera-days meeting the 24 h target 48 \/ 48 \(100\.0%\)/);
    t.match(sum, /Incidents \(alerts\) 0/);
    t.match(sum, /Monitoring data from 2026-10-20: monitored 12 of 31 days\./, 'coverage is printed');
    t.match(s['Network equipment']!, /sw-a-shaft1 100\.000% 12 \/ 31 0/, 'per device: 12 of 31 days');
    t.match(s['PCs and peripherals']!, /prn-a-3f .*100\.000% 12 \/ 31/);
    const zh = squash(pdftotext(run('zh-CN', 'from20'), '-layout'));
    t.match(zh, /监测数据自 2026-10-20 起：已监测 12\/31 天。/, 'zh coverage');
  });
});

t.test('watchpost report: a clear error when the configured font is missing', async (t) => {
  const dir = tempDir('report-font');
  t.teardown(() => removeDir(dir));
  const cfgFile = path.join(dir, 'c.yaml');
  writeFileSync(cfgFile, stringify({ collector: { data_dir: path.join(dir, 'data') }, reports: { font_path: path.join(dir, 'none.ttf') } }));
  const r = spawnSync(process.execPath, [CLI, 'report', '--config', cfgFile, '--month', '2026-10', '--out', path.join(dir, 'x.pdf')], { encoding: 'utf8' });
  t.equal(r.status, 2);
  t.match(r.stderr, /reports\.font_path .*none\.ttf does not exist/);
  const bad = spawnSync(process.execPath, [CLI, 'report', '--config', cfgFile, '--month', '2026-13', '--out', path.join(dir, 'x.pdf')], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /month must look like 2026-10/);
});
