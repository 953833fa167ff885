import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { CollectorConfig } from '../../config/schema/collector.ts';
import type { UserStore } from '../security/users.ts';
import { hashToken } from '../store/agents.ts';
import { parseCookies } from './body.ts';
import { HttpError } from './respond.ts';

/**
 * Bearer-token check for the collector's JSON API (`alerts.api_tokens`). Returns the
 * token's name (recorded as the actor in the audit log) or throws HttpError 401.
 */
export function apiActor(cfg: CollectorConfig, req: http.IncomingMessage): string {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (m) {
    const got = Buffer.from(hashToken(m[1]!), 'hex');
    for (const t of cfg.alerts.api_tokens) {
      const want = Buffer.from(t.token_sha256.toLowerCase(), 'hex');
      if (want.length === got.length && timingSafeEqual(want, got)) return `api:${t.name}`;
    }
  }
  throw new HttpError(401, 'missing or invalid API token (alerts.api_tokens)');
}

/** The console's session cookie (scoped to /console). */
export const SESSION_COOKIE = 'wp_session';

/**
 * Whoever may read: a console session (when the console runs) or an API token
 * (alerts.api_tokens). Returns the user or token name; throws HttpError 401 otherwise.
 */
export function sessionOrApiActor(cfg: CollectorConfig, users: UserStore | undefined, req: http.IncomingMessage): string {
  const sid = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (sid) {
    const s = users?.session(sid);
    if (s) return s.user.username;
  }
  return apiActor(cfg, req);
}

/**
 * The token an agent or Telegraf sent: `Authorization: Bearer|Token <t>`, Basic auth's
 * password (Telegraf's outputs.influxdb), or the v1 `p` query parameter when `url` is given.
 */
export function bearer(req: http.IncomingMessage, url?: URL): string | undefined {
  const h = req.headers.authorization;
  if (h) {
    const [scheme, value] = h.split(' ', 2);
    if (!value) return undefined;
    const s = scheme!.toLowerCase();
    if (s === 'bearer' || s === 'token') return value.trim();
    if (s === 'basic') {
      // Telegraf's outputs.influxdb sends username/password: the password is the token.
      const dec = Buffer.from(value, 'base64').toString('utf8');
      const i = dec.indexOf(':');
      return i >= 0 ? dec.slice(i + 1) : undefined;
    }
  }
  return url?.searchParams.get('p') ?? undefined;
}

/**
 * The failure bucket of a presented token: the client address and the token's first 8
 * characters (`wpa_` and four more for an agent token). Wrong tokens from one address fill
 * their own buckets, so the valid agent and Telegraf tokens behind the same NAT address keep
 * working; a client retrying one bad token (a revoked agent, a mistyped Telegraf config) is
 * refused cheaply. Guessing a 256-bit token is hopeless whatever the bucket, so nothing is
 * gained by locking out a whole address. The key never reaches a log.
 */
export function authKey(addr: string, token: string | undefined): string {
  return `${addr} ${(token ?? '').slice(0, 8)}`;
}
