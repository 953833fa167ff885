import type http from 'node:http';
import type { Sample } from '../../protocol/sample.ts';
import type { AlertsApi } from '../alerts/module.ts';
import type { Alert } from '../alerts/store.ts';
import type { ConfigStore, ConfigVersion } from '../configs/module.ts';
import type { UserStore } from '../security/users.ts';
import { sessionOrApiActor } from '../http/auth.ts';
import { addressesOf } from '../ingest/inventory.ts';
import type { InspectionService } from '../inspections/service.ts';
import type { Maintenance } from '../maintenance/module.ts';
import type { CollectorContext } from '../core/module.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import type { UptimeService } from '../uptime/module.ts';
import { DEVICE_MEASUREMENTS, type Reason } from './checks.ts';
import { DeviceModel, type DeviceRecord, type DeviceStatus } from './model.ts';

export type { Reason } from './checks.ts';
export type { DeviceStatus } from './model.ts';

/** One device as GET /api/devices gives it (the exact shape of issue 15). */
export interface DeviceView {
  name: string;
  /** Inventory kind (switch, camera, pc…), or "unregistered" for a target seen but not in the inventory. */
  kind: string;
  address: string | null;
  site: string | null;
  building: string | null;
  floor: string | null;
  shaft: string | null;
  room: string | null;
  status: DeviceStatus;
  /** ISO 8601 times. */
  since: string;
  last_seen: string | null;
  reasons: Reason[];
  agent: string | null;
  uptime_24h_pct: number | null;
  uptime_month_pct: number | null;
  alerts_open: number;
}

/** GET /api/devices/NAME: the view plus what the device page shows. */
export interface DeviceDetail extends DeviceView {
  addresses: string[];
  role: string | null;
  parent: string | null;
  /** Latest sample of each measurement about it, per series. */
  latest: Record<string, { tags: Record<string, string>; fields: Record<string, number | string | boolean>; time: string }[]>;
  alerts: { open: AlertBrief[]; recent: AlertBrief[] };
  config_versions: ConfigVersion[];
  inspections: { id: number; title: string; kind: string; period: string; started: string; signed: string | null; signed_by: string | null }[];
  history: { status: DeviceStatus; at: string; reasons: Reason[] }[];
  /** The ledger's split of the last 24 h and this month: up, down and unknown ms (unknown is not down). */
  coverage: { last_24h: Coverage | null; month: Coverage | null };
}

export interface Coverage {
  up_ms: number;
  down_ms: number;
  unknown_ms: number;
  /** up / (up + down): availability over the time it was actually monitored; null when never monitored. */
  monitored_uptime_pct: number | null;
}

export interface AlertBrief {
  id: number;
  rule: string;
  severity: string;
  state: string;
  summary: string;
  fired: string | null;
  resolved: string | null;
  acked_by: string | null;
}

/** The devices module's handle: for the console. */
export interface DeviceService {
  model: DeviceModel;
  /** Every device, problems first (down, degraded, unknown, maintenance, up), then by name. */
  list(filter?: DeviceFilter): DeviceView[];
  /** One device by name or address, or undefined. */
  detail(name: string): DeviceDetail | undefined;
}

export interface DeviceFilter {
  status?: string | null | undefined;
  kind?: string | null | undefined;
  building?: string | null | undefined;
  floor?: string | null | undefined;
  shaft?: string | null | undefined;
  q?: string | null | undefined;
}

export const STATUS_ORDER: Record<DeviceStatus, number> = { down: 0, degraded: 1, unknown: 2, maintenance: 3, up: 4 };
const iso = (ms: number | undefined | null) => (ms === undefined || ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 1000) / 1000);

function jsonFields(f: Sample['fields']): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(f))
    out[k] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
  return out;
}

function cover(u: { up_ms: number; down_ms: number; unknown_ms: number } | undefined): Coverage | null {
  if (!u) return null;
  const seen = u.up_ms + u.down_ms;
  return { up_ms: u.up_ms, down_ms: u.down_ms, unknown_ms: u.unknown_ms, monitored_uptime_pct: seen > 0 ? round((u.up_ms / seen) * 100) : null };
}

