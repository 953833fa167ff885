import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeAgentFrame } from '../../protocol/schema.ts';
import { AGENT_WS_PATH, CloseCode, encodeFrame, eventFromWire, FrameError, fromWire, PROTOCOL_VERSION } from '../../protocol/frames.ts';
import { authKey, bearer } from '../http/auth.ts';
import type { Counter, Metrics } from '../../lib/metrics.ts';
import type { ClientCerts } from '../security/client-certs.ts';
import { certFingerprint } from '../security/pki.ts';
import type { FailureLimiter } from '../security/rate-limit.ts';
import { type AgentRegistry, hashToken } from '../store/agents.ts';
import { SpoolFullError } from '../store/spool.ts';
import { ClockAheadError, type Ingest, type Source } from './ingest.ts';

export interface AgentSocketOptions {
  maxFrameBytes: number;
  /** The Strict-Transport-Security value for the upgrade's answers (set when serving TLS). */
  hsts?: string | undefined;
  agents: AgentRegistry;
  ingest: Ingest;
  metrics: Metrics;
  log: Logger;
  /** Shared with /write: failed authentications per address. */
  authLimiter: FailureLimiter;
  counters: { limited: Counter; authFailures: Counter; badFrames: Counter };
  /** mTLS: the site CA is set (tls.client_ca_file); agents must present a certificate recorded here. */
  mtls: boolean;
  clientCerts?: ClientCerts | undefined;
  requireClientCert?: boolean | undefined;
}

interface Conn {
  ws: WebSocket;
  agent: { id: string; name: string; tags: Record<string, string> };
  /** The hash of the token it authenticated with: a rotated or revoked token ends the connection. */
  tokenSha256: string;
  /** What its batches are ingested as. */
  source: Source;
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

/**
 * The agent WebSocket endpoint (AGENT_WS_PATH): authenticates the upgrade (token, mTLS,
 * failure limit), then validates every frame; a bad one costs the sender a close code and a
 * counter, never the process. Batches go to ingest and are acked once durable.
 */
export class AgentSocket {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<string, Conn>();
  private readonly o: AgentSocketOptions;
  private readonly batches;

