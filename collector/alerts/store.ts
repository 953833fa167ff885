import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { registerMigrations } from '../store/db.ts';
import type { RouteResult } from './routing.ts';

registerMigrations({
  id: '100_alerts',
  sql: `
    CREATE TABLE alerts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      rule TEXT NOT NULL,
      target TEXT NOT NULL,
      severity TEXT NOT NULL,
      state TEXT NOT NULL,
      summary TEXT NOT NULL,
      labels TEXT NOT NULL,
      value TEXT,
      started_ms INTEGER NOT NULL,
      fired_ms INTEGER,
      acked_ms INTEGER,
      acked_by TEXT,
      resolved_ms INTEGER,
      suppressed_by INTEGER,
      silenced INTEGER NOT NULL DEFAULT 0,
      flapping INTEGER NOT NULL DEFAULT 0,
      level INTEGER NOT NULL DEFAULT 0,
      notified_ms INTEGER,
      routes TEXT NOT NULL DEFAULT '[]',
      told TEXT NOT NULL DEFAULT '[]',
      last_seen_ms INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX alerts_open ON alerts (rule, target) WHERE state != 'resolved';
    CREATE INDEX alerts_fired ON alerts (fired_ms);
  `,
});

registerMigrations({
  id: '101_alerts_rule_fp',
  sql: `
    ALTER TABLE alerts ADD COLUMN rule_fp TEXT;
    ALTER TABLE alerts ADD COLUMN resolved_reason TEXT;
    ALTER TABLE alerts ADD COLUMN ack_note TEXT;
  `,
});

export type AlertStateName = 'pending' | 'firing' | 'acknowledged' | 'resolved' | 'suppressed';

/** One alert as kept in memory and in the `alerts` table. */
export interface Alert {
  id: number;
  rule: string;
  target: string;
  severity: 'info' | 'warning' | 'critical';
  state: AlertStateName;
  summary: string;
  labels: Record<string, string>;
  value: string | undefined;
  started_ms: number;
  fired_ms: number | undefined;
  acked_ms: number | undefined;
  acked_by: string | undefined;
  resolved_ms: number | undefined;
  suppressed_by: number | undefined;
  silenced: boolean;
  flapping: boolean;
  level: number;
  notified_ms: number | undefined;
  /** Routes chosen when it fired (receiver, escalation chain, repeat). */
  routes: RouteResult[];
  /** Receivers already told (so the resolution reaches every one of them). */
  told: string[];
  last_seen_ms: number;
  /** What the rule looked at when the alert was raised (AlertEngine's ruleFingerprint): a changed rule resolves it. */
  rule_fp?: string | undefined;
  /** Why it was resolved when it was not its condition clearing (rule removed or changed). */
  resolved_reason?: string | undefined;
  /** The note given with the acknowledgement. */
  ack_note?: string | undefined;
}

interface Row {
  [k: string]: unknown;
}

function toAlert(r: Row): Alert {
  const n = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
  return {
    id: Number(r.id),
    rule: String(r.rule),
    target: String(r.target),
    severity: r.severity as Alert['severity'],
    state: r.state as AlertStateName,
    summary: String(r.summary),
    labels: JSON.parse(String(r.labels)),
    value: r.value === null ? undefined : String(r.value),
    started_ms: Number(r.started_ms),
    fired_ms: n(r.fired_ms),
    acked_ms: n(r.acked_ms),
    acked_by: r.acked_by === null ? undefined : String(r.acked_by),
    resolved_ms: n(r.resolved_ms),
    suppressed_by: n(r.suppressed_by),
    silenced: Boolean(r.silenced),
    flapping: Boolean(r.flapping),
    level: Number(r.level),
    notified_ms: n(r.notified_ms),
    routes: JSON.parse(String(r.routes)),
    told: JSON.parse(String(r.told)),
    last_seen_ms: Number(r.last_seen_ms),
    rule_fp: r.rule_fp === null || r.rule_fp === undefined ? undefined : String(r.rule_fp),
    resolved_reason: r.resolved_reason === null || r.resolved_reason === undefined ? undefined : String(r.resolved_reason),
    ack_note: r.ack_note === null || r.ack_note === undefined ? undefined : String(r.ack_note),
  };
}

/** Persistence of alerts in the collector's state DB: open alerts are reloaded at start. */
export class AlertStore {
  private readonly db: DatabaseSync;
  private readonly ins: StatementSync;
  private readonly upd: StatementSync;
  private readonly del: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.ins = db.prepare(
      'INSERT INTO alerts (rule, target, severity, state, summary, labels, value, started_ms, last_seen_ms, rule_fp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    );
    this.upd = db.prepare(
      `UPDATE alerts SET severity = ?, state = ?, summary = ?, labels = ?, value = ?, fired_ms = ?, acked_ms = ?, acked_by = ?, resolved_ms = ?,
       suppressed_by = ?, silenced = ?, flapping = ?, level = ?, notified_ms = ?, routes = ?, told = ?, last_seen_ms = ?, rule_fp = ?, resolved_reason = ?, ack_note = ? WHERE id = ?`,
    );
    this.del = db.prepare('DELETE FROM alerts WHERE id = ?');
  }

  insert(a: Omit<Alert, 'id'>): number {
    return Number(
      (
        this.ins.get(
          a.rule,
          a.target,
          a.severity,
          a.state,
          a.summary,
          JSON.stringify(a.labels),
          a.value ?? null,
          a.started_ms,
          a.last_seen_ms,
          a.rule_fp ?? null,
        ) as { id: number }
      ).id,
    );
  }

