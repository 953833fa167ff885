import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { loadConfig } from '../../config/load.ts';
import { rulesFileSchema, type RuleConfig } from '../../config/schema/alerts.ts';
import { encodeLine } from '../../protocol/line-protocol.ts';
import { int } from '../../protocol/sample.ts';
import type { CollectorContext, CollectorModule } from '../module.ts';
import { SmsBudget, type SmsUsage } from '../notify/budget.ts';
import { Dispatcher, type Delivery } from '../notify/dispatcher.ts';
import { buildChannels } from '../notify/channels.ts';
import type { Notification } from '../notify/types.ts';
import { html, type Safe } from '../console/html.ts';
import { sendHtml } from '../console/http.ts';
import { HttpError, readBody, sendJson } from '../server.ts';
import { signAck, verifyAck } from './ack.ts';
import { apiActor } from './api-auth.ts';
import { HolidayCalendar } from './calendar.ts';
import { AlertEngine, type InspectionStatus } from './engine.ts';
import { Router } from './routing.ts';
import { AlertStore, slaReport, type Alert, type SlaReport } from './store.ts';
import { Topology } from './topology.ts';

/** What ctx.modules.get('alerts') is: for reports (SLA), inspections and the console. */
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

function json(body: Buffer): Record<string, unknown> | unknown[] {
  try {
    const v = JSON.parse(body.toString('utf8') || '{}');
    return typeof v === 'object' && v ? v : {};
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
}

/**
 * The acknowledgement pages (a person opens them from an email): built with the console's
 * escaping and sent with its CSP and frame headers. Targets and summaries come from anything
 * that can name a target (a /write token, an agent, an SNMP trap's ifName): never markup.
 */
function ackPage(res: ServerResponse, status: number, title: string, body: Safe): void {
  sendHtml(res, status, html`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h2>${title}</h2>${body}</body></html>`.s);
}

interface Running {
  timer: NodeJS.Timeout;
  dispatcher: Dispatcher;
  close(): void;
}

export function startAlerts(ctx: CollectorContext): AlertsApi & { running: Running } {
  const cfg = ctx.config.alerts;
  const log = ctx.log.child({ component: 'alerts' });
  const rules = loadRules(ctx);
  const calendar = HolidayCalendar.fromFiles(cfg.calendar_files);
  const store = new AlertStore(ctx.db);
  const receivers = new Map(cfg.receivers.map((r) => [r.name, r]));
  const smsLine = (purpose: string, u: SmsUsage) =>
    encodeLine({ measurement: 'sms_usage', tags: { purpose }, fields: { sent_parts: int(u.by_purpose[purpose] ?? 0), budget_used_pct: u.used_pct }, time: ctx.now() });
  let deliver: (n: Notification) => void = () => {};
  const budget = new SmsBudget(ctx.db, { ...ctx.config.notify.sms.budget, timezone: cfg.timezone }, ctx.now, (pct, u) => {
    log.warn({ pct, used: u.used_parts, quota: u.quota }, 'SMS budget warning level crossed');
    ctx.audit.append('system', 'sms.budget_warning', `sms:${u.year}`, { pct, used_parts: u.used_parts, quota: u.quota });
    const rc = ctx.config.notify.sms.budget.warn_receiver;
    if (rc) {
      deliver({
        key: `budget:${u.year}:${pct}`, kind: 'budget', receiver: rc, level: 0, purpose: 'budget', time_ms: ctx.now(),
        alerts: [{ id: 0, rule: 'sms_budget', target: `sms ${u.year}`, severity: pct >= 95 ? 'critical' : 'warning', state: 'firing', summary: `短信用量 SMS used ${u.used_parts}/${u.quota} (${u.used_pct}%)`, labels: {}, fired_ms: ctx.now(), suppressed: [] }],
      });
    }
  });
  const channels = buildChannels(ctx.config.notify, { budget, now: ctx.now, log: log.child({ component: 'notify' }) });
  const dispatcher = new Dispatcher({
    db: ctx.db, channels: channels.list, retry: ctx.config.notify.retry, now: ctx.now, log: log.child({ component: 'dispatcher' }),
    onResult: (d) => {
      if (d.channel === 'sms' && d.status === 'sent') {
        const line = smsLine(JSON.parse(String((ctx.db.prepare('SELECT notification FROM notify_deliveries WHERE id = ?').get(d.id) as { notification: string }).notification)).purpose, budget.usage());
        if (line) ctx.spool.append(line + '\n', 1);
      }
    },
  });
  const warned = new Set<string>();
  deliver = (n) => {
    const r = receivers.get(n.receiver);
    if (!r) {
      log.error({ receiver: n.receiver }, 'notification for an unknown receiver dropped');
      return;
    }
    for (const ch of ['email', 'sms', 'webhook', 'dingtalk', 'wecom', 'console'] as const) {
      for (const addr of r[ch]) {
        if (!dispatcher.hasChannel(ch)) {
          if (!warned.has(ch)) log.error({ channel: ch, receiver: r.name }, `receiver has ${ch} addresses but notify.${ch} is not configured: not sent`);
          warned.add(ch);
          continue;
        }
        dispatcher.enqueue(n, ch, addr);
      }
    }
  };
  const baseUrl = () => ctx.config.collector.public_url?.replace(/\/$/, '') ?? `http://${ctx.config.collector.listen_host}:${(ctx.server.server.address() as AddressInfo | null)?.port ?? ctx.config.collector.listen_port}`;
  const engine = new AlertEngine({
    cfg, rules, store, calendar, topology: new Topology(ctx.inventory.devices), now: ctx.now, log,
    inventory: ctx.inventory, staleMs: Math.max(15 * 60_000, 3 * ctx.config.uptime.silence_s * 1000),
    router: new Router(cfg.route, { group_wait_s: cfg.group_wait_s, repeat_interval_s: cfg.repeat_interval_s }),
    deliver: (n) => {
      try {
        deliver(n);
      } catch (e) {
        log.error({ err: (e as Error).message }, 'queueing a notification failed');
      }
    },
    inMaintenance: (target, labels, t) => {
      const m = ctx.modules.get('maintenance') as { active?(target: string, labels: Record<string, string>, t: number): boolean } | undefined;
      return m?.active?.(target, labels, t) ?? false;
    },
    ackUrl: (id, receiver) => (cfg.ack.secret ? `${baseUrl()}/api/alerts/ack?t=${signAck(cfg.ack.secret, { alert: id, by: receiver, exp: ctx.now() + cfg.ack.link_ttl_s * 1000 })}` : undefined),
    changed: (a) => {
      const line = encodeLine({
        measurement: 'alert_state', tags: { rule: a.rule, target: a.target, severity: a.severity },
        fields: { state: a.state, firing: int(a.state === 'firing' || a.state === 'acknowledged' ? 1 : 0), age_s: Math.round((ctx.now() - a.started_ms) / 1000) },
        time: ctx.now(),
      });
      if (line) ctx.spool.append(line + '\n', 1);
    },
  });
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
  ctx.metrics.gauge('watchpost_notifications_failed', 'Deliveries that failed for good', () => Number((ctx.db.prepare("SELECT COUNT(*) AS n FROM notify_deliveries WHERE status = 'failed'").get() as { n: number }).n));

  const api: AlertsApi = {
    engine, dispatcher, store,
    acknowledge(id, by, via, note) {
      const a = engine.acknowledge(id, by, note?.trim().slice(0, 2000) || undefined);
      if (a) {
        ctx.audit.append(by, 'alert.ack', `alert:${id}`, { via, rule: a.rule, target: a.target, fired_ms: a.fired_ms, time_to_ack_s: a.fired_ms ? (a.acked_ms! - a.fired_ms) / 1000 : null, note: a.ack_note ?? null });
        log.info({ alert: id, by, via }, 'alert acknowledged');
      }
      return a;
    },
    sla: (from, to) => slaReport(store.firedBetween(from, to), from, to, cfg.sla.resolve_within_s, ctx.now()),
    reportInspection: (st) => engine.reportInspection(st),
    smsUsage: (year) => budget.usage(year),
    deliveries: (status) => dispatcher.list({ status }),
  };

  // --- HTTP API ---
  const S = ctx.server;
  S.route('GET', '/api/alerts', (req, res, url) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, { alerts: store.list({ state: url.searchParams.get('state') ?? undefined, limit: Number(url.searchParams.get('limit') ?? 200) }) });
  });
  S.route('GET', '/api/alerts/sla', (req, res, url) => {
    apiActor(ctx.config, req);
    const to = Number(url.searchParams.get('to') ?? ctx.now());
    const from = Number(url.searchParams.get('from') ?? to - 30 * 86_400_000);
    sendJson(res, 200, api.sla(from, to));
  });
  S.route('GET', '/api/alerts/deliveries', (req, res, url) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, { deliveries: api.deliveries(url.searchParams.get('status') ?? undefined) });
  });
  S.route('GET', '/api/alerts/sms-usage', (req, res, url) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, budget.usage(url.searchParams.has('year') ? Number(url.searchParams.get('year')) : undefined));
  });
  const checkLink = (t: string | null) => {
    if (!cfg.ack.secret) throw new HttpError(404, 'acknowledgement links are not enabled (alerts.ack.secret)');
    const v = verifyAck(cfg.ack.secret, t ?? '', ctx.now());
    if (!v.ok) {
      const status = v.reason === 'malformed' ? 400 : v.reason === 'expired' ? 410 : 403;
      throw new HttpError(status, v.reason === 'malformed' ? 'acknowledgement link refused: malformed (copy the whole link from the email, nothing more)' : `acknowledgement link refused: ${v.reason}`);
    }
    return { claim: v.claim, token: t! };
  };
  /** A refused link is answered as a page too (a person clicked it); nothing of the token is shown. */
  const ackRoute = (h: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) => async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    try {
      await h(req, res, url);
    } catch (e) {
      if (!(e instanceof HttpError) || res.headersSent) throw e;
      if (!req.complete) req.resume();
      ackPage(res, e.status, `确认链接无效 / Acknowledgement link refused (${e.status})`, html`<p>${e.message}</p>`);
    }
  };
  // GET only shows a confirmation form: mail scanners fetch links, they must not acknowledge.
  S.route('GET', '/api/alerts/ack', ackRoute((_req, res, url) => {
    const { claim: c, token } = checkLink(url.searchParams.get('t'));
    const a = engine.get(c.alert);
    ackPage(res, 200, `确认告警 / Acknowledge alert ${c.alert}`, html`<p>${a ? `${a.target}: ${a.summary} — ${a.state}` : 'unknown alert'}</p><form method="post" action="/api/alerts/ack"><input type="hidden" name="t" value="${token}"><button type="submit">确认 / Acknowledge</button></form>`);
  }));
  S.route('POST', '/api/alerts/ack', ackRoute(async (req, res) => {
    const body = (await readBody(req, 8192)).toString('utf8');
    const { claim: c } = checkLink(new URLSearchParams(body).get('t'));
    const a = api.acknowledge(c.alert, `link:${c.by}`, 'email_link');
    const cur = engine.get(c.alert);
    ackPage(res, a ? 200 : 409, a ? `已确认 / Acknowledged alert ${c.alert}` : `Alert ${c.alert} is ${cur?.state ?? 'unknown'}`, a ? html`<p>${a.target}: ${a.summary}</p>` : html``);
  }));
  S.route('POST', '/api/alerts/', async (req, res, url) => {
    const m = /^\/api\/alerts\/(\d+)\/ack$/.exec(url.pathname);
    if (!m) throw new HttpError(404, `no route for POST ${url.pathname}`);
    const actor = apiActor(ctx.config, req);
    const b = json(await readBody(req, 8192)) as Record<string, unknown>;
    const by = typeof b.by === 'string' && b.by ? `${actor}/${b.by}` : actor;
    const a = api.acknowledge(Number(m[1]), by, typeof b.via === 'string' ? b.via : 'api', typeof b.note === 'string' ? b.note : undefined);
    if (!a) {
      const cur = engine.get(Number(m[1]));
      throw new HttpError(cur ? 409 : 404, cur ? `alert ${m[1]} is ${cur.state}, not firing` : `no alert ${m[1]}`);
    }
    sendJson(res, 200, { id: a.id, state: a.state, acked_by: a.acked_by, acked_ms: a.acked_ms });
  });
  // SMS replies. Neither provider signs its uplink push, so authenticity rests on: a secret
  // token in the callback URL (constant-time compared), freshness of the message's own time,
  // replay rejection, and the sender being a receiver who was told about that alert.
  const seenUplinks = new Map<string, number>();
  // The token is the callback's only secret: a log line gets the provider, never the token.
  const uplinkLogPath = (p: string) => p.replace(/^(\/api\/sms\/uplink\/(?:(?:aliyun|tencent)\/)?).*$/s, '$1<secret>');
  S.route('POST', '/api/sms/uplink/', async (req, res, url) => {
    const [, , , , provider, token] = url.pathname.split('/');
    const want = ctx.config.notify.sms.uplink.token;
    const ok = want && token && token.length === want.length && timingSafeEqual(Buffer.from(token), Buffer.from(want));
    if (!ok) throw new HttpError(403, 'unknown uplink callback');
    const body = json(await readBody(req, 256 * 1024));
    const msgs: { phone: string; text: string; time: number; id: string }[] = [];
    const list = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
    if (provider === 'aliyun') {
      for (const m of list) {
        // send_time is Beijing local time "YYYY-MM-DD HH:MM:SS".
        msgs.push({ phone: String(m.phone_number ?? ''), text: String(m.content ?? ''), time: Date.parse(`${String(m.send_time).replace(' ', 'T')}+08:00`), id: `aliyun:${String(m.sequence_id ?? '')}` });
      }
    } else if (provider === 'tencent') {
      for (const m of list) msgs.push({ phone: String(m.mobile ?? ''), text: String(m.text ?? ''), time: Number(m.time) * 1000, id: `tencent:${String(m.mobile)}:${String(m.time)}:${String(m.text)}` });
    } else throw new HttpError(404, `unknown SMS provider "${provider}"`);
    const now = ctx.now();
    const maxAge = ctx.config.notify.sms.uplink.max_age_s * 1000;
    for (const [k, t] of seenUplinks) if (t < now - 2 * maxAge) seenUplinks.delete(k);
    const results: { phone: string; result: string }[] = [];
    for (const m of msgs) {
      let result = 'ignored';
      if (!Number.isFinite(m.time) || Math.abs(now - m.time) > maxAge) result = 'stale';
      else if (seenUplinks.has(m.id)) result = 'replay';
      else {
        seenUplinks.set(m.id, now);
        const ack = /(?:ACK|确认|QR)\s*#?(\d+)/i.exec(m.text);
        const a = ack ? engine.get(Number(ack[1])) : undefined;
        const phone = m.phone.replace(/^\+?86/, '');
        const told = a ? a.told.some((rc) => receivers.get(rc)?.sms.some((p) => p.replace(/^\+?86/, '') === phone)) : false;
        if (!a) result = 'no_alert';
        else if (!told) result = 'unknown_sender';
        else result = api.acknowledge(a.id, `sms:${phone}`, `sms_reply:${provider}`) ? 'acknowledged' : 'not_open';
      }
      if (result !== 'acknowledged') log.warn({ provider, phone: m.phone, result }, 'SMS reply not used as an acknowledgement');
      results.push({ phone: m.phone, result });
    }
    // Each provider expects its own success shape, or it retries the push.
    sendJson(res, 200, provider === 'aliyun' ? { code: 0, msg: '成功', results } : { result: 0, errmsg: 'OK', results });
  }, { logPath: uplinkLogPath });

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
  const running: Running = { timer, dispatcher, close: () => channels.close() };
  log.info({ rules: rules.length, receivers: receivers.size, channels: channels.list.map((c) => c.channel), calendars: [...calendar.years] }, 'alerts started');
  return { ...api, running };
}

/** A fresh alerts module (one per collector, so tests can run several in one process). */
export function createAlertsModule(): CollectorModule {
  // A stack: collectors in one process (tests) stop in reverse order of starting.
  const running: Running[] = [];
  return {
    name: 'alerts',
    start(ctx) {
      if (!ctx.config.alerts.enabled) return undefined;
      const a = startAlerts(ctx);
      running.push(a.running);
      return a;
    },
    async stop() {
      const r = running.pop();
      if (!r) return;
      clearInterval(r.timer);
      await r.dispatcher.stop();
      r.close();
    },
  };
}

export const alertsModule: CollectorModule = createAlertsModule();
