/**
 * Availability over the time a device was monitored, day by day. Time without data is
 * unknown, never down: it is left out of the percentage and shown as coverage instead (as
 * Zabbix's SLA leaves out no-data periods). A device's month starts at its inventory
 * `monitored_since` day when set; days before it do not count even when they have data.
 */
import type { Period } from '../../lib/month-period.ts';
import { localMidnight } from '../../lib/zoned-time.ts';

/** One local day of a period. */
export interface PeriodDay {
  /** YYYY-MM-DD, local. */
  day: string;
  from: number;
  to: number;
}

export function periodDays(p: Period): PeriodDay[] {
  const [y, m] = p.month.split('-').map(Number) as [number, number];
  const out: PeriodDay[] = [];
  for (let d = 1; ; d++) {
    const from = localMidnight(y, m, d, p.tz);
    if (from >= p.endMs) break;
    out.push({ day: `${p.month}-${String(d).padStart(2, '0')}`, from, to: Math.min(localMidnight(y, m, d + 1, p.tz), p.endMs) });
  }
  return out;
}

/** Observations of one device on one day: `up` of `known` (poll counts from InfluxDB, or ms from the uptime ledger). */
export interface DayCount {
  up: number;
  known: number;
}

/** How much of the period a device was watched. */
export interface Coverage {
  /** Local days with at least one observation (from monitored_since on). */
  days_monitored: number;
  /** All days of the period (31 for October), passed or not. */
  days_in_period: number;
  /** The first local day with an observation, null when the device was never seen. */
  first_day: string | null;
}

export interface Availability {
  /** Up share of the observed time, in %; null when never observed. */
  pct: number | null;
  coverage: Coverage;
  /** Per day, index 0 = the 1st: up share in %, null without data (or before monitored_since). */
  daily: (number | null)[];
}

/** Day-indexed counts of one device; `add` sums several targets that resolve to the same device. */
export class DayCounts {
  readonly days: (DayCount | undefined)[];
  constructor(n: number) {
    this.days = new Array<DayCount | undefined>(n).fill(undefined);
  }
  add(i: number, up: number, known: number): void {
    if (i < 0 || i >= this.days.length || !(known > 0)) return;
    const d = (this.days[i] ??= { up: 0, known: 0 });
    d.up += up;
    d.known += known;
  }
}

/** Summarises a device's days; days before `sinceMs` (local midnight of monitored_since) are not counted. */
export function availability(counts: DayCounts | undefined, days: readonly PeriodDay[], sinceMs?: number): Availability {
  let up = 0;
  let known = 0;
  let monitored = 0;
  let first: string | null = null;
  const daily = days.map((d, i) => {
    const c = counts?.days[i];
    if (!c || (sinceMs !== undefined && d.to <= sinceMs)) return null;
    up += c.up;
    known += c.known;
    monitored++;
    first ??= d.day;
    return (c.up / c.known) * 100;
  });
  return { pct: known > 0 ? (up / known) * 100 : null, coverage: { days_monitored: monitored, days_in_period: days.length, first_day: first }, daily };
}

/**
 * The uptime ledger's view of the time it observed (UptimeReport in collector/uptime/ledger.ts):
 * maintenance already removed, silence already unknown.
 */
export interface LedgerReader {
  targets(): { target: string; kind: string }[];
  report(target: string, from: number, to: number): { up_ms: number; known_ms?: number; down_ms: number };
}

/** Per-target day counts (ms) from the ledger, for the days that have begun by `now`. */
export function ledgerCounts(l: LedgerReader, days: readonly PeriodDay[], now: number): Map<string, { kind: string; counts: DayCounts }> {
  const out = new Map<string, { kind: string; counts: DayCounts }>();
  for (const { target, kind } of l.targets()) {
    const counts = new DayCounts(days.length);
    days.forEach((d, i) => {
      if (d.from >= now) return;
      const r = l.report(target, d.from, Math.min(d.to, now));
      counts.add(i, r.up_ms, r.known_ms ?? r.up_ms + r.down_ms);
    });
    if (counts.days.some(Boolean)) out.set(target, { kind, counts });
  }
  return out;
}
