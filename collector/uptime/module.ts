import type { Sample } from '../../protocol/sample.ts';
import type { Source } from '../ingest/ingest.ts';
import type { CollectorContext } from '../core/module.ts';
import { apiActor } from '../http/auth.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import { UptimeLedger, type MaintenanceSource, type TargetKind, type UptimeReport } from './ledger.ts';
import { monthRange, namedMonthRange } from './time.ts';

const DAY_MS = 86_400_000;

/** The uptime module's handle, for the device model and the monthly report. */
export interface UptimeService {
  ledger: UptimeLedger;
  report(target: string, from: number, to: number): UptimeReport;
  last24h(target: string): UptimeReport;
  month(target: string, atMs?: number): UptimeReport;
  /** Computes camera_uptime / device_uptime points for every known target (also written periodically). */
  points(): Sample[];
}

export interface UptimeOptions {
  silenceMs: number;
  timezone: string;
  compliantPct: number;
  writeIntervalMs: number;
}

/** An observation in a sample, or undefined when the sample says nothing about up/down. */
/** The measurements observation() reads. */
const OBSERVED = new Set(['camera', 'snmp_device', 'ping', 'printer', 'http_response']);

export function observation(s: Sample): { target: string; kind: TargetKind; up: boolean; reason: string } | undefined {
  const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined);
  if (s.measurement === 'camera' && s.tags.camera) {
    const up = num(s.fields.up);
    if (up === undefined) return undefined;
    const reason = typeof s.fields.error_class === 'string' ? s.fields.error_class : 'down';
    // Reachable and logged in but the stream or picture failed: up, and degraded in the
    // device model (collector/devices) — a failed health check is not an outage.
    const answered = s.fields.reachable === true && s.fields.auth !== 'failed';
    return { target: s.tags.camera, kind: 'camera', up: up === 1 || answered, reason };
  }
  if (s.measurement === 'snmp_device' && s.tags.device) {
    const up = num(s.fields.up);
    if (up === undefined) return undefined;
    return { target: s.tags.device, kind: 'device', up: up === 1, reason: 'snmp_no_response' };
  }
  if (s.measurement === 'printer' && s.tags.device) {
    const up = num(s.fields.up);
    if (up === undefined) return undefined;
    // A jam or an empty toner is a printer that answers: up, and degraded in the device model.
    return {
      target: s.tags.device,
      kind: 'device',
      up: up === 1,
      reason: typeof s.fields.error_class === 'string' && s.fields.error_class ? s.fields.error_class : 'snmp_no_response',
    };
  }
  if (s.measurement === 'http_response' && (s.tags.target_name || s.tags.server)) {
    const rt = s.fields.result_type;
    if (typeof rt !== 'string') return undefined;
    // A site that answers with the expected status is up; a missing keyword (a defacement
    // hint) is a degraded site in the device model, not an outage.
    return { target: s.tags.target_name || s.tags.server!, kind: 'device', up: rt === 'success' || rt === 'response_string_mismatch', reason: rt };
  }
  if (s.measurement === 'ping' && s.tags.url) {
    const rc = num(s.fields.result_code);
    if (rc === undefined) return undefined;
    return { target: s.tags.url, kind: 'device', up: rc === 0, reason: rc === 1 ? 'host_unknown' : 'no_reply' };
  }
  return undefined;
}

/** Parses a from/to query value: epoch ms, or an ISO 8601 date/time. */
function parseTime(v: string | null, name: string): number {
  if (v === null) throw new HttpError(400, `missing "${name}" (epoch ms or ISO 8601)`);
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new HttpError(400, `bad "${name}": ${v} (epoch ms or ISO 8601)`);
  return t;
}

/**
 * Builds the uptime service over a ledger. Exposed separately from the module so that tests
 * and the bench can drive it with their own clock and maintenance source.
 */
