import type http from 'node:http';
import { isPrecision, parseLines } from '../../protocol/line-protocol.ts';
import { authKey, bearer } from '../http/auth.ts';
import { gunzipBounded, readBody } from '../http/body.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import type { Counter } from '../../lib/metrics.ts';
import type { FailureLimiter } from '../security/rate-limit.ts';
import type { AgentRegistry } from '../store/agents.ts';
import { hashToken } from '../store/agents.ts';
import { SpoolFullError } from '../store/spool.ts';
import { ClockAheadError, type Ingest, type Source } from './ingest.ts';

export interface WriteEndpointOptions {
  enabled: boolean;
  /** Hashes of tokens allowed on /write and /api/v2/write, by sender name. */
  tokens: Map<string, string>;
  agents: AgentRegistry;
  ingest: Ingest;
  maxBytes: number;
  /** Shared with the agent endpoint: failed authentications per address. */
  authLimiter: FailureLimiter;
  counters: { limited: Counter; authFailures: Counter; badFrames: Counter };
}

/**
 * InfluxDB-compatible line-protocol writes for Telegraf and scripts: POST /write (v1, token
 * also as `p`) and /api/v2/write, with a write token or an agent's token.
 */
export function registerWriteEndpoint(router: Router, o: WriteEndpointOptions): void {
  const write = (v2: boolean) => (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => writeLines(o, req, res, url, v2);
  router.route('POST', '/write', write(false));
  router.route('POST', '/api/v2/write', write(true));
}

async function writeLines(o: WriteEndpointOptions, req: http.IncomingMessage, res: http.ServerResponse, url: URL, v2: boolean): Promise<void> {
  if (!o.enabled) throw new HttpError(404, 'line-protocol /write is disabled (http_write.enabled)');
  const token = bearer(req, v2 ? undefined : url);
  const key = authKey(req.socket.remoteAddress ?? '', token);
  const wait = o.authLimiter.blocked(key);
  if (wait) {
    o.counters.limited.inc({ limit: 'auth_failures' });
    sendJson(res, 429, { error: 'too many failed authentications with this token' }, { 'retry-after': String(Math.ceil(wait / 1000)) });
    return;
  }
  const name = token ? o.tokens.get(hashToken(token)) : undefined;
  const agent = token && !name ? o.agents.authenticate(token) : undefined;
  if (!name && !agent) {
    o.counters.authFailures.inc({ endpoint: v2 ? 'api_v2_write' : 'write' });
    o.authLimiter.fail(key);
    sendJson(res, 401, { error: 'missing or invalid token' }, { 'www-authenticate': 'Token' });
    return;
  }
  const precision = url.searchParams.get('precision') ?? 'ns';
  if (!isPrecision(precision)) throw new HttpError(400, `unknown precision "${precision}": use ns, us, ms or s`);
  const body = await readBody(req, o.maxBytes);
  const text = req.headers['content-encoding'] === 'gzip' ? (await gunzipBounded(body, o.maxBytes)).toString('utf8') : body.toString('utf8');
  const parsed = parseLines(text, precision);
  const source: Source = agent ? { kind: 'agent', name: agent.name, tags: agent.tags } : { kind: 'http', name: name!, tags: {} };
  try {
    o.ingest.accept(source, parsed.samples);
  } catch (e) {
    if (e instanceof SpoolFullError) {
      sendJson(res, 503, { error: 'collector spool is full, retry later' }, { 'retry-after': '30' });
      return;
    }
    // An agent's token on /write: its samples are refused whole as on its WebSocket, with the reason.
    if (e instanceof ClockAheadError) {
      sendJson(res, 400, { error: e.message, code: e.code });
      return;
    }
    throw e;
  }
  if (parsed.errors.length) {
    o.counters.badFrames.inc({ reason: 'line_protocol' }, parsed.errors.length);
    const first = parsed.errors[0]!;
    // Same shape as InfluxDB's own partial-write answer, so Telegraf logs it sensibly.
    sendJson(res, 400, {
      error: `partial write: unable to parse line ${first.line}: ${first.message} dropped=${parsed.errors.length}`,
      code: 'invalid',
    });
    return;
  }
  res.writeHead(204);
  res.end();
}
