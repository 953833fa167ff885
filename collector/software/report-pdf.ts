import PDFDocument from 'pdfkit';
import type { Lang } from '../i18n/index.ts';
import { ReportFontError } from '../../lib/pdf-font.ts';
import { fmtLocal } from '../../lib/zoned-time.ts';
import type { LicensingReportData } from './report-data.ts';

const en = {
  title: 'Annual software licensing report',
  organisation: 'Organisation',
  year: 'Year',
  contractor: 'Maintained by',
  generated: 'Generated',
  summary: 'Summary',
  figure: 'Figure',
  value: 'Value',
  machines: 'Machines reporting their software',
  os_activated: 'Operating systems activated (or without activation)',
  office_activated: 'Office installations activated',
  forbidden_now: 'Forbidden programs installed now',
  forbidden_removed: 'Forbidden programs removed this year',
  licences_exceeded: 'Licence counts exceeded',
  changes_year: 'Installations / removals / upgrades this year',
  machines_h: 'Machines: operating system and office suites',
  machine: 'Machine',
  os: 'Operating system',
  edition: 'Edition',
  activation: 'Activation',
  office: 'Office suites',
  programs: 'Programs',
  received: 'List received',
  licensing_h: 'Licensed software: installations against licences held',
  rule: 'Rule',
  installed: 'Machines',
  licensed: 'Licences',
  status: 'Status',
  ok: 'within',
  exceeded: 'EXCEEDED',
  forbidden_h: 'Forbidden software',
  now_h: 'Installed now',
  removed_h: 'Removed during the year',
  program: 'Program',
  version: 'Version',
  since: 'Seen since',
  removed_on: 'Removed',
  none: 'None.',
  changes_h: 'Changes through the year',
  month: 'Month',
  inst: 'Installed',
  rem: 'Removed',
  upg: 'Upgraded',
  dwn: 'Downgraded',
  list_h: 'Installations and removals',
  when: 'When',
  change: 'Change',
  installed_c: 'installed',
  removed_c: 'removed',
  no_policy: 'No requires_license rules in the policy (software.policy).',
  no_lists: 'No machine has sent its software list.',
  page: 'Page {n} of {total}',
  truth: 'Machines are listed from their last software list; "List received" says how current it is. A machine that never sent a list is not in this report.',
};
const zh: typeof en = {
  title: '年度软件正版化检查报告',
  organisation: '单位',
  year: '年度',
  contractor: '运维单位',
  generated: '生成时间',
  summary: '概要',
  figure: '指标',
  value: '数值',
  machines: '上报软件清单的计算机',
  os_activated: '操作系统已激活（或无需激活）',
  office_activated: 'Office 已激活',
  forbidden_now: '当前安装的禁用软件',
  forbidden_removed: '本年度已卸载的禁用软件',
  licences_exceeded: '超出许可数的软件',
  changes_year: '本年度安装 / 卸载 / 升级',
  machines_h: '计算机：操作系统与办公套件',
  machine: '计算机',
  os: '操作系统',
  edition: '版本',
  activation: '激活状态',
  office: '办公套件',
  programs: '软件数',
  received: '清单接收时间',
  licensing_h: '需许可软件：安装数与持有许可数',
  rule: '规则',
  installed: '安装计算机数',
  licensed: '持有许可',
  status: '状态',
  ok: '未超出',
  exceeded: '超出',
  forbidden_h: '禁用软件',
  now_h: '当前仍安装',
  removed_h: '本年度已卸载',
  program: '软件',
  version: '版本号',
  since: '发现时间',
  removed_on: '卸载时间',
  none: '无。',
  changes_h: '全年变更',
  month: '月份',
  inst: '安装',
  rem: '卸载',
  upg: '升级',
  dwn: '降级',
  list_h: '安装与卸载记录',
  when: '时间',
  change: '变更',
  installed_c: '安装',
  removed_c: '卸载',
  no_policy: '策略中没有需许可（requires_license）规则（software.policy）。',
  no_lists: '没有计算机上报软件清单。',
  page: '第 {n} 页，共 {total} 页',
  truth: '计算机按其最近一次上报的软件清单列出，"清单接收时间"表明其时效；从未上报清单的计算机不在本报告中。',
};
type Key = keyof typeof en;
const ACT_ZH: Record<string, string> = {
  licensed: '已激活',
  unlicensed: '未激活',
  grace: '宽限期',
  non_genuine: '非正版宽限期',
  notification: '通知模式',
  not_applicable: '不适用',
  unknown: '未知',
};

