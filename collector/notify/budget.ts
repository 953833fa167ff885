import type { DatabaseSync } from 'node:sqlite';
import { registerMigrations } from '../store/db.ts';
import { localTime } from '../calendar/holiday-calendar.ts';
import { NotifyError } from './types.ts';

registerMigrations({
  id: '110_notify_sms_usage',
  sql: `
    CREATE TABLE notify_sms_usage (
      day TEXT NOT NULL,
      purpose TEXT NOT NULL,
      parts INTEGER NOT NULL DEFAULT 0,
      messages INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (day, purpose)
    );
    CREATE TABLE notify_sms_warnings (year INTEGER NOT NULL, level INTEGER NOT NULL, time_ms INTEGER NOT NULL, PRIMARY KEY (year, level));
  `,
});

export interface BudgetConfig {
  yearly_quota: number;
  daily_cap: number;
  warn_pct: number[];
  timezone: string;
}

export interface SmsUsage {
  year: number;
  quota: number;
  used_parts: number;
  used_pct: number;
  today_parts: number;
  daily_cap: number;
  by_month: Record<string, number>;
  by_purpose: Record<string, number>;
}

/**
 * The SMS budget: every billed part is counted per local day and purpose; sends are refused
 * (NotifyError 'budget', not retryable) once the yearly quota or the day's cap would be
 * exceeded. Crossing a warning level (80 %, 95 %) calls onWarn once per year and level.
 */
export class SmsBudget {
  private readonly db: DatabaseSync;
  private readonly c: BudgetConfig;
  private readonly now: () => number;
  private readonly onWarn: (pct: number, usage: SmsUsage) => void;

  constructor(db: DatabaseSync, c: BudgetConfig, now: () => number, onWarn: (pct: number, usage: SmsUsage) => void = () => {}) {
    this.db = db;
    this.c = c;
    this.now = now;
    this.onWarn = onWarn;
  }

  private sum(where: string, arg: string): number {
    return Number((this.db.prepare(`SELECT COALESCE(SUM(parts), 0) AS n FROM notify_sms_usage WHERE ${where}`).get(arg) as { n: number }).n);
  }

  /** Parts promised to sends in flight: counted by check so concurrent sends cannot overshoot a cap. */
  private reserved = 0;

  /**
   * Reserves `parts` for one send or throws NotifyError('budget'); the caller must call
   * the returned function once: with the parts actually billed, or with 0 when nothing was sent.
   */
  reserve(parts: number, purpose: string): (billed: number) => void {
    this.check(parts, purpose);
    this.reserved += parts;
    let done = false;
    return (billed) => {
      if (done) return;
      done = true;
      this.reserved -= parts;
      if (billed > 0) this.record(purpose, billed);
    };
  }

  check(parts: number, purpose: string): void {
    const lt = localTime(this.now(), this.c.timezone);
    const year = this.sum('day LIKE ?', `${lt.year}-%`) + this.reserved;
    if (year + parts > this.c.yearly_quota)
      throw new NotifyError(
        'budget',
        false,
        'yearly_quota',
        `SMS yearly quota ${this.c.yearly_quota} reached (${year} parts used); "${purpose}" not sent by SMS`,
      );
    const today = this.sum('day = ?', lt.date) + this.reserved;
    if (today + parts > this.c.daily_cap)
      throw new NotifyError('budget', false, 'daily_cap', `SMS daily cap ${this.c.daily_cap} reached (${today} parts today); "${purpose}" not sent by SMS`);
  }

  record(purpose: string, parts: number): void {
    const lt = localTime(this.now(), this.c.timezone);
    this.db
      .prepare(
        'INSERT INTO notify_sms_usage (day, purpose, parts, messages) VALUES (?, ?, ?, 1) ON CONFLICT (day, purpose) DO UPDATE SET parts = parts + excluded.parts, messages = messages + 1',
      )
      .run(lt.date, purpose, parts);
    const u = this.usage(lt.year);
    for (const pct of [...this.c.warn_pct].sort((a, b) => b - a)) {
      if (u.used_pct < pct) continue;
      const r = this.db.prepare('INSERT OR IGNORE INTO notify_sms_warnings (year, level, time_ms) VALUES (?, ?, ?)').run(lt.year, pct, this.now());
      if (r.changes) this.onWarn(pct, u);
      break;
    }
  }

  usage(year = localTime(this.now(), this.c.timezone).year): SmsUsage {
    const lt = localTime(this.now(), this.c.timezone);
    const rows = this.db.prepare('SELECT day, purpose, parts FROM notify_sms_usage WHERE day LIKE ?').all(`${year}-%`) as {
      day: string;
      purpose: string;
      parts: number;
    }[];
    const by_month: Record<string, number> = {};
    const by_purpose: Record<string, number> = {};
    let used = 0;
    let today = 0;
    for (const r of rows) {
      const parts = Number(r.parts);
      used += parts;
      if (r.day === lt.date) today += parts;
      const m = r.day.slice(0, 7);
      by_month[m] = (by_month[m] ?? 0) + parts;
      by_purpose[r.purpose] = (by_purpose[r.purpose] ?? 0) + parts;
    }
    return {
      year,
      quota: this.c.yearly_quota,
      used_parts: used,
      used_pct: Math.round((used / this.c.yearly_quota) * 10000) / 100,
      today_parts: today,
      daily_cap: this.c.daily_cap,
      by_month,
      by_purpose,
    };
  }
}
