import { closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { privateDir, privateFile } from '../lib/private-fs.ts';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { BATCH_TARGET_BYTES, toWire } from '../protocol/frames.ts';
import type { Event, Sample } from '../protocol/sample.ts';

const RESERVE_CHUNK = 64 * 1024;

export interface OutboxOptions {
  /** Directory for outbox.db; ':memory:' for tests that do not need durability. */
  dir: string;
  maxBytes: number;
  maxAgeMs: number;
  whenFull: 'drop_oldest' | 'drop_newest';
  now?: () => number;
  /**
   * Bytes of disk kept in reserve (a file next to outbox.db, default 8 MiB). When the disk is
   * full even an ack's DELETE needs room in the WAL; the reserve is released then, so the
   * outbox can still drain, and re-created once it is empty.
   */
  reserveBytes?: number;
  /** Size a batch frame is split at (default BATCH_TARGET_BYTES); tests set it small. */
  batchBytes?: number;
}

export interface OutboxRow {
  seq: number;
  samples: number;
  /** The batch or document frame, ready to send. */
  frame: string;
}

export interface OutboxStats {
  batches: number;
  bytes: number;
  samples: number;
  droppedSamplesFull: number;
  droppedSamplesAge: number;
  droppedSamplesDiskFull: number;
}

/**
 * The agent's on-disk queue of batches not yet acked by the collector (node:sqlite, WAL).
 * It survives agent restarts; it is bounded by size and age, and what a bound drops is
 * counted (persistently) rather than silently lost. Sequence numbers are the row ids, so
 * they only grow, also across restarts.
 */
export class Outbox {
  private db: DatabaseSync;
  private bytes = 0;
  private opts: Required<OutboxOptions>;
  private reserveFile?: string;
  /** Whether the reserve file is in place (so an ack that empties the outbox has nothing to restore). */
  private reserveHeld = false;
  private listeners = new Set<() => void>();
  /** Drops that could not be written to the counters table (the disk was full); flushed later. */
  private unsaved = new Map<string, number>();
  private st: Record<'insert' | 'oldest' | 'del' | 'peek' | 'expired' | 'bump', StatementSync>;

  constructor(opts: OutboxOptions) {
    this.opts = { now: Date.now, reserveBytes: 8 * 1024 * 1024, batchBytes: BATCH_TARGET_BYTES, ...opts };
    let file = ':memory:';
    if (opts.dir !== ':memory:') {
      privateDir(opts.dir);
      file = path.join(opts.dir, 'outbox.db');
      privateFile(file);
      this.reserveFile = path.join(opts.dir, 'outbox.reserve');
      this.reserve();
    }
    this.db = new DatabaseSync(file);
    // The WAL is checkpointed before it outgrows half the reserve, so that releasing the
    // reserve always leaves room to checkpoint it (SQLite's default is 1000 pages, 4 MiB).
    const walPages = Math.max(16, Math.min(1000, Math.floor(this.opts.reserveBytes / 4096 / 2)));
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA wal_autocheckpoint = ${walPages};
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS batches (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        created_ms INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        samples INTEGER NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.st = {
      insert: this.db.prepare('INSERT INTO batches (created_ms, bytes, samples, payload) VALUES (?, ?, ?, ?) RETURNING seq'),
      oldest: this.db.prepare('SELECT seq, bytes, samples FROM batches ORDER BY seq LIMIT 1'),
      del: this.db.prepare('DELETE FROM batches WHERE seq = ? RETURNING bytes'),
      peek: this.db.prepare('SELECT seq, samples, payload FROM batches WHERE seq > ? ORDER BY seq LIMIT ?'),
      expired: this.db.prepare('DELETE FROM batches WHERE created_ms < ? RETURNING bytes, samples'),
      bump: this.db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value'),
    };
    const row = this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM batches').get() as { b: number };
    this.bytes = Number(row.b);
  }

  /** Called after every successful append (the transport uses it to send at once). */
  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Appends samples and events as one batch, or as several when their frame would exceed
   * BATCH_TARGET_BYTES (events go with the last). Returns the last sequence number, or
   * undefined when the (last) batch was dropped (outbox full under drop_newest, or the disk
   * is full); a drop is counted either way.
   */
  append(samples: Sample[], events: Event[] = []): number | undefined {
    if (samples.length === 0 && events.length === 0) return undefined;
    const target = this.opts.batchBytes;
    let part = '';
    let n = 0;
    for (const s of samples) {
      const w = JSON.stringify(toWire(s));
      if (n > 0 && part.length + w.length + 1 > target) {
        this.appendPayload(`"samples":[${part}]`, n);
        part = '';
        n = 0;
      }
      part += n ? ',' + w : w;
      n++;
    }
    return this.appendPayload(`"samples":[${part}]${events.length ? `,"events":${JSON.stringify(events)}` : ''}`, n);
  }

  /**
   * Appends an inventory document (a `document` frame; `bodyJson` is the body's JSON) as one
   * row of its own. It travels and is acked like a batch; returns its sequence number, or
   * undefined when it was dropped (outbox full under drop_newest, disk full).
   */
  appendDocument(kind: string, hash: string, time: number, bodyJson: string): number | undefined {
    return this.appendPayload(`"kind":${JSON.stringify(kind)},"hash":${JSON.stringify(hash)},"time":${Math.trunc(time)},"body":${bodyJson}`, 0);
  }

  private appendPayload(payload: string, samples: number): number | undefined {
    const size = Buffer.byteLength(payload);
    this.expire();
    if (this.bytes + size > this.opts.maxBytes) {
      if (this.opts.whenFull === 'drop_newest' || size > this.opts.maxBytes) {
        this.count('dropped_samples_full', samples);
        return undefined;
      }
      this.db.exec('BEGIN');
      try {
        while (this.bytes + size > this.opts.maxBytes) {
          const o = this.st.oldest.get() as { seq: number; bytes: number; samples: number } | undefined;
          if (!o) break;
          this.st.del.run(o.seq);
          this.bytes -= o.bytes;
          this.count('dropped_samples_full', o.samples);
        }
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    }
    let seq: number;
    try {
      // all(), not get(): get() stops at the RETURNING row and never runs the statement to
      // completion, so a commit that fails (SQLITE_FULL) would go unnoticed and the batch vanish.
      seq = Number((this.st.insert.all(this.opts.now(), size, samples, payload)[0] as { seq: number }).seq);
    } catch (e) {
      // SQLITE_FULL / SQLITE_IOERR: the disk is full; keep what is already queued, count this batch.
      if (isDiskFull(e)) {
        this.count('dropped_samples_disk_full', samples);
        this.checkpoint();
        return undefined;
      }
      throw e;
    }
    this.flushUnsaved();
    this.bytes += size;
    for (const fn of this.listeners) fn();
    return seq;
  }

  private expire(): void {
    const cutoff = this.opts.now() - this.opts.maxAgeMs;
    const rows = this.st.expired.all(cutoff) as { bytes: number; samples: number }[];
    if (!rows.length) return;
    let samples = 0;
    for (const r of rows) {
      this.bytes -= r.bytes;
      samples += r.samples;
    }
    this.count('dropped_samples_age', samples);
  }

  private count(name: string, n: number): void {
    if (n <= 0) return;
    try {
      this.st.bump.run(name, n);
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      // Kept in memory (and shown by stats()) until the disk has room again.
      this.unsaved.set(name, (this.unsaved.get(name) ?? 0) + n);
    }
  }

  private flushUnsaved(): void {
    for (const [name, n] of this.unsaved) {
      this.unsaved.delete(name);
      this.count(name, n);
    }
  }

  /** (Re)creates the reserve file; silently does nothing when there is no room for it. */
  private reserve(): void {
    if (!this.reserveFile || this.opts.reserveBytes <= 0) return;
    if (existsSync(this.reserveFile)) {
      this.reserveHeld = true;
      return;
    }
    // Written as real blocks (a sparse file would reserve nothing), 64 KiB of zeros at a time:
    // one 8 MiB buffer made every first start peak 8 MiB higher (bench:agent's VmHWM).
    let fd: number | undefined;
    try {
      fd = openSync(this.reserveFile, 'wx');
      const zeros = Buffer.alloc(Math.min(RESERVE_CHUNK, this.opts.reserveBytes));
      for (let left = this.opts.reserveBytes; left > 0; left -= zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, left));
      this.reserveHeld = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') this.releaseReserve();
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private releaseReserve(): boolean {
    if (!this.reserveFile) return false;
    this.reserveHeld = false;
    try {
      unlinkSync(this.reserveFile);
      return true;
    } catch {
      return false;
    }
  }

  /** Moves the WAL into the database file and truncates it: frees disk space after deletes. */
  private checkpoint(): void {
    try {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      /* best effort */
    }
  }

  /** Batches after `afterSeq`, oldest first, as ready-to-send frames. */
  peek(afterSeq: number, limit: number): OutboxRow[] {
    const rows = this.st.peek.all(afterSeq, limit) as { seq: number; samples: number; payload: string }[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      samples: Number(r.samples),
      // A batch's payload starts with its samples, a document's with its kind (appendDocument).
      frame: `{"type":"${r.payload.startsWith('"kind"') ? 'document' : 'batch'}","seq":${r.seq},${r.payload}}`,
    }));
  }

  /** Deletes an acked batch; acking an unknown or already-acked seq is harmless. */
  ack(seq: number): void {
    let r: { bytes: number } | undefined;
    try {
      r = this.st.del.all(seq)[0] as { bytes: number } | undefined;
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      // Even a DELETE needs WAL space: give up the reserve, truncate the WAL and try once more.
      // If the disk is still full the batch stays and is sent again later (InfluxDB's
      // last-write-wins makes that harmless).
      this.releaseReserve();
      this.checkpoint();
      try {
        r = this.st.del.all(seq)[0] as { bytes: number } | undefined;
      } catch (e2) {
        if (!isDiskFull(e2)) throw e2;
        return;
      }
    }
    if (r) this.bytes -= Number(r.bytes);
    if (r && this.bytes === 0 && this.reserveFile && !this.reserveHeld) {
      // Empty again after the disk was full: shrink the WAL and put the reserve back for the
      // next time. (Not on every ack that empties the outbox — with a live collector that is
      // every batch, and a TRUNCATE checkpoint plus an 8 MiB buffer each time cost ~1 % CPU.)
      this.checkpoint();
      this.reserve();
    }
  }

  stats(): OutboxStats {
    const row = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(samples), 0) AS s FROM batches').get() as { n: number; s: number };
    const c = Object.fromEntries(
      (this.db.prepare('SELECT name, value FROM counters').all() as { name: string; value: number }[]).map((r) => [r.name, Number(r.value)]),
    );
    return {
      batches: Number(row.n),
      bytes: this.bytes,
      samples: Number(row.s),
      droppedSamplesFull: (c.dropped_samples_full ?? 0) + (this.unsaved.get('dropped_samples_full') ?? 0),
      droppedSamplesAge: (c.dropped_samples_age ?? 0) + (this.unsaved.get('dropped_samples_age') ?? 0),
      droppedSamplesDiskFull: (c.dropped_samples_disk_full ?? 0) + (this.unsaved.get('dropped_samples_disk_full') ?? 0),
    };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** SQLITE_FULL (13) or SQLITE_IOERR (10, e.g. ENOSPC while writing the WAL), by primary result code. */
function isDiskFull(e: unknown): boolean {
  const errcode = (e as { errcode?: number }).errcode;
  return errcode !== undefined && ((errcode & 0xff) === 13 || (errcode & 0xff) === 10);
}
