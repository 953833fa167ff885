import type http from 'node:http';
import path from 'node:path';
import { SESSION_COOKIE } from '../http/auth.ts';
import { type Form, parseCookies, readForm } from '../http/body.ts';
import { HttpError, redirect, sendHtml } from '../http/respond.ts';
import { RouteTable } from '../http/router.ts';
import { InspectionError } from '../inspections/store.ts';
import type { CollectorContext } from '../core/module.ts';
import { negotiateLang } from '../i18n/index.ts';
import * as pages from './pages/pages.ts';
import type { ConsoleDeps, ConsoleEnv, ConsolePage, ConsoleRequest } from './routes/request.ts';
import { registerAlertPages } from './routes/alerts.ts';
import { registerCablingPages } from './routes/cabling.ts';
import { registerInspectionPages } from './routes/inspections.ts';
import { createLogin, registerLogout, sameToken } from './routes/login.ts';
import { registerMaintenancePages } from './routes/maintenance.ts';
import { registerOverviewPages } from './routes/overview.ts';
import { registerReportPages } from './routes/reports.ts';
import { registerSoftwarePages } from './routes/software.ts';
import { registerUserPages } from './routes/users.ts';
import { hasRole, type Role, type Session, type UserStore } from '../security/users.ts';
import { type PageCtx, t } from './ui/layout.ts';

export type { ConsoleDeps } from './routes/request.ts';

const LANG = 'wp_lang';

/** The console's handle: its users (the device API accepts their sessions; the demo adds one). */
export interface ConsoleHandle {
  users: UserStore;
}

function checkOrigin(req: http.IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let host = '';
    try {
      host = new URL(origin).host;
    } catch {
      /* refused below */
    }
    if (host !== req.headers.host) throw new HttpError(403, 'cross-origin form refused');
  } else if (origin === 'null') throw new HttpError(403, 'cross-origin form refused');
}

function consoleEnv(ctx: CollectorContext, deps: ConsoleDeps): ConsoleEnv {
  const cfg = ctx.config;
  const secure = cfg.console.secure_cookies ?? Boolean(cfg.tls);
  const dataDir = cfg.collector.data_dir === ':memory:' ? '.' : cfg.collector.data_dir;
  return {
    ctx,
    deps,
    tz: cfg.reports.timezone,
    photoDir: cfg.inspections.photo_dir ?? path.join(dataDir, 'inspection-photos'),
    log: ctx.log.child({ component: 'console' }),
    cookie: (name, value, maxAgeS) =>
      `${name}=${encodeURIComponent(value)}; Path=/console; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}${maxAgeS !== undefined ? `; Max-Age=${maxAgeS}` : ''}`,
  };
}

/** The page's language (the ?lang= choice is remembered in a cookie), user, CSRF token and message. */
function pageCtx(env: ConsoleEnv, req: http.IncomingMessage, url: URL, s: Session | undefined, setCookies: string[]): PageCtx {
  const cc = env.ctx.config.console;
  const cookies = parseCookies(req.headers.cookie);
  const { lang, chosen } = negotiateLang(url.searchParams.get('lang'), cookies[LANG], cc.default_lang);
  if (chosen) setCookies.push(env.cookie(LANG, lang, 365 * 86400));
  const msg = url.searchParams.get('msg') === 'saved' ? t({ lang } as PageCtx, 'saved') : undefined;
  return { lang, tz: env.tz, user: s?.user, csrf: s?.csrf, path: url.pathname, msg, canEdit: s ? hasRole(s.user.role, 'engineer') : false };
}

/**
 * The engineer's web console under /console/: server-rendered pages, no script. Every request
 * passes the origin check; the login page aside, it needs a session, and a POST a form with
 * the session's CSRF token. Pages are registered per area (console/routes/).
 */
export function startConsole(ctx: CollectorContext, deps: ConsoleDeps): ConsoleHandle {
  const env = consoleEnv(ctx, deps);
  const table = new RouteTable<ConsolePage>();
  for (const register of [
    registerLogout,
    registerOverviewPages,
    registerAlertPages,
    registerMaintenancePages,
    registerInspectionPages,
    registerReportPages,
    registerSoftwarePages,
    registerUserPages,
    registerCablingPages,
  ])
    register(table, env);
  const login = createLogin(env);
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const setCookies: string[] = [];
    const cookies = parseCookies(req.headers.cookie);
    const sid = cookies[SESSION_COOKIE];
    const session = deps.users.session(sid);
    const p = pageCtx(env, req, url, session, setCookies);
    const headers = (): Record<string, string | string[]> => (setCookies.length ? { 'set-cookie': setCookies } : {});
    const post = req.method === 'POST';
    try {
      if (post) checkOrigin(req);
      if (url.pathname === '/console/login') return await login({ req, res, p, cookies, setCookies, headers });
      if (!session) {
        if (post) throw new HttpError(401, 'not logged in');
        return redirect(res, `/console/login`, headers());
      }
      let form: Form | undefined;
      if (post) {
        form = await readForm(req, ctx.config.inspections.max_photo_bytes + 64 * 1024);
        if (!sameToken(form.fields.get('_csrf'), session.csrf)) throw new HttpError(403, 'invalid or missing CSRF token');
      }
      const found = table.match(req.method ?? '', url.pathname);
      if (!found) throw new HttpError(404, `no page ${url.pathname}`);
      await found.h(consoleRequest({ req, res, url, params: found.params, p, session, sid: sid!, form, cookies: setCookies, headers }));
    } catch (e) {
      let status = 500;
      if (e instanceof HttpError) status = e.status;
      else if (e instanceof InspectionError) status = e.code === 'not_found' ? 404 : e.code === 'signed' ? 409 : 400;
      if (status === 500) env.log.error({ err: (e as Error).stack, path: url.pathname }, 'console request failed');
      if (res.headersSent) return void res.destroy();
      const message = status === 500 ? 'internal error' : (e as Error).message;
      // Drain an unread body so the client sees the answer.
      if (!req.complete) req.resume();
      sendHtml(res, status, pages.errorPage(p, status, message), headers());
    }
  };
  ctx.server.route('GET', '/console', (_req, res) => redirect(res, '/console/'));
  // A newcomer opens the bare address first: that is the console.
  ctx.server.route('GET', '/', (_req, res) => redirect(res, '/console/'));
  ctx.server.route('GET', '/console/*path', handler);
  ctx.server.route('POST', '/console/*path', handler);
  return { users: deps.users };
}

/** The per-request helpers pages use: roles, form fields. */
function consoleRequest(c: Omit<ConsoleRequest, 'actor' | 'need' | 'field' | 'intField'>): ConsoleRequest {
  const field = (k: string) => c.form?.fields.get(k) ?? '';
  return {
    ...c,
    actor: c.session.user.username,
    need: (r: Role) => {
      if (!hasRole(c.session.user.role, r)) throw new HttpError(403, t(c.p, 'forbidden'));
    },
    field,
    intField: (k: string) => {
      const n = Number(field(k));
      if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${k} must be a positive integer`);
      return n;
    },
  };
}
