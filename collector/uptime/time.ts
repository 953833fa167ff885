/**
 * The uptime ledger's months: its rows hold UTC milliseconds, its months are the office's
 * local calendar months (zone arithmetic in lib/zoned-time.ts).
 */
import { localParts, monthBounds, parseMonth } from '../../lib/zoned-time.ts';

/** [start, end) of the calendar month that contains ms, in tz. */
export function monthRange(ms: number, tz: string): { start: number; end: number } {
  const p = localParts(ms, tz);
  return monthBounds(p.y, p.m, tz);
}

/** [start, end) of the calendar month "YYYY-MM" in tz; undefined when month is not one. */
export function namedMonthRange(month: string, tz: string): { start: number; end: number } | undefined {
  const p = parseMonth(month);
  return p && monthBounds(p.y, p.m, tz);
}
