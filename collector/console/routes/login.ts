import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { readForm } from '../../http/body.ts';
import { HttpError, redirect, sendHtml } from '../../http/respond.ts';
import * as pages from '../pages/pages.ts';
import type { ConsoleEnv, ConsolePages } from './request.ts';
import { BackoffLimiter, type FailureStreak } from '../../security/rate-limit.ts';
import { type PageCtx, t } from '../ui/layout.ts';

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
  p: PageCtx;
  cookies: Record<string, string>;
  /** Cookies to set with the answer. */
  setCookies: string[];
  headers(): Record<string, string | string[]>;
}

/**
 * The login page (GET: the form with its own CSRF cookie; POST: check, with failures limited
 * per user name and client address and, looser, per address; exponential backoff; the audit
 * log gets a run's first failure, its block and a summary, never a row per try).
 */
export function createLogin(env: ConsoleEnv): (l: LoginRequest) => Promise<void> {
  const { ctx, cookie } = env;
  const cc = ctx.config.console;
  const users = env.deps.users;
  // Per user name and client address, so wrong passwords sent from elsewhere never lock a user
  // out; and (looser, since an office shares one NAT address) per client address, against one
  // address trying many user names. Both back off exponentially, from 30 s to the window; a
  // run of failures is forgotten after four quiet windows (so the doubling has room to act).
  const windowMs = cc.login_window_s * 1000;
  const backoff = { baseMs: Math.min(30_000, windowMs), maxMs: windowMs, resetMs: 4 * windowMs, now: ctx.now };
  const byUserAddr = new BackoffLimiter({ free: cc.login_max_failures, ...backoff });
  const byAddr = new BackoffLimiter({ free: cc.login_max_failures * 4, ...backoff });
  const loginKey = (user: string, addr: string) => `${user}\n${addr}`;
  const auditStreak = (key: string, st: FailureStreak) => {
    const i = key.lastIndexOf('\n');
    const username = key.slice(0, i);
    ctx.audit.append(username || '(empty)', 'console.login_failures', `user/${username}`, { addr: key.slice(i + 1), ...st });
  };
  const summaries = setInterval(
    () => {
      if (!ctx.db.isOpen) return clearInterval(summaries);
      for (const [k, st] of byUserAddr.drain()) auditStreak(k, st);
      byAddr.drain();
    },
    Math.min(60_000, windowMs),
  );
  summaries.unref();
  return async ({ req, res, p, cookies, setCookies, headers }) => {
    const addr = req.socket.remoteAddress ?? '';
    if (req.method !== 'POST') {
      const token = randomBytes(24).toString('base64url');
      setCookies.push(cookie(LOGIN_CSRF, token, 3600));
      return sendHtml(res, 200, pages.loginPage(p, token), headers());
    }
    const form = await readForm(req, 16 * 1024);
    if (!sameToken(form.fields.get('_csrf'), cookies[LOGIN_CSRF])) throw new HttpError(403, 'invalid or missing CSRF token: reload the login page');
    const username = (form.fields.get('username') ?? '').trim();
    const key = loginKey(username.toLowerCase(), addr);
    const retry = (error: string, status: number, waitS = 0) => {
      const token = randomBytes(24).toString('base64url');
      setCookies.push(cookie(LOGIN_CSRF, token, 3600));
      sendHtml(res, status, pages.loginPage(p, token, error), { ...headers(), ...(status === 429 ? { 'retry-after': String(waitS) } : {}) });
    };
    const wait = Math.ceil(Math.max(byUserAddr.blocked(key), byAddr.blocked(addr)) / 1000);
    if (wait > 0) {
      // Counted, not audited one by one: the streak's summary carries them.
      byUserAddr.refuse(key);
      return retry(t(p, 'locked', { s: wait }), 429, wait);
    }
    const user = users.check(username, form.fields.get('password') ?? '');
    if (!user) {
      const f = byUserAddr.fail(key);
      if (f.ended) auditStreak(key, f.ended);
      if (f.report === 'first') ctx.audit.append(username || '(empty)', 'console.login_failed', `user/${username}`, { addr });
      if (f.report === 'blocked')
        ctx.audit.append(username || '(empty)', 'console.login_blocked', `user/${username}`, { addr, failures: f.failures, blocked_s: f.blockedMs / 1000 });
      const a = byAddr.fail(addr);
      if (a.report === 'blocked')
        ctx.audit.append(username || '(empty)', 'console.login_blocked', `addr/${addr}`, {
          addr,
          scope: 'address',
          failures: a.failures,
          blocked_s: a.blockedMs / 1000,
        });
      return retry(t(p, 'bad_login'), 401);
    }
    const streak = byUserAddr.succeed(key);
    if (streak) auditStreak(key, streak);
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
