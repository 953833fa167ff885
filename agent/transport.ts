import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { AGENT_WS_PATH, decodeCollectorFrame, encodeFrame, FrameError, PROTOCOL_VERSION } from '../protocol/frames.ts';
import type { Outbox } from './outbox.ts';

export interface TransportOptions {
  url: string;
  token: string;
  caFile?: string | undefined;
  /** mTLS client certificate and key (PEM files). */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  serverName?: string | undefined;
  heartbeatMs: number;
  maxInFlight: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  agentVersion: string;
  probes: string[];
  log: Logger;
  random?: () => number;
}

/** Bytes queued in the socket beyond which the transport stops sending until it drains. */
const HIGH_WATER = 4 * 1024 * 1024;

/**
 * Pushes outbox batches to the collector over one WebSocket, keeping up to `maxInFlight`
 * unacked batches on the wire. On any disconnect everything unacked is sent again from the
 * outbox after a jittered exponential backoff; the outbox row is deleted only on ack.
 */
export class Transport {
  private ws?: WebSocket;
  private ready = false;
  private lastSent = 0;
  private inFlight = new Set<number>();
  private attempt = 0;
  /** Batches refused in a row (clock ahead): the reconnect backs off as if that many attempts failed. */
  private refusals = 0;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private awaitingPong = false;
  private closed = false;
  private unsub: () => void;
  private ca?: Buffer;
  private clientCert?: { cert: Buffer; key: Buffer };
  private drainWaiters: (() => void)[] = [];
  /** Counters for self-metrics and tests. */
  readonly stats = { connects: 0, disconnects: 0, sentBatches: 0, ackedBatches: 0, authFailures: 0 };
  private readonly opts: TransportOptions;
  private readonly outbox: Outbox;

  constructor(opts: TransportOptions, outbox: Outbox) {
    this.opts = opts;
    this.outbox = outbox;
    if (opts.caFile) this.ca = readFileSync(opts.caFile);
    if (opts.certFile && opts.keyFile) this.clientCert = { cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile) };
    this.unsub = outbox.onAppend(() => this.pump());
  }

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    this.connect();
  }

  private endpoint(): string {
    const u = new URL(this.opts.url);
    if (u.pathname === '/' || u.pathname === '') u.pathname = AGENT_WS_PATH;
    return u.toString();
  }

  private connect(): void {
    if (this.closed) return;
    const log = this.opts.log;
    const ws = new WebSocket(this.endpoint(), {
      headers: { authorization: `Bearer ${this.opts.token}` },
      ...(this.ca ? { ca: this.ca } : {}),
      ...(this.clientCert ?? {}),
      ...(this.opts.serverName ? { servername: this.opts.serverName } : {}),
      handshakeTimeout: 10_000,
      maxPayload: 1024 * 1024,
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 401 || res.statusCode === 403) {
        this.stats.authFailures++;
        log.error({ status: res.statusCode }, 'collector rejected this agent\'s token: enrol the agent again (`watchpost enroll`) and update collector.token');
      } else {
        log.warn({ status: res.statusCode }, 'collector refused the WebSocket upgrade');
      }
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      ws.send(
        encodeFrame({
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          agent_version: this.opts.agentVersion,
          hostname: os.hostname(),
          platform: `${process.platform}-${process.arch}`,
          probes: this.opts.probes,
        }),
      );
    });
    ws.on('message', (data) => {
      let frame;
      try {
        frame = decodeCollectorFrame(data as Buffer);
      } catch (e) {
        log.warn({ err: (e as FrameError).message }, 'bad frame from collector: reconnecting');
        ws.terminate();
        return;
      }
      switch (frame.type) {
        case 'welcome':
          this.ready = true;
          this.attempt = 0;
          this.stats.connects++;
          log.info({ agent_id: frame.agent_id, clock_offset_ms: frame.server_time_ms - Date.now() }, 'connected to collector');
          this.startHeartbeat();
          this.pump();
          break;
        case 'ack':
          this.refusals = 0;
          if (this.inFlight.delete(frame.seq)) {
            this.outbox.ack(frame.seq);
            this.stats.ackedBatches++;
          }
          if (this.inFlight.size === 0) this.notifyDrain();
          this.pump();
          break;
        case 'error':
          if (frame.code === 'clock_ahead') {
            // The batch stays in the outbox (it was not acked); retrying at once would only be
            // refused again until the clock is fixed, so the reconnect backs off further each time.
            this.refusals = Math.min(this.refusals + 1, 30);
            log.warn({ code: frame.code, message: frame.message, queued_batches: this.outbox.stats().batches }, 'collector refused a batch: this machine\'s clock is ahead; the batch is kept in the outbox');
          } else log.warn({ code: frame.code, message: frame.message }, 'collector reported an error');
          break;
      }
    });
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.on('error', (e) => log.debug({ err: e.message }, 'websocket error'));
    ws.on('close', (code, reason) => {
      if (this.ready) this.stats.disconnects++;
      this.ready = false;
      this.inFlight.clear();
      this.lastSent = 0;
      clearInterval(this.heartbeat);
      if (this.closed) return;
      const delay = this.backoff();
      log.info({ code, reason: reason.toString(), retry_in_ms: Math.round(delay) }, 'disconnected from collector');
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  /** Full-jitter exponential backoff, capped. */
  private backoff(): number {
    const cap = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** Math.max(this.attempt, this.refusals));
    this.attempt = Math.min(this.attempt + 1, 30);
    const r = (this.opts.random ?? Math.random)();
    return cap / 2 + (r * cap) / 2;
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.awaitingPong = false;
    this.heartbeat = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      if (this.awaitingPong) {
        this.opts.log.warn('collector missed a heartbeat: reconnecting');
        ws.terminate();
        return;
      }
      this.awaitingPong = true;
      ws.ping();
    }, this.opts.heartbeatMs);
    this.heartbeat.unref?.();
  }

  /** Sends queued batches while the window and the socket buffer allow. */
  private pump(): void {
    const ws = this.ws;
    if (!ws || !this.ready || ws.readyState !== WebSocket.OPEN) return;
    while (this.inFlight.size < this.opts.maxInFlight && ws.bufferedAmount < HIGH_WATER) {
      const rows = this.outbox.peek(this.lastSent, Math.min(64, this.opts.maxInFlight - this.inFlight.size));
      if (!rows.length) return;
      for (const r of rows) {
        ws.send(r.frame);
        this.inFlight.add(r.seq);
        this.lastSent = r.seq;
        this.stats.sentBatches++;
      }
    }
    if (ws.bufferedAmount >= HIGH_WATER) setTimeout(() => this.pump(), 20).unref?.();
  }

  private notifyDrain(): void {
    if (this.outbox.stats().batches > 0) return;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Resolves when the outbox is empty (all acked) or after timeoutMs; returns whether it drained. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.outbox.stats().batches === 0) return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsub();
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'agent stopping');
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2000).unref?.();
      });
    }
  }
}
