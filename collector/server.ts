import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeAgentFrame } from '../protocol/schema.ts';
import { AGENT_WS_PATH, CloseCode, encodeFrame, eventFromWire, FrameError, fromWire, PROTOCOL_VERSION } from '../protocol/frames.ts';
import { isPrecision, parseLines } from '../protocol/line-protocol.ts';
import type { Ingest, Source } from './ingest/ingest.ts';
import type { Metrics } from './metrics.ts';
import type { AgentRegistry } from './store/agents.ts';
import { hashToken } from './store/agents.ts';
import { SpoolFullError } from './store/spool.ts';
import type { ClientCerts } from './security/client-certs.ts';
import { certFingerprint } from './security/pki.ts';
import { ConnectionLimiter, FailureLimiter, TokenBucket } from './security/rate-limit.ts';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;

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

interface Conn {
  ws: WebSocket;
  agent: { id: string; name: string; tags: Record<string, string> };
  hello: boolean;
  addr: string;
  /** Seqs made durable in this turn of the event loop, acked together (sendAcks). */
  acks: number[];
}

/**
 * Sends the acks of one turn of the event loop in one socket write: an agent with several
 * batches in flight gets them together, and each write to a loopback or LAN socket wakes
 * the receiver (one write per batch was a tenth of the collector's main-thread time at
 * 100k points/s). Each ack is still its own frame, as the protocol has it.
 */