  save(a: Alert): void {
    this.upd.run(
      a.severity,
      a.state,
      a.summary,
      JSON.stringify(a.labels),
      a.value ?? null,
      a.fired_ms ?? null,
      a.acked_ms ?? null,
      a.acked_by ?? null,
      a.resolved_ms ?? null,
      a.suppressed_by ?? null,
      a.silenced ? 1 : 0,
      a.flapping ? 1 : 0,
      a.level,
      a.notified_ms ?? null,
      JSON.stringify(a.routes),
      JSON.stringify(a.told),
      a.last_seen_ms,
      a.rule_fp ?? null,
      a.resolved_reason ?? null,
      a.ack_note ?? null,
      a.id,
    );
  }

  /** A pending alert whose condition cleared before `for` never existed. */
  remove(id: number): void {
    this.del.run(id);
  }

  open(): Alert[] {
    return (this.db.prepare("SELECT * FROM alerts WHERE state != 'resolved'").all() as Row[]).map(toAlert);
  }

  get(id: number): Alert | undefined {
    const r = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return r ? toAlert(r) : undefined;
  }

  /** Newest first; `q` matches rule, target or summary; `from`/`to` bound the start time. */
  list(
    o: {
      state?: string | undefined;
      target?: string | undefined;
      severity?: string | undefined;
      q?: string | undefined;
      from?: number | undefined;
      to?: number | undefined;
      limit?: number | undefined;
    } = {},
  ): Alert[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (o.state) where.push('state = ?'), args.push(o.state);
    if (o.target) where.push('target = ?'), args.push(o.target);
    if (o.severity) where.push('severity = ?'), args.push(o.severity);
    if (o.q)
      where.push('(instr(lower(rule), lower(?)) > 0 OR instr(lower(target), lower(?)) > 0 OR instr(lower(summary), lower(?)) > 0)'), args.push(o.q, o.q, o.q);
    if (o.from !== undefined) where.push('started_ms >= ?'), args.push(o.from);
    if (o.to !== undefined) where.push('started_ms < ?'), args.push(o.to);
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, o.limit ?? 200) as Row[]).map(toAlert);
  }

  /** Alerts that fired in [fromMs, toMs), for SLA figures. */
  firedBetween(fromMs: number, toMs: number): Alert[] {
    return (this.db.prepare('SELECT * FROM alerts WHERE fired_ms >= ? AND fired_ms < ? ORDER BY fired_ms').all(fromMs, toMs) as Row[]).map(toAlert);
  }
}

/** One alert's response figures for the monthly report. */
export interface SlaRow {
  id: number;
  rule: string;
  target: string;
  severity: string;
  fired_ms: number;
  acked_ms: number | null;
  acked_by: string | null;
  resolved_ms: number | null;
  time_to_ack_s: number | null;
  time_to_resolve_s: number | null;
  /** Not resolved within the contract's time (2 h), or still open past it. */
  breach: boolean;
  silenced: boolean;
}

export interface SlaReport {
  from_ms: number;
  to_ms: number;
  resolve_within_s: number;
  alerts: number;
  acknowledged: number;
  resolved: number;
  breaches: number;
  mean_time_to_ack_s: number | null;
  median_time_to_ack_s: number | null;
  mean_time_to_resolve_s: number | null;
  median_time_to_resolve_s: number | null;
  rows: SlaRow[];
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function mean(xs: number[]): number | null {
  return xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null;
}

/** SLA figures over alerts that fired in [fromMs, toMs); alerts silenced by maintenance are listed but not counted as breaches. */
export function slaReport(alerts: Alert[], fromMs: number, toMs: number, resolveWithinS: number, now: number): SlaReport {
  const rows: SlaRow[] = alerts
    .filter((a) => a.fired_ms !== undefined)
    .map((a) => {
      const fired = a.fired_ms!;
      const tta = a.acked_ms !== undefined ? (a.acked_ms - fired) / 1000 : null;
      const ttr = a.resolved_ms !== undefined ? (a.resolved_ms - fired) / 1000 : null;
      const open = (a.resolved_ms ?? now) - fired;
      return {
        id: a.id,
        rule: a.rule,
        target: a.target,
        severity: a.severity,
        fired_ms: fired,
        acked_ms: a.acked_ms ?? null,
        acked_by: a.acked_by ?? null,
        resolved_ms: a.resolved_ms ?? null,
        time_to_ack_s: tta,
        time_to_resolve_s: ttr,
        breach: !a.silenced && open > resolveWithinS * 1000,
        silenced: a.silenced,
      };
    });
  const tta = rows.flatMap((r) => (r.time_to_ack_s === null ? [] : [r.time_to_ack_s]));
  const ttr = rows.flatMap((r) => (r.time_to_resolve_s === null ? [] : [r.time_to_resolve_s]));
  return {
    from_ms: fromMs,
    to_ms: toMs,
    resolve_within_s: resolveWithinS,
    alerts: rows.length,
    acknowledged: tta.length,
    resolved: ttr.length,
    breaches: rows.filter((r) => r.breach).length,
    mean_time_to_ack_s: mean(tta),
    median_time_to_ack_s: median(tta),
    mean_time_to_resolve_s: mean(ttr),
    median_time_to_resolve_s: median(ttr),
    rows,
  };
}
