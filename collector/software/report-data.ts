import type { PolicyEngine } from '../../lib/software-policy.ts';
import { localMidnight } from '../../lib/zoned-time.ts';
import type { MachineSummary, SoftwareChange, SoftwareStore } from './store.ts';

/** Everything the annual licensing report shows, gathered from the software store and the policy. */
export interface LicensingReportData {
  year: number;
  tz: string;
  organisation: string;
  contractor: string;
  generated_ms: number;
  machines: (MachineSummary & { forbidden: number; unreviewed: number })[];
  licensing: { rule: string; installed: number; licensed: number; exceeded: boolean }[];
  /** Forbidden programs installed now. */
  forbidden_now: { agent: string; name: string; version: string; rule: string; since_ms: number }[];
  /** Forbidden programs removed during the year, with the date the list showed them gone. */
  forbidden_removed: { agent: string; name: string; version: string; rule: string; removed_ms: number }[];
  /** Changes per local month of the year (index 0 = January). */
  by_month: { installed: number; removed: number; upgraded: number; downgraded: number }[];
  /** Installations and removals through the year (upgrades are counted by month only). */
  changes: SoftwareChange[];
}

const MAX_CHANGES = 2000;

/** Gathers the year's data; the year is the office's local calendar year (tz). */
export function licensingReportData(
  store: SoftwareStore,
  policy: PolicyEngine,
  o: { year: number; tz: string; organisation: string; contractor: string; now: number },
): LicensingReportData {
  const from = localMidnight(o.year, 1, 1, o.tz);
  const to = localMidnight(o.year + 1, 1, 1, o.tz);
  const all = store.all();
  const machines = store.machines().map((m) => {
    const f = policy.findings(all.get(m.agent) ?? []);
    return { ...m, forbidden: f.filter((x) => x.action === 'forbidden').length, unreviewed: f.filter((x) => x.action === 'unreviewed').length };
  });
  const forbidden_now: LicensingReportData['forbidden_now'] = [];
  for (const [agent, rows] of all)
    for (const r of rows) {
      const rule = policy.match(r);
      if (rule?.action === 'forbidden') forbidden_now.push({ agent, name: r.name, version: r.version, rule: rule.name, since_ms: r.since_ms });
    }
  const year = store.changes(from, to);
  const monthStarts = Array.from({ length: 13 }, (_, i) => localMidnight(o.year, i + 1, 1, o.tz));
  const by_month = Array.from({ length: 12 }, () => ({ installed: 0, removed: 0, upgraded: 0, downgraded: 0 }));
  for (const c of year) {
    let mi = 0;
    while (mi < 11 && c.time_ms >= monthStarts[mi + 1]!) mi++;
    by_month[mi]![c.change]++;
  }
  const forbidden_removed = year
    .filter((c) => c.change === 'removed')
    .flatMap((c) => {
      const rule = policy.match({ name: c.name, version: c.old_version ?? '', publisher: c.publisher });
      return rule?.action === 'forbidden' ? [{ agent: c.agent, name: c.name, version: c.old_version ?? '', rule: rule.name, removed_ms: c.time_ms }] : [];
    });
  const licensing = policy.licensing(machines.map((m) => all.get(m.agent) ?? [])).map((l) => ({ ...l, exceeded: l.installed > l.licensed }));
  return {
    year: o.year,
    tz: o.tz,
    organisation: o.organisation,
    contractor: o.contractor,
    generated_ms: o.now,
    machines,
    licensing,
    forbidden_now,
    forbidden_removed,
    by_month,
    changes: year.filter((c) => c.change === 'installed' || c.change === 'removed').slice(-MAX_CHANGES),
  };
}
