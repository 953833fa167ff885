import type { InspectionSchedule } from '../../config/schema/inspections-reports.ts';
import { localMidnight, localParts } from '../../lib/zoned-time.ts';

export type Every = InspectionSchedule['every'];

/** One inspection period: "2026-10" (monthly), "2026-Q4" (quarterly), "2026-W44" (ISO week). */
export interface InspectionPeriod {
  label: string;
  startMs: number;
  endMs: number;
}

/** The period of a schedule containing instant ms, in time zone tz. */
export function periodOf(every: Every, ms: number, tz: string): InspectionPeriod {
  const p = localParts(ms, tz);
  if (every === 'monthly')
    return { label: `${p.y}-${String(p.m).padStart(2, '0')}`, startMs: localMidnight(p.y, p.m, 1, tz), endMs: localMidnight(p.y, p.m + 1, 1, tz) };
  if (every === 'quarterly') {
    const q = Math.floor((p.m - 1) / 3);
    return { label: `${p.y}-Q${q + 1}`, startMs: localMidnight(p.y, q * 3 + 1, 1, tz), endMs: localMidnight(p.y, q * 3 + 4, 1, tz) };
  }
  // ISO week: Monday to Monday; the week belongs to the year of its Thursday.
  const dow = (p.dow + 6) % 7;
  const startMs = localMidnight(p.y, p.m, p.d - dow, tz);
  const thu = new Date(Date.UTC(p.y, p.m - 1, p.d - dow + 3));
  const week = 1 + Math.floor((thu.getTime() - Date.UTC(thu.getUTCFullYear(), 0, 1)) / 86_400_000 / 7);
  return { label: `${thu.getUTCFullYear()}-W${String(week).padStart(2, '0')}`, startMs, endMs: localMidnight(p.y, p.m, p.d - dow + 7, tz) };
}

export interface ScheduleStatus {
  id: string;
  title: string;
  kind: InspectionSchedule['kind'];
  every: Every;
  owner: string;
  period: InspectionPeriod;
  /** Signed inspection for the current period, if any. */
  done_id: number | null;
  last_done_ms: number | null;
  /** End of the period after the last signed one (end of the current period when never done). */
  due_ms: number;
  due_in_days: number;
  reminder: boolean;
  overdue: boolean;
}

/**
 * Where a schedule stands at `now`: the inspection for a period is due by the end of the
 * period after the last signed one, so a fresh install is never overdue, and a missed month
 * is overdue from the first day of the next one. `lastSigned` is the latest signed run.
 */
export function scheduleStatus(
  s: InspectionSchedule,
  now: number,
  tz: string,
  lastSigned: { id: number; period: string; started_ms: number; signed_ms: number } | undefined,
): ScheduleStatus {
  const period = periodOf(s.every, now, tz);
  let due = period.endMs;
  if (lastSigned) {
    // Done for the period it was started in: the next one is due by the end of the following period.
    const coveredEnd = periodOf(s.every, lastSigned.started_ms, tz).endMs;
    due = periodOf(s.every, coveredEnd, tz).endMs;
  }
  const done = lastSigned && lastSigned.period === period.label ? lastSigned.id : null;
  const dueIn = (due - now) / 86_400_000;
  return {
    id: s.id,
    title: s.title,
    kind: s.kind,
    every: s.every,
    owner: s.owner ?? '',
    period,
    done_id: done,
    last_done_ms: lastSigned?.signed_ms ?? null,
    due_ms: due,
    due_in_days: dueIn,
    reminder: done === null && dueIn >= 0 && dueIn <= s.remind_days_before,
    overdue: now >= due,
  };
}
