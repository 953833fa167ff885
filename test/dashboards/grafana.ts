/**
 * What Grafana does to an InfluxQL query before sending it, for the tests: $timeFilter,
 * $__interval / $interval, and template variables ($var, ${var}, [[var]]) formatted as
 * Grafana formats them inside a regex (`/^$var$/`): the "All" value as is, one value
 * regex-escaped, several as (a|b).
 */

/** A dashboard time range, absolute, in ms since the epoch. */
export interface Range {
  fromMs: number;
  toMs: number;
}

/** "now-24h" → ms before now (Grafana's relative time, the units the dashboards use). */
export function relative(from: string, now: number): number {
  const m = /^now-(\d+)([smhdw])$/.exec(from);
  if (!m) throw new Error(`unsupported time "${from}"`);
  const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return now - Number(m[1]) * unit;
}

const STEPS: [number, string][] = [
  [1e3, '1s'],
  [5e3, '5s'],
  [1e4, '10s'],
  [15e3, '15s'],
  [3e4, '30s'],
  [6e4, '1m'],
  [3e5, '5m'],
  [6e5, '10m'],
  [18e5, '30m'],
  [36e5, '1h'],
  [108e5, '3h'],
  [216e5, '6h'],
  [432e5, '12h'],
  [864e5, '1d'],
];

function parseDur(d: string): number {
  const m = /^(\d+)([smhd])$/.exec(d);
  if (!m) throw new Error(`unsupported interval "${d}"`);
  return Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** Grafana's $__interval: range / max data points, rounded up to a nice step, at least the panel's min interval. */
export function interval(range: Range, maxDataPoints = 1000, minInterval?: string): string {
  const raw = Math.max((range.toMs - range.fromMs) / maxDataPoints, minInterval ? parseDur(minInterval) : 0);
  return (STEPS.find(([ms]) => ms >= raw) ?? STEPS[STEPS.length - 1]!)[1];
}

function escapeRegex(v: string): string {
  return v.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** A variable's value: '$__all' (the "All" option: its allValue) or concrete values. */
export type VarValue = { all: string } | string[];

export function formatRegex(v: VarValue): string {
  if (!Array.isArray(v)) return v.all;
  if (v.length === 1) return escapeRegex(v[0]!);
  return `(${v.map(escapeRegex).join('|')})`;
}

export function interpolate(q: string, o: { range: Range; interval: string; vars: Record<string, VarValue> }): string {
  return q.replace(/\$(\w+)|\$\{(\w+)\}|\[\[(\w+)\]\]/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (name === 'timeFilter') return `time >= ${o.range.fromMs}ms and time <= ${o.range.toMs}ms`;
    if (name === '__interval' || name === 'interval') return o.interval;
    const v = o.vars[name];
    // A `$` closing an anchored regex (`/^…$/`) is followed by `/`, never by a name.
    if (v === undefined) throw new Error(`unknown variable ${whole} in: ${q}`);
    return formatRegex(v);
  });
}
