import type { Sample } from '../../protocol/sample.ts';

/** Thresholds for one sample: its own expiry_thresholds_days field ("30,14,7") when present, else the rule's; largest first. */
export function thresholdsFor(s: Sample, ruleDays: readonly number[]): number[] {
  const own = s.fields.expiry_thresholds_days;
  const list =
    typeof own === 'string' && own
      ? own
          .split(',')
          .map(Number)
          .filter((n) => Number.isFinite(n) && n >= 0)
      : [...ruleDays];
  return [...new Set(list.length ? list : ruleDays)].sort((a, b) => b - a);
}

/** The smallest threshold the days left are under, or undefined when above them all. */
export function crossed(daysLeft: number, thresholds: readonly number[]): number | undefined {
  let hit: number | undefined;
  for (const t of thresholds) if (daysLeft < t) hit = t;
  return hit;
}

/** The alert text: what expires, when, the names on the certificate, and the threshold crossed. */
export function expirySummary(s: Sample, target: string, secondsLeft: number, threshold: number): string {
  const days = Math.floor(secondsLeft / 86400);
  const end = s.fields.chain_enddate ?? s.fields.enddate;
  const date = end !== undefined ? new Date(Number(end) * 1000).toISOString().slice(0, 10) : '?';
  if (s.measurement === 'domain')
    return `域名 ${target} ${days < 0 ? '已过期' : `${days} 天后到期`} (${date}); domain expires ${date}, ${days} days left (under ${threshold} days)`;
  const names = [s.tags.common_name, s.tags.san].filter(Boolean).join(' / ');
  const chain =
    s.fields.chain_expiry_common_name && s.fields.chain_expiry_common_name !== s.tags.common_name
      ? `, chain certificate ${String(s.fields.chain_expiry_common_name)}`
      : '';
  return `证书 ${target} ${days < 0 ? '已过期' : `${days} 天后到期`} (${date}); certificate ${names}${chain} expires ${date}, ${days} days left (under ${threshold} days)`;
}