export function createUptimeService(ledger: UptimeLedger, opts: UptimeOptions, now: () => number): UptimeService {
  const svc: UptimeService = {
    ledger,
    report: (target, from, to) => ledger.report(target, from, to, now()),
    last24h: (target) => {
      const t = now();
      return ledger.report(target, t - DAY_MS, t, t);
    },
    month: (target, atMs) => {
      const t = now();
      const r = monthRange(atMs ?? t, opts.timezone);
      // The current month is counted up to now: the rest has not happened yet.
      return ledger.report(target, r.start, Math.min(r.end, t), t);
    },
    points: () => {
      const t = now();
      const out: Sample[] = [];
      for (const { target, kind } of ledger.targets()) {
        const d = svc.last24h(target);
        const m = svc.month(target);
        const fields: Sample['fields'] = {};
        if (d.uptime_pct !== null) fields.uptime_24h_pct = d.uptime_pct;
        if (m.uptime_pct !== null) fields.uptime_month_pct = m.uptime_pct;
        if (kind === 'camera') {
          if (d.uptime_pct !== null) fields.compliant_24h = d.uptime_pct >= opts.compliantPct;
          if (d.unknown_pct !== null) fields.unknown_24h_pct = d.unknown_pct;
          out.push({ measurement: 'camera_uptime', tags: { camera: target }, fields, time: t });
        } else out.push({ measurement: 'device_uptime', tags: { device: target }, fields, time: t });
      }
      return out.filter((s) => Object.keys(s.fields).length > 0);
    },
  };
  return svc;
}

/**
 * The uptime ledger module: listens to ingest for camera/snmp_device/ping up/down, keeps
 * intervals in the state DB, writes camera_uptime/device_uptime points every
 * write_interval_s, and serves GET /api/uptime.
 */
export function startUptime(
  ctx: CollectorContext,
  deps: { maintenance: MaintenanceSource | undefined },
  overrides: { writeIntervalMs?: number } = {},
): UptimeService {
  const c = ctx.config.uptime;
  const opts: UptimeOptions = {
    silenceMs: c.silence_s * 1000,
    timezone: c.timezone,
    compliantPct: c.compliant_24h_pct,
    writeIntervalMs: overrides.writeIntervalMs ?? c.write_interval_s * 1000,
  };
  const ledger = new UptimeLedger(ctx.db, { silenceMs: opts.silenceMs, maintenance: deps.maintenance ?? { intervals: () => [] } });
  const svc = createUptimeService(ledger, opts, ctx.now);
  const self: Source = { kind: 'http', name: 'uptime-ledger', tags: {} };
  ctx.ingest.addListener({
    wants: (m) => OBSERVED.has(m),
    onSamples(samples) {
      for (const s of samples) {
        const o = observation(s);
        if (!o) continue;
        // Keyed by inventory name: a ping of 10.3.1.21 is pc-0301's uptime.
        const target = ctx.inventory.nameOf(o.target);
        const change = ledger.observe(target, o.kind, o.up, o.reason, s.time);
        if (change === 'changed') ctx.log.info({ target, up: o.up, reason: o.reason }, 'uptime state change');
      }
    },
  });
  ctx.server.route('GET', '/api/uptime', (req, res, url) => {
    apiActor(ctx.config, req);
    const target = url.searchParams.get('target');
    if (!target) {
      sendJson(res, 200, { targets: ledger.targets().map((x) => ({ ...x, last_24h: svc.last24h(x.target), month: svc.month(x.target) })) });
      return;
    }
    const period = url.searchParams.get('period');
    if (period === '24h') return sendJson(res, 200, svc.last24h(target));
    if (period === 'month') {
      const m = url.searchParams.get('month');
      if (m === null) return sendJson(res, 200, svc.month(target));
      const r = namedMonthRange(m, opts.timezone);
      if (!r) throw new HttpError(400, `bad "month": ${m} (YYYY-MM)`);
      return sendJson(res, 200, svc.report(target, r.start, Math.min(r.end, ctx.now())));
    }
    if (period !== null) throw new HttpError(400, `bad "period": ${period} (24h or month)`);
    const from = parseTime(url.searchParams.get('from'), 'from');
    const to = parseTime(url.searchParams.get('to'), 'to');
    if (to <= from) throw new HttpError(400, '"to" must be after "from"');
    sendJson(res, 200, svc.report(target, from, to));
  });
  const write = () => {
    try {
      const pts = svc.points();
      if (pts.length) ctx.ingest.accept(self, pts);
    } catch (e) {
      ctx.log.warn({ err: (e as Error).message }, 'uptime points not written');
    }
  };
  const timer = setInterval(write, opts.writeIntervalMs);
  timer.unref();
  ctx.onStop(() => clearInterval(timer));
  return svc;
}