// The monthly report's page geometry and colours (collector/reports/pdf.ts).
const MARGIN = 50;
const HEAD = 62;
const FOOT = 48;
const PAD = 4;
const FS = 8.5;
const C = { ink: '#1d2733', grey: '#6b7785', rule: '#c7ced6', head: '#e8edf2', fail: '#f8d4d0', warn: '#fbecc4' };

type Doc = PDFKit.PDFDocument;

class W {
  readonly doc: Doc;
  readonly lang: Lang;
  constructor(doc: Doc, lang: Lang) {
    this.doc = doc;
    this.lang = lang;
  }
  t(k: Key, v: Record<string, string | number> = {}) {
    return (this.lang === 'en' ? en : zh)[k].replace(/\{(\w+)\}/g, (_, x: string) => String(v[x] ?? ''));
  }
  act(a: string) {
    return this.lang === 'en' ? a.replace('_', ' ') : (ACT_ZH[a] ?? a);
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
  h1(text: string) {
    this.newPage();
    this.doc.font('body').fontSize(16).fillColor(C.ink).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.5);
  }
  h2(text: string) {
    if (this.doc.y + 60 > this.bottom) this.newPage();
    this.doc.moveDown(0.4);
    this.doc.font('body').fontSize(11.5).fillColor(C.ink).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.25);
  }
  para(text: string, color = C.ink) {
    if (this.doc.y + 20 > this.bottom) this.newPage();
    this.doc.font('body').fontSize(9.5).fillColor(color).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }
  /** Cells wrap within their column; the header row is repeated on every page the table continues on. */
  table(ws: number[], headers: string[], rows: string[][], shade?: (row: number) => string | undefined) {
    const doc = this.doc;
    const total = ws.reduce((a, b) => a + b, 0);
    const widths = ws.map((x) => (x / total) * this.width);
    doc.font('body').fontSize(FS);
    const rowHeight = (cells: string[]) => Math.max(...cells.map((s, i) => doc.heightOfString(s || ' ', { width: widths[i]! - 2 * PAD })), FS) + 2 * PAD;
    const draw = (cells: string[], y: number, h: number, fill?: string) => {
      let x = MARGIN;
      if (fill) doc.rect(x, y, this.width, h).fill(fill);
      doc.fillColor(C.ink);
      cells.forEach((s, i) => {
        doc.text(s, x + PAD, y + PAD, { width: widths[i]! - 2 * PAD, height: h - 2 * PAD + 1, ellipsis: true });
        x += widths[i]!;
      });
      doc
        .moveTo(MARGIN, y + h)
        .lineTo(MARGIN + this.width, y + h)
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
    if (doc.y + hh + 20 > this.bottom) this.newPage();
    header();
    rows.forEach((cells, r) => {
      const h = Math.min(rowHeight(cells), this.bottom - HEAD - 40);
      if (doc.y + h > this.bottom) {
        this.newPage();
        header();
      }
      const y = doc.y;
      draw(cells, y, h, shade?.(r));
      doc.y = y + h;
    });
    doc.x = MARGIN;
    doc.moveDown(0.6);
  }
}

type Day = (ms: number) => string;

/** A buffered A4 document with the report's font registered, and the promise of its bytes once ended. Throws ReportFontError. */
function openDocument(d: LicensingReportData, lang: Lang, font: { path: string; name?: string | undefined }): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: HEAD, bottom: FOOT, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang,
    displayTitle: true,
    info: { Title: `${lang === 'en' ? en.title : zh.title} ${d.year}`, Author: d.contractor || 'Watchpost', Subject: d.organisation, Creator: 'Watchpost' },
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
  return { doc, done };
}

