import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { sendJson } from './http/respond.ts';
import { type Handler, type RouteOptions, Router } from './http/router.ts';
import { AgentSocket } from './ingest/agent-socket.ts';
import type { Ingest } from './ingest/ingest.ts';
import { registerWriteEndpoint } from './ingest/write-endpoint.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { ClientCerts } from './security/client-certs.ts';
import { ConnectionLimiter, FailureLimiter, TokenBucket } from './security/rate-limit.ts';
import type { AgentRegistry } from './store/agents.ts';

export interface ServerOptions {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer } | undefined;
  maxFrameBytes: number;
  agents: AgentRegistry;
  ingest: Ingest;
  metrics: Metrics;
  log: Logger;
  /** Hashes of tokens allowed on /write and /api/v2/write, by sender name. */
  writeTokens: Map<string, string>;
  httpWriteEnabled: boolean;
  health: () => Record<string, unknown>;
  /** Per-address limits (config `limits`); defaults when absent. */
  limits?: { auth_failures_per_min: number; api_requests_per_s: number; api_burst: number; max_connections_per_ip: number } | undefined;
  /** mTLS: agents must present a certificate recorded here (with tls.ca set). */
  clientCerts?: ClientCerts | undefined;
  requireClientCert?: boolean | undefined;
}

/** Node checks headersTimeout/requestTimeout only this often (default 30 s, which lets a slow-loris hold sockets for 40 s). */
const SLOW_CLIENTS = { connectionsCheckingInterval: 1000 };

/** Paths not subject to the per-address API rate (agents, Telegraf and scrapers have their own controls). */
const UNLIMITED = new Set(['/write', '/api/v2/write', '/healthz', '/metrics', '/ping']);

/**
 * Sent on every answer when the collector serves TLS: a browser that reached the console over
 * HTTPS once never falls back to plain HTTP for a year. No includeSubDomains: the collector
 * does not own its domain's other hosts.
 */
const HSTS = 'max-age=31536000';

/**
 * The collector's HTTP(S) server, composed: per-address limits, the router (collector/http)
 * with /healthz, /metrics and /ping, the agent WebSocket (ingest/agent-socket.ts) and
 * line-protocol /write (ingest/write-endpoint.ts); modules add routes through `route`.
 */
export class CollectorServer {
  readonly server: http.Server | https.Server;
  private readonly router: Router;
  private readonly agentSocket: AgentSocket;
  private readonly o: ServerOptions;
  /** Failed authentications per client address, shared by the agent endpoint and /write. */
  readonly authLimiter: FailureLimiter;
  private readonly apiLimiter: TokenBucket;
  private readonly connLimiter: ConnectionLimiter;

  constructor(o: ServerOptions) {
    this.o = o;
    const m = o.metrics;
    const lim = o.limits ?? { auth_failures_per_min: 10, api_requests_per_s: 20, api_burst: 100, max_connections_per_ip: 256 };
    this.authLimiter = new FailureLimiter({ max: lim.auth_failures_per_min, windowMs: 60_000 });
    this.apiLimiter = new TokenBucket({ ratePerS: lim.api_requests_per_s, burst: lim.api_burst });
    this.connLimiter = new ConnectionLimiter(lim.max_connections_per_ip);
    const counters = {
      limited: m.counter('watchpost_rate_limited_total', 'Requests and connections refused by a rate limit, by limit'),
      badFrames: m.counter('watchpost_bad_frames_total', 'Frames refused as invalid, by reason'),
      authFailures: m.counter('watchpost_auth_failures_total', 'Requests refused for a missing, wrong or revoked token, by endpoint'),
    };
    this.agentSocket = new AgentSocket({
      maxFrameBytes: o.maxFrameBytes,
      agents: o.agents,
      ingest: o.ingest,
      metrics: m,
      log: o.log,
      authLimiter: this.authLimiter,
      counters,
      mtls: Boolean(o.tls?.ca),
      hsts: o.tls ? HSTS : undefined,
      clientCerts: o.clientCerts,
      requireClientCert: o.requireClientCert,
    });
    this.router = new Router({
      log: o.log,
      hsts: o.tls ? HSTS : undefined,
      gate: (req, res, url) => {
        if (UNLIMITED.has(url.pathname)) return true;
        const wait = this.apiLimiter.take(req.socket.remoteAddress ?? '');
        if (!wait) return true;
        counters.limited.inc({ limit: 'api_requests' });
        sendJson(res, 429, { error: 'too many requests' }, { 'retry-after': String(Math.ceil(wait / 1000)) });
        return false;
      },
    });
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.router.handle(req, res);
    // With a client CA the TLS layer asks for a certificate but does not insist: the console's
    // browsers have none. The agent endpoint checks `authorized` itself (AgentSocket.upgrade).
    this.server = o.tls
      ? https.createServer(
          {
            ...SLOW_CLIENTS,
            handshakeTimeout: 10_000,
            cert: o.tls.cert,
            key: o.tls.key,
            ...(o.tls.ca ? { ca: o.tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
          },
          handler,
        )
      : http.createServer(SLOW_CLIENTS, handler);
    this.server.on('connection', (socket: Duplex & { remoteAddress?: string }) => {
      const addr = socket.remoteAddress ?? '';
      if (!this.connLimiter.open(addr)) {
        counters.limited.inc({ limit: 'connections_per_ip' });
        socket.destroy();
        return;
      }
      socket.once('close', () => this.connLimiter.close(addr));
    });
    // Slow-loris: a client must send its headers and body promptly.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 60_000;
    this.server.keepAliveTimeout = 65_000;
    this.server.on('upgrade', (req, socket, head) => this.agentSocket.upgrade(req, socket, head));
    this.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok', ...o.health() }));
    this.route('GET', '/metrics', (_req, res) => {
      const text = m.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
    });
    registerWriteEndpoint(this.router, {
      enabled: o.httpWriteEnabled,
      tokens: o.writeTokens,
      agents: o.agents,
      ingest: o.ingest,
      maxBytes: o.maxFrameBytes,
      authLimiter: this.authLimiter,
      counters,
    });
    this.route('GET', '/ping', (_req, res) => {
      res.writeHead(204, { 'x-influxdb-version': 'watchpost' });
      res.end();
    });
  }

  /** Registers a handler for a path or a pattern (`:name`, `:name(regex)`, `*rest`; see collector/http/router.ts). */
  route(method: string, pattern: string, h: Handler, opts: RouteOptions = {}): void {
    this.router.route(method, pattern, h, opts);
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as { port: number }).port;
  }

  connectedAgents(): string[] {
    return this.agentSocket.connectedAgents();
  }

  async close(): Promise<void> {
    this.agentSocket.close();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function loadTls(t: { cert_file: string; key_file: string; client_ca_file?: string | undefined } | undefined) {
  if (!t) return undefined;
  return { cert: readFileSync(t.cert_file), key: readFileSync(t.key_file), ca: t.client_ca_file ? readFileSync(t.client_ca_file) : undefined };
}
