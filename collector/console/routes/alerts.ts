import type { Alert } from '../../alerts/store.ts';
import { HttpError, redirect, sendHtml } from '../../http/respond.ts';
import { windowCovers, windowIntervals } from '../../maintenance/windows.ts';
import * as dp from '../pages/device-pages.ts';
import * as pages from '../pages/pages.ts';
import type { ConsoleEnv, ConsolePages } from './request.ts';
import { t } from '../ui/layout.ts';

/** Open and resolved alerts, acknowledging one, and the SMS budget. */
export function registerAlertPages(r: ConsolePages, env: ConsoleEnv): void {
  const { ctx, deps } = env;
  const cfg = ctx.config;
  r.add('GET', '/console/alerts', ({ p, url, res, headers }) => {
    const a = deps.alerts;
    const open = a?.engine.openAlerts();
    const q = url.searchParams;
    const days = Math.min(366, Math.max(1, Number(q.get('days') ?? 7) || 7));
    const windows = deps.maintenance?.windows() ?? [];
    const row = (x: Alert): dp.AlertRow => {
      const sup = x.suppressed_by !== undefined ? a?.engine.get(x.suppressed_by) : undefined;
      // Silenced: name the maintenance window that covers it now.
      const w =
        x.silenced && x.state !== 'resolved'
          ? windows.find((w) => windowCovers(w, x.target, x.labels) && windowIntervals(w, ctx.now(), ctx.now() + 1, cfg.alerts.timezone).length > 0)
          : undefined;
      return { ...x, suppressor: sup?.target, window: w?.name };
    };
    const resolved = a
      ? a.store.list({
          state: 'resolved',
          q: q.get('q') || undefined,
          severity: q.get('severity') || undefined,
          from: ctx.now() - days * 86_400_000,
          limit: 200,
        })
      : [];
    const list = open?.map(row).sort((x, y) => (y.fired_ms ?? y.started_ms) - (x.fired_ms ?? x.started_ms));
    return sendHtml(res, 200, dp.alertListPage(p, list, resolved.map(row), q, ctx.now(), cfg.alerts.sla.resolve_within_s * 1000, t(p, 'alerts')), headers());
  });
  r.add('POST', '/console/alerts/ack', ({ p, res, headers, need, actor, field, intField }) => {
    need('engineer');
    const a = deps.alerts;
    if (!a) throw new HttpError(404, t(p, 'alerts_off'));
    if (!a.acknowledge(intField('id'), actor, 'console', field('note'))) throw new HttpError(409, `alert ${field('id')} is not open`);
    return redirect(res, '/console/alerts?msg=saved', headers());
  });
  r.add('GET', '/console/sms', ({ p, res, headers }) => {
    return sendHtml(res, 200, pages.smsPage(p, deps.alerts?.smsUsage()), headers());
  });
}
