import http from 'node:http';
import https from 'node:https';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PostReply, PostRequest } from './influx-post-worker.ts';
import { Window, type Metrics } from '../../lib/metrics.ts';
import type { Spool, SpoolRow } from './spool.ts';

export interface InfluxTarget {
  url: string;
  database: string;
  retention_policy?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** InfluxDB 2.x/3.x token (v1-compatible /write with a DBRP mapping). */
  token?: string | undefined;
  batch_points: number;
  timeout_ms: number;
  create_database: boolean;
  concurrency?: number | undefined;
  /** How long a write waits for more rows when it has fewer than batch_points (Telegraf's flush_interval). */
  flush_interval_ms?: number | undefined;
}

/** Why a write failed, and whether trying again can help. */
export type WriteOutcome =
  | { ok: true }
  | { ok: false; retryable: false; reason: 'rejected'; dropped: number; message: string }
  | { ok: false; retryable: true; reason: 'auth' | 'not_found' | 'rate_limited' | 'server' | 'network' | 'timeout'; retryAfterMs?: number; message: string };

function authHeaders(t: InfluxTarget): Record<string, string> {
  if (t.token) return { authorization: `Token ${t.token}` };
  if (t.username) return { authorization: `Basic ${Buffer.from(`${t.username}:${t.password ?? ''}`).toString('base64')}` };
  return {};
}

/** Keep-alive connections to InfluxDB, one pool per thread. */
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

interface Answer {
  status: number;
  text: string;
  retryAfter: string | undefined;
}

/**
 * One POST with node:http. Not fetch: undici copies a request body twice on its way to the
 * socket (its webidl and web-stream layers), which for 10,000-point bodies was most of the
 * post thread's CPU; http.request writes the bytes as they are.
 */
