import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { ReportData } from '../../../collector/reports/data.ts';
import { findFont } from '../../../lib/pdf-font.ts';
import { renderReport } from '../../../collector/reports/pdf.ts';
import { monthPeriod } from '../../../lib/month-period.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const period = monthPeriod('2026-10', 'Asia/Shanghai');

function data(): ReportData {
  const pcs = Array.from({ length: 150 }, (_, i) => ({
    host: i === 3 ? `pc-${'x'.repeat(120)}` : `pc-a-${String(i).padStart(3, '0')}`,
    kind: 'pc',
    building: 'A',
    floor: String(3 + (i % 5)),
    shaft: '',
    room: '',
    availability_pct: 100 - (i % 4) / 10,
    coverage: { days_monitored: 31 - (i % 3), days_in_period: 31, first_day: '2026-10-01' },
    days_since_patch: i % 40,
    security_pending: i % 3,
    av_protected: i % 7 !== 0,
    disk_used_max_pct: 40 + (i % 60),
    patch_ok: i % 40 <= 30,
    av_ok: i % 7 !== 0,
  }));
  return {
    period,
    organisation: '某市政务服务中心',
    contractor: 'Acme',
    generated_ms: period.endMs,
    targets: { camera_24h_pct: 99, device_availability_pct: 99.5, onsite_sla_minutes: 120, patch_warn_days: 30 },
    devices: [],
    cameras: [],
    pcs,
    alerts: [],
    sms: [],
    sms_budget_parts: null,
    trend: { device_availability: [], camera_uptime: [] },
    inspections: [],
    problems: [
      {
        id: 1,
        inspection_id: null,
        title: `UnbrokenTitle${'Z'.repeat(400)}`,
        device: 'sw-1',
        severity: 'fail',
        owner: 'Li',
        due_ms: period.startMs,
        created_ms: period.startMs - 1,
        closed_ms: null,
        closed_by: null,
        resolution: '',
      },
      {
        id: 2,
        inspection_id: null,
        title: '竖井门锁损坏，需要更换门锁并重新张贴标签。'.repeat(12),
        device: 'sw-2',
        severity: 'warn',
        owner: '王工',
        due_ms: period.endMs + 1,
        created_ms: period.startMs,
        closed_ms: null,
        closed_by: null,
        resolution: '',
      },
    ],
  };
}

t.test('long tables: headers on every page, cells never overflow their page', async (t) => {
  const dir = tempDir('report-layout');
  t.teardown(() => removeDir(dir));
  const file = path.join(dir, 'r.pdf');
  writeFileSync(file, await renderReport(data(), 'en', findFont()));
  if (process.env.WP_KEEP_LAYOUT) writeFileSync(process.env.WP_KEEP_LAYOUT, await renderReport(data(), 'zh-CN', findFont()));
  const pages = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout.split('\f');
  const pcPages = pages.filter((p) => /pc-a-\d{3}/.test(p));
  t.ok(pcPages.length >= 3, `the PC table spans ${pcPages.length} pages`);
  for (const [i, p] of pcPages.entries()) t.match(p, /Device\s+Location\s+Availability\s+Monitored/, `PC table page ${i + 1} starts with the header row`);
  t.equal(pages.join('').match(/pc-a-\d{3}/g)?.length, 149, 'every row is there once');

  // Word boxes: nothing crosses the right margin (A4 595.28 pt, 50 pt margins).
  const bbox = spawnSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' }).stdout;
  const words = [...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)];
  t.ok(words.length > 1000);
  const over = words.filter((w) => Number(w[3]) > 595.28 - 50 + 1 || Number(w[1]) < 50 - 1);
  t.same(
    over.map((w) => w[5]),
    [],
    'no word outside the margins',
  );
  const low = words.filter((w) => Number(w[4]) > 841.89 - 20);
  t.same(
    low.map((w) => w[5]),
    [],
    'nothing below the footer',
  );
  t.match(bbox, /UnbrokenTitleZZZ/, 'the unbroken title is wrapped, not cut off at its start');
});