function brief(a: Alert): AlertBrief {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    state: a.state,
    summary: a.summary,
    fired: iso(a.fired_ms),
    resolved: iso(a.resolved_ms),
    acked_by: a.acked_by ?? null,
  };
}

/** The modules the device state reads, when they run. */
export interface DeviceDeps {
  uptime: UptimeService | undefined;
  alerts: AlertsApi | undefined;
  maintenance: Pick<Maintenance, 'active'> | undefined;
  configs: ConfigStore | undefined;
  inspections: InspectionService | undefined;
  /** The console's users: a console session may read GET /api/devices too. */
  users: UserStore | undefined;
}

/** Builds the service over a model (exposed for tests that drive the model with their own clock). */
export function createDeviceService(ctx: CollectorContext, model: DeviceModel, deps: DeviceDeps): DeviceService {
  const uptime = () => deps.uptime;
  const openAlerts = () => deps.alerts?.engine.openAlerts() ?? [];
  const view = (r: DeviceRecord, alertsOpen: number): DeviceView => {
    const d = r.device;
    const u = uptime();
    return {
      name: r.name,
      kind: d?.kind ?? 'unregistered',
      address: d ? (addressesOf(d)[0] ?? null) : r.name,
      site: d?.site ?? null,
      building: d?.building ?? null,
      floor: d?.floor ?? null,
      shaft: d?.shaft ?? null,
      room: d?.room ?? null,
      status: r.status,
      since: iso(r.since)!,
      last_seen: iso(Math.max(r.lastSeen ?? -Infinity, model.agentSeen(r.name) ?? -Infinity)),
      reasons: r.reasons,
      agent: r.agent ?? null,
      // Over the time the device was monitored: a day before monitoring began, or a silent
      // hour, is unknown, never down (the ledger's strict figure is in its own API).
      uptime_24h_pct: cover(u?.last24h(r.name))?.monitored_uptime_pct ?? null,
      uptime_month_pct: cover(u?.month(r.name))?.monitored_uptime_pct ?? null,
      alerts_open: alertsOpen,
    };
  };
  const counts = () => {
    const n = new Map<string, number>();
    for (const a of openAlerts()) n.set(a.target, (n.get(a.target) ?? 0) + 1);
    return n;
  };
  return {
    model,
    list(f = {}) {
      const n = counts();
      const q = f.q?.trim().toLowerCase();
      return model
        .list()
        .filter((r) => {
          const d = r.device;
          if (f.status && r.status !== f.status) return false;
          if (f.kind && (d?.kind ?? 'unregistered') !== f.kind) return false;
          if (f.building && d?.building !== f.building) return false;
          if (f.floor && d?.floor !== f.floor) return false;
          if (f.shaft && d?.shaft !== f.shaft) return false;
          if (q) {
            const hay = [r.name, ...(d ? addressesOf(d) : []), d?.room ?? '', d?.role ?? ''].join('\n').toLowerCase();
            if (!hay.includes(q)) return false;
          }
          return true;
        })
        .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name))
        .map((r) => view(r, n.get(r.name) ?? 0));
    },
    detail(name) {
      const r = model.get(name);
      if (!r) return undefined;
      const open = openAlerts().filter((a) => a.target === r.name);
      const latest: DeviceDetail['latest'] = {};
      for (const s of [...r.latest.values()].sort((a, b) => a.measurement.localeCompare(b.measurement))) {
        (latest[s.measurement] ??= []).push({ tags: s.tags, fields: jsonFields(s.fields), time: iso(s.time)! });
      }
      const recent = (ctx.db.prepare('SELECT id FROM alerts WHERE target = ? ORDER BY id DESC LIMIT 20').all(r.name) as { id: number }[])
        .map((x) => deps.alerts?.engine.get(Number(x.id)))
        .filter((a): a is Alert => a !== undefined);
      const configs = deps.configs;
      const insp = deps.inspections;
      const d = r.device;
      return {
        ...view(r, open.length),
        addresses: d ? addressesOf(d) : [r.name],
        role: d?.role ?? null,
        parent: d?.parent ?? null,
        latest,
        alerts: { open: open.map(brief), recent: recent.map(brief) },
        config_versions: configs ? configs.versions(r.name) : [],
        inspections: (insp?.store.list(200) ?? [])
          .filter((i) => i.inventory.includes(r.name))
          .map((i) => ({
            id: i.id,
            title: i.title,
            kind: i.kind,
            period: i.period,
            started: iso(i.started_ms)!,
            signed: iso(i.signed_ms),
            signed_by: i.signed_by,
          })),
        history: model.history(r.name, ctx.now() - 30 * 86_400_000).map((h) => ({ status: h.status, at: iso(h.at)!, reasons: h.reasons })),
        coverage: { last_24h: cover(uptime()?.last24h(r.name)), month: cover(uptime()?.month(r.name)) },
      };
    },
  };
}

