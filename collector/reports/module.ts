import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../../config/schema/collector.ts';
import type { AlertsApi } from '../alerts/module.ts';
import type { CablingHandle } from '../cabling/module.ts';
import type { InspectionService } from '../inspections/service.ts';
import type { CollectorContext } from '../core/module.ts';
import type { UptimeService } from '../uptime/module.ts';
import type { AuditLog } from '../store/audit.ts';
import { registerMigrations } from '../store/db.ts';
import { generateReport, reportFileName } from './generate.ts';
import type { Lang } from '../i18n/index.ts';
import { previousMonth } from '../../lib/month-period.ts';
import { localParts } from '../../lib/zoned-time.ts';

registerMigrations({
  id: '310_reports',
  sql: `
    CREATE TABLE report_runs (
      month TEXT NOT NULL,
      lang TEXT NOT NULL,
      generated_ms INTEGER NOT NULL,
      file TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      emailed_ms INTEGER,
      email_error TEXT,
      PRIMARY KEY (month, lang)
    );
  `,
});

/** The modules a report reads, when they run (the report falls back to InfluxDB without them). */
export interface ReportModules {
  uptime?: UptimeService | undefined;
  alerts?: AlertsApi | undefined;
  cabling?: CablingHandle | undefined;
  inspections?: InspectionService | undefined;
}

export interface ReportRun {
  month: string;
  lang: string;
  generated_ms: number;
  file: string;
  bytes: number;
  emailed_ms: number | null;
  email_error: string | null;
}

/**
 * Monthly reports on the collector: on-demand generation (console download) and the
 * scheduled run after the 1st of each month, kept in out_dir and emailed when configured.
 */
export class ReportService {
  private readonly cfg: CollectorConfig;
  private readonly db: DatabaseSync;
  private readonly audit: AuditLog;
  private readonly log: Logger;
  private readonly modules: ReportModules;
  private readonly now: () => number;
  readonly outDir: string;
  private busy = false;

  constructor(o: { config: CollectorConfig; db: DatabaseSync; audit: AuditLog; log: Logger; modules: ReportModules; now?: () => number }) {
    this.cfg = o.config;
    this.db = o.db;
    this.audit = o.audit;
    this.log = o.log;
    this.modules = o.modules;
    this.now = o.now ?? Date.now;
    this.outDir = o.config.reports.out_dir ?? path.join(o.config.collector.data_dir === ':memory:' ? '.' : o.config.collector.data_dir, 'reports');
  }

  /** Generates a report now (not stored). Throws RangeError / ReportFontError / InfluxDB errors. */
  async render(month: string, lang: Lang): Promise<Buffer> {
    const m = this.modules;
    const { pdf } = await generateReport({
      config: this.cfg,
      month,
      lang,
      inspections: m.inspections?.store,
      uptime: m.uptime,
      alerts: m.alerts,
      cabling: m.cabling?.register,
      now: this.now,
    });
    return pdf;
  }

  runs(): ReportRun[] {
    return this.db.prepare('SELECT * FROM report_runs ORDER BY month DESC, lang').all() as unknown as ReportRun[];
  }

  /** Generates, stores and (when configured) emails last month's reports if not done yet. */
  async scheduled(): Promise<ReportRun[]> {
    const s = this.cfg.reports.schedule;
    const tz = this.cfg.reports.timezone;
    const now = this.now();
    const lp = localParts(now, tz);
    if (lp.d === 1 && lp.h < s.hour) return [];
    if (this.busy) return [];
    this.busy = true;
    try {
      const month = previousMonth(now, tz);
      const made: ReportRun[] = [];
      for (const lang of s.langs) {
        if (this.db.prepare('SELECT 1 FROM report_runs WHERE month = ? AND lang = ?').get(month, lang)) continue;
        const pdf = await this.render(month, lang);
        mkdirSync(this.outDir, { recursive: true });
        const file = path.join(this.outDir, reportFileName(month, lang));
        writeFileSync(file, pdf);
        this.db
          .prepare('INSERT INTO report_runs (month, lang, generated_ms, file, bytes) VALUES (?, ?, ?, ?, ?)')
          .run(month, lang, this.now(), file, pdf.length);
        this.audit.append('system', 'report.generate', `report/${month}/${lang}`, { bytes: pdf.length, file });
        this.log.info({ month, lang, bytes: pdf.length, file }, 'monthly report generated');
        made.push(await this.email(month, lang, file));
      }
      return made;
    } finally {
      this.busy = false;
    }
  }

  private async email(month: string, lang: string, file: string): Promise<ReportRun> {
    const e = this.cfg.reports.email;
    if (e) {
      try {
        const t = nodemailer.createTransport({
          host: e.smtp_host,
          port: e.smtp_port,
          secure: e.secure,
          auth: e.username ? { user: e.username, pass: e.password ?? '' } : undefined,
          connectionTimeout: 15_000,
          greetingTimeout: 15_000,
          socketTimeout: 30_000,
        });
        const subject =
          lang === 'en' ? `${this.cfg.reports.organisation}: monthly report ${month}` : `${this.cfg.reports.organisation} ${month} 月度运维巡检报告`;
        await t.sendMail({
          from: e.from,
          to: e.to,
          subject,
          text: subject,
          attachments: [{ filename: path.basename(file), path: file, contentType: 'application/pdf' }],
        });
        this.db.prepare('UPDATE report_runs SET emailed_ms = ?, email_error = NULL WHERE month = ? AND lang = ?').run(this.now(), month, lang);
        this.audit.append('system', 'report.email', `report/${month}/${lang}`, { to: e.to });
      } catch (err) {
        this.log.error({ err: (err as Error).message, month, lang }, 'monthly report email failed: the PDF is kept in out_dir');
        this.db.prepare('UPDATE report_runs SET email_error = ? WHERE month = ? AND lang = ?').run((err as Error).message.slice(0, 500), month, lang);
      }
    }
    return this.db.prepare('SELECT * FROM report_runs WHERE month = ? AND lang = ?').get(month, lang) as unknown as ReportRun;
  }
}

/** Reports: its handle is the ReportService; the scheduled run checks every 10 minutes. */
export function startReports(ctx: CollectorContext, modules: ReportModules): ReportService {
  const svc = new ReportService({ config: ctx.config, db: ctx.db, audit: ctx.audit, log: ctx.log.child({ component: 'reports' }), modules, now: ctx.now });
  if (ctx.config.reports.schedule.enabled) {
    const run = () => void svc.scheduled().catch((e: Error) => ctx.log.error({ err: e.message }, 'scheduled monthly report failed; retrying in 10 minutes'));
    setImmediate(run);
    const timer = setInterval(run, 10 * 60_000);
    timer.unref();
    ctx.onStop(() => clearInterval(timer));
  }
  return svc;
}
