import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { registerMigrations } from '../store/db.ts';

registerMigrations({
  id: '500_uptime_intervals',
  sql: `
    CREATE TABLE uptime_intervals (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      target TEXT NOT NULL,
      kind TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('up', 'down')),
      reason TEXT NOT NULL DEFAULT '',
      start_ms INTEGER NOT NULL,
      end_ms INTEGER,
      last_seen_ms INTEGER NOT NULL
    );
    CREATE INDEX uptime_intervals_target ON uptime_intervals (target, start_ms);
    CREATE UNIQUE INDEX uptime_intervals_open ON uptime_intervals (target) WHERE end_ms IS NULL;
  `,
});

/**
 * Maintenance windows, as collector/maintenance provides them. The ledger calls it for every
 * computation; it must not throw and returns intervals in ms (they may overlap or be unsorted).
 */
export interface MaintenanceSource {
  intervals(target: string, fromMs: number, toMs: number): { start: number; end: number }[];
}

export type TargetKind = 'camera' | 'device';

/** Uptime of one target over [from, to): ms in each state and percentages of the counted time. */
export interface UptimeReport {
  target: string;
  kind: TargetKind | undefined;
  from: number;
  to: number;
  /** to - from - maintenance_ms: the time the target was required to run. */
  counted_ms: number;
  up_ms: number;
  down_ms: number;
  /** Counted time with no report (agent silent, or before the first observation). */
  unknown_ms: number;
  maintenance_ms: number;
  /** up_ms / counted_ms × 100; unknown counts against it. Null when nothing was counted. */
  uptime_pct: number | null;
  /** up_ms + down_ms: the counted time the target was actually observed (its coverage). */
  known_ms: number;
  /**
   * up_ms / known_ms × 100: availability over the observed time only, unknown excluded (as
   * Zabbix's SLA leaves out no-data periods). Null when nothing was observed. What a report
   * prints next to its coverage; uptime_pct is the stricter figure for rolling compliance.
   */
  availability_pct: number | null;
  /** known_ms / counted_ms × 100. Null when nothing was counted. */
  coverage_pct: number | null;
  /** The first observed instant inside the range (after maintenance), null when none. */
  first_known_ms: number | null;
  down_pct: number | null;
  unknown_pct: number | null;
  /** Down intervals (clipped to the range, maintenance not removed), with their reasons. */
  outages: { start: number; end: number; reason: string }[];
}

interface Row {
  id: number;
  target: string;
  kind: string;
  state: 'up' | 'down';
  reason: string;
  start_ms: number;
  end_ms: number | null;
  last_seen_ms: number;
}

type Span = { start: number; end: number };

/** Sorted, non-overlapping union of spans clipped to [from, to). */
export function mergeSpans(spans: Span[], from: number, to: number): Span[] {
  const s = spans
    .map((x) => ({ start: Math.max(from, x.start), end: Math.min(to, x.end) }))
    .filter((x) => x.end > x.start)
    .sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const x of s) {
    const last = out[out.length - 1];
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else out.push({ ...x });
  }
  return out;
}

/** Length of span minus the parts covered by `holes` (sorted, merged). */
function lengthOutside(span: Span, holes: Span[]): number {
  let len = span.end - span.start;
  for (const h of holes) {
    const a = Math.max(span.start, h.start);
    const b = Math.min(span.end, h.end);
    if (b > a) len -= b - a;
  }
  return len;
}

/** The first instant of span not covered by `holes` (sorted, merged); the span must not be wholly covered. */
function firstOutside(span: Span, holes: Span[]): number {
  let t = span.start;
  for (const h of holes) if (h.start <= t && h.end > t) t = h.end;
  return t;
}

const pct = (part: number, whole: number): number | null => (whole > 0 ? (part / whole) * 100 : null);

/**
 * The uptime ledger: state transitions per target as intervals in the state DB.
 *
 * An interval is known from its start to its last observation. A state change closes the open
 * interval at the new observation's time (the change happened between two polls; the new
 * state is credited from the poll that saw it). When a target has not reported for longer than
 * `silenceMs`, the time after its last observation is unknown: the open interval stops at
 * last_seen, and the next observation opens a new interval. Observations older than the
 * target's last one are ignored (a replayed outbox delivers in order, a duplicate does not).
 */
export class UptimeLedger {
  private readonly db: DatabaseSync;
  private readonly silenceMs: number;
  private readonly stmts: Record<'open' | 'close' | 'touch' | 'insert' | 'range' | 'targets' | 'kind', StatementSync>;
  private maintenance: MaintenanceSource | undefined;

