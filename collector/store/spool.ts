import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface SpoolRow {
  id: number;
  points: number;
  /** Line protocol, UTF-8: stored and posted as bytes, so no row is converted between string and UTF-8 twice. */
  body: Buffer;
  /** Time of the oldest sample in the row (ms), for sample→InfluxDB latency. */
  oldestMs: number;
  /** When the row was appended (ms): the writer waits up to its flush interval to fill a batch. */
  createdMs: number;
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
  /**
   * The newest rows, also kept in memory (up to memoryBytes) so that a writer keeping up
   * with ingest takes them without reading back what it just committed. Rows here are a
   * contiguous run of ids ending at the newest row; older rows are read from the file.
   */
  private recent: SpoolRow[] = [];
  private recentBytes = 0;
  private readonly memoryBytes: number;
  readonly maxBytes: number;

  constructor(dataDir: string, maxBytes: number, opts: { memoryBytes?: number } = {}) {
    this.maxBytes = maxBytes;
    this.memoryBytes = opts.memoryBytes ?? Math.min(64 * 1024 * 1024, maxBytes);
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
      take: this.db.prepare('SELECT id, points, body, oldest_ms, created_ms FROM spool WHERE id > ? ORDER BY id LIMIT ?'),
      del: this.db.prepare('DELETE FROM spool WHERE id BETWEEN ? AND ?'),
    };
    const r = this.db.prepare('SELECT COALESCE(SUM(bytes),0) AS b, COALESCE(SUM(points),0) AS p FROM spool').get() as { b: number; p: number };
    this.bytes = Number(r.b);
    this.pointsQueued = Number(r.p);
  }

  /** Durably appends a line-protocol body; throws SpoolFullError at the size limit. */
  append(body: string | Buffer, points: number, oldestMs = Date.now()): void {
    if (points === 0) return;
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    const size = buf.length;
    if (this.bytes + size > this.maxBytes) throw new SpoolFullError(`spool full (${this.bytes} of ${this.maxBytes} bytes)`);
    const now = Date.now();
    const oldest = Math.min(now, oldestMs);
    const { lastInsertRowid } = this.st.insert.run(now, oldest, points, size, buf);
    this.bytes += size;
    this.pointsQueued += points;
    this.remember({ id: Number(lastInsertRowid), points, body: buf, oldestMs: oldest, createdMs: now });
    for (const w of this.waiters.splice(0)) w();
  }

  private remember(row: SpoolRow): void {
    const last = this.recent[this.recent.length - 1];
    // Only a contiguous run is useful; a gap (cannot happen with one writer of ids) resets it.
    if (last && last.id !== row.id - 1) this.forgetRecent();
    this.recent.push(row);
    this.recentBytes += row.body.length;
    while (this.recentBytes > this.memoryBytes && this.recent.length) this.recentBytes -= this.recent.shift()!.body.length;
  }

  private forgetRecent(): void {
    this.recent = [];
    this.recentBytes = 0;
  }

  /** Oldest rows after `afterId`, up to about maxPoints points in all (at least one row). */
  take(maxPoints: number, afterId = 0): SpoolRow[] {
    const out: SpoolRow[] = [];
    let n = 0;
    const first = this.recent[0];
    if (first && afterId >= first.id - 1) {
      // Served from memory: every row after afterId is in `recent`.
      for (let k = afterId - first.id + 1; k < this.recent.length; k++) {
        const r = this.recent[k]!;
        if (out.length && n + r.points > maxPoints) break;
        out.push(r);
        n += r.points;
      }
      return out;
    }
    for (const r of this.st.take.iterate(afterId, 10_000) as Iterable<{ id: number; points: number; body: Uint8Array | string; oldest_ms: number; created_ms: number }>) {
      if (out.length && n + Number(r.points) > maxPoints) break;
      // Rows written before bodies were stored as bytes come back as TEXT.
      const body = typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
      out.push({ id: Number(r.id), points: Number(r.points), body, oldestMs: Number(r.oldest_ms), createdMs: Number(r.created_ms) });
      n += Number(r.points);
    }
    return out;
  }

  /** Deletes rows once written; `rows` is one contiguous run as returned by take(). */
  release(rows: SpoolRow[]): void {
    if (!rows.length) return;
    const lo = rows[0]!.id;
    const hi = rows[rows.length - 1]!.id;
    this.st.del.run(lo, hi);
    for (const r of rows) {
      this.bytes -= r.body.length;
      this.pointsQueued -= r.points;
    }
    // Released rows leave memory too (concurrent writes release runs out of order).
    if (this.recent.length && this.recent[0]!.id <= hi && this.recent[this.recent.length - 1]!.id >= lo) {
      this.recent = this.recent.filter((r) => {
        if (r.id < lo || r.id > hi) return true;
        this.recentBytes -= r.body.length;
        return false;
      });
      // Keep the invariant "recent is contiguous": a hole in the middle drops what precedes it.
      for (let k = this.recent.length - 1; k > 0; k--) {
        if (this.recent[k - 1]!.id !== this.recent[k]!.id - 1) {
          for (const r of this.recent.slice(0, k)) this.recentBytes -= r.body.length;
          this.recent = this.recent.slice(k);
          break;
        }
      }
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
