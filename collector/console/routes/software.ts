import { sendHtml } from '../../http/respond.ts';
import { localParts } from '../../../lib/zoned-time.ts';
import { isMonth, softwareChanges, softwareMachine, softwareOverview } from '../../software/pages.ts';
import type { ConsoleEnv, ConsolePages } from './request.ts';

/** Installed software: the fleet overview and search, one machine, the month's changes. */
export function registerSoftwarePages(r: ConsolePages, env: ConsoleEnv): void {
  const { ctx, deps, tz } = env;
  const sw = deps.software;
  /** The current local month (the changes page's default), as YYYY-MM. */
  const thisMonth = (now: number) => {
    const lp = localParts(now, tz);
    return `${lp.y}-${String(lp.m).padStart(2, '0')}`;
  };
  r.add('GET', '/console/software', ({ p, url, res, headers }) =>
    sendHtml(res, 200, softwareOverview(p, sw, (url.searchParams.get('q') ?? '').trim().slice(0, 200), ctx.now()), headers()),
  );
  r.add('GET', '/console/software/machine', ({ p, url, res, headers }) =>
    sendHtml(res, 200, softwareMachine(p, sw, url.searchParams.get('agent') ?? ''), headers()),
  );
  r.add('GET', '/console/software/changes', ({ p, url, res, headers }) => {
    const m = url.searchParams.get('month');
    return sendHtml(res, 200, softwareChanges(p, sw, isMonth(m) ? m : thisMonth(ctx.now())), headers());
  });
}
