import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { InspectionStore } from '../../../collector/inspections/store.ts';
import { AuditLog } from '../../../collector/store/audit.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { monthPeriod } from '../../../collector/reports/period.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { removeDir, tempDir } from '../../peers/util.ts';
import { MONTH, seedInflux, TZ } from './seed.ts';

const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');

function pdftotext(file: string, ...args: string[]): string {
  const r = spawnSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout;
}

/** pdftotext collapses runs of spaces in -layout mode differently per page: compare on single spaces. */
const squash = (s: string) => s.replace(/[ \t]+/g, ' ');

t.test('watchpost report: a seeded month, in English and Chinese, from a real influxd', async (t) => {
  const influx = await startInfluxd();
  const dir = tempDir('report');
  t.teardown(async () => {
    await influx.destroy();
    removeDir(dir);
  });
  await seedInflux(influx.url, 'watchpost');
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
  clock = period.startMs - 10 * 86_400_000;
  store.addProblem('engineer:li', { title: 'Label patch panel 2 in shaft A-1', severity: 'warn', owner: 'Zhao', due_ms: period.startMs + 86_400_000 });
  db.close();

  const cfgFile = path.join(dir, 'collector.yaml');
  writeFileSync(
    cfgFile,
    stringify({
      collector: { data_dir: dataDir },
      influxdb: { url: influx.url, database: 'watchpost' },
      reports: { organisation: '某市政务服务中心', contractor: 'Acme IT 运维', timezone: TZ },
    }),
  );
  const run = (lang: string) => {
    const out = path.join(dir, `report-${lang}.pdf`);
    const r = spawnSync(process.execPath, [CLI, 'report', '--config', cfgFile, '--month', MONTH, '--lang', lang, '--out', out], { encoding: 'utf8' });
    t.equal(r.status, 0, `report --lang ${lang} exits 0: ${r.stderr}`);
    return out;
  };

  await t.test('English', async (t) => {
    const file = run('en');
    const text = squash(pdftotext(file, '-layout'));
    for (const h of ['Monthly Operations and Inspection Report', 'Executive summary', 'Network equipment', 'CCTV system', 'PCs and peripherals', 'Alerts and response times', 'SMS usage against the yearly budget', 'Inspections', 'Problem list']) {
      t.match(text, h, `heading "${h}"`);
    }
    t.match(text, '某市政务服务中心', 'organisation (CJK) on the cover');
    t.match(text, '2026-10-01 – 2026-10-31', 'period in local dates');
    // Shaft switch down 6 of 744 hours.
    t.match(text, /sw-a-shaft1 99\.194% 1/, 'shaft switch availability and its reboot');
    t.match(text, 'Building A · Shaft A-1', 'network grouped by shaft');
    t.match(text, 'Building A · Floor 3 · Office area', 'and by floor');
    t.match(text, /Network devices below target 1 ?\/ ?3/, 'one device below the 99.5% target');
    // The lobby camera was down 3 hours on one day: 21/24 = 87.5%.
    t.match(text, /cam-a-3f-lobby .* 30 \/ 31 87\.50% 99\.597%/, 'camera 24 h compliance and month uptime');
    t.match(text, /Camera-days meeting the 24 h target 123 \/ 124 \(99\.2%\)/, 'camera-days in the summary');
    t.match(text, /PCs patched \(patch compliance\) 2 \/ 3 \(66\.7%\)/, 'patch compliance');
    t.match(text, /PCs with active, up-to-date antivirus 2 \/ 3 \(66\.7%\)/, 'antivirus compliance');
    t.match(text, /On-site within SLA 1 \/ 2 \(50\.0%\)/, 'one alert acked in 30 min, one in 150 min');
    t.match(text, /device_down sw-a-shaft1 critical .*30 min 6 h 00 met/, 'time to ack / resolve');
    t.match(text, /camera_down cam-a-3f-lobby warning .*2 h 30 3 h 00 missed/, 'SLA missed');
    t.match(text, /SMS parts used this year 150 \/ 1000/, 'SMS against the budget derived from budget_used_pct');
    t.match(text, /Signed off by engineer:li/, 'inspection sign-off');
    t.match(text, /Shaft door locked fail lock broken/, 'manual finding with its note');
    t.match(text, /Shaft door locked: lock broken Wang/, 'failed item became a problem');
    t.match(text, /Label patch panel 2 in shaft A-1 Zhao 2026-10-02 overdue/, 'problem carried from last month, overdue');
    const pages = Number(/Page 1 of (\d+)/.exec(text)?.[1]);
    t.ok(pages >= 8, `page numbers (${pages} pages)`);
    t.match(text, `Page ${pages} of ${pages}`, 'last page numbered');
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout;
    t.match(fonts, /[A-Z]{6}\+WenQuanYiMicroHei\s+CID TrueType\s+Identity-H\s+yes yes yes/, 'embedded subset with ToUnicode');
    t.notMatch(fonts, /Helvetica/, 'no unembedded standard font');
    // Look at the summary page (its PNG is kept next to the PDF for a human to open).
    const png = path.join(dir, 'summary');
    const r = spawnSync('pdftoppm', ['-f', '2', '-l', '2', '-r', '60', '-png', file, png], { encoding: 'utf8' });
    t.equal(r.status, 0, 'pdftoppm renders the summary page');
    t.ok(readFileSync(`${png}-2.png`).length > 5000, 'a non-trivial image');
  });

  await t.test('Chinese', async (t) => {
    const file = run('zh-CN');
    const text = squash(pdftotext(file, '-layout'));
    for (const h of ['月度运维巡检报告', '摘要', '网络设备', '视频监控系统', '电脑及外设', '告警及响应时间', '短信用量与年度预算', '巡检记录', '问题清单']) t.match(text, h, `标题 "${h}"`);
    t.match(text, /sw-a-shaft1 99\.194%/, 'figures');
    t.match(text, 'A楼 · 竖井 A-1', 'grouped by shaft');
    t.match(text, /摄像机24小时在线达标（机·天） 123 \/ 124 \(99\.2%\)/, 'camera-days');
    t.match(text, /第 1 页，共 \d+ 页/, 'page numbers');
    t.match(text, '已逾期', 'overdue problem');
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
