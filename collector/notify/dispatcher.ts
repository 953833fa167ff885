import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { registerMigrations } from '../store/db.ts';
import { NotifyError, type Notification, type Notifier } from './types.ts';

registerMigrations({
  id: '111_notify_deliveries',
  sql: `
    CREATE TABLE notify_deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL,
      channel TEXT NOT NULL,
      address TEXT NOT NULL,
      receiver TEXT NOT NULL,
      notification TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_ms INTEGER NOT NULL,
      created_ms INTEGER NOT NULL,
      sent_ms INTEGER,
      reason TEXT,
      code TEXT,
      error TEXT,
      provider TEXT,
      parts INTEGER,
      UNIQUE (key, channel, address)
    );
    CREATE INDEX notify_deliveries_due ON notify_deliveries (status, next_ms);
  `,
});

export interface RetryConfig {
  max_attempts: number;
  base_ms: number;
  max_ms: number;
  timeout_ms: number;
  concurrency: number;
}

export interface Delivery {
  id: number;
  key: string;
  channel: string;
  address: string;
  receiver: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_ms: number;
  created_ms: number;
  sent_ms: number | null;
  reason: string | null;
  code: string | null;
  error: string | null;
  provider: string | null;
  parts: number | null;
}

/**
 * THE retry loop for every channel. `enqueue` only writes a row (never blocks or throws on
 * a channel problem), so alert evaluation is never held up by a notifier; a timer sends
 * what is due, with one timeout per attempt, exponential backoff honouring Retry-After,
 * and a final `failed` state with the reason — every delivery stays visible in the table.
 */
export class Dispatcher {
  private readonly db: DatabaseSync;
  private readonly channels: Map<string, Notifier>;
  private readonly c: RetryConfig;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly onResult: (d: Delivery, n: Notification) => void;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private pending = new Set<Promise<void>>();

  constructor(o: {
    db: DatabaseSync;
    channels: Notifier[];
    retry: RetryConfig;
    now: () => number;
    log: Logger;
    onResult?: (d: Delivery, n: Notification) => void;
  }) {
    this.db = o.db;
    this.channels = new Map(o.channels.map((c) => [c.channel, c]));
    this.c = o.retry;
    this.now = o.now;
    this.log = o.log;
    this.onResult = o.onResult ?? (() => {});
    // A crash while sending: send again (at-least-once).
    this.db.prepare("UPDATE notify_deliveries SET status = 'queued' WHERE status = 'sending'").run();
  }

  private stmts = new Map<string, StatementSync>();

  /** Prepared statements are cached: preparing costs more than running these. */
  private st(sql: string): StatementSync {
    let x = this.stmts.get(sql);
    if (!x) this.stmts.set(sql, (x = this.db.prepare(sql)));
    return x;
  }

  hasChannel(channel: string): boolean {
    return this.channels.has(channel);
  }

  /** Queues one notification for one address; a repeated (key, channel, address) is ignored. Returns the delivery id, or undefined when a duplicate. */
  enqueue(n: Notification, channel: string, address: string): number | undefined {
    const now = this.now();
    const r = this.db
      .prepare(
        "INSERT OR IGNORE INTO notify_deliveries (key, channel, address, receiver, notification, status, next_ms, created_ms) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
      )
      .run(n.key, channel, address, n.receiver, JSON.stringify(n), now, now);
    if (!r.changes) return undefined;
    queueMicrotask(() => this.kick());
    return Number(r.lastInsertRowid);
  }