  constructor(o: AgentSocketOptions) {
    this.o = o;
    this.batches = o.metrics.counter('watchpost_batches_total', 'Agent batches acked');
    o.metrics.gauge('watchpost_agents_connected', 'Agents with an open WebSocket', () => this.conns.size);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes, perMessageDeflate: false });
    const hsts = o.hsts;
    if (hsts) this.wss.on('headers', (headers) => headers.push(`Strict-Transport-Security: ${hsts}`));
    this.unsubscribe = o.agents.onCredentialsChange(() => this.recheckCredentials());
    // An idle connection hears of a revocation from another process within a second too.
    this.recheckTimer = setInterval(() => {
      if (this.conns.size && this.o.agents.changedElsewhere()) this.recheckCredentials();
    }, 1000);
    this.recheckTimer.unref();
  }

  private readonly unsubscribe: () => void;
  private readonly recheckTimer: NodeJS.Timeout;

  connectedAgents(): string[] {
    return [...this.conns.values()].map((c) => c.agent.name);
  }

  /** The http server's 'upgrade' event. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (status: number, msg: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${msg}\r\n${this.o.hsts ? `Strict-Transport-Security: ${this.o.hsts}\r\n` : ''}Connection: close\r\nContent-Length: 0\r\n\r\n`,
      );
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
    const token = bearer(req);
    const key = authKey(addr, token);
    if (this.o.authLimiter.blocked(key)) {
      this.o.counters.limited.inc({ limit: 'auth_failures' });
      reject(429, 'Too Many Requests');
      return;
    }
    const agent = token ? this.o.agents.authenticate(token) : undefined;
    const certProblem = agent ? this.checkClientCert(req, agent.name) : undefined;
    if (!agent || certProblem) {
      this.o.counters.authFailures.inc({ endpoint: 'agent_ws' });
      if (this.o.authLimiter.fail(key))
        this.o.log.warn({ addr }, 'too many failed agent authentications with one token from one address: refusing that token from there for a minute');
      this.o.log.warn({ addr, agent: agent?.name, reason: certProblem ?? 'missing, unknown or revoked token' }, 'agent connection refused');
      reject(401, 'Unauthorized');
      return;
    }
    const tokenSha256 = hashToken(token!);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, agent, tokenSha256, req.socket.remoteAddress ?? ''));
  }

  /** mTLS: why the agent's client certificate is not acceptable, or undefined when it is (or mTLS is off). */
  private checkClientCert(req: http.IncomingMessage, agentName: string): string | undefined {
    if (!this.o.mtls) return undefined;
    const sock = req.socket as TLSSocket;
    const peer = sock.getPeerCertificate?.();
    const presented = peer && Object.keys(peer).length > 0;
    if (!presented) return this.o.requireClientCert ? 'no client certificate (tls.require_client_cert)' : undefined;
    if (!sock.authorized) return `client certificate not signed by the site CA (${String(sock.authorizationError)})`;
    return this.o.clientCerts?.check(certFingerprint(peer.raw), agentName);
  }

  /**
   * Closes the connections whose token was rotated or revoked, before another batch of theirs
   * is taken. In this process the registry says so at once; the enroll CLI is another process,
   * seen through the store's data_version (checked before every batch and every second).
   */
  private recheckCredentials(): void {
    for (const c of [...this.conns.values()]) {
      if (this.o.agents.stillValid(c.agent.id, c.tokenSha256)) continue;
      this.conns.delete(c.agent.id);
      this.o.agents.seen(c.agent.id, {});
      this.o.log.warn({ agent: c.agent.name, addr: c.addr }, 'agent token rotated or revoked: closing its connection');
      c.ws.close(CloseCode.revoked, 'token revoked or rotated');
    }
  }

  private credentialsCurrent(conn: Conn): boolean {
    if (this.o.agents.changedElsewhere()) this.recheckCredentials();
    return this.conns.get(conn.agent.id) === conn;
  }

  private onConnection(ws: WebSocket, agent: Conn['agent'], tokenSha256: string, addr: string): void {
    const log = this.o.log.child({ agent: agent.name });
    const old = this.conns.get(agent.id);
    if (old) {
      // Two live connections with one token are one machine reconnecting, or a copied token.
      log.warn(
        { addr, previous_addr: old.addr },
        "a second connection with this agent's token: replacing the older one (a copied token makes two machines take turns)",
      );
      old.ws.close(CloseCode.replaced, 'replaced by a newer connection');
    }
    const conn: Conn = { ws, agent, tokenSha256, source: { kind: 'agent', name: agent.name, tags: agent.tags }, hello: false, addr, acks: [] };
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
    ws.on('message', (data, isBinary) => {
      alive = true;
      this.onMessage(conn, log, data as Buffer, isBinary);
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

  /** Runs one batch into ingest; false when the connection was closed instead. */
  private ingest(conn: Conn, log: Logger, run: () => void): boolean {
    try {
      run();
      return true;
    } catch (e) {
      if (e instanceof ClockAheadError) {
        log.warn({ addr: conn.addr, points: e.points }, "agent batch refused: its samples are stamped ahead of the collector's clock (the agent keeps them)");
        conn.ws.send(encodeFrame({ type: 'error', code: e.code, message: e.message }));
        conn.ws.close(CloseCode.batchRefused, 'batch refused: clock ahead');
        return false;
      }
      if (e instanceof SpoolFullError) {
        log.error('spool full: refusing batches until InfluxDB catches up (agents keep them in their outboxes)');
        conn.ws.close(1013, 'spool full, try again later');
        return false;
      }
      log.error({ err: (e as Error).stack }, 'ingest failed');
      conn.ws.close(1011, 'internal error');
      return false;
    }
  }

  private acked(conn: Conn, seq: number): void {
    this.batches.inc();
    if (conn.acks.push(seq) === 1) setImmediate(sendAcks, conn);
  }

  private onMessage(conn: Conn, log: Logger, data: Buffer, isBinary: boolean): void {
    const { ws, agent, source } = conn;
    if (!this.credentialsCurrent(conn)) return;
    // Batches in the agents' own layout are taken from their bytes (transcode.ts); anything
    // else, and anything invalid, is decoded whole below.
    if (conn.hello && !isBinary) {
      let r: { seq: number; accepted: number; rejected: number } | undefined;
      if (!this.ingest(conn, log, () => (r = this.o.ingest.acceptFrame(source, data)))) return;
      if (r !== undefined) {
        this.o.agents.batch(agent.id, r.accepted + r.rejected);
        this.acked(conn, r.seq);
        return;
      }
    }
    let frame;
    try {
      if (isBinary) throw new FrameError('binary frames are not part of the protocol');
      frame = decodeAgentFrame(data);
    } catch (e) {
      this.o.counters.badFrames.inc({ reason: 'schema' });
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
      this.o.agents.seen(agent.id, { addr: conn.addr, version: frame.agent_version, hostname: frame.hostname });
      this.o.agents.hello(agent.id, { probes: frame.probes, platform: frame.platform });
      ws.send(encodeFrame({ type: 'welcome', protocol: PROTOCOL_VERSION, agent_id: agent.name, server_time_ms: Date.now() }));
      log.info({ addr: conn.addr, version: frame.agent_version, probes: frame.probes.length }, 'agent connected');
      return;
    }
    if (!conn.hello) {
      this.o.counters.badFrames.inc({ reason: 'no_hello' });
      ws.close(CloseCode.badFrame, 'hello must come first');
      return;
    }
    if (frame.type === 'document') {
      const doc = frame;
      if (this.ingest(conn, log, () => this.o.ingest.acceptDocument(source, { kind: doc.kind, hash: doc.hash, time: doc.time, body: doc.body })))
        this.acked(conn, doc.seq);
      return;
    }
    const batch = frame;
    if (this.ingest(conn, log, () => this.o.ingest.accept(source, batch.samples.map(fromWire), (batch.events ?? []).map(eventFromWire)))) {
      this.o.agents.batch(agent.id, batch.samples.length);
      this.acked(conn, batch.seq);
    }
  }

  /** Closes every agent socket (shutting down) and records when each was last seen. */
  close(): void {
    clearInterval(this.recheckTimer);
    this.unsubscribe();
    // Record last-seen now: the sockets' close events fire after the caller has closed the state DB.
    const open = [...this.conns.values()];
    this.conns.clear();
    for (const c of open) {
      this.o.agents.seen(c.agent.id, {});
      c.ws.close(CloseCode.shuttingDown, 'collector stopping');
    }
    this.wss.close();
  }
}
