import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { DeviceRow, ReportData } from '../../../collector/reports/data.ts';
import { findFont } from '../../../lib/pdf-font.ts';
import { renderReport } from '../../../collector/reports/pdf.ts';
import { monthPeriod } from '../../../lib/month-period.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

// Issue 22, finding 3: an enrolled agent could invent targets, and the monthly PDF counted
// them as the client's network devices ("207 network devices"). Invented (unregistered)
// targets stay listed but out of the summary's figures.

const period = monthPeriod('2026-10', 'Asia/Shanghai');
const cov = { days_monitored: 31, days_in_period: 31, first_day: '2026-10-01' };
const row = (name: string, kind: string, pct: number): DeviceRow => ({
  name,
  kind,
  building: 'A',
  floor: '1',
  shaft: '',
  room: '',
  availability_pct: pct,
  coverage: cov,
  reboots: 0,
  ports_down: 0,
  port_errors: 0,
  flaps: 0,
  peak_temp_c: null,
});

function data(): ReportData {
  return {
    period,
    organisation: '某市政务服务中心',
    contractor: 'Acme',
    generated_ms: period.endMs,
    targets: { camera_24h_pct: 99, device_availability_pct: 99.5, onsite_sla_minutes: 120, patch_warn_days: 30 },
    // Two inventory switches, and five names an agent made up, every one "down" all month.
    devices: [row('sw-core', 'switch', 100), row('sw-2f', 'switch', 99.9), ...Array.from({ length: 5 }, (_, i) => row(`fake-${i}`, 'unregistered', 0))],
    cameras: [],
    pcs: [],
    alerts: [],
    sms: [],
    sms_budget_parts: null,
    trend: { device_availability: [], camera_uptime: [] },
    inspections: [],
    problems: [],
  };
}

t.test('invented targets are listed but not counted in the summary', async (t) => {
  const dir = tempDir('report-unregistered');
  t.teardown(() => removeDir(dir));
  const file = path.join(dir, 'r.pdf');
  writeFileSync(file, await renderReport(data(), 'en', findFont()));
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
  t.match(
    text,
    /Network device availability \(mean\) 99\.950%/,
    'availability is the mean of the two inventory switches (100 and 99.9), not dragged to 28.6 % by five invented ones',
  );
  t.match(text, /Network devices below target 0\/2 /, '0 of the 2 inventory switches below target');
  t.match(text, /Devices with data this month 2\/2 /, 'devices heard from: 2 of 2');
  t.match(text, /5 targets reported by agents are not in the inventory and are not counted above: fake-0, fake-1, fake-2, fake-3, fake-4/);
  t.match(text, /fake-3/, 'the invented targets are still listed');
});
