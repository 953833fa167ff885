import type { Alert } from '../../alerts/store.ts';
import { HttpError } from '../../http/respond.ts';
import { sendHtml } from '../../http/respond.ts';
import { agentsPage } from '../pages/agents-page.ts';
import { deviceCharts } from '../pages/charts.ts';
import * as dp from '../pages/device-pages.ts';
import { notificationsPage } from '../pages/notifications-page.ts';
import * as pages from '../pages/pages.ts';
import type { ConsoleEnv, ConsolePages } from './request.ts';
import { siteRow, websitesPage } from '../pages/websites-page.ts';
import { t } from '../ui/layout.ts';

/** The device overview (live), one device's page, websites, agents and the notification log. */
export function registerOverviewPages(r: ConsolePages, env: ConsoleEnv): void {
  const { ctx, deps } = env;
  const cc = ctx.config.console;
  r.add('GET', '/console/', ({ p, url, res, headers }) => {
    const connected = new Set(ctx.server.connectedAgents());
    const agents = ctx.agents.overview(connected);
    const dev = deps.devices;
    if (!dev) {
      const byTarget = new Map<string, Alert[]>();
      for (const a of deps.alerts?.engine.openAlerts() ?? []) byTarget.set(a.target, [...(byTarget.get(a.target) ?? []), a]);
      return sendHtml(res, 200, pages.overviewPage(p, agents, ctx.inventory.devices, byTarget), headers());
    }
    const q = url.searchParams;
    const all = dev.list();
    const shown = dev.list({
      status: q.get('status'),
      kind: q.get('kind'),
      building: q.get('building'),
      floor: q.get('floor'),
      shaft: q.get('shaft'),
      q: q.get('q'),
    });
    if (q.get('partial') === '1') return sendHtml(res, 200, dp.overviewLive(p, all, shown, ctx.now()).s, headers());
    return sendHtml(res, 200, dp.devicesOverviewPage(p, all, shown, q, ctx.now(), t(p, 'overview'), pages.agentsTable(p, agents)), {
      ...headers(),
      'content-security-policy': dp.LIVE_CSP,
    });
  });
  r.add('GET', '/console/devices/:name(.+)', async ({ p, res, params, headers }) => {
    let name = '';
    try {
      name = decodeURIComponent(params.name!);
    } catch {
      throw new HttpError(400, 'bad device name');
    }
    const d = deps.devices?.detail(name);
    if (!d) throw new HttpError(404, `no device "${name}"`);
    const g = cc.grafana_url?.replace(/\/$/, '');
    const board = d.kind === 'camera' ? ['cctv', 'camera'] : d.kind === 'switch' || d.kind === 'router' ? ['network', 'switch'] : ['office', 'host'];
    const lang = p.lang === 'en' ? 'en' : 'zh';
    const grafana = g
      ? `${g}/d/watchpost-${board[0]}-${lang}?var-${board[1]}=${encodeURIComponent(d.name)}${d.building ? `&var-building=${encodeURIComponent(d.building)}` : ''}`
      : undefined;
    return sendHtml(res, 200, dp.devicePage(p, d, ctx.now(), await deviceCharts(ctx.config.influxdb, d), grafana), headers());
  });
  r.add('GET', '/console/websites', ({ p, res, headers }) => {
    const dev = deps.devices;
    const rows = (dev?.list() ?? []).map((v) => dev!.detail(v.name)).flatMap((d) => (d ? (siteRow(d) ?? []) : []));
    return sendHtml(res, 200, websitesPage(p, rows), headers());
  });
  r.add('GET', '/console/notifications', ({ p, url, res, headers }) => {
    return sendHtml(res, 200, notificationsPage(p, deps.alerts?.dispatcher.recent(200), url.searchParams.get('channel') || undefined), headers());
  });
  r.add('GET', '/console/agents', ({ p, res, headers }) => {
    return sendHtml(res, 200, agentsPage(p, ctx.agents.overview(new Set(ctx.server.connectedAgents()))), headers());
  });
}
