import PDFDocument from 'pdfkit';
import type { Coverage } from './coverage.ts';
import type { ReportData } from './data.ts';
import type { Lang } from '../i18n/index.ts';
import { tr, type StringKey } from '../i18n/messages/reports.ts';
import { fmtLocal } from '../../lib/zoned-time.ts';
import { ReportFontError } from '../../lib/pdf-font.ts';

const MARGIN = 50;
const HEAD = 62;
const FOOT = 48;
const PAD = 4;
const FS = 8.5;
const C = {
  ink: '#1d2733',
  grey: '#6b7785',
  rule: '#c7ced6',
  head: '#e8edf2',
  fail: '#f8d4d0',
  warn: '#fbecc4',
  bar: '#2f6fad',
  bar2: '#3c9a5f',
  red: '#c0392b',
};

interface Col {
  key: string;
  w: number;
  align?: 'left' | 'right' | 'center';
}

type Doc = PDFKit.PDFDocument;

const pct = (v: number | null, digits = 2) => (v === null || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}%`);
const dur = (ms: number | null) => {
  if (ms === null) return '—';
  const m = Math.round(ms / 60_000);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')}`;
};

class Writer {
  readonly doc: Doc;
  readonly lang: Lang;
  readonly d: ReportData;
  constructor(doc: Doc, lang: Lang, d: ReportData) {
    this.doc = doc;
    this.lang = lang;
    this.d = d;
  }
  t(k: StringKey, v?: Record<string, string | number>) {
    return tr(this.lang, k, v);
  }
  get left() {
    return MARGIN;
  }
  get width() {
    return this.doc.page.width - 2 * MARGIN;
  }
  get bottom() {
    return this.doc.page.height - FOOT;
  }
  newPage() {
    this.doc.addPage();
    this.doc.y = HEAD;
  }
  ensure(h: number) {
    if (this.doc.y + h > this.bottom) this.newPage();
  }
  h1(text: string) {
    this.newPage();
    this.doc.font('body').fontSize(16).fillColor(C.ink).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.5);
  }
  h2(text: string) {
    this.ensure(60);
    this.doc.moveDown(0.4);
    this.doc.font('body').fontSize(11.5).fillColor(C.ink).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.25);
  }
  para(text: string, color = C.ink) {
    this.ensure(20);
    this.doc.font('body').fontSize(9.5).fillColor(color).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  /**
   * A table whose cells wrap within their column (never overflow) and whose header row is
   * drawn again at the top of every page it continues on.
   */
  table(cols: Col[], headers: string[], rows: string[][], shade?: (row: number) => string | undefined) {
    const doc = this.doc;
    const total = cols.reduce((a, c) => a + c.w, 0);
    const widths = cols.map((c) => (c.w / total) * this.width);
    doc.font('body').fontSize(FS);
    const rowHeight = (cells: string[]) => Math.max(...cells.map((s, i) => doc.heightOfString(s || ' ', { width: widths[i]! - 2 * PAD })), FS) + 2 * PAD;
    const maxRow = this.bottom - HEAD - 40;
    const draw = (cells: string[], y: number, h: number, fill?: string) => {
      let x = this.left;
      if (fill) doc.rect(x, y, this.width, h).fill(fill);
      doc.fillColor(C.ink);
      cells.forEach((s, i) => {
        const w = widths[i]!;
        doc.text(s, x + PAD, y + PAD, { width: w - 2 * PAD, height: h - 2 * PAD + 1, ellipsis: true, align: cols[i]!.align ?? 'left', lineBreak: true });
        x += w;
      });
      doc
        .moveTo(this.left, y + h)
        .lineTo(this.left + this.width, y + h)
        .lineWidth(0.4)
        .strokeColor(C.rule)
        .stroke();
    };
    const hh = rowHeight(headers);
    const header = () => {
      const y = doc.y;
      draw(headers, y, hh, C.head);
      doc.y = y + hh;
    };
    this.ensure(hh + 20);
    header();
    rows.forEach((cells, r) => {
      const h = Math.min(rowHeight(cells), maxRow);
      if (doc.y + h > this.bottom) {
        this.newPage();
        header();
      }
      const y = doc.y;
      draw(cells, y, h, shade?.(r));
      doc.y = y + h;
    });
    doc.x = this.left;
    doc.moveDown(0.6);
  }

  /** A vector bar chart of daily values (uptime %), with a target line. */
  barChart(title: string, points: { day: string; value: number | null }[], target: number | null) {
    const doc = this.doc;
    const h = 130;
    this.ensure(h + 40);
    doc.font('body').fontSize(9).fillColor(C.grey).text(title, this.left, doc.y, { width: this.width });
    const top = doc.y + 4;
    const axisX = this.left + 30;
    const plotW = this.width - 34;
    const vals = points.map((p) => p.value).filter((v): v is number => v !== null);
    const lo = Math.max(0, Math.floor(Math.min(target ?? 100, ...vals, 100) / 5) * 5 - 5);
    const y = (v: number) => top + h - ((v - lo) / (100 - lo)) * h;
    doc.lineWidth(0.4).strokeColor(C.rule);
    for (const g of [lo, (lo + 100) / 2, 100]) {
      doc
        .moveTo(axisX, y(g))
        .lineTo(axisX + plotW, y(g))
        .stroke();
      doc
        .fontSize(7)
        .fillColor(C.grey)
        .text(String(Math.round(g)), this.left, y(g) - 3.5, { width: 26, align: 'right', lineBreak: false });
    }
    const n = Math.max(points.length, 1);
    const slot = plotW / n;
    points.forEach((p, i) => {
      const bx = axisX + i * slot + slot * 0.15;
      // A day without data has its label and no bar: unknown, not zero.
      if (n <= 31 && (i % 5 === 0 || i === n - 1))
        doc
          .fontSize(6.5)
          .fillColor(C.grey)
          .text(p.day.slice(8), bx - 4, top + h + 2, { width: slot * 0.7 + 8, align: 'center', lineBreak: false });
      if (p.value === null) return;
      const v = Math.max(lo, Math.min(100, p.value));
      doc.rect(bx, y(v), slot * 0.7, top + h - y(v)).fill(target !== null && p.value < target ? C.red : C.bar);
    });
    if (target !== null && target >= lo) {
      doc
        .moveTo(axisX, y(target))
        .lineTo(axisX + plotW, y(target))
        .lineWidth(0.8)
        .dash(3, { space: 2 })
        .strokeColor(C.red)
        .stroke()
        .undash();
    }
    doc.y = top + h + 16;
    doc.x = this.left;
    doc.fillColor(C.ink);
  }

  /** A horizontal gauge: used / budget. */
  gauge(label: string, used: number, total: number) {
    const doc = this.doc;
    this.ensure(40);
    const y = doc.y + 2;
    const w = this.width * 0.6;
    const frac = total > 0 ? Math.min(1, used / total) : 0;
    doc.rect(this.left, y, w, 12).lineWidth(0.5).strokeColor(C.rule).stroke();
    doc.rect(this.left, y, w * frac, 12).fill(frac > 0.9 ? C.red : C.bar2);
    doc
      .font('body')
      .fontSize(8.5)
      .fillColor(C.ink)
      .text(label, this.left + w + 8, y + 1.5, { width: this.width - w - 8, lineBreak: false });
    doc.y = y + 22;
    doc.x = this.left;
  }
}

