import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig } from '../../config/load.ts';
import { rulesFileSchema, type RuleConfig } from '../../config/schema/alerts.ts';
import { encodeLine } from '../../protocol/line-protocol.ts';
import { int } from '../../protocol/sample.ts';
import type { Maintenance } from '../maintenance/module.ts';
import type { CollectorContext } from '../core/module.ts';
import { SmsBudget, type SmsUsage } from '../notify/budget.ts';
import { createFanout } from '../notify/fanout.ts';
import { Dispatcher, type Delivery } from '../notify/dispatcher.ts';
import { buildChannels } from '../notify/channels.ts';
import type { Notification } from '../notify/types.ts';
import { signAck } from './ack.ts';
import { registerAlertsApi } from './api.ts';
import { HolidayCalendar } from '../calendar/holiday-calendar.ts';
import { AlertEngine, type InspectionStatus } from './engine.ts';
import { Router } from './routing.ts';
import { AlertStore, slaReport, type Alert, type SlaReport } from './store.ts';
import { Topology } from './topology.ts';
import { createUplink } from './uplink.ts';

/** The alerts module's handle: for reports (SLA), inspections, the device model and the console. */
export interface AlertsApi {
  engine: AlertEngine;
  dispatcher: Dispatcher;
  /** Acknowledges an open alert and audit-logs who, when, how and the note; undefined when it is not open. */
  acknowledge(id: number, by: string, via: string, note?: string): Alert | undefined;
  store: AlertStore;
  /** SLA figures (time to ack/resolve, 2-hour breach flag) for alerts fired in [fromMs, toMs). */
  sla(fromMs: number, toMs: number): SlaReport;
  /** Inspection due/overdue status (called by the inspections module). */
  reportInspection(st: InspectionStatus): void;
  smsUsage(year?: number): SmsUsage | undefined;
  deliveries(status?: string): Delivery[];
}

/** Rules from the config's `alerts.rules` plus every `alerts.rules_files` entry (validated with file:line errors). */
export function loadRules(ctx: Pick<CollectorContext, 'config'>): RuleConfig[] {
  const rules = [...ctx.config.alerts.rules];
  for (const f of ctx.config.alerts.rules_files) rules.push(...loadConfig(f, rulesFileSchema).rules);
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.name)) throw new Error(`alert rule "${r.name}" is defined twice (alerts.rules / rules_files)`);
    seen.add(r.name);
  }
  return rules;
}

/** The alerts module's wiring: store, channels, dispatcher, engine, ingest listener, HTTP API, the evaluation tick. */
export function startAlerts(ctx: CollectorContext, deps: { maintenance: Pick<Maintenance, 'active'> | undefined }): AlertsApi {
  const cfg = ctx.config.alerts;
  const log = ctx.log.child({ component: 'alerts' });
  const rules = loadRules(ctx);
  const calendar = HolidayCalendar.fromFiles(cfg.calendar_files);
  const store = new AlertStore(ctx.db);
  const receivers = new Map(cfg.receivers.map((r) => [r.name, r]));
  let deliver: (n: Notification) => void = () => {};
  const budget = createSmsBudget(ctx, log, (n) => deliver(n));
  const channels = buildChannels(ctx.config.notify, { budget, now: ctx.now, log: log.child({ component: 'notify' }) });
  const dispatcher = new Dispatcher({
    db: ctx.db,
    channels: channels.list,
    retry: ctx.config.notify.retry,
    now: ctx.now,
    log: log.child({ component: 'dispatcher' }),
    onResult: (d) => {
      if (d.channel === 'sms' && d.status === 'sent') smsSent(ctx, budget, d.id);
    },
  });
  deliver = createFanout({ receivers, dispatcher, log });
  const engine = createEngine(ctx, { rules, store, calendar, log, deliver, maintenance: deps.maintenance });
  watchIngest(ctx, engine);
  const api: AlertsApi = {
    engine,
    dispatcher,
    store,
    acknowledge(id, by, via, note) {
      const a = engine.acknowledge(id, by, note?.trim().slice(0, 2000) || undefined);
      if (a) {
        ctx.audit.append(by, 'alert.ack', `alert:${id}`, {
          via,
          rule: a.rule,
          target: a.target,
          fired_ms: a.fired_ms,
          time_to_ack_s: a.fired_ms ? (a.acked_ms! - a.fired_ms) / 1000 : null,
          note: a.ack_note ?? null,
        });
        log.info({ alert: id, by, via }, 'alert acknowledged');
      }
      return a;
    },
    sla: (from, to) => slaReport(store.firedBetween(from, to), from, to, cfg.sla.resolve_within_s, ctx.now()),
    reportInspection: (st) => engine.reportInspection(st),
    smsUsage: (year) => budget.usage(year),
    deliveries: (status) => dispatcher.list({ status }),
  };
  const uplink = createUplink({
    token: ctx.config.notify.sms.uplink.token,
    maxAgeMs: ctx.config.notify.sms.uplink.max_age_s * 1000,
    receivers,
    get: (id) => engine.get(id),
    acknowledge: (id, by, via) => api.acknowledge(id, by, via),
    now: ctx.now,
    log,
  });
  registerAlertsApi(ctx, api, uplink);
  const timer = setInterval(() => {
    if (!ctx.db.isOpen) {
      clearInterval(timer);
      return;
    }
    try {
      engine.tick();
    } catch (e) {
      log.error({ err: (e as Error).stack }, 'alert evaluation tick failed');
    }
  }, cfg.eval_interval_ms);
  timer.unref();
  dispatcher.start(Math.min(250, cfg.eval_interval_ms));
  ctx.onStop(async () => {
    clearInterval(timer);
    await dispatcher.stop();
    channels.close();
  });
  log.info({ rules: rules.length, receivers: receivers.size, channels: channels.list.map((c) => c.channel), calendars: [...calendar.years] }, 'alerts started');
  return api;
}

