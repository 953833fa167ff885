import { readBody, readJsonObject } from '../http/body.ts';
import { apiActor } from '../http/auth.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { html, type Safe } from '../console/ui/html.ts';
import { HttpError, sendHtml, sendJson } from '../http/respond.ts';
import type { CollectorContext } from '../core/module.ts';
import { verifyAck } from './ack.ts';
import type { AlertsApi } from './module.ts';
import type { createUplink } from './uplink.ts';

/**
 * The acknowledgement pages (a person opens them from an email): built with the console's
 * escaping and sent with its CSP and frame headers. Targets and summaries come from anything
 * that can name a target (a /write token, an agent, an SNMP trap's ifName): never markup.
 */
function ackPage(res: ServerResponse, status: number, title: string, body: Safe): void {
  sendHtml(res, status, html`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h2>${title}</h2>${body}</body></html>`.s);
}

/**
 * The alerts HTTP API (API token from alerts.api_tokens): GET /api/alerts, /api/alerts/sla,
 * /api/alerts/deliveries, /api/alerts/sms-usage, POST /api/alerts/ID/ack; the e-mailed
 * acknowledgement link (GET shows a form, POST acknowledges); and the SMS uplink callbacks.
 */
export function registerAlertsApi(ctx: CollectorContext, api: AlertsApi, uplink: ReturnType<typeof createUplink>): void {
  const S = ctx.server;
  const cfg = ctx.config.alerts;
  const { engine, store } = api;
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
    sendJson(res, 200, api.smsUsage(url.searchParams.has('year') ? Number(url.searchParams.get('year')) : undefined));
  });
  const checkLink = (t: string | null) => {
    if (!cfg.ack.secret) throw new HttpError(404, 'acknowledgement links are not enabled (alerts.ack.secret)');
    const v = verifyAck(cfg.ack.secret, t ?? '', ctx.now());
    if (!v.ok) {
      const status = v.reason === 'malformed' ? 400 : v.reason === 'expired' ? 410 : 403;
      throw new HttpError(
        status,
        v.reason === 'malformed'
          ? 'acknowledgement link refused: malformed (copy the whole link from the email, nothing more)'
          : `acknowledgement link refused: ${v.reason}`,
      );
    }
    return { claim: v.claim, token: t! };
  };
  /** A refused link is answered as a page too (a person clicked it); nothing of the token is shown. */
  const ackRoute =
    (h: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) => async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      try {
        await h(req, res, url);
      } catch (e) {
        if (!(e instanceof HttpError) || res.headersSent) throw e;
        if (!req.complete) req.resume();
        ackPage(res, e.status, `确认链接无效 / Acknowledgement link refused (${e.status})`, html`<p>${e.message}</p>`);
      }
    };
  // GET only shows a confirmation form: mail scanners fetch links, they must not acknowledge.
  S.route(
    'GET',
    '/api/alerts/ack',
    ackRoute((_req, res, url) => {
      const { claim: c, token } = checkLink(url.searchParams.get('t'));
      const a = engine.get(c.alert);
      ackPage(
        res,
        200,
        `确认告警 / Acknowledge alert ${c.alert}`,
        html`<p>${a ? `${a.target}: ${a.summary} — ${a.state}` : 'unknown alert'}</p><form method="post" action="/api/alerts/ack"><input type="hidden" name="t" value="${token}"><button type="submit">确认 / Acknowledge</button></form>`,
      );
    }),
  );
  S.route(
    'POST',
    '/api/alerts/ack',
    ackRoute(async (req, res) => {
      const body = (await readBody(req, 8192)).toString('utf8');
      const { claim: c } = checkLink(new URLSearchParams(body).get('t'));
      const a = api.acknowledge(c.alert, `link:${c.by}`, 'email_link');
      const cur = engine.get(c.alert);
      ackPage(
        res,
        a ? 200 : 409,
        a ? `已确认 / Acknowledged alert ${c.alert}` : `Alert ${c.alert} is ${cur?.state ?? 'unknown'}`,
        a ? html`<p>${a.target}: ${a.summary}</p>` : html``,
      );
    }),
  );
  S.route('POST', '/api/alerts/:id(\\d+)/ack', async (req, res, _url, params) => {
    const id = Number(params.id);
    const actor = apiActor(ctx.config, req);
    const b = (await readJsonObject(req, 8192)) as Record<string, unknown>;
    const by = typeof b.by === 'string' && b.by ? `${actor}/${b.by}` : actor;
    const a = api.acknowledge(id, by, typeof b.via === 'string' ? b.via : 'api', typeof b.note === 'string' ? b.note : undefined);
    if (!a) {
      const cur = engine.get(id);
      throw new HttpError(cur ? 409 : 404, cur ? `alert ${params.id} is ${cur.state}, not firing` : `no alert ${params.id}`);
    }
    sendJson(res, 200, { id: a.id, state: a.state, acked_by: a.acked_by, acked_ms: a.acked_ms });
  });
  // The token is the callback's only secret: a log line gets the provider, never the token.
  const uplinkLogPath = (p: string) => p.replace(/^(\/api\/sms\/uplink\/(?:(?:aliyun|tencent)\/)?).*$/s, '$1<secret>');
  S.route(
    'POST',
    '/api/sms/uplink/*rest',
    async (req, res, url) => {
      const [, , , , provider, token] = url.pathname.split('/');
      sendJson(res, 200, await uplink.handle(provider, token, () => readJsonObject(req, 256 * 1024)));
    },
    { logPath: uplinkLogPath },
  );
}