  constructor(db: DatabaseSync, opts: { silenceMs: number; maintenance?: MaintenanceSource | undefined }) {
    this.db = db;
    this.silenceMs = opts.silenceMs;
    this.maintenance = opts.maintenance;
    this.stmts = {
      open: db.prepare('SELECT * FROM uptime_intervals WHERE target = ? AND end_ms IS NULL'),
      close: db.prepare('UPDATE uptime_intervals SET end_ms = ? WHERE id = ?'),
      touch: db.prepare('UPDATE uptime_intervals SET last_seen_ms = ? WHERE id = ?'),
      insert: db.prepare('INSERT INTO uptime_intervals (target, kind, state, reason, start_ms, end_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?, NULL, ?)'),
      range: db.prepare(
        'SELECT * FROM uptime_intervals WHERE target = ? AND start_ms < ? AND (end_ms IS NULL OR end_ms > ? OR last_seen_ms > ?) ORDER BY start_ms',
      ),
      targets: db.prepare('SELECT DISTINCT target, kind FROM uptime_intervals ORDER BY target'),
      kind: db.prepare('SELECT kind FROM uptime_intervals WHERE target = ? ORDER BY start_ms DESC LIMIT 1'),
    };
  }

  setMaintenance(m: MaintenanceSource | undefined): void {
    this.maintenance = m;
  }

  /** Records one observation. Returns the transition it caused, if any (for logs and events). */
  observe(target: string, kind: TargetKind, up: boolean, reason: string, timeMs: number): 'opened' | 'changed' | 'resumed' | undefined {
    const state = up ? 'up' : 'down';
    const why = up ? '' : reason;
    const open = this.stmts.open.get(target) as Row | undefined;
    if (open && timeMs < open.last_seen_ms) return undefined;
    if (!open) {
      this.stmts.insert.run(target, kind, state, why, timeMs, timeMs);
      return 'opened';
    }
    const silent = timeMs - open.last_seen_ms > this.silenceMs;
    if (!silent && open.state === state && (open.state === 'up' || open.reason === why)) {
      this.stmts.touch.run(timeMs, open.id);
      return undefined;
    }
    this.db.exec('BEGIN');
    try {
      this.stmts.close.run(silent ? open.last_seen_ms : timeMs, open.id);
      this.stmts.insert.run(target, kind, state, why, timeMs, timeMs);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
    return silent ? 'resumed' : 'changed';
  }

  targets(): { target: string; kind: TargetKind }[] {
    return this.stmts.targets.all() as { target: string; kind: TargetKind }[];
  }

  /** Uptime of target over [from, to), as seen at `now` (an open interval runs to now unless the target went silent). */
  report(target: string, from: number, to: number, now: number): UptimeReport {
    const rows = this.stmts.range.all(target, to, from, from) as unknown as Row[];
    const kindRow = this.stmts.kind.get(target) as { kind: TargetKind } | undefined;
    const maint = mergeSpans(this.maintenance?.intervals(target, from, to) ?? [], from, to);
    const maintenance_ms = maint.reduce((a, m) => a + m.end - m.start, 0);
    let up_ms = 0;
    let down_ms = 0;
    let first: number | null = null;
    const outages: UptimeReport['outages'] = [];
    for (const r of rows) {
      const end = r.end_ms ?? (now - r.last_seen_ms <= this.silenceMs ? now : r.last_seen_ms);
      const span = { start: Math.max(from, r.start_ms), end: Math.min(to, end) };
      if (span.end <= span.start) continue;
      const len = lengthOutside(span, maint);
      if (len > 0) {
        const f = firstOutside(span, maint);
        if (first === null || f < first) first = f;
      }
      if (r.state === 'up') up_ms += len;
      else {
        down_ms += len;
        outages.push({ ...span, reason: r.reason });
      }
    }
    const counted_ms = to - from - maintenance_ms;
    const known_ms = up_ms + down_ms;
    const unknown_ms = counted_ms - known_ms;
    return {
      target,
      kind: kindRow?.kind,
      from,
      to,
      counted_ms,
      up_ms,
      down_ms,
      unknown_ms,
      maintenance_ms,
      uptime_pct: pct(up_ms, counted_ms),
      known_ms,
      availability_pct: pct(up_ms, known_ms),
      coverage_pct: pct(known_ms, counted_ms),
      first_known_ms: first,
      down_pct: pct(down_ms, counted_ms),
      unknown_pct: pct(unknown_ms, counted_ms),
      outages,
    };
  }
}