/** The SMS budget, warning (log, audit, and the budget receiver when set) as each level is crossed. */
function createSmsBudget(ctx: CollectorContext, log: Logger, deliver: (n: Notification) => void): SmsBudget {
  return new SmsBudget(ctx.db, { ...ctx.config.notify.sms.budget, timezone: ctx.config.alerts.timezone }, ctx.now, (pct, u) => {
    log.warn({ pct, used: u.used_parts, quota: u.quota }, 'SMS budget warning level crossed');
    ctx.audit.append('system', 'sms.budget_warning', `sms:${u.year}`, { pct, used_parts: u.used_parts, quota: u.quota });
    const rc = ctx.config.notify.sms.budget.warn_receiver;
    if (rc) {
      deliver({
        key: `budget:${u.year}:${pct}`,
        kind: 'budget',
        receiver: rc,
        level: 0,
        purpose: 'budget',
        time_ms: ctx.now(),
        alerts: [
          {
            id: 0,
            rule: 'sms_budget',
            target: `sms ${u.year}`,
            severity: pct >= 95 ? 'critical' : 'warning',
            state: 'firing',
            summary: `短信用量 SMS used ${u.used_parts}/${u.quota} (${u.used_pct}%)`,
            labels: {},
            fired_ms: ctx.now(),
            suppressed: [],
          },
        ],
      });
    }
  });
}

/** After an SMS went out: the sms_usage point for its purpose, through the spool. */
function smsSent(ctx: CollectorContext, budget: SmsBudget, deliveryId: number): void {
  const purpose = JSON.parse(
    String((ctx.db.prepare('SELECT notification FROM notify_deliveries WHERE id = ?').get(deliveryId) as { notification: string }).notification),
  ).purpose;
  const u = budget.usage();
  const line = encodeLine({
    measurement: 'sms_usage',
    tags: { purpose },
    fields: { sent_parts: int(u.by_purpose[purpose] ?? 0), budget_used_pct: u.used_pct },
    time: ctx.now(),
  });
  if (line) ctx.spool.append(line + '\n', 1);
}

function createEngine(
  ctx: CollectorContext,
  o: {
    rules: RuleConfig[];
    store: AlertStore;
    calendar: HolidayCalendar;
    log: Logger;
    deliver: (n: Notification) => void;
    maintenance: Pick<Maintenance, 'active'> | undefined;
  },
): AlertEngine {
  const cfg = ctx.config.alerts;
  const baseUrl = () =>
    ctx.config.collector.public_url?.replace(/\/$/, '') ??
    `http://${ctx.config.collector.listen_host}:${(ctx.server.server.address() as AddressInfo | null)?.port ?? ctx.config.collector.listen_port}`;
  return new AlertEngine({
    cfg,
    rules: o.rules,
    store: o.store,
    calendar: o.calendar,
    topology: new Topology(ctx.inventory.devices),
    now: ctx.now,
    log: o.log,
    inventory: ctx.inventory,
    staleMs: Math.max(15 * 60_000, 3 * ctx.config.uptime.silence_s * 1000),
    router: new Router(cfg.route, { group_wait_s: cfg.group_wait_s, repeat_interval_s: cfg.repeat_interval_s }),
    deliver: (n) => {
      try {
        o.deliver(n);
      } catch (e) {
        o.log.error({ err: (e as Error).message }, 'queueing a notification failed');
      }
    },
    inMaintenance: (target, labels, t) => o.maintenance?.active(target, labels, t) ?? false,
    ackUrl: (id, receiver) =>
      cfg.ack.secret
        ? `${baseUrl()}/api/alerts/ack?t=${signAck(cfg.ack.secret, { alert: id, by: receiver, exp: ctx.now() + cfg.ack.link_ttl_s * 1000 })}`
        : undefined,
    changed: (a) => {
      const line = encodeLine({
        measurement: 'alert_state',
        tags: { rule: a.rule, target: a.target, severity: a.severity },
        fields: {
          state: a.state,
          firing: int(a.state === 'firing' || a.state === 'acknowledged' ? 1 : 0),
          age_s: Math.round((ctx.now() - a.started_ms) / 1000),
        },
        time: ctx.now(),
      });
      if (line) ctx.spool.append(line + '\n', 1);
    },
  });
}

/** Samples and events from ingest into the engine, and the engine's gauges. */
function watchIngest(ctx: CollectorContext, engine: AlertEngine): void {
  const evalMs = ctx.metrics.counter('watchpost_alert_evaluations_total', 'Rule evaluations of samples and events');
  ctx.ingest.addListener({
    wants: (m) => engine.wants(m),
    onTargets: (t) => engine.observeTargets(t),
    onSamples: (s) => {
      const before = engine.evaluated;
      engine.onSamples(s);
      evalMs.inc({}, engine.evaluated - before);
    },
    onEvents: (e) => engine.onEvents(e),
  });
  ctx.metrics.gauge('watchpost_alerts_open', 'Open alerts by state', () => {
    const by = new Map<string, number>();
    for (const a of engine.openAlerts()) by.set(a.state, (by.get(a.state) ?? 0) + 1);
    return [...by].map(([state, value]) => ({ labels: { state }, value }));
  });
  ctx.metrics.gauge('watchpost_notifications_failed', 'Deliveries that failed for good', () =>
    Number((ctx.db.prepare("SELECT COUNT(*) AS n FROM notify_deliveries WHERE status = 'failed'").get() as { n: number }).n),
  );
}
