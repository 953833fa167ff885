import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface SpoolRow {
  id: number;
  points: number;
  body: string;
  /** Time of the oldest sample in the row (ms), for sample→InfluxDB latency. */
  oldestMs: number;
}

/** Raised when the spool is at its size limit: the caller must not ack (the agent keeps the batch). */
export class SpoolFullError extends Error {
  readonly code = 'spool_full';
}

/**
 * The collector's write-ahead spool (node:sqlite, WAL): every accepted batch is committed
 * here, as line protocol, before it is acked; the InfluxDB writer drains it in order and
 * deletes rows only after InfluxDB answered. While InfluxDB is down (or not configured at
 * all) batches wait here. At its size limit the spool refuses new batches rather than
 * dropping accepted ones, which pushes the backlog back into the agents' outboxes.
 */
export class Spool {
  private db: DatabaseSync;
  private bytes = 0;
  private pointsQueued = 0;
  private st: Record<'insert' | 'take' | 'del', StatementSync>;
  private waiters: (() => void)[] = [];
  readonly maxBytes: number;

  constructor(dataDir: string, maxBytes: number) {
    this.maxBytes = maxBytes;
    let file = ':memory:';
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      file = path.join(dataDir, 'spool.db');
    }
    this.db = new DatabaseSync(file);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS spool (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_ms INTEGER NOT NULL,
        oldest_ms INTEGER NOT NULL,
        points INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        body TEXT NOT NULL
      );
    `);
    this.st = {
      insert: this.db.prepare('INSERT INTO spool (created_ms, oldest_ms, points, bytes, body) VALUES (?, ?, ?, ?, ?)'),
      take: this.db.prepare('SELECT id, points, body, oldest_ms FROM spool WHERE id > ? ORDER BY id LIMIT ?'),
      del: this.db.prepare('DELETE FROM spool WHERE id BETWEEN ? AND ?'),
    };
    const r = this.db.prepare('SELECT COALESCE(SUM(bytes),0) AS b, COALESCE(SUM(points),0) AS p FROM spool').get() as { b: number; p: number };
    this.bytes = Number(r.b);
    this.pointsQueued = Number(r.p);
  }

  /** Durably appends a line-protocol body; throws SpoolFullError at the size limit. */
  append(body: string, points: number, oldestMs = Date.now()): void {
    if (points === 0) return;
    const size = Buffer.byteLength(body);
    if (this.bytes + size > this.maxBytes) throw new SpoolFullError(`spool full (${this.bytes} of ${this.maxBytes} bytes)`);
    const now = Date.now();
    this.st.insert.run(now, Math.min(now, oldestMs), points, size, body);
    this.bytes += size;
    this.pointsQueued += points;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Oldest rows after `afterId`, up to about maxPoints points in all (at least one row). */
  take(maxPoints: number, afterId = 0): SpoolRow[] {
    const out: SpoolRow[] = [];
    let n = 0;
    for (const r of this.st.take.iterate(afterId, 10_000) as Iterable<{ id: number; points: number; body: string; oldest_ms: number }>) {
      if (out.length && n + Number(r.points) > maxPoints) break;
      out.push({ id: Number(r.id), points: Number(r.points), body: r.body, oldestMs: Number(r.oldest_ms) });
      n += Number(r.points);
    }
    return out;
  }

  /** Deletes rows once written; `rows` is one contiguous run as returned by take(). */
  release(rows: SpoolRow[]): void {
    if (!rows.length) return;
    this.st.del.run(rows[0]!.id, rows[rows.length - 1]!.id);
    for (const r of rows) {
      this.bytes -= Buffer.byteLength(r.body);
      this.pointsQueued -= r.points;
    }
  }

  /** Resolves at the next append or after ms, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  stats(): { bytes: number; points: number } {
    return { bytes: this.bytes, points: this.pointsQueued };
  }

  close(): void {
    for (const w of this.waiters.splice(0)) w();
    if (this.db.isOpen) this.db.close();
  }
}