  start(intervalMs = 250): void {
    this.running = true;
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Waits for in-flight sends (for shutdown and tests). */
  async idle(): Promise<void> {
    for (;;) {
      this.kick();
      if (!this.pending.size) return;
      await Promise.allSettled([...this.pending]);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    await this.idle();
  }

  /** Sends whatever is due now, up to the concurrency limit. */
  kick(): void {
    if (!this.running) return;
    if (!this.db.isOpen) {
      // The collector closed the store without stopping us (several collectors in one process).
      this.running = false;
      clearInterval(this.timer);
      return;
    }
    const free = this.c.concurrency - this.inFlight;
    if (free <= 0) return;
    const rows = this.st("SELECT * FROM notify_deliveries WHERE status = 'queued' AND next_ms <= ? ORDER BY next_ms, id LIMIT ?").all(
      this.now(),
      free,
    ) as unknown as (Delivery & { notification: string })[];
    for (const row of rows) {
      this.st("UPDATE notify_deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ?").run(row.id);
      this.inFlight++;
      const p = this.attempt(row).finally(() => {
        this.inFlight--;
        this.pending.delete(p);
        if (this.running) this.kick();
      });
      this.pending.add(p);
    }
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.c.max_ms, this.c.base_ms * 2 ** (attempt - 1));
    return Math.round(d * (0.8 + Math.random() * 0.4));
  }

  private async attempt(row: Delivery & { notification: string }): Promise<void> {
    const n = JSON.parse(row.notification) as Notification;
    const ch = this.channels.get(row.channel);
    const attempts = row.attempts + 1;
    try {
      if (!ch) throw new NotifyError('config', false, 'no_channel', `channel "${row.channel}" is not configured (notify.${row.channel})`);
      const r = await ch.send(n, row.address, AbortSignal.timeout(this.c.timeout_ms));
      this.st("UPDATE notify_deliveries SET status = 'sent', sent_ms = ?, provider = ?, parts = ?, reason = NULL, code = NULL, error = NULL WHERE id = ?").run(
        this.now(),
        r.provider ?? null,
        r.parts ?? null,
        row.id,
      );
      this.log.info({ key: row.key, channel: row.channel, address: row.address, attempts }, 'notification sent');
    } catch (e) {
      const err = e instanceof NotifyError ? e : new NotifyError('server', true, 'exception', (e as Error).message);
      const again = err.retryable && attempts < this.c.max_attempts;
      const next = this.now() + Math.max(err.retryAfterMs ?? 0, this.backoff(attempts));
      this.st('UPDATE notify_deliveries SET status = ?, next_ms = ?, reason = ?, code = ?, error = ? WHERE id = ?').run(
        again ? 'queued' : 'failed',
        next,
        err.reason,
        err.code,
        err.message,
        row.id,
      );
      const fields = { key: row.key, channel: row.channel, address: row.address, attempts, reason: err.reason, code: err.code, err: err.message };
      // ERROR: someone will not be told unless an operator acts.
      if (again) this.log.warn(fields, 'notification failed: will retry');
      else this.log.error(fields, 'notification failed for good');
    }
    const d = this.get(row.id);
    if (d) this.onResult(d, n);
  }

  get(id: number): Delivery | undefined {
    return this.st(
      'SELECT id, key, channel, address, receiver, status, attempts, next_ms, created_ms, sent_ms, reason, code, error, provider, parts FROM notify_deliveries WHERE id = ?',
    ).get(id) as Delivery | undefined;
  }

  list(o: { status?: string; limit?: number } = {}): Delivery[] {
    const cols = 'id, key, channel, address, receiver, status, attempts, next_ms, created_ms, sent_ms, reason, code, error, provider, parts';
    if (o.status)
      return this.st(`SELECT ${cols} FROM notify_deliveries WHERE status = ? ORDER BY id DESC LIMIT ?`).all(o.status, o.limit ?? 100) as unknown as Delivery[];
    return this.st(`SELECT ${cols} FROM notify_deliveries ORDER BY id DESC LIMIT ?`).all(o.limit ?? 100) as unknown as Delivery[];
  }

  /** The newest deliveries with the notification each carried (the console's notifications page). */
  recent(limit = 100): (Delivery & { notification: Notification })[] {
    const rows = this.st(
      'SELECT id, key, channel, address, receiver, status, attempts, next_ms, created_ms, sent_ms, reason, code, error, provider, parts, notification FROM notify_deliveries ORDER BY id DESC LIMIT ?',
    ).all(limit) as unknown as (Delivery & { notification: string })[];
    return rows.map((r) => ({ ...r, notification: JSON.parse(r.notification) as Notification }));
  }
}
