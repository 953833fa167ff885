import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { CollectorConfig } from '../../config/schema/collector.ts';
import { HttpError } from '../server.ts';
import { hashToken } from '../store/agents.ts';

/**
 * Bearer-token check for the alerts and maintenance API (`alerts.api_tokens`). Returns the
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