function post(u: URL, headers: Record<string, string>, body: string | Buffer, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: agents[u.protocol === 'https:' ? 'https:' : 'http:'],
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts one line-protocol body to the v1-compatible /write endpoint (InfluxDB 1.x, 2.x, 3.x). */
export async function writeLines(t: InfluxTarget, body: string | Buffer, points: number, signal?: AbortSignal): Promise<WriteOutcome> {
  const u = new URL('/write', t.url);
  u.searchParams.set('db', t.database);
  u.searchParams.set('precision', 'ms');
  if (t.retention_policy) u.searchParams.set('rp', t.retention_policy);
  let res: Answer;
  const timeout = AbortSignal.timeout(t.timeout_ms);
  try {
    res = await post(u, { 'content-type': 'text/plain; charset=utf-8', ...authHeaders(t) }, body, signal ? AbortSignal.any([signal, timeout]) : timeout);
  } catch (e) {
    const aborted = (e as Error).name === 'AbortError' || timeout.aborted || signal?.aborted;
    return { ok: false, retryable: true, reason: aborted ? 'timeout' : 'network', message: (e as Error).message };
  }
  if (res.status >= 200 && res.status < 300) return { ok: true };
  const text = res.text;
  const message = text.slice(0, 500);
  if (res.status === 400 || res.status === 422) {
    // InfluxDB 1.x reports partial writes as 400 with "dropped=N"; the other points were written.
    // Lines it could not parse are not in N (it may say dropped=0): each is one "unable to parse".
    // (Ingest refuses such lines itself, so this is the last line of defence, not the count.)
    const m = /dropped=(\d+)/.exec(text);
    const unparsed = text.match(/unable to parse/g)?.length ?? 0;
    const dropped = (m ? Number(m[1]) : 0) + unparsed;
    return { ok: false, retryable: false, reason: 'rejected', dropped: m || unparsed ? Math.min(points, dropped) : points, message };
  }
  let retryAfterMs: number | undefined;
  if (res.retryAfter) {
    const secs = Number(res.retryAfter);
    retryAfterMs = Number.isFinite(secs) ? secs * 1000 : Math.max(0, Date.parse(res.retryAfter) - Date.now());
  }
  if (res.status === 401 || res.status === 403) return { ok: false, retryable: true, reason: 'auth', message };
  if (res.status === 404) return { ok: false, retryable: true, reason: 'not_found', message };
  if (res.status === 429) return { ok: false, retryable: true, reason: 'rate_limited', retryAfterMs, message };
  return { ok: false, retryable: true, reason: 'server', retryAfterMs, message };
}

/**
 * `b` if it may be transferred to the post thread (it starts an ArrayBuffer of its own:
 * the writer's bodies, or a whole buffer), else a copy (a pooled Buffer's memory is shared).
 */
function ownBytes(b: Uint8Array): Uint8Array {
  const whole = b.byteLength === b.buffer.byteLength;
  return b.byteOffset === 0 && b.buffer instanceof ArrayBuffer && (whole || WRITER_BODIES.has(b.buffer)) ? b : new Uint8Array(b);
}

/** ArrayBuffers the writer made for post bodies (and that only a body uses). */
const WRITER_BODIES = new WeakSet<ArrayBuffer>();

/**
 * Posts bodies through writeLines on a worker thread (influx-post-worker.ts). If the thread
 * cannot start or dies, posting falls back to this thread: slower under load, never stuck.
 */
export class PostThread {
  private worker?: Worker | undefined;
  private next = 1;
  private pending = new Map<number, (r: PostReply) => void>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
    try {
      const w = new Worker(new URL('./influx-post-worker.ts', import.meta.url));
      w.unref();
      w.on('message', (r: PostReply) => {
        const done = this.pending.get(r.id);
        this.pending.delete(r.id);
        done?.(r);
      });
      w.on('error', (e) => this.fail(`InfluxDB post thread failed: ${e.message}`));
      w.on('exit', () => this.fail('InfluxDB post thread exited'));
      this.worker = w;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'InfluxDB post thread did not start: posting on the main thread');
    }
  }

  /** Whether posts run on the thread (else on the caller's). */
  get threaded(): boolean {
    return this.worker !== undefined;
  }

  private fail(message: string): void {
    if (!this.worker) return;
    this.worker = undefined;
    for (const [id, done] of this.pending) done({ id, outcome: { ok: false, retryable: true, reason: 'network', message }, body: new Uint8Array() });
    this.pending.clear();
  }

  /**
   * Posts one body; resolves with the outcome and the body handed back for a retry, or
   * without a body when the thread died holding it (the caller rebuilds it from its rows).
   */
  async post(t: InfluxTarget, body: Uint8Array, points: number, signal: AbortSignal): Promise<{ outcome: WriteOutcome; body?: Uint8Array | undefined }> {
    const w = this.worker;
    if (!w) return { outcome: await writeLines(t, Buffer.from(body.buffer, body.byteOffset, body.byteLength), points, signal), body };
    const own = ownBytes(body);
    const id = this.next++;
    const reply = new Promise<PostReply>((resolve) => this.pending.set(id, resolve));
    w.postMessage({ type: 'write', id, target: t, body: own, points } satisfies PostRequest, [own.buffer as ArrayBuffer]);
    const r = await reply;
    if (r.body.byteLength && WRITER_BODIES.has(own.buffer as ArrayBuffer)) WRITER_BODIES.add(r.body.buffer as ArrayBuffer);
    return { outcome: r.outcome, body: r.body.byteLength ? r.body : own === body ? undefined : body };
  }

  /** Aborts the posts in flight (they answer as aborted). */
  abort(): void {
    this.worker?.postMessage({ type: 'abort' });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}

/** Runs one InfluxQL statement through /query (used to create the database). */
export async function influxQuery(t: InfluxTarget, q: string, method: 'GET' | 'POST' = 'POST'): Promise<unknown> {
  const u = new URL('/query', t.url);
  u.searchParams.set('q', q);
  u.searchParams.set('db', t.database);
  const res = await fetch(u, { method, headers: authHeaders(t), signal: AbortSignal.timeout(t.timeout_ms) });
  const body = (await res.json()) as { error?: string; results?: { error?: string }[] };
  const err = body.error ?? body.results?.find((r) => r.error)?.error;
  if (!res.ok || err) throw new Error(`InfluxQL ${q.split(' ')[0]} failed: ${res.status} ${err ?? ''}`);
  return body;
}

