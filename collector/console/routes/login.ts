import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { readForm } from '../../http/body.ts';
import { HttpError, redirect, sendHtml } from '../../http/respond.ts';
import * as pages from '../pages.ts';
import type { ConsoleEnv, ConsolePages } from '../request.ts';
import { LoginLimiter } from '../users.ts';

export const LOGIN_CSRF = 'wp_lcsrf';

/** Constant-time comparison of two CSRF tokens; false when either is missing. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The login form's request: before any session exists. */
export interface LoginRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  p: pages.PageCtx;
  cookies: Record<string, string>;
  /** Cookies to set with the answer. */
  setCookies: string[];
  headers(): Record<string, string | string[]>;
}

/**
 * The login page (GET: the form with its own CSRF cookie; POST: check, with failures limited
 * per user name and, looser since an office shares one NAT address, per client address).
 */
export function createLogin(env: ConsoleEnv): (l: LoginRequest) => Promise<void> {
  const { ctx, cookie } = env;
  const cc = ctx.config.console;
  const users = env.deps.users;
  const byUser = new LoginLimiter(cc.login_max_failures, cc.login_window_s * 1000, ctx.now);
  const byAddr = new LoginLimiter(cc.login_max_failures * 4, cc.login_window_s * 1000, ctx.now);
  return async ({ req, res, p, cookies, setCookies, headers }) => {
    const addr = req.socket.remoteAddress ?? '';
    if (req.method !== 'POST') {
      const t = randomBytes(24).toString('base64url');
      setCookies.push(cookie(LOGIN_CSRF, t, 3600));
      return sendHtml(res, 200, pages.loginPage(p, t), headers());
    }
    const form = await readForm(req, 16 * 1024);
    if (!sameToken(form.fields.get('_csrf'), cookies[LOGIN_CSRF])) throw new HttpError(403, 'invalid or missing CSRF token: reload the login page');
    const username = (form.fields.get('username') ?? '').trim();
    const userKey = username.toLowerCase();
    const wait = Math.max(byUser.blockedFor(userKey), byAddr.blockedFor(addr));
    const retry = (error: string, status: number) => {
      const t = randomBytes(24).toString('base64url');
      setCookies.push(cookie(LOGIN_CSRF, t, 3600));
      sendHtml(res, status, pages.loginPage(p, t, error), { ...headers(), ...(status === 429 ? { 'retry-after': String(wait) } : {}) });
    };
    if (wait > 0) {
      ctx.audit.append(username || '(empty)', 'console.login_blocked', `user/${username}`, { addr });
      return retry(pages.t(p, 'locked', { s: wait }), 429);
    }
    const user = users.check(username, form.fields.get('password') ?? '');
    if (!user) {
      byUser.fail(userKey);
      byAddr.fail(addr);
      ctx.audit.append(username || '(empty)', 'console.login_failed', `user/${username}`, { addr });
      return retry(pages.t(p, 'bad_login'), 401);
    }
    byUser.reset(userKey);
    const s = users.createSession(user.username, cc.session_ttl_h * 3600_000, addr);
    ctx.audit.append(user.username, 'console.login', `user/${user.username}`, { addr });
    setCookies.push(cookie(SESSION_COOKIE, s.id, Math.round(cc.session_ttl_h * 3600)), cookie(LOGIN_CSRF, '', 0));
    return redirect(res, '/console/', headers());
  };
}

/** Logging out: the session ends and its cookie is cleared. */
export function registerLogout(r: ConsolePages, env: ConsoleEnv): void {
  r.add('POST', '/console/logout', ({ res, headers, actor, sid, cookies }) => {
    env.deps.users.endSession(sid);
    env.ctx.audit.append(actor, 'console.logout', `user/${actor}`, {});
    cookies.push(env.cookie(SESSION_COOKIE, '', 0));
    return redirect(res, '/console/login', headers());
  });
}
