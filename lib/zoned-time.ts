/**
 * Calendar arithmetic in an IANA time zone without a date library: the office's day, week and
 * month are local (Asia/Shanghai), while stores and ledgers keep UTC milliseconds. The uptime
 * ledger, the reports, the alert calendar, inspections and the console all count on this one
 * module. Formatters are cached per zone (building an Intl.DateTimeFormat costs far more than
 * using one). An unknown zone throws a RangeError; config validation rules that out at start.
 */

/** Local wall-clock fields of an instant in a zone: m is 1-based, dow 0 = Sunday … 6 = Saturday. */
export interface LocalParts {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
  sec: number;
  dow: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
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
    formatters.set(tz, f);
  }
  return f;
}

/** Local wall-clock fields of instant ms in tz. */
export function localParts(ms: number, tz: string): LocalParts {
  const p: Record<string, number> = {};
  for (const x of formatter(tz).formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  const y = p.year ?? 0;
  const m = p.month ?? 0;
  const d = p.day ?? 0;
  return { y, m, d, h: p.hour ?? 0, min: p.minute ?? 0, sec: p.second ?? 0, dow: new Date(Date.UTC(y, m - 1, d)).getUTCDay() };
}

/** Offset of tz from UTC at instant ms, in ms (Asia/Shanghai: +8 h). */
export function tzOffsetMs(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.sec) - Math.floor(ms / 1000) * 1000;
}

/** The instant the local wall-clock time y-m-d h:min means in tz (m is 1-based; overflowing fields roll over). */
export function localInstant(y: number, m: number, d: number, h: number, min: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d, h, min);
  const first = guess - tzOffsetMs(guess, tz);
  // A DST change between the guess and the answer shifts the offset once; re-evaluate at the first answer.
  return guess - tzOffsetMs(first, tz);
}

/** The instant of local midnight starting y-m-d in tz (m is 1-based; overflowing months roll over). */
export function localMidnight(y: number, m: number, d: number, tz: string): number {
  return localInstant(y, m, d, 0, 0, tz);
}

/** [start, end) of local calendar month m of year y in tz. */
export function monthBounds(y: number, m: number, tz: string): { start: number; end: number } {
  return { start: localMidnight(y, m, 1, tz), end: localMidnight(y, m + 1, 1, tz) };
}

/** "2026-10" as year and 1-based month; undefined when it is not a month of that shape. */
export function parseMonth(month: string): { y: number; m: number } | undefined {
  const r = /^(\d{4})-(\d{2})$/.exec(month);
  if (!r) return undefined;
  const m = Number(r[2]);
  return m >= 1 && m <= 12 ? { y: Number(r[1]), m } : undefined;
}

/** "YYYY-MM" of year y and 1-based month m (months outside 1…12 roll over into the next or previous year). */
export function monthLabel(y: number, m: number): string {
  const i = y * 12 + (m - 1);
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** "2026-10-05 14:03" (or "2026-10-05" without the time) of instant ms in tz. */
export function fmtLocal(ms: number, tz: string, withTime = true): string {
  const iso = new Date(ms + tzOffsetMs(ms, tz)).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}