/**
 * Drains the spool into InfluxDB in order. A rejected batch (400/422: bad points, type
 * conflicts) is dropped and counted; every other failure is retried with exponential
 * backoff, honouring Retry-After, and the rows stay in the spool meanwhile.
 */
export class InfluxWriter {
  private running = false;
  private loop?: Promise<void>;
  private stopper = new AbortController();
  /** Concurrent writes to InfluxDB. */
  private readonly concurrency: number;
  private readonly t: InfluxTarget;
  private readonly spool: Spool;
  private readonly log: Logger;
  private readonly written;
  private readonly dropped;
  private readonly errors;
  /** Set by stop(flushMs): part batches go out at once. */
  private flushing = false;
  /** Set while InfluxDB is failing; exported as a gauge. */
  healthy = true;
  lastError = '';
  private onWritten?: (points: number) => void;
  /** Seconds from a row's oldest sample time to its successful write. */
  readonly latency = new Window(10_000);
  private poster?: PostThread;
  /**
   * Bodies back from finished posts, reused for the next batches. A fresh 1.5 MB body costs
   * more in page faults than in copying (on this machine ~4 ms against ~0.4 ms reused), which
   * was a tenth of the collector's main thread at 200k points/s.
   */
  private spare: ArrayBuffer[] = [];

  /** The rows' bytes in one body, in a spare buffer when one is large enough. */
  private bodyOf(rows: readonly SpoolRow[]): Uint8Array {
    let total = 0;
    for (const r of rows) total += r.body.length;
    const i = this.spare.findIndex((b) => b.byteLength >= total);
    let ab: ArrayBuffer;
    if (i >= 0) ab = this.spare.splice(i, 1)[0]!;
    else {
      ab = new ArrayBuffer(Math.max(64 * 1024, Math.ceil(total / (64 * 1024)) * 64 * 1024));
      WRITER_BODIES.add(ab);
    }
    const out = Buffer.from(ab, 0, total);
    let at = 0;
    for (const r of rows) at += r.body.copy(out, at);
    return out;
  }

  private recycle(body: Uint8Array): void {
    const ab = body.buffer;
    if (ab instanceof ArrayBuffer && WRITER_BODIES.has(ab) && this.spare.length < 4) this.spare.push(ab);
  }