/** The model over the state DB, with maintenance from the maintenance module and agents from the agent store. */
export function createDeviceModel(ctx: CollectorContext, maintenance: Pick<Maintenance, 'active'> | undefined): DeviceModel {
  return new DeviceModel({
    db: ctx.db,
    inventory: ctx.inventory,
    config: ctx.config,
    now: ctx.now,
    inMaintenance: (name, t) => maintenance?.active(name, {}, t) ?? false,
    agentSeen: (name) => {
      if (ctx.server.connectedAgents().includes(name)) return ctx.now();
      return ctx.agents.list().find((a) => a.name === name)?.last_seen_ms ?? undefined;
    },
  });
}

/**
 * The device-state module: a DeviceModel fed by ingest, re-judged every
 * devices.eval_interval_ms, and GET /api/devices[/NAME] (API token or console session).
 */
export function startDevices(ctx: CollectorContext, deps: DeviceDeps): DeviceService {
  const model = createDeviceModel(ctx, deps.maintenance);
  const svc = createDeviceService(ctx, model, deps);
  ctx.ingest.addListener({ wants: (m) => DEVICE_MEASUREMENTS.has(m), onSamples: (s) => model.onSamples(s) });
  const handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    sessionOrApiActor(ctx.config, deps.users, req);
    const p = url.searchParams;
    const rel = url.pathname.replace(/^\/console/, '');
    if (rel === '/api/devices' || rel === '/api/devices/') {
      return sendJson(
        res,
        200,
        svc.list({ status: p.get('status'), kind: p.get('kind'), building: p.get('building'), floor: p.get('floor'), shaft: p.get('shaft'), q: p.get('q') }),
      );
    }
    let name: string;
    try {
      name = decodeURIComponent(rel.slice('/api/devices/'.length));
    } catch {
      throw new HttpError(400, 'bad device name in the path');
    }
    const d = svc.detail(name);
    if (!d) throw new HttpError(404, `no device "${name}" (GET /api/devices lists them)`);
    sendJson(res, 200, d);
  };
  ctx.server.route('GET', '/api/devices', handler);
  ctx.server.route('GET', '/api/devices/*name', handler);
  // The console's session cookie is scoped to /console: the same API under it for the browser.
  ctx.server.route('GET', '/console/api/devices', handler);
  ctx.server.route('GET', '/console/api/devices/*name', handler);
  const t = setInterval(() => {
    if (!ctx.db.isOpen) return;
    try {
      model.tick();
    } catch (e) {
      ctx.log.error({ err: (e as Error).stack }, 'device state tick failed');
    }
  }, ctx.config.devices.eval_interval_ms);
  t.unref();
  ctx.onStop(() => {
    clearInterval(t);
    try {
      model.flush();
    } catch {
      /* nothing is lost but the last touch */
    }
  });
  return svc;
}
