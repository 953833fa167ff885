import { localParts, monthBounds, monthLabel, parseMonth } from './zoned-time.ts';

/** A calendar month in a time zone, as epoch-ms bounds [startMs, endMs). */
export interface Period {
  month: string;
  tz: string;
  startMs: number;
  endMs: number;
}

/** Parses "2026-10" into the month's bounds in tz. Throws on a malformed month. */
export function monthPeriod(month: string, tz: string): Period {
  const p = parseMonth(month);
  if (!p) throw new RangeError(`month must look like 2026-10, got "${month}"`);
  const b = monthBounds(p.y, p.m, tz);
  return { month, tz, startMs: b.start, endMs: b.end };
}

/** The month before the one containing ms, as "YYYY-MM". */
export function previousMonth(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  return monthLabel(p.y, p.m - 1);
}
