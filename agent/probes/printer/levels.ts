// The semantics of supply and tray levels (RFC 3805 prtMarkerSuppliesLevel, prtInputCurrentLevel),
// kept apart from SNMP so the rules can be read and tested on their own.

export type SupplyState = 'ok' | 'low' | 'empty' | 'near_full' | 'full' | 'some_remaining' | 'unknown';
export type TrayState = 'ok' | 'low' | 'empty' | 'unknown';

export interface Thresholds {
  /** Consumed supplies (and trays) are `low` at or below this percentage. */
  low_pct: number;
  /** Receptacles (waste toner) are `near_full` once at least this full. */
  full_pct: number;
  /**
   * How receptacles report their level. RFC 3805: "the remaining space if this supply is a
   * receptacle" (`remaining`, the default: 100/100 is an empty waste box). A few devices
   * report how full they are instead (`filled`).
   */
  receptacle_level: 'remaining' | 'filled';
}

/** round(100 × level / max, 1) when the level is a quantity and the capacity is known; else null. A level above max reads 100. */
export function percentOf(level: number | null, max: number | null): number | null {
  if (level === null || max === null || level < 0 || max <= 0) return null;
  return Math.round((1000 * Math.min(level, max)) / max) / 10;
}

/**
 * The state of one supply. Special levels: −1 (other: no restriction) is `ok`, −2 `unknown`,
 * −3 "some remaining" `some_remaining` (never a made-up 50 %); Ricoh's −100 "near end" is
 * `low` (`near_full` for a receptacle). A level that is a quantity
 * needs a known capacity to mean anything beyond zero: with max −1/−2 a level of 0 is `empty`
 * only when the printer itself raises noToner (Brother reports 0 with max −2 for a working
 * cartridge), and any other level is `unknown`.
 */
export function supplyState(
  p: { receptacle: boolean; level: number | null; max: number | null; percent: number | null; noToner: boolean },
  t: Thresholds,
): SupplyState {
  const { level, max, percent } = p;
  if (level === null || level === -2) return 'unknown';
  if (level === -1) return 'ok';
  if (level === -3) return 'some_remaining';
  // Ricoh (and its Lanier/NRG/Savin brands) signal "near end" with −100 on models that cannot measure.
  if (level === -100) return p.receptacle ? 'near_full' : 'low';
  if (level < 0) return 'unknown';
  if (max === null || max <= 0 || percent === null) {
    if (level === 0 && !p.receptacle && p.noToner) return 'empty';
    return 'unknown';
  }
  if (p.receptacle) {
    const fill = fillPercent(percent, t);
    if (fill >= 100) return 'full';
    return fill >= t.full_pct ? 'near_full' : 'ok';
  }
  if (level === 0) return 'empty';
  return percent <= t.low_pct ? 'low' : 'ok';
}

/** How full a receptacle is, in percent, from its reported percentage. */
export function fillPercent(percent: number, t: Pick<Thresholds, 'receptacle_level'>): number {
  return t.receptacle_level === 'filled' ? percent : Math.round((100 - percent) * 10) / 10;
}

/** An input tray: 0 is `empty`, at or below low_pct `low`; −3 (some paper) and −1 (no restriction) `ok`; −2 `unknown`. */
export function trayState(level: number | null, max: number | null, percent: number | null, t: Pick<Thresholds, 'low_pct'>): TrayState {
  if (level === null || level === -2) return 'unknown';
  if (level === -1 || level === -3) return 'ok';
  if (level < 0) return 'unknown';
  if (level === 0) return 'empty';
  if (max === null || max <= 0 || percent === null) return 'unknown';
  return percent <= t.low_pct ? 'low' : 'ok';
}
