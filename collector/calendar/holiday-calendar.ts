import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { localParts } from '../../lib/zoned-time.ts';

/**
 * The holiday calendar file (one per year, or several years in one list): the State
 * Council's annual notice transcribed as data. Format (docs/alerts.md, "Calendar file format"):
 *
 *   year: 2026
 *   holidays:
 *     - name: National Day
 *       name_zh: 国庆节
 *       days_off: [2026-10-01, …]      # days off (including weekend days inside the holiday)
 *       working_days: [2026-10-10]     # weekend days that are working days (调休)
 */
const isoDay = z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.date().transform((d) => d.toISOString().slice(0, 10))]);
export const calendarFileSchema = z.strictObject({
  year: z.number().int().min(2000).max(2100),
  holidays: z.array(
    z.strictObject({
      name: z.string().min(1),
      name_zh: z.string().optional(),
      days_off: z.array(isoDay).default([]),
      working_days: z.array(isoDay).default([]),
    }),
  ),
});

export type DayType = 'workday' | 'weekend' | 'holiday';

/** Local wall-clock parts of an instant in an IANA time zone. */
export interface LocalTime {
  date: string;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  minutes: number;
  year: number;
  month: number;
}

/** The local day, weekday and minute of the day of instant ms in tz. */
export function localTime(ms: number, tz: string): LocalTime {
  const p = localParts(ms, tz);
  return { date: `${p.y}-${pad2(p.m)}-${pad2(p.d)}`, weekday: p.dow, minutes: p.h * 60 + p.min, year: p.y, month: p.m };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Which days are off and which weekend days are worked, from one or more calendar files. */
export class HolidayCalendar {
  private off = new Map<string, string>();
  private worked = new Set<string>();
  readonly years = new Set<number>();

  static fromFiles(paths: readonly string[]): HolidayCalendar {
    const c = new HolidayCalendar();
    for (const p of paths) c.add(parse(readFileSync(p, 'utf8')), p);
    return c;
  }

  /** Adds one parsed calendar document; throws with the file name and path of the first problem. */
  add(doc: unknown, source = 'calendar'): void {
    const r = calendarFileSchema.safeParse(doc);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new Error(`${source}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
    }
    this.years.add(r.data.year);
    for (const h of r.data.holidays) {
      for (const d of h.days_off) this.off.set(d, h.name_zh ?? h.name);
      for (const d of h.working_days) this.worked.add(d);
    }
  }

  /** A day's type: listed days off are holidays, listed working days are workdays, otherwise Saturday/Sunday are the weekend. */
  dayType(date: string, weekday: number): DayType {
    if (this.off.has(date)) return 'holiday';
    if (this.worked.has(date)) return 'workday';
    return weekday === 0 || weekday === 6 ? 'weekend' : 'workday';
  }

  holidayName(date: string): string | undefined {
    return this.off.get(date);
  }
}

function hm(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * The time classes a routing `when` can name: working_hours (a workday, inside working
 * hours), off_hours (everything else), night (outside working hours on any day),
 * workday / weekend / holiday (the day's type).
 */
export function timeClasses(ms: number, tz: string, cal: HolidayCalendar, hours: { start: string; end: string }): Set<string> {
  const lt = localTime(ms, tz);
  const day = cal.dayType(lt.date, lt.weekday);
  const inHours = lt.minutes >= hm(hours.start) && lt.minutes < hm(hours.end);
  const out = new Set<string>([day]);
  if (day === 'workday' && inHours) out.add('working_hours');
  else out.add('off_hours');
  if (!inHours) out.add('night');
  return out;
}