function locationLabel(w: Writer, d: { building: string; floor: string; shaft: string; room?: string }): string {
  const en = w.lang === 'en';
  const b = d.building ? (en ? `${w.t('building')} ${d.building}` : `${d.building}${w.t('building')}`) : '';
  const room = d.room ? [d.room] : [];
  if (d.shaft) return [b, `${w.t('shaft')} ${d.shaft}`, ...room].filter(Boolean).join(' · ');
  if (d.floor)
    return [b, en ? `${w.t('floor')} ${d.floor}` : `${d.floor}${w.t('floor')}`, ...(room.length ? room : [w.t('office_area')])].filter(Boolean).join(' · ');
  return [b, ...room].filter(Boolean).join(' · ') || w.t('unknown_location');
}

type AnyRow = ReportData['devices'][number] | ReportData['cameras'][number] | ReportData['pcs'][number];

/** Whether anything at all was heard from the device this month (a PC's own agent counts, even unpinged). */
function heardFrom(x: AnyRow): boolean {
  return x.coverage.days_monitored > 0 || ('host' in x && (x.days_since_patch !== null || x.av_protected !== null || x.disk_used_max_pct !== null));
}

/** "12 / 31" monitored days; "—" when heard from but never polled for up/down; else "never seen". */
function monitored(w: Writer, x: AnyRow): string {
  const c: Coverage = x.coverage;
  return c.days_monitored ? `${c.days_monitored} / ${c.days_in_period}` : heardFrom(x) ? '—' : w.t('never_seen');
}

