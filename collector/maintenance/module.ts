import { windowSchema, type WindowConfig } from '../../config/schema/alerts.ts';
import { apiActor } from '../http/auth.ts';
import { localTime } from '../calendar/holiday-calendar.ts';
import type { CollectorContext } from '../core/module.ts';
import { readBody } from '../http/body.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import { merge, windowCovers, windowIntervals, WindowStore, type StoredWindow } from './windows.ts';

/**
 * The maintenance module's handle: the uptime ledger calls `intervals`, alerts and the device
 * model call `active`, the console lists `windows` and edits through `store`. None throws.
 */
export interface Maintenance {
  /** Maintenance intervals covering `target` within [fromMs, toMs), merged and sorted. */
  intervals(target: string, fromMs: number, toMs: number): { start: number; end: number }[];
  /** Whether a window covers the target (by name or location labels) at time t. */
  active(target: string, labels: Record<string, string>, t: number): boolean;
  windows(): StoredWindow[];
  store: WindowStore;
}

export function createMaintenance(ctx: Pick<CollectorContext, 'db' | 'config' | 'inventory' | 'audit' | 'now'>): Maintenance {
  const tz = ctx.config.alerts.timezone;
  const store = new WindowStore(ctx.db, ctx.config.maintenance.windows);
  const labelsOf = (target: string): Record<string, string> => {
    const d = ctx.inventory.device(target);
    if (!d) return {};
    const out: Record<string, string> = { device_kind: d.kind };
    for (const k of ['site', 'building', 'floor', 'shaft', 'room', 'role'] as const) if (d[k]) out[k] = d[k]!;
    return out;
  };
  const api: Maintenance = {
    store,
    intervals(target, fromMs, toMs) {
      try {
        const labels = labelsOf(target);
        return merge(
          store
            .all()
            .filter((w) => windowCovers(w, target, labels))
            .flatMap((w) => windowIntervals(w, fromMs, toMs, tz)),
        );
      } catch {
        return [];
      }
    },
    active(target, labels, t) {
      const l = { ...labelsOf(target), ...labels };
      return store.all().some((w) => windowCovers(w, target, l) && windowIntervals(w, t, t + 1, tz).length > 0);
    },
    windows: () => store.all(),
  };
  return api;
}

/**
 * Maintenance windows (one-off and recurring) from config and the API; silences alert
 * notifications and is excluded from uptime. API (bearer token from alerts.api_tokens):
 * GET /api/maintenance, POST /api/maintenance (a window as in the config), DELETE
 * /api/maintenance/<id>. Every change is audit-logged.
 */
export function startMaintenance(ctx: CollectorContext): Maintenance {
  const m = createMaintenance(ctx);
  ctx.server.route('GET', '/api/maintenance', (req, res, url) => {
    apiActor(ctx.config, req);
    const now = ctx.now();
    const target = url.searchParams.get('target');
    sendJson(res, 200, {
      now_local: localTime(now, ctx.config.alerts.timezone),
      windows: m.windows().map((w) => ({ ...w, active_now: windowIntervals(w, now, now + 1, ctx.config.alerts.timezone).length > 0 })),
      ...(target
        ? { intervals: m.intervals(target, Number(url.searchParams.get('from') ?? now - 86_400_000), Number(url.searchParams.get('to') ?? now)) }
        : {}),
    });
  });
  ctx.server.route('POST', '/api/maintenance', async (req, res) => {
    const actor = apiActor(ctx.config, req);
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
    } catch {
      throw new HttpError(400, 'body must be JSON');
    }
    const r = windowSchema.safeParse(body);
    if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; '));
    const w: WindowConfig = r.data;
    const id = m.store.add(w, actor, ctx.now());
    ctx.audit.append(actor, 'maintenance.create', `maintenance:${id}`, { ...w });
    sendJson(res, 201, { id, ...w });
  });
  ctx.server.route('DELETE', '/api/maintenance/*id', (req, res, url) => {
    const actor = apiActor(ctx.config, req);
    const id = Number(url.pathname.split('/').pop());
    if (!Number.isInteger(id)) throw new HttpError(400, 'windows from the config file cannot be deleted through the API');
    if (!m.store.remove(id, actor, ctx.now())) throw new HttpError(404, `no maintenance window ${id}`);
    ctx.audit.append(actor, 'maintenance.delete', `maintenance:${id}`, {});
    sendJson(res, 200, { id, deleted: true });
  });
  return m;
}