  constructor(t: InfluxTarget, spool: Spool, metrics: Metrics, log: Logger, onWritten?: (points: number) => void) {
    this.t = t;
    this.concurrency = t.concurrency ?? 2;
    this.spool = spool;
    this.log = log;
    this.onWritten = onWritten;
    this.written = metrics.counter('watchpost_influx_points_written_total', 'Points written to InfluxDB');
    this.dropped = metrics.counter('watchpost_influx_points_dropped_total', 'Points InfluxDB rejected (400/422) and that were dropped');
    this.errors = metrics.counter('watchpost_influx_write_errors_total', 'Failed InfluxDB writes by reason');
    metrics.gauge('watchpost_influx_up', 'Whether the last InfluxDB write succeeded', () => (this.healthy ? 1 : 0));
    metrics.gauge('watchpost_ingest_latency_seconds', 'Sample time to InfluxDB write, over the last 10,000 spool rows', () =>
      [0.5, 0.9, 0.99].map((q) => ({ labels: { quantile: String(q) }, value: this.latency.quantile(q) })),
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.poster ??= new PostThread(this.log);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    if (this.t.create_database) {
      try {
        await influxQuery(this.t, `CREATE DATABASE "${this.t.database.replace(/"/g, '\\"')}"`);
      } catch (e) {
        // 2.x/3.x do not support CREATE DATABASE through v1, and InfluxDB may be down now;
        // the writes themselves report what matters.
        this.log.debug({ err: (e as Error).message }, 'CREATE DATABASE failed; writing anyway');
      }
    }
    // Up to `concurrency` writes in flight, each on its own contiguous run of spool rows:
    // InfluxDB ingests in parallel, and a run is deleted only once its own write succeeded.
    const inflight = new Set<Promise<void>>();
    let after = 0;
    while (this.running) {
      // With the post thread, more batches are handed over than are posted at once: the
      // thread keeps InfluxDB busy even while this thread is slow to hear back.
      const outstanding = this.poster?.threaded ? this.concurrency * 8 : this.concurrency;
      if (inflight.size >= outstanding) {
        await Promise.race(inflight);
        continue;
      }
      const rows = this.spool.take(this.t.batch_points, after);
      if (!rows.length) {
        if (inflight.size) await Promise.race(inflight);
        else await this.spool.wait(1000);
        continue;
      }
      // Fill batches under load: a small write costs InfluxDB nearly as much as a full one
      // (it syncs its WAL per request), so a part batch waits until its first row is
      // flush_interval_ms old, unless more rows arrive first.
      const pending = rows.reduce((n, r) => n + r.points, 0);
      const waitMs = rows[0]!.createdMs + (this.t.flush_interval_ms ?? 500) - Date.now();
      if (pending < this.t.batch_points && waitMs > 0 && !this.flushing) {
        await this.spool.wait(waitMs);
        continue;
      }
      after = rows[rows.length - 1]!.id;
      const p: Promise<void> = this.writeUntilDone(rows, pending).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.allSettled(inflight);
  }

  /** Writes one run of rows, retrying with backoff until it is written, rejected or the writer stops. */
  private async writeUntilDone(rows: SpoolRow[], points: number): Promise<void> {
    let backoffMs = 0;
    // A copy: it is handed to the post thread, while the spool keeps the rows' own bytes.
    const copy = () => this.bodyOf(rows);
    let body: Uint8Array = copy();
    while (this.running) {
      const posted = await this.poster!.post(this.t, body, points, this.stopper.signal);
      // A post thread that died took the bytes with it; the rows still hold them.
      body = posted.body ?? copy();
      const out = posted.outcome;
      if (out.ok) {
        this.spool.release(rows);
        const now = Date.now();
        for (const r of rows) this.latency.observe(Math.max(0, now - r.oldestMs) / 1000);
        this.written.inc({}, points);
        if (!this.healthy) this.log.info({ points }, 'InfluxDB writes succeed again; replaying the spool');
        this.healthy = true;
        this.onWritten?.(points);
        this.recycle(body);
        return;
      }
      if (!out.retryable) {
        this.recycle(body);
        this.spool.release(rows);
        this.written.inc({}, points - out.dropped);
        this.dropped.inc({}, out.dropped);
        this.log.error({ dropped: out.dropped, influx: out.message }, 'InfluxDB rejected points: dropped (fix the sender or the field types)');
        return;
      }
      if (!this.running) return;
      this.errors.inc({ reason: out.reason });
      if (this.healthy) {
        const level = out.reason === 'auth' ? 'error' : 'warn';
        this.log[level]({ reason: out.reason, influx: out.message }, 'InfluxDB write failed: spooling and retrying');
      }
      this.healthy = false;
      this.lastError = `${out.reason}: ${out.message}`;
      backoffMs = Math.min(30_000, Math.max(250, backoffMs * 2));
      const delay = Math.max(out.retryAfterMs ?? 0, backoffMs * (0.5 + Math.random() / 2));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.stopper.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  }

  /** Stops after the write in progress; with flushMs > 0 first tries to empty the spool for that long. */
  async stop(flushMs = 0): Promise<void> {
    const until = Date.now() + flushMs;
    this.flushing = true;
    this.spool.wake();
    while (flushMs > 0 && this.healthy && this.spool.stats().points > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    this.running = false;
    this.stopper.abort();
    this.spool.wake();
    this.poster?.abort();
    await this.loop;
    await this.poster?.close();
    this.poster = undefined;
  }
}