function cover(w: W, d: LicensingReportData): void {
  const doc = w.doc;
  doc.y = 200;
  doc.fontSize(24).fillColor(C.ink).text(w.t('title'), MARGIN, doc.y, { width: w.width, align: 'center' });
  doc.moveDown(1.2).fontSize(12);
  for (const [k, v] of [
    ['organisation', d.organisation],
    ['year', `${d.year} (${d.tz})`],
    ['contractor', d.contractor || '—'],
    ['generated', fmtLocal(d.generated_ms, d.tz)],
  ] as [Key, string][]) {
    doc
      .fillColor(C.grey)
      .text(`${w.t(k)}:  `, MARGIN + 60, doc.y, { continued: true })
      .fillColor(C.ink)
      .text(v, { width: w.width - 120 });
    doc.moveDown(0.4);
  }
}

function summary(w: W, d: LicensingReportData): void {
  w.h1(w.t('summary'));
  const osOk = d.machines.filter((m) => m.os_activation === 'licensed' || m.os_activation === 'not_applicable').length;
  const office = d.machines.flatMap((m) => m.office.filter((o) => o.kind !== 'wps'));
  const y = d.by_month.reduce((a, m) => ({ i: a.i + m.installed, r: a.r + m.removed, u: a.u + m.upgraded + m.downgraded }), { i: 0, r: 0, u: 0 });
  w.table(
    [6, 3],
    [w.t('figure'), w.t('value')],
    [
      [w.t('machines'), String(d.machines.length)],
      [w.t('os_activated'), `${osOk} / ${d.machines.length}`],
      [w.t('office_activated'), `${office.filter((o) => o.activation === 'licensed').length} / ${office.length}`],
      [w.t('forbidden_now'), String(d.forbidden_now.length)],
      [w.t('forbidden_removed'), String(d.forbidden_removed.length)],
      [w.t('licences_exceeded'), `${d.licensing.filter((l) => l.exceeded).length} / ${d.licensing.length}`],
      [w.t('changes_year'), `${y.i} / ${y.r} / ${y.u}`],
    ],
    (i) => ((i === 3 && d.forbidden_now.length) || (i === 5 && d.licensing.some((l) => l.exceeded)) ? C.fail : undefined),
  );
  w.para(w.t('truth'), C.grey);
}

function machinesSection(w: W, d: LicensingReportData, day: Day): void {
  w.h1(w.t('machines_h'));
  if (!d.machines.length) w.para(w.t('no_lists'), C.grey);
  else
    w.table(
      [2.3, 3.3, 2.5, 2.1, 3.9, 1.7, 2.2],
      [w.t('machine'), w.t('os'), w.t('edition'), w.t('activation'), w.t('office'), w.t('programs'), w.t('received')],
      d.machines.map((m) => [
        m.agent,
        `${m.os_name} ${m.os_version}`,
        m.os_edition || '—',
        w.act(m.os_activation),
        m.office.map((o) => `${o.product} ${o.version} (${o.kind}, ${w.act(o.activation)})`).join('\n') || '—',
        String(m.packages),
        day(m.received_ms),
      ]),
      (i) => {
        const m = d.machines[i]!;
        if (m.forbidden > 0 || m.os_activation === 'unlicensed' || m.office.some((o) => o.kind !== 'wps' && o.activation === 'unlicensed')) return C.fail;
        return m.os_activation !== 'licensed' && m.os_activation !== 'not_applicable' ? C.warn : undefined;
      },
    );
}

