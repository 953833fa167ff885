import type { DatabaseSync } from 'node:sqlite';
import type { WindowConfig } from '../../config/schema/alerts.ts';
import { registerMigrations } from '../store/db.ts';
import { localTime } from '../calendar/holiday-calendar.ts';

registerMigrations({
  id: '120_maintenance_windows',
  sql: `
    CREATE TABLE maintenance_windows (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      spec TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      deleted_ms INTEGER,
      deleted_by TEXT
    );
  `,
});

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface StoredWindow extends WindowConfig {
  id: number | string;
  created_by: string;
}

/** Whether a window applies to a target: by name, or by its inventory location/kind labels. */
export function windowCovers(w: WindowConfig, target: string, labels: Record<string, string>): boolean {
  const byName = w.targets.length > 0;
  const byMatch = Object.keys(w.match).length > 0;
  if (!byName && !byMatch) return true;
  if (byName && w.targets.includes(target)) return true;
  if (byMatch) return Object.entries(w.match).every(([k, v]) => (k === 'kind' ? labels.device_kind === v : labels[k] === v));
  return false;
}

/**
 * The intervals of one window inside [fromMs, toMs), merged and sorted. Recurring windows are
 * expanded day by day in the configured time zone (a window may run past midnight).
 */
export function windowIntervals(w: WindowConfig, fromMs: number, toMs: number, tz: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  if (w.start && w.end) {
    const s = Math.max(fromMs, Date.parse(w.start));
    const e = Math.min(toMs, Date.parse(w.end));
    if (e > s) out.push({ start: s, end: e });
  }
  if (w.recurring) {
    const [h, m] = w.recurring.start.split(':').map(Number);
    const dur = w.recurring.duration_min * 60_000;
    // Walk local days from (from - duration) so a window that began earlier is caught.
    for (let t = fromMs - dur - 86_400_000; t < toMs + 86_400_000; t += 86_400_000) {
      const lt = localTime(t, tz);
      if (!w.recurring.days.includes(DAYS[lt.weekday] as never)) continue;
      // Local midnight of that day: t minus its local minutes since midnight (seconds ignored: UTC offsets are whole minutes).
      const offsetMs = lt.minutes * 60_000 + (t % 60_000);
      const start = t - offsetMs + (h! * 60 + m!) * 60_000;
      const s = Math.max(fromMs, start);
      const e = Math.min(toMs, start + dur);
      if (e > s) out.push({ start: s, end: e });
    }
  }
  return out;
}

/** Merges overlapping intervals. */
export function merge(xs: { start: number; end: number }[]): { start: number; end: number }[] {
  const s = [...xs].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const x of s) {
    const last = out[out.length - 1];
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else out.push({ ...x });
  }
  return out;
}

/** Windows from the config (ids `config:<name>`) and from the API (numeric ids, in the state DB). */
export class WindowStore {
  private readonly db: DatabaseSync;
  private readonly fromConfig: StoredWindow[];
  private cache: StoredWindow[] | undefined;

  constructor(db: DatabaseSync, configured: readonly WindowConfig[]) {
    this.db = db;
    this.fromConfig = configured.map((w) => ({ ...w, id: `config:${w.name}`, created_by: 'config' }));
  }

  all(): StoredWindow[] {
    if (!this.cache) {
      const rows = this.db.prepare('SELECT id, spec, created_by FROM maintenance_windows WHERE deleted_ms IS NULL ORDER BY id').all() as {
        id: number;
        spec: string;
        created_by: string;
      }[];
      this.cache = [...this.fromConfig, ...rows.map((r) => ({ ...(JSON.parse(r.spec) as WindowConfig), id: Number(r.id), created_by: r.created_by }))];
    }
    return this.cache;
  }

  add(w: WindowConfig, by: string, now: number): number {
    this.cache = undefined;
    return Number(
      this.db.prepare('INSERT INTO maintenance_windows (spec, created_by, created_ms) VALUES (?, ?, ?)').run(JSON.stringify(w), by, now).lastInsertRowid,
    );
  }

  remove(id: number, by: string, now: number): boolean {
    this.cache = undefined;
    return this.db.prepare('UPDATE maintenance_windows SET deleted_ms = ?, deleted_by = ? WHERE id = ? AND deleted_ms IS NULL').run(now, by, id).changes > 0;
  }
}