/** A problem is overdue when due before the report was made, and for a past month before its end. */
export function overdueCutoff(d: Pick<ReportData, 'generated_ms' | 'period'>): number {
  return Math.min(d.generated_ms, d.period.endMs);
}

function cover(w: Writer) {
  const { doc, d } = w;
  doc.y = 200;
  doc.font('body').fontSize(24).fillColor(C.ink).text(w.t('title'), w.left, doc.y, { width: w.width, align: 'center' });
  doc.moveDown(1.2);
  const last = d.period.endMs - 1;
  const lines: [StringKey, string][] = [
    ['organisation', d.organisation],
    ['period', `${d.period.month}  (${fmtLocal(d.period.startMs, d.period.tz, false)} – ${fmtLocal(last, d.period.tz, false)}, ${d.period.tz})`],
    ['contractor', d.contractor || '—'],
    ['generated', fmtLocal(d.generated_ms, d.period.tz)],
  ];
  doc.fontSize(12);
  for (const [k, v] of lines) {
    doc
      .fillColor(C.grey)
      .text(`${w.t(k)}:  `, w.left + 60, doc.y, { continued: true })
      .fillColor(C.ink)
      .text(v, { width: w.width - 120 });
    doc.moveDown(0.4);
  }
}

function mean(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

function slaMet(a: ReportData['alerts'][number], slaMs: number): boolean | null {
  if (a.sla_breach !== undefined) return !a.sla_breach;
  const reached = a.onsite_ms ?? a.acked_ms;
  if (reached !== null) return reached - a.started_ms <= slaMs;
  if (a.resolved_ms !== null) return a.resolved_ms - a.started_ms <= slaMs;
  return null;
}

function summary(w: Writer) {
  const d0 = w.d;
  w.h1(w.t('summary'));
  // Polled targets outside the inventory (an agent may report anything it polls, or invent
  // names) are listed in their sections but are not the client's devices: the summary counts
  // the inventory's switches and cameras only. PCs are the agents' own hosts: all counted.
  const registered = <T extends { kind: string }>(rows: T[]) => rows.filter((x) => x.kind !== 'unregistered');
  const d = { ...d0, devices: registered(d0.devices), cameras: registered(d0.cameras) };
  const avail = mean(d.devices.map((x) => x.availability_pct));
  const watched = d.devices.filter((x) => x.availability_pct !== null);
  const below = watched.filter((x) => x.availability_pct! < d.targets.device_availability_pct).length;
  const all = [...d.devices, ...d.cameras, ...d.pcs];
  const seen = all.filter(heardFrom);
  const polled = all.filter((x) => x.coverage.days_monitored > 0);
  const devDays = all.reduce((a, x) => a + x.coverage.days_monitored, 0);
  const periodDays = all.reduce((a, x) => a + x.coverage.days_in_period, 0);
  const patchChecked = d.pcs.filter((p) => p.patch_ok !== null);
  const avChecked = d.pcs.filter((p) => p.av_ok !== null);
  const cutoff = overdueCutoff(d);
  const open = d.problems.filter((p) => p.closed_ms === null);
  const overdue = open.filter((p) => p.due_ms < cutoff).length;
  const camDays = d.cameras.reduce((a, c) => a + c.days, 0);
  const camOk = d.cameras.reduce((a, c) => a + c.compliant_days, 0);
  const slaMs = d.targets.onsite_sla_minutes * 60_000;
  const sla = d.alerts.map((a) => slaMet(a, slaMs)).filter((x): x is boolean => x !== null);
  const sent = d.sms.reduce((a, b) => a + b.sent_parts, 0);
  const signed = d.inspections.filter((i) => i.signed_ms !== null).length;
  const ratio = (a: number, b: number) => (b ? `${a} / ${b} (${((a * 100) / b).toFixed(1)}%)` : '—');
  const rows: string[][] = [
    [w.t('net_avail'), pct(avail, 3), `≥ ${d.targets.device_availability_pct}%`],
    [w.t('devices_below'), `${below} / ${watched.length}`, '0'],
    [w.t('devices_seen'), `${seen.length} / ${all.length}`, ''],
    [w.t('coverage_days'), ratio(devDays, periodDays), ''],
    [w.t('cam_24h'), ratio(camOk, camDays), `≥ ${d.targets.camera_24h_pct}%`],
    [w.t('cam_month'), pct(mean(d.cameras.map((c) => c.month_pct)), 3), ''],
    [w.t('pc_patch'), ratio(patchChecked.filter((p) => p.patch_ok).length, patchChecked.length), ''],
    [w.t('pc_av'), ratio(avChecked.filter((p) => p.av_ok).length, avChecked.length), ''],
    [w.t('incidents'), `${d.alerts.length} (${w.t('critical')} ${d.alerts.filter((a) => a.severity === 'critical').length})`, ''],
    [w.t('sla'), ratio(sla.filter(Boolean).length, sla.length), `≤ ${d.targets.onsite_sla_minutes} min`],
    [w.t('sms_used'), d.sms_budget_parts ? `${sent} / ${d.sms_budget_parts}` : String(sent), ''],
    [w.t('inspections_done'), `${signed} / ${d.inspections.length}`, ''],
    [w.t('open_problems'), overdue ? `${open.length} (${w.t('overdue_n', { n: overdue })})` : String(open.length), ''],
  ];
  w.table(
    [
      { key: 'f', w: 5 },
      { key: 'v', w: 3, align: 'right' },
      { key: 't', w: 2, align: 'right' },
    ],
    [w.t('figure'), w.t('value'), w.t('target')],
    rows,
  );
  const first = polled.map((x) => x.coverage.first_day!).sort()[0];
  const firstDay = `${d.period.month}-01`;
  if (first && first > firstDay)
    w.para(w.t('monitoring_from', { day: first, n: Math.max(...polled.map((x) => x.coverage.days_monitored)), total: all[0]!.coverage.days_in_period }));
  w.para(w.t('coverage_note'), C.grey);
  const never = all.filter((x) => !heardFrom(x)).map((x) => ('name' in x ? x.name : x.host));
  if (never.length) w.para(w.t('never_seen_list', { names: never.join(', ') }), C.grey);
  const outside = [...d0.devices, ...d0.cameras].filter((x) => x.kind === 'unregistered').map((x) => x.name);
  if (outside.length) w.para(w.t('unregistered_list', { n: outside.length, names: outside.join(', ') }), C.grey);
  if (d.trend.device_availability.length) w.barChart(w.t('net_trend'), d.trend.device_availability, d.targets.device_availability_pct);
  if (d.trend.camera_uptime.length) w.barChart(w.t('cam_trend'), d.trend.camera_uptime, d.targets.camera_24h_pct);
}

function network(w: Writer) {
  const d = w.d;
  w.h1(w.t('network'));
  if (!d.devices.length) return w.para(w.t('no_data'), C.grey);
  const groups = new Map<string, typeof d.devices>();
  for (const x of d.devices) {
    const k = locationLabel(w, x);
    groups.set(k, [...(groups.get(k) ?? []), x]);
  }
  const target = d.targets.device_availability_pct;
  for (const [label, devs] of groups) {
    w.h2(label);
    w.table(
      [
        { key: 'd', w: 4 },
        { key: 'a', w: 2, align: 'right' },
        { key: 'm', w: 1.8, align: 'right' },
        { key: 'r', w: 1.4, align: 'right' },
        { key: 'p', w: 1.6, align: 'right' },
        { key: 'e', w: 1.8, align: 'right' },
        { key: 'f', w: 1.4, align: 'right' },
        { key: 't', w: 1.4, align: 'right' },
      ],
      [w.t('device'), w.t('availability'), w.t('monitored'), w.t('reboots'), w.t('ports_down'), w.t('errors'), w.t('flaps'), w.t('peak_temp')],
      // Counts of a device never heard from are unknown, not zero.
      devs.map((x) =>
        heardFrom(x)
          ? [
              x.name,
              pct(x.availability_pct, 3),
              monitored(w, x),
              String(x.reboots),
              String(x.ports_down),
              String(Math.round(x.port_errors)),
              String(x.flaps),
              x.peak_temp_c === null ? '—' : x.peak_temp_c.toFixed(1),
            ]
          : [x.name, '—', monitored(w, x), '—', '—', '—', '—', '—'],
      ),
      (i) =>
        devs[i]!.availability_pct !== null && devs[i]!.availability_pct! < target
          ? C.fail
          : devs[i]!.reboots > 0 || devs[i]!.ports_down > 0
            ? C.warn
            : undefined,
    );
  }
}

function cabling(w: Writer) {
  const c = w.d.cabling;
  if (!c) return;
  w.h1(w.t('cabling'));
  w.para(w.t('cabling_summary', { switches: c.switches, devices: c.devices, new_devices: c.new_devices, moves: c.moves, unknown: c.unknown.length }));
  if (!c.unknown.length) return;
  w.h2(w.t('cabling_unknown'));
  const rows = c.unknown.slice(0, 40);
  w.table(
    [
      { key: 's', w: 2.6 },
      { key: 'p', w: 3 },
      { key: 'm', w: 2.6 },
      { key: 'i', w: 2.2 },
      { key: 'v', w: 3.4 },
      { key: 'f', w: 1.8 },
    ],
    [w.t('device'), w.t('port'), 'MAC', 'IP', w.t('vendor'), w.t('first_seen')],
    rows.map((u) => [u.switch, u.port, u.mac, u.ips.join(', '), u.vendor, fmtLocal(u.first_seen_ms, w.d.period.tz, false)]),
    () => C.warn,
  );
  if (c.unknown.length > rows.length) w.para(w.t('cabling_more', { n: c.unknown.length - rows.length }), C.grey);
}

function cctv(w: Writer) {
  const d = w.d;
  w.h1(w.t('cctv'));
  if (d.trend.camera_uptime.length) w.barChart(w.t('cam_trend'), d.trend.camera_uptime, d.targets.camera_24h_pct);
  if (!d.cameras.length) return w.para(w.t('no_data'), C.grey);
  const cams = d.cameras;
  w.table(
    [
      { key: 'c', w: 4 },
      { key: 'l', w: 4 },
      { key: 'v', w: 1.8, align: 'right' },
      { key: 'd', w: 2.2, align: 'right' },
      { key: 'w', w: 1.8, align: 'right' },
      { key: 'm', w: 1.8, align: 'right' },
    ],
    [w.t('camera'), w.t('location'), w.t('monitored'), w.t('days_ok', { t: d.targets.camera_24h_pct }), w.t('worst_day'), w.t('month_uptime')],
    cams.map((c) => [
      c.name,
      locationLabel(w, c),
      monitored(w, c),
      c.days ? `${c.compliant_days} / ${c.days}` : '—',
      pct(c.worst_24h_pct),
      pct(c.month_pct, 3),
    ]),
    (i) => (cams[i]!.compliant_days < cams[i]!.days ? C.fail : undefined),
  );
}

function pcs(w: Writer) {
  const d = w.d;
  w.h1(w.t('pcs'));
  if (!d.pcs.length) return w.para(w.t('no_data'), C.grey);
  const yn = (b: boolean | null) => (b === null ? w.t('not_checked') : b ? w.t('yes') : w.t('no'));
  // Compliant when every check that was made passed; with no check made it is not checked.
  const compliant = (p: (typeof d.pcs)[number]) => (p.patch_ok === null && p.av_ok === null ? null : p.patch_ok !== false && p.av_ok !== false);
  w.table(
    // Widths in points at 8.5 pt: the longest word of each column ("Availability", "checked") fits unbroken.
    [
      { key: 'h', w: 68 },
      { key: 'l', w: 92 },
      { key: 'v', w: 51, align: 'right' },
      { key: 'm', w: 50, align: 'right' },
      { key: 'p', w: 44, align: 'right' },
      { key: 's', w: 46, align: 'right' },
      { key: 'a', w: 58, align: 'center' },
      { key: 'd', w: 38, align: 'right' },
      { key: 'c', w: 58, align: 'center' },
    ],
    [
      w.t('host'),
      w.t('location'),
      w.t('availability'),
      w.t('monitored'),
      w.t('days_since_patch'),
      w.t('security_pending'),
      w.t('antivirus'),
      w.t('disk_used'),
      w.t('compliant'),
    ],
    d.pcs.map((p) => [
      p.host,
      locationLabel(w, p),
      pct(p.availability_pct, 3),
      monitored(w, p),
      p.days_since_patch === null ? '—' : p.days_since_patch.toFixed(0),
      p.security_pending === null ? '—' : String(p.security_pending),
      yn(p.av_protected),
      pct(p.disk_used_max_pct, 0),
      yn(compliant(p)),
    ]),
    (i) => (compliant(d.pcs[i]!) === false ? C.fail : undefined),
  );
  const printers = d.pcs.filter((p) => p.supplies !== undefined);
  if (!printers.length) return;
  // Printers: supplies at the month's end in words (the state when it is not ok), pages this month.
  const bad = (st: string) => st === 'low' || st === 'empty' || st === 'near_full' || st === 'full';
  w.para(w.t('printers'));
  w.table(
    [
      { key: 'h', w: 68 },
      { key: 'l', w: 92 },
      { key: 'v', w: 51, align: 'right' },
      { key: 'g', w: 50, align: 'right' },
      { key: 's', w: 244 },
    ],
    [w.t('host'), w.t('location'), w.t('availability'), w.t('pages_month'), w.t('supplies')],
    printers.map((p) => [
      p.host,
      locationLabel(w, p),
      pct(p.availability_pct, 3),
      p.pages_month === null || p.pages_month === undefined ? '—' : String(p.pages_month),
      p.supplies!.length
        ? p
            .supplies!.map((x) =>
              `${(w.lang === 'en' ? x.name : x.words) || x.name || x.words} ${x.percent === null ? '' : `${Math.round(x.percent)}%`}${x.state !== 'ok' ? ` (${w.t(`supply_${x.state}` as never) || x.state})` : ''}`
                .replace(/\s+\(/, ' (')
                .trim(),
            )
            .join(w.lang === 'en' ? '; ' : '；')
        : w.t('not_checked'),
    ]),
    (i) => (printers[i]!.supplies!.some((x) => bad(x.state)) ? C.fail : undefined),
  );
}

function websites(w: Writer) {
  const d = w.d;
  const sites = d.websites ?? [];
  const exp = d.expiring ?? [];
  if (!sites.length && !exp.length) return;
  w.h1(w.t('websites'));
  if (sites.length) {
    w.table(
      [
        { key: 'n', w: 110 },
        { key: 'l', w: 130 },
        { key: 'v', w: 70, align: 'right' },
        { key: 'm', w: 80, align: 'right' },
        { key: 'r', w: 115, align: 'right' },
      ],
      [w.t('site'), w.t('location'), w.t('availability'), w.t('monitored'), w.t('median_response')],
      sites.map((x) => [
        x.name,
        locationLabel(w, x),
        pct(x.availability_pct, 3),
        monitored(w, { ...x, kind: 'server' } as never),
        x.median_ms === null ? '—' : `${x.median_ms} ms`,
      ]),
      (i) => (sites[i]!.availability_pct !== null && sites[i]!.availability_pct! < d.targets.device_availability_pct ? C.fail : undefined),
    );
  }
  w.h2(w.t('expiring_60'));
  if (!exp.length) return w.para(w.t('expiring_none'), C.grey);
  const days = (ms: number) => Math.floor((ms - d.generated_ms) / 86_400_000);
  w.table(
    [
      { key: 'k', w: 70 },
      { key: 's', w: 110 },
      { key: 'n', w: 160 },
      { key: 'e', w: 85 },
      { key: 'd', w: 80, align: 'right' },
    ],
    [w.t('expiring_what'), w.t('site'), w.t('expiring_name'), w.t('expiring_end'), w.t('expiring_left')],
    exp.map((x) => [
      w.t(x.what === 'certificate' ? 'what_certificate' : 'what_domain'),
      x.site,
      x.name,
      fmtLocal(x.end_ms, d.period.tz, false),
      days(x.end_ms) < 0 ? w.t('expired') : String(days(x.end_ms)),
    ]),
    (i) => (days(exp[i]!.end_ms) < 14 ? C.fail : C.warn),
  );
}

function alerts(w: Writer) {
  const d = w.d;
  w.h1(w.t('alerts'));
  if (!d.alerts.length) {
    w.para(w.t('no_alerts'), C.grey);
  } else {
    const slaMs = d.targets.onsite_sla_minutes * 60_000;
    const met = d.alerts.map((a) => slaMet(a, slaMs));
    w.table(
      [
        { key: 'r', w: 3 },
        { key: 't', w: 3 },
        { key: 's', w: 1.5 },
        { key: 'st', w: 2.5 },
        { key: 'a', w: 1.6, align: 'right' },
        { key: 'z', w: 1.6, align: 'right' },
        { key: 'l', w: 1.5, align: 'center' },
      ],
      [w.t('rule'), w.t('target_col'), w.t('severity'), w.t('started'), w.t('tta'), w.t('ttr'), w.t('sla_col', { m: d.targets.onsite_sla_minutes })],
      d.alerts.map((a, i) => [
        a.rule,
        a.target,
        a.severity,
        fmtLocal(a.started_ms, d.period.tz),
        dur(a.acked_ms === null ? null : a.acked_ms - a.started_ms),
        a.resolved_ms === null ? w.t('open') : dur(a.resolved_ms - a.started_ms),
        met[i] === null ? '—' : met[i] ? w.t('met') : w.t('missed'),
      ]),
      (i) => (met[i] === false ? C.fail : undefined),
    );
  }
  w.h2(w.t('sms'));
  if (!d.sms.length) return w.para(w.t('no_data'), C.grey);
  const sent = d.sms.reduce((a, b) => a + b.sent_parts, 0);
  w.table(
    [
      { key: 'p', w: 4 },
      { key: 's', w: 3, align: 'right' },
      { key: 'u', w: 3, align: 'right' },
    ],
    [w.t('purpose'), w.t('sent_parts'), w.t('budget_used')],
    d.sms.map((s) => [s.purpose, String(s.sent_parts), pct(s.budget_used_pct, 1)]),
  );
  if (d.sms_budget_parts) w.gauge(`${sent} / ${d.sms_budget_parts} (${w.t('budget')})`, sent, d.sms_budget_parts);
}

function inspections(w: Writer) {
  const d = w.d;
  w.h1(w.t('inspections'));
  if (!d.inspections.length) w.para(w.t('no_inspections'), C.grey);
  for (const ins of d.inspections) {
    w.h2(`${ins.title} · ${ins.period}`);
    w.para(ins.signed_ms ? w.t('signed_by', { who: ins.signed_by ?? '', when: fmtLocal(ins.signed_ms, d.period.tz) }) : w.t('not_signed'), C.grey);
    if (ins.summary) w.para(ins.summary);
    const res = (it: (typeof ins.items)[number]) =>
      it.result === 'na' && it.evidence.checked === false ? w.t('not_checked') : it.result ? w.t(it.result as StringKey) : w.t('pending');
    const ev = (e: Record<string, unknown>) =>
      Object.entries(e)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : String(v)}`)
        .join(', ');
    w.table(
      [
        { key: 'm', w: 1.5 },
        { key: 'd', w: 2.6 },
        { key: 'i', w: 3.6 },
        { key: 'r', w: 1.7, align: 'center' },
        { key: 'e', w: 4.4 },
      ],
      [w.t('mode'), w.t('device'), w.t('item'), w.t('result'), w.t('evidence')],
      ins.items.map((it) => [w.t(it.mode), it.device, it.label, res(it), [it.note, ev(it.evidence)].filter(Boolean).join(' · ')]),
      (i) => (ins.items[i]!.result === 'fail' ? C.fail : ins.items[i]!.result === 'warn' ? C.warn : undefined),
    );
  }
}

function problems(w: Writer) {
  const d = w.d;
  w.h1(w.t('problems'));
  if (!d.problems.length) return w.para(w.t('no_problems'), C.grey);
  const end = overdueCutoff(d);
  const status = (p: ReportData['problems'][number]) => (p.closed_ms !== null ? w.t('closed') : p.due_ms < end ? w.t('overdue') : w.t('open'));
  w.table(
    [
      { key: 'n', w: 0.8, align: 'right' },
      { key: 't', w: 6 },
      { key: 'd', w: 2.4 },
      { key: 'o', w: 2 },
      { key: 'u', w: 1.8 },
      { key: 's', w: 1.4 },
    ],
    ['#', w.t('problem'), w.t('device'), w.t('owner'), w.t('due'), w.t('status')],
    d.problems.map((p) => [String(p.id), p.title, p.device, p.owner, fmtLocal(p.due_ms, d.period.tz, false), status(p)]),
    (i) => (d.problems[i]!.closed_ms === null && d.problems[i]!.due_ms < end ? C.fail : undefined),
  );
}

/**
 * Renders the monthly report to PDF bytes: text in an embedded, subsetted CJK font (so it
 * stays extractable), vector charts, repeated table headers and "page n of m" footers.
 * Throws ReportFontError when no usable font is found.
 */
export async function renderReport(d: ReportData, lang: Lang, font: { path: string; name?: string | undefined }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: HEAD, bottom: FOOT, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    lang,
    displayTitle: true,
    info: { Title: `${tr(lang, 'title')} ${d.period.month}`, Author: d.contractor || 'Watchpost', Subject: d.organisation, Creator: 'Watchpost' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    doc.registerFont('body', font.path, font.name as string);
    doc.font('body');
  } catch (e) {
    throw new ReportFontError(`cannot load font ${font.path}${font.name ? ` (${font.name})` : ''}: ${(e as Error).message}; set reports.font_path/font_name`);
  }
  const w = new Writer(doc, lang, d);
  cover(w);
  summary(w);
  network(w);
  cabling(w);
  cctv(w);
  pcs(w);
  websites(w);
  alerts(w);
  inspections(w);
  problems(w);
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - FOOT + 18;
    doc
      .moveTo(MARGIN, y - 6)
      .lineTo(doc.page.width - MARGIN, y - 6)
      .lineWidth(0.4)
      .strokeColor(C.rule)
      .stroke();
    doc.font('body').fontSize(8).fillColor(C.grey);
    doc.text(`${d.organisation} · ${tr(lang, 'title')} · ${d.period.month}`, MARGIN, y, { width: w.width * 0.7, lineBreak: false, ellipsis: true });
    doc.text(tr(lang, 'page', { n: i + 1, total: range.count }), MARGIN + w.width * 0.7, y, { width: w.width * 0.3, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
