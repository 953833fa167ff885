/**
 * Calendar arithmetic in an IANA time zone without a date library: the office's "day" and
 * "month" are local (Asia/Shanghai), while the ledger stores UTC milliseconds.
 */

const fmtCache = new Map<string, Intl.DateTimeFormat>();

function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    fmtCache.set(tz, f);
  }
  return f;
}

/** Local wall-clock fields of an instant in tz. */
export function localParts(ms: number, tz: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const p: Record<string, number> = {};
  for (const x of fmt(tz).formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { year: p.year ?? 0, month: p.month ?? 0, day: p.day ?? 0, hour: p.hour ?? 0, minute: p.minute ?? 0, second: p.second ?? 0 };
}

/** Offset of tz from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function tzOffsetMs(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant of local midnight starting year-month-day in tz (month is 1-based; overflow rolls over). */
export function zonedMidnight(year: number, month: number, day: number, tz: string): number {
  const guess = Date.UTC(year, month - 1, day);
  let t = guess - tzOffsetMs(guess, tz);
  // A DST change between guess and t shifts the offset once; re-evaluate at t.
  t = guess - tzOffsetMs(t, tz);
  return t;
}

/** [start, end) of the calendar month that contains ms, in tz. */
export function monthRange(ms: number, tz: string): { start: number; end: number } {
  const p = localParts(ms, tz);
  return { start: zonedMidnight(p.year, p.month, 1, tz), end: zonedMidnight(p.year, p.month + 1, 1, tz) };
}

/** [start, end) of the calendar month "YYYY-MM" in tz. */
export function namedMonthRange(month: string, tz: string): { start: number; end: number } | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return undefined;
  return { start: zonedMidnight(y, mo, 1, tz), end: zonedMidnight(y, mo + 1, 1, tz) };
}
