import {
  close,
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { privateDir } from '../../lib/private-fs.ts';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import type { Metrics } from '../../lib/metrics.ts';

type Counter = ReturnType<Metrics['counter']>;

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

export interface SpoolOptions {
  /** Newest rows also kept in memory (default 64 MiB), so a writer that keeps up never reads the files. */
  memoryBytes?: number;
  /** A segment file is closed and a new one started past this size (default 16 MiB). */
  segmentBytes?: number;
  /** How often appended rows are fdatasync'ed (default 1000 ms; 0: after every append). */
  syncMs?: number;
  /** Where damaged records found at start are reported (ERROR) and counted. */
  log?: Pick<Logger, 'error'>;
  metrics?: Metrics;
}

// Record: header then body. In a WPS2 record the CRC covers the header's other fields and the
// body; in a WPS1 record (earlier versions, still read) only the body. At the next open a
// record cut short by a crash is cut off, and a damaged one is moved aside (recover()).
const MAGIC = 0x57505332; // "WPS2"
const MAGIC_V1 = 0x57505331; // "WPS1"
const HEADER = 40; // magic u32, body length u32, points u32, crc32 u32, id f64, created f64, oldest f64
const isMagic = (m: number) => m === MAGIC || m === MAGIC_V1;

/** The record's CRC as a WPS2 header stores it: header bytes 4–11 and 16–39, then the body. */
function recordCrc(head: Buffer, body: Buffer): number {
  return crc32(body, crc32(head.subarray(16, HEADER), crc32(head.subarray(4, 12))));
}

/**
 * The body length of a valid record at `off`, or -1. Valid: magic, fits in the file, CRC, and
 * an id after `afterId` (ids only grow within a segment).
 */
function recordAt(data: Buffer, off: number, afterId: number): number {
  if (off + HEADER > data.length) return -1;
  const magic = data.readUInt32LE(off);
  if (!isMagic(magic)) return -1;
  const len = data.readUInt32LE(off + 4);
  if (off + HEADER + len > data.length) return -1;
  const id = data.readDoubleLE(off + 16);
  if (!Number.isSafeInteger(id) || id <= afterId) return -1;
  const head = data.subarray(off, off + HEADER);
  const body = data.subarray(off + HEADER, off + HEADER + len);
  return (magic === MAGIC ? recordCrc(head, body) : crc32(body)) === head.readUInt32LE(12) ? len : -1;
}

function writeDurably(file: string, buf: Buffer): void {
  const fd = openSync(file, 'w');
  try {
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

interface Segment {
  /** The log file; '' for the segment of a spool kept in memory only. */
  file: string;
  firstId: number;
  lastId: number;
  /** Rows in this segment not yet released. */
  live: number;
  /**
   * Ids released from this segment. Memory is spent only on rows written but not yet
   * deleted with their segment: a backlog of unwritten rows costs none, however many.
   */
  released: Set<number>;
  size: number;
}

/**
 * The collector's write-ahead spool: every accepted batch is appended here, as line
 * protocol, before it is acked; the InfluxDB writer drains it in order and releases rows
 * only after InfluxDB answered. While InfluxDB is down (or not configured at all) batches
 * wait here. At its size limit the spool refuses new batches rather than dropping accepted
 * ones, which pushes the backlog back into the agents' outboxes.
 *
 * Storage is a log of segment files (spool/NNN.log), as Prometheus' WAL and Kafka keep
 * theirs: an append is one writev into the page cache, so a batch is safe from a collector
 * crash the moment it is acked, and the log is fdatasync'ed every syncMs against power
 * loss (SQLite's synchronous=NORMAL gives the same guarantee). A segment is deleted once
 * all its rows are released. This replaced a node:sqlite table: storing and deleting a
 * 80 kB row there cost 1 µs per point, a fifth of the collector's work per point; the log
 * costs 0.05 µs. After a crash, rows already written but in a segment not yet deleted are
 * written again; InfluxDB keeps one point per series and time, so the replay is harmless.
 */
export class Spool {
  private bytes = 0;
  private pointsQueued = 0;
  private waiters: (() => void)[] = [];
  /**
   * The newest rows, also kept in memory (up to memoryBytes) so that a writer keeping up
   * with ingest takes them without reading back what it just wrote. Rows here are a
   * contiguous run of ids ending at the newest row; older rows are read from the files.
   */
  private recent: SpoolRow[] = [];
  private recentBytes = 0;
  private readonly memoryBytes: number;
  private readonly segmentBytes: number;
  private readonly dir?: string | undefined;
  private segments: Segment[] = [];
  private fd = -1;
  private nextId = 1;
  /** Where the last take() from the files stopped: the next row is read from here. */
  private cursor?: { afterId: number; seg: number; offset: number } | undefined;
  private syncTimer?: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly syncMs: number;
  private readonly log?: Pick<Logger, 'error'> | undefined;
  private readonly corruptCounters?: { records: Counter; bytes: Counter } | undefined;
  readonly maxBytes: number;

  constructor(dataDir: string, maxBytes: number, opts: SpoolOptions = {}) {
    this.maxBytes = maxBytes;
    this.segmentBytes = opts.segmentBytes ?? 16 * 1024 * 1024;
    this.syncMs = opts.syncMs ?? 1000;
    this.log = opts.log;
    // Registered up front, so /metrics shows 0 until something is found.
    if (opts.metrics) {
      this.corruptCounters = {
        records: opts.metrics.counter(
          'watchpost_spool_corrupt_records_total',
          'Spool records found damaged at start (reason bad_record: moved to spool/corrupt/; torn_tail: cut off)',
        ),
        bytes: opts.metrics.counter('watchpost_spool_corrupt_bytes_total', 'Bytes of damaged spool records found at start'),
      };
    }
    if (dataDir === ':memory:') {
      // Tests: nothing on disk, so every row stays in memory.
      this.memoryBytes = Infinity;
      return;
    }
    this.memoryBytes = opts.memoryBytes ?? Math.min(64 * 1024 * 1024, maxBytes);
    this.dir = path.join(dataDir, 'spool');
    privateDir(this.dir);
    this.recover();
    this.importSqlite(path.join(dataDir, 'spool.db'));
  }

  /**
   * Rebuilds the index from the segment files. A record that fails its check (magic, length,
   * CRC, id in sequence) costs only itself: the scan resynchronises on the next valid record,
   * the bad bytes are moved to spool/corrupt/, and the segment is rewritten without them. A
   * torn tail (the last record cut short by a crash) is cut off. Both are logged and counted.
   */
  private recover(): void {
    const files = readdirSync(this.dir!)
      .filter((f) => /^\d{16}\.log$/.test(f))
      .sort();
    for (const f of files) {
      const file = path.join(this.dir!, f);
      const seg: Segment = { file, firstId: 0, lastId: 0, live: 0, released: new Set(), size: 0 };
      const fd = openSync(file, 'r+');
      let rewrite: Buffer[] | undefined;
      try {
        const size = fstatSync(fd).size;
        const data = Buffer.allocUnsafe(size);
        readSync(fd, data, 0, size, 0);
        const good: [number, number][] = [];
        let off = 0;
        let lastId = Number(f.slice(0, 16)) - 1;
        while (off < size) {
          const len = recordAt(data, off, lastId);
          if (len >= 0) {
            const id = data.readDoubleLE(off + 16);
            const points = data.readUInt32LE(off + 8);
            this.bytes += len;
            this.pointsQueued += points;
            seg.firstId ||= id;
            seg.lastId = id;
            seg.live++;
            lastId = id;
            this.nextId = Math.max(this.nextId, id + 1);
            good.push([off, off + HEADER + len]);
            off += HEADER + len;
            continue;
          }
          let next = off + 1;
          while (next < size && recordAt(data, next, lastId) < 0) next++;
          // Torn: nothing valid follows and the record runs past the end (or its header does).
          const torn = next >= size && (off + HEADER > size || (isMagic(data.readUInt32LE(off)) && off + HEADER + data.readUInt32LE(off + 4) > size));
          this.corrupt(file, data, off, next, torn);
          off = next;
        }
        const kept = good.reduce((n, [a, b]) => n + b - a, 0);
        if (kept < size) {
          if (good.length && good[good.length - 1]![1] === kept) ftruncateSync(fd, kept);
          else rewrite = good.map(([a, b]) => data.subarray(a, b));
        }
        seg.size = kept;
      } finally {
        closeSync(fd);
      }
      if (rewrite && seg.live) {
        // Written beside and renamed over: a crash here leaves the old file, recovered again.
        writeDurably(`${file}.tmp`, Buffer.concat(rewrite));
        renameSync(`${file}.tmp`, file);
      }
      if (seg.live) this.segments.push(seg);
      else unlinkSync(file);
    }
  }

  /** Bytes [from, to) of a segment that hold no valid record: moved aside (unless a torn tail), logged, counted. */
  private corrupt(file: string, data: Buffer, from: number, to: number, torn: boolean): void {
    const reason = torn ? 'torn_tail' : 'bad_record';
    // Records in the range: each header magic at least, one if the magic itself was hit.
    let records = 0;
    for (let p = from; p + 4 <= to; p++) if (isMagic(data.readUInt32LE(p))) records++;
    records = Math.max(1, records);
    let moved: string | undefined;
    if (!torn) {
      const dir = path.join(this.dir!, 'corrupt');
      mkdirSync(dir, { recursive: true });
      moved = path.join(dir, `${path.basename(file, '.log')}.${from}-${to}.bad`);
      writeDurably(moved, data.subarray(from, to));
    }
    this.corruptCounters?.records.inc({ reason }, records);
    this.corruptCounters?.bytes.inc({ reason }, to - from);
    this.log?.error(
      { segment: file, from, to, bytes: to - from, records, reason, moved_to: moved },
      torn
        ? 'spool: torn record at the end of a segment cut off (its points are lost)'
        : 'spool: damaged records moved aside (their points are lost; the records after them are kept)',
    );
  }
  /** Rows left in the node:sqlite spool of earlier versions are moved into the log, once. */
  private importSqlite(file: string): void {
    if (!existsSync(file)) return;
    const db = new DatabaseSync(file);
    try {
      for (const r of db.prepare('SELECT points, body, oldest_ms FROM spool ORDER BY id').iterate() as Iterable<{
        points: number;
        body: string | Uint8Array;
        oldest_ms: number;
      }>) {
        this.write(typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body), Number(r.points), Number(r.oldest_ms), Date.now());
      }
    } catch {
      // No spool table: nothing to import.
    } finally {
      db.close();
    }
    this.sync();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  }

  /** Durably appends a line-protocol body; throws SpoolFullError at the size limit. */
  append(body: string | Buffer, points: number, oldestMs = Date.now()): void {
    if (points === 0) return;
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    if (this.bytes + buf.length > this.maxBytes) throw new SpoolFullError(`spool full (${this.bytes} of ${this.maxBytes} bytes)`);
    const now = Date.now();
    this.write(buf, points, Math.min(now, oldestMs), now);
    this.wake();
  }

  private write(buf: Buffer, points: number, oldestMs: number, createdMs: number): void {
    const id = this.nextId;
    let seg = this.segments[this.segments.length - 1];
    if (this.dir) {
      if (this.fd < 0 || !seg || seg.size >= this.segmentBytes) seg = this.startSegment(id);
      const head = Buffer.allocUnsafe(HEADER);
      head.writeUInt32LE(MAGIC, 0);
      head.writeUInt32LE(buf.length, 4);
      head.writeUInt32LE(points, 8);
      head.writeDoubleLE(id, 16);
      head.writeDoubleLE(createdMs, 24);
      head.writeDoubleLE(oldestMs, 32);
      head.writeUInt32LE(recordCrc(head, buf), 12);
      // Throws on a full disk before anything is counted: the caller does not ack.
      const n = writevSync(this.fd, [head, buf]);
      if (n !== HEADER + buf.length) {
        ftruncateSync(this.fd, seg.size);
        throw new Error(`spool: short write (${n} of ${HEADER + buf.length} bytes)`);
      }
      seg.size += n;
      this.scheduleSync();
    } else if (!seg) {
      seg = { file: '', firstId: id, lastId: id, live: 0, released: new Set(), size: 0 };
      this.segments.push(seg);
    }
    seg.lastId = id;
    seg.live++;
    this.nextId++;
    this.bytes += buf.length;
    this.pointsQueued += points;
    this.remember({ id, points, body: buf, oldestMs, createdMs });
  }

  private startSegment(firstId: number): Segment {
    if (this.fd >= 0) {
      // Synced and closed off this thread: ingest does not wait for the disk.
      const fd = this.fd;
      fdatasync(fd, () => close(fd, () => {}));
      this.dirty = false;
    }
    const file = path.join(this.dir!, `${String(firstId).padStart(16, '0')}.log`);
    this.fd = openSync(file, 'a');
    const seg: Segment = { file, firstId, lastId: firstId, live: 0, released: new Set(), size: 0 };
    this.segments.push(seg);
    return seg;
  }

  private scheduleSync(): void {
    // biome-ignore lint/correctness/noVoidTypeReturn: returns what sync() returns (nothing), as one statement
    if (this.syncMs === 0) return this.sync();
    this.dirty = true;
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = undefined;
      // On libuv's thread pool: a slow disk delays the sync, not ingest.
      if (this.dirty && this.fd >= 0) fdatasync(this.fd, () => {});
      this.dirty = false;
    }, this.syncMs).unref();
  }

  private sync(): void {
    if (this.dirty && this.fd >= 0) fdatasyncSync(this.fd);
    this.dirty = false;
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
      for (let k = Math.max(0, afterId - first.id + 1); k < this.recent.length; k++) {
        const r = this.recent[k]!;
        if (out.length && n + r.points > maxPoints) break;
        out.push(r);
        n += r.points;
      }
      return out;
    }
    return this.readFiles(maxPoints, afterId);
  }

  /** take() for rows no longer in memory: reads the segments from a cursor kept between calls. */
  private readFiles(maxPoints: number, afterId: number): SpoolRow[] {
    const out: SpoolRow[] = [];
    if (!this.dir) return out;
    let n = 0;
    let c = this.cursor;
    if (!c || c.afterId !== afterId) {
      // Start at the segment holding the first row after afterId, from its beginning.
      const seg = this.segments.findIndex((s) => s.lastId > afterId);
      if (seg < 0) return out;
      c = { afterId, seg, offset: 0 };
    }
    const head = Buffer.alloc(HEADER);
    while (c.seg < this.segments.length) {
      const s = this.segments[c.seg]!;
      if (c.offset >= s.size) {
        // The last segment may still grow: the cursor waits at its end.
        if (c.seg === this.segments.length - 1) break;
        c = { afterId: c.afterId, seg: c.seg + 1, offset: 0 };
        continue;
      }
      const fd = openSync(s.file, 'r');
      try {
        while (c.offset < s.size) {
          readSync(fd, head, 0, HEADER, c.offset);
          const len = head.readUInt32LE(4);
          const id = head.readDoubleLE(16);
          const points = head.readUInt32LE(8);
          if (id <= afterId || s.released.has(id)) {
            c.offset += HEADER + len;
            continue;
          }
          if (out.length && n + points > maxPoints) break;
          const body = Buffer.allocUnsafe(len);
          readSync(fd, body, 0, len, c.offset + HEADER);
          out.push({ id, points, body, createdMs: head.readDoubleLE(24), oldestMs: head.readDoubleLE(32) });
          n += points;
          c.offset += HEADER + len;
          c.afterId = id;
        }
      } finally {
        closeSync(fd);
      }
      if (out.length && (n >= maxPoints || c.offset < s.size)) break;
    }
    this.cursor = c;
    return out;
  }

  /** Releases rows once written; `rows` is one contiguous run as returned by take(). */
  release(rows: SpoolRow[]): void {
    if (!rows.length) return;
    const lo = rows[0]!.id;
    const hi = rows[rows.length - 1]!.id;
    for (const r of rows) {
      // A row of a deleted segment, or one released before, counts once.
      const seg = this.segmentOf(r.id);
      if (!seg || seg.released.has(r.id)) continue;
      seg.released.add(r.id);
      this.bytes -= r.body.length;
      this.pointsQueued -= r.points;
      if (--seg.live === 0) this.drop(seg);
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

  /** Deletes a segment whose rows are all released; the one being appended to is closed first. */
  private drop(seg: Segment): void {
    if (seg === this.segments[this.segments.length - 1] && this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
      this.dirty = false;
    }
    if (seg.file) unlinkSync(seg.file);
    this.segments.splice(this.segments.indexOf(seg), 1);
    this.cursor = undefined;
  }

  private segmentOf(id: number): Segment | undefined {
    // Segments are in id order; the one that holds id is usually the first.
    for (const s of this.segments) if (id >= s.firstId && id <= s.lastId) return s;
    return undefined;
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

  /** Wakes whoever waits in wait() now (a writer told to flush). */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  stats(): { bytes: number; points: number } {
    return { bytes: this.bytes, points: this.pointsQueued };
  }

  close(): void {
    this.wake();
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.fd >= 0) {
      this.sync();
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