function licencesSection(w: W, d: LicensingReportData): void {
  w.h1(w.t('licensing_h'));
  if (!d.licensing.length) w.para(w.t('no_policy'), C.grey);
  else
    w.table(
      [5, 2, 2, 2],
      [w.t('rule'), w.t('installed'), w.t('licensed'), w.t('status')],
      d.licensing.map((l) => [l.rule, String(l.installed), String(l.licensed), l.exceeded ? w.t('exceeded') : w.t('ok')]),
      (i) => (d.licensing[i]!.exceeded ? C.fail : undefined),
    );
}

function forbiddenSection(w: W, d: LicensingReportData, day: Day): void {
  w.h1(w.t('forbidden_h'));
  w.h2(w.t('now_h'));
  if (!d.forbidden_now.length) w.para(w.t('none'), C.grey);
  else
    w.table(
      [2.5, 4, 2, 3, 2],
      [w.t('machine'), w.t('program'), w.t('version'), w.t('rule'), w.t('since')],
      d.forbidden_now.map((f) => [f.agent, f.name, f.version, f.rule, day(f.since_ms)]),
      () => C.fail,
    );
  w.h2(w.t('removed_h'));
  if (!d.forbidden_removed.length) w.para(w.t('none'), C.grey);
  else
    w.table(
      [2.5, 4, 2, 3, 2],
      [w.t('machine'), w.t('program'), w.t('version'), w.t('rule'), w.t('removed_on')],
      d.forbidden_removed.map((f) => [f.agent, f.name, f.version, f.rule, day(f.removed_ms)]),
    );
}

function changesSection(w: W, d: LicensingReportData, day: Day): void {
  w.h1(w.t('changes_h'));
  w.table(
    [2, 2, 2, 2, 2],
    [w.t('month'), w.t('inst'), w.t('rem'), w.t('upg'), w.t('dwn')],
    d.by_month.map((m, i) => [`${d.year}-${String(i + 1).padStart(2, '0')}`, String(m.installed), String(m.removed), String(m.upgraded), String(m.downgraded)]),
  );
  if (d.changes.length) {
    w.h2(w.t('list_h'));
    w.table(
      [2, 2.5, 1.5, 4.5, 2.5],
      [w.t('when'), w.t('machine'), w.t('change'), w.t('program'), w.t('version')],
      d.changes.map((c) => [
        day(c.time_ms),
        c.agent,
        w.t(c.change === 'installed' ? 'installed_c' : 'removed_c'),
        c.name,
        c.new_version ?? c.old_version ?? '',
      ]),
    );
  }
}

/** Page footers, drawn once every page exists (the total is known). */
function footers(w: W, d: LicensingReportData): void {
  const doc = w.doc;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const fy = doc.page.height - FOOT + 18;
    doc
      .moveTo(MARGIN, fy - 6)
      .lineTo(doc.page.width - MARGIN, fy - 6)
      .lineWidth(0.4)
      .strokeColor(C.rule)
      .stroke();
    doc.font('body').fontSize(8).fillColor(C.grey);
    doc.text(`${d.organisation} · ${w.t('title')} · ${d.year}`, MARGIN, fy, { width: w.width * 0.7, lineBreak: false, ellipsis: true });
    doc.text(w.t('page', { n: i + 1, total: range.count }), MARGIN + w.width * 0.7, fy, { width: w.width * 0.3, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

/**
 * Renders the annual licensing report (`watchpost report --kind licensing`) in the monthly
 * report's style: cover, summary, machines with OS edition/activation and office suites,
 * licensed software against licences held, forbidden software now and removed (with dates),
 * the year's changes. Throws ReportFontError when the font cannot be loaded.
 */
export async function renderLicensingReport(d: LicensingReportData, lang: Lang, font: { path: string; name?: string | undefined }): Promise<Buffer> {
  const { doc, done } = openDocument(d, lang, font);
  const w = new W(doc, lang);
  const day = (ms: number) => fmtLocal(ms, d.tz, false);
  cover(w, d);
  summary(w, d);
  machinesSection(w, d, day);
  licencesSection(w, d);
  forbiddenSection(w, d, day);
  changesSection(w, d, day);
  footers(w, d);
  doc.end();
  return done;
}