function sendAcks(conn: Conn): void {
  const seqs = conn.acks.splice(0);
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  // ws writes each frame to the socket at once; corking the socket joins them.
  const socket = (conn.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  socket?.cork();
  for (const seq of seqs) conn.ws.send(`{"type":"ack","seq":${seq}}`);
  socket?.uncork();
}

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Reads a request body up to `limit` bytes; a larger one is a 413, never buffered whole. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new HttpError(413, `body larger than ${limit} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function bearer(req: http.IncomingMessage, url?: URL): string | undefined {
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
 * The collector's HTTP(S) server: the agent WebSocket endpoint, line-protocol /write for
 * Telegraf, /healthz and /metrics, plus routes other modules register (console, API,
 * SMS callbacks). Frames are validated; a bad one costs the sender a close code and a
 * counter, never the process.
 */
export class CollectorServer {
  readonly server: http.Server | https.Server;
  private wss: WebSocketServer;
  private conns = new Map<string, Conn>();
  private routes = new Map<string, Handler>();
  private prefixRoutes: [string, string, Handler][] = [];
  private logPaths = new Map<Handler, (pathname: string) => string>();
  private readonly o: ServerOptions;
  private readonly badFrames;
  private readonly authFailures;
  private readonly batches;
  private readonly limited;
  /**
   * Failed authentications per client address. Exposed so the console's login form counts
   * into the same budget: `blocked(addr)` before checking a password, `fail(addr)` after a
   * wrong one, `succeed(addr)` after a right one.
   */
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
    this.limited = m.counter('watchpost_rate_limited_total', 'Requests and connections refused by a rate limit, by limit');
    this.badFrames = m.counter('watchpost_bad_frames_total', 'Frames refused as invalid, by reason');
    this.authFailures = m.counter('watchpost_auth_failures_total', 'Requests refused for a missing, wrong or revoked token, by endpoint');
    this.batches = m.counter('watchpost_batches_total', 'Agent batches acked');
    m.gauge('watchpost_agents_connected', 'Agents with an open WebSocket', () => this.conns.size);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    // With a client CA the TLS layer asks for a certificate but does not insist: the console's
    // browsers have none. The agent endpoint checks `authorized` itself (upgrade()).
    this.server = o.tls
      ? https.createServer({ ...SLOW_CLIENTS, handshakeTimeout: 10_000, cert: o.tls.cert, key: o.tls.key, ...(o.tls.ca ? { ca: o.tls.ca, requestCert: true, rejectUnauthorized: false } : {}) }, handler)
      : http.createServer(SLOW_CLIENTS, handler);
    this.server.on('connection', (socket: Duplex & { remoteAddress?: string }) => {
      const addr = socket.remoteAddress ?? '';
      if (!this.connLimiter.open(addr)) {
        this.limited.inc({ limit: 'connections_per_ip' });
        socket.destroy();
        return;
      }
      socket.once('close', () => this.connLimiter.close(addr));
    });
    // Slow-loris: a client must send its headers and body promptly.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 60_000;
    this.server.keepAliveTimeout = 65_000;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes, perMessageDeflate: false });
    if (o.tls) this.wss.on('headers', (headers) => headers.push(`Strict-Transport-Security: ${HSTS}`));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok', ...o.health() }));
    this.route('GET', '/metrics', (_req, res) => {
      const text = m.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
    });
    const write = (v2: boolean): Handler => (req, res, url) => this.write(req, res, url, v2);
    this.route('POST', '/write', write(false));
    this.route('POST', '/api/v2/write', write(true));
    this.route('GET', '/ping', (_req, res) => {
      res.writeHead(204, { 'x-influxdb-version': 'watchpost' });
      res.end();
    });
  }

  /**
   * Registers a handler for an exact path, or for every path under a prefix ending in '/'.
   * `logPath` rewrites the path before it reaches a log line, for routes that carry a secret
   * in the path itself (the SMS uplink's callback token): it should put `<secret>` there.
   */
  route(method: string, path: string, h: Handler, opts: { logPath?: (pathname: string) => string } = {}): void {
    if (path.endsWith('/') && path.length > 1) this.prefixRoutes.push([method, path, h]);
    else this.routes.set(`${method} ${path}`, h);
    if (opts.logPath) this.logPaths.set(h, opts.logPath);
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
    return [...this.conns.values()].map((c) => c.agent.name);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Set before any route writes its head, so every answer carries it (writeHead merges).
    if (this.o.tls) res.setHeader('strict-transport-security', HSTS);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collector');
    } catch {
      sendJson(res, 400, { error: 'bad request URL' });
      return;
    }
    let h = this.routes.get(`${req.method} ${url.pathname}`);
    if (!h) h = this.prefixRoutes.find(([m, p]) => m === req.method && url.pathname.startsWith(p))?.[2];
    if (!h) {
      sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
      return;
    }
    if (!UNLIMITED.has(url.pathname)) {
      const wait = this.apiLimiter.take(req.socket.remoteAddress ?? '');
      if (wait) {
        this.limited.inc({ limit: 'api_requests' });
        sendJson(res, 429, { error: 'too many requests' }, { 'retry-after': String(Math.ceil(wait / 1000)) });
        return;
      }
    }
    try {
      await h(req, res, url);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) this.o.log.error({ err: (e as Error).stack, path: this.logPaths.get(h)?.(url.pathname) ?? url.pathname }, 'request handler failed');
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error' : (e as Error).message });
      else res.destroy();
    }
  }

  private async write(req: http.IncomingMessage, res: http.ServerResponse, url: URL, v2: boolean): Promise<void> {
    if (!this.o.httpWriteEnabled) throw new HttpError(404, 'line-protocol /write is disabled (http_write.enabled)');
    const addr = req.socket.remoteAddress ?? '';
    const wait = this.authLimiter.blocked(addr);
    if (wait) {
      this.limited.inc({ limit: 'auth_failures' });
      sendJson(res, 429, { error: 'too many failed authentications' }, { 'retry-after': String(Math.ceil(wait / 1000)) });
      return;
    }
    const token = bearer(req, v2 ? undefined : url);
    const name = token ? this.o.writeTokens.get(hashToken(token)) : undefined;
    const agent = token && !name ? this.o.agents.authenticate(token) : undefined;
    if (!name && !agent) {
      this.authFailures.inc({ endpoint: v2 ? 'api_v2_write' : 'write' });
      this.authLimiter.fail(addr);
      sendJson(res, 401, { error: 'missing or invalid token' }, { 'www-authenticate': 'Token' });
      return;
    }
    const precision = url.searchParams.get('precision') ?? 'ns';
    if (!isPrecision(precision)) throw new HttpError(400, `unknown precision "${precision}": use ns, us, ms or s`);
    const body = await readBody(req, this.o.maxFrameBytes);
    const text = req.headers['content-encoding'] === 'gzip' ? (await import('node:zlib')).gunzipSync(body, { maxOutputLength: this.o.maxFrameBytes }).toString('utf8') : body.toString('utf8');
    const parsed = parseLines(text, precision);
    const source: Source = agent ? { kind: 'agent', name: agent.name, tags: agent.tags } : { kind: 'http', name: name!, tags: {} };
    try {
      this.o.ingest.accept(source, parsed.samples);
    } catch (e) {
      if (e instanceof SpoolFullError) {
        sendJson(res, 503, { error: 'collector spool is full, retry later' }, { 'retry-after': '30' });
        return;
      }
      throw e;
    }
    if (parsed.errors.length) {
      this.badFrames.inc({ reason: 'line_protocol' }, parsed.errors.length);
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

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (status: number, msg: string) => {
      socket.end(`HTTP/1.1 ${status} ${msg}\r\n${this.o.tls ? `Strict-Transport-Security: ${HSTS}\r\n` : ''}Connection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    let path = '';
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      /* reported below as an unknown path */
    }
    if (path !== AGENT_WS_PATH) {
      reject(404, 'Not Found');
      return;
    }
    const addr = req.socket.remoteAddress ?? '';
    if (this.authLimiter.blocked(addr)) {
      this.limited.inc({ limit: 'auth_failures' });
      reject(429, 'Too Many Requests');
      return;
    }
    const token = bearer(req);
    const agent = token ? this.o.agents.authenticate(token) : undefined;
    const certProblem = agent ? this.checkClientCert(req, agent.name) : undefined;
    if (!agent || certProblem) {
      this.authFailures.inc({ endpoint: 'agent_ws' });
      if (this.authLimiter.fail(addr)) this.o.log.warn({ addr }, 'too many failed agent authentications from one address: refusing it for a minute');
      this.o.log.warn({ addr, agent: agent?.name, reason: certProblem ?? 'missing, unknown or revoked token' }, 'agent connection refused');
      reject(401, 'Unauthorized');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, agent, req.socket.remoteAddress ?? ''));
  }

  /** mTLS: why the agent's client certificate is not acceptable, or undefined when it is (or mTLS is off). */
  private checkClientCert(req: http.IncomingMessage, agentName: string): string | undefined {
    if (!this.o.tls?.ca) return undefined;
    const sock = req.socket as TLSSocket;
    const peer = sock.getPeerCertificate?.();
    const presented = peer && Object.keys(peer).length > 0;
    if (!presented) return this.o.requireClientCert ? 'no client certificate (tls.require_client_cert)' : undefined;
    if (!sock.authorized) return `client certificate not signed by the site CA (${String(sock.authorizationError)})`;
    return this.o.clientCerts?.check(certFingerprint(peer.raw), agentName);
  }

  private onConnection(ws: WebSocket, agent: Conn['agent'], addr: string): void {
    const log = this.o.log.child({ agent: agent.name });
    const old = this.conns.get(agent.id);
    if (old) old.ws.close(CloseCode.replaced, 'replaced by a newer connection');
    const conn: Conn = { ws, agent, hello: false, addr, acks: [] };
    this.conns.set(agent.id, conn);
    const helloTimer = setTimeout(() => {
      if (!conn.hello) ws.close(CloseCode.badFrame, 'no hello within 10 s');
    }, 10_000);
    let alive = true;
    const ping = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, 30_000);
    ws.on('pong', () => (alive = true));
    const source: Source = { kind: 'agent', name: agent.name, tags: agent.tags };
    /** Runs one batch into ingest; false when the connection was closed instead. */
    const ingest = (run: () => void): boolean => {
      try {
        run();
        return true;
      } catch (e) {
        if (e instanceof SpoolFullError) {
          log.error('spool full: refusing batches until InfluxDB catches up (agents keep them in their outboxes)');
          ws.close(1013, 'spool full, try again later');
          return false;
        }
        log.error({ err: (e as Error).stack }, 'ingest failed');
        ws.close(1011, 'internal error');
        return false;
      }
    };
    const acked = (seq: number) => {
      this.batches.inc();
      if (conn.acks.push(seq) === 1) setImmediate(sendAcks, conn);
    };
    ws.on('message', (data, isBinary) => {
      alive = true;
      // Batches in the agents' own layout are taken from their bytes (transcode.ts); anything
      // else, and anything invalid, is decoded whole below.
      if (conn.hello && !isBinary) {
        let r: { seq: number; accepted: number; rejected: number } | undefined;
        if (!ingest(() => (r = this.o.ingest.acceptFrame(source, data as Buffer)))) return;
        if (r !== undefined) {
          this.o.agents.batch(agent.id, r.accepted + r.rejected);
          return acked(r.seq);
        }
      }
      let frame;
      try {
        if (isBinary) throw new FrameError('binary frames are not part of the protocol');
        frame = decodeAgentFrame(data as Buffer);
      } catch (e) {
        this.badFrames.inc({ reason: 'schema' });
        log.warn({ err: (e as Error).message }, 'bad frame from agent: closing its connection');
        ws.close(CloseCode.badFrame, (e as Error).message.slice(0, 120));
        return;
      }
      if (frame.type === 'hello') {
        if (frame.protocol !== PROTOCOL_VERSION) {
          ws.close(CloseCode.unsupportedProtocol, `protocol ${frame.protocol} unsupported; collector speaks ${PROTOCOL_VERSION}`);
          return;
        }
        conn.hello = true;
        this.o.agents.seen(agent.id, { addr, version: frame.agent_version, hostname: frame.hostname });
        this.o.agents.hello(agent.id, { probes: frame.probes, platform: frame.platform });
        ws.send(encodeFrame({ type: 'welcome', protocol: PROTOCOL_VERSION, agent_id: agent.name, server_time_ms: Date.now() }));
        log.info({ addr, version: frame.agent_version, probes: frame.probes.length }, 'agent connected');
        return;
      }
      if (!conn.hello) {
        this.badFrames.inc({ reason: 'no_hello' });
        ws.close(CloseCode.badFrame, 'hello must come first');
        return;
      }
      if (frame.type === 'document') {
        const doc = frame;
        if (ingest(() => this.o.ingest.acceptDocument(source, { kind: doc.kind, hash: doc.hash, time: doc.time, body: doc.body }))) acked(doc.seq);
        return;
      }
      const batch = frame;
      if (ingest(() => this.o.ingest.accept(source, batch.samples.map(fromWire), (batch.events ?? []).map(eventFromWire)))) {
        this.o.agents.batch(agent.id, batch.samples.length);
        acked(batch.seq);
      }
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      clearInterval(ping);
      if (this.conns.get(agent.id) === conn) {
        this.conns.delete(agent.id);
        this.o.agents.seen(agent.id, {});
      }
    });
    ws.on('error', (e) => log.debug({ err: e.message }, 'agent socket error'));
  }

  async close(): Promise<void> {
    // Record last-seen now: the sockets' close events fire after the caller has closed the state DB.
    const open = [...this.conns.values()];
    this.conns.clear();
    for (const c of open) {
      this.o.agents.seen(c.agent.id, {});
      c.ws.close(CloseCode.shuttingDown, 'collector stopping');
    }
    this.wss.close();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function loadTls(t: { cert_file: string; key_file: string; client_ca_file?: string | undefined } | undefined) {
  if (!t) return undefined;
  return { cert: readFileSync(t.cert_file), key: readFileSync(t.key_file), ca: t.client_ca_file ? readFileSync(t.client_ca_file) : undefined };
}
