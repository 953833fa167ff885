/** A calendar month in a time zone, as epoch-ms bounds [startMs, endMs). */
export interface Period {
  month: string;
  tz: string;
  startMs: number;
  endMs: number;
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (Asia/Shanghai: +480). */
export function tzOffsetMin(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const g = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** Epoch ms of local midnight y-m-d in tz (m is 1-based; overflowing months roll over). */
export function localMidnight(y: number, m: number, d: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const off = tzOffsetMin(guess, tz);
  const t = guess - off * 60_000;
  // A DST change between guess and t shifts the offset; one correction is enough.
  const off2 = tzOffsetMin(t, tz);
  return off2 === off ? t : guess - off2 * 60_000;
}

/** Parses "2026-10" into the month's bounds in tz. Throws on a malformed month. */
export function monthPeriod(month: string, tz: string): Period {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new RangeError(`month must look like 2026-10, got "${month}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { month, tz, startMs: localMidnight(y, mo, 1, tz), endMs: localMidnight(y, mo + 1, 1, tz) };
}

/** Local calendar fields of an instant in tz. */
export function localParts(ms: number, tz: string): { y: number; m: number; d: number; h: number; dow: number } {
  const t = new Date(ms + tzOffsetMin(ms, tz) * 60_000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), dow: t.getUTCDay() };
}

/** The month before the one containing ms, as "YYYY-MM". */
export function previousMonth(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  const y = p.m === 1 ? p.y - 1 : p.y;
  const m = p.m === 1 ? 12 : p.m - 1;
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** "2026-10-05 14:03" in tz. */
export function fmtLocal(ms: number, tz: string, withTime = true): string {
  const t = new Date(ms + tzOffsetMin(ms, tz) * 60_000);
  const iso = t.toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}
