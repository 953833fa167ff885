import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export type AuditAlgo = 'sha256' | 'sm3';

export interface AuditEntry {
  seq: number;
  time_ms: number;
  actor: string;
  action: string;
  target: string;
  details: string;
  algo: string;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);
const ALGOS: readonly string[] = ['sha256', 'sm3'] satisfies AuditAlgo[];

/** The chain's head as the anchor file holds it. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** The anchor file beside state.db (none for a database kept in memory). */
export function auditAnchorFile(dataDir: string): string | undefined {
  return dataDir === ':memory:' ? undefined : path.join(dataDir, 'audit.anchor');
}

function readAnchor(file: string): AuditHead | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const head = JSON.parse(text) as AuditHead;
  if (!Number.isSafeInteger(head.seq) || typeof head.hash !== 'string') throw new Error(`${file}: not an audit anchor`);
  return head;
}

/** Written beside and renamed over, so a crash leaves the old anchor or the new one, never half of one. */
function writeAnchor(file: string, head: AuditHead): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(head)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function digest(algo: string, prev: string, e: Pick<AuditEntry, 'time_ms' | 'actor' | 'action' | 'target' | 'details'>): string {
  // Length-prefixed fields: no two different entries can serialise to the same bytes.
  const parts = [prev, String(e.time_ms), e.actor, e.action, e.target, e.details];
  const h = createHash(algo);
  for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p};`);
  return h.digest('hex');
}

/**
 * Append-only, tamper-evident audit log: each entry's hash covers the previous entry's hash,
 * so editing or deleting any entry breaks every hash after it (`watchpost audit verify`).
 * Deleting entries at the end breaks no link, so the head (seq and hash of the last entry)
 * is also kept outside the database: in the anchor file beside state.db, moved forward after
 * every append and never back, and in the collector's hourly log line; verify compares them.
 * Every state-changing action of the collector (enrolment, ack, maintenance window,
 * inspection sign-off, login…) is recorded here with who did it.
 */
export class AuditLog {
  private readonly db: DatabaseSync;
  private readonly algo: AuditAlgo;
  private readonly now: () => number;
  private readonly anchorFile?: string | undefined;
  private last: StatementSync;
  private insert: StatementSync;

  /** `anchorFile`: where the head is anchored (auditAnchorFile()); without one, truncation goes unseen. */
  constructor(db: DatabaseSync, algo: AuditAlgo = 'sha256', now: () => number = Date.now, anchorFile?: string) {
    this.db = db;
    this.algo = algo;
    this.now = now;
    this.anchorFile = anchorFile;
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(
      'INSERT INTO audit_log (time_ms, actor, action, target, details, algo, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq',
    );
  }

  append(actor: string, action: string, target: string, details: Record<string, unknown> = {}): number {
    const last = this.head();
    const prev = last?.hash ?? GENESIS;
    const e = { time_ms: this.now(), actor, action, target, details: JSON.stringify(details) };
    const hash = digest(this.algo, prev, e);
    const seq = Number((this.insert.get(e.time_ms, actor, action, target, e.details, this.algo, prev, hash) as { seq: number }).seq);
    if (this.anchorFile) {
      // The anchor moves only from the head this entry follows: an anchor the database no longer
      // matches (entries cut off the end) stays as it is, for verify to report.
      const anchor = readAnchor(this.anchorFile);
      if (!anchor || (last && anchor.seq <= last.seq && this.hashAt(anchor.seq) === anchor.hash)) writeAnchor(this.anchorFile, { seq, hash });
    }
    return seq;
  }

  private hashAt(seq: number): string | undefined {
    return (this.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq) as { hash: string } | undefined)?.hash;
  }

  /** The last entry's seq and hash (none while the log is empty). */
  head(): AuditHead | undefined {
    const r = this.last.get() as { seq: number; hash: string } | undefined;
    return r ? { seq: Number(r.seq), hash: r.hash } : undefined;
  }

  /**
   * Called by the collector at start: anchors the head of a log that has none yet (a data
   * directory of an earlier version). Returns whether it had to.
   */
  anchorIfMissing(): boolean {
    if (!this.anchorFile || readAnchor(this.anchorFile)) return false;
    const head = this.head();
    if (!head) return false;
    writeAnchor(this.anchorFile, head);
    return true;
  }

  list(limit = 100): AuditEntry[] {
    return this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit) as unknown as AuditEntry[];
  }

  /**
   * Recomputes the chain and compares its head with the anchor; returns the first broken entry,
   * or ok with the count checked. Never throws for what it finds in the database.
   */
  verify(): { ok: true; entries: number } | { ok: false; seq: number; reason: string } {
    let prev = GENESIS;
    let n = 0;
    let last: AuditHead | undefined;
    for (const row of this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<AuditEntry>) {
      const seq = Number(row.seq);
      if (!ALGOS.includes(row.algo)) return { ok: false, seq, reason: `unknown hash algorithm "${row.algo}" (known: ${ALGOS.join(', ')}): the entry cannot be checked` };
      if (row.prev_hash !== prev) return { ok: false, seq, reason: 'previous-hash link broken (an entry before it was changed or removed)' };
      if (digest(row.algo, prev, row) !== row.hash) return { ok: false, seq, reason: 'entry content does not match its hash (entry changed)' };
      prev = row.hash;
      last = { seq, hash: row.hash };
      n++;
    }
    if (!this.anchorFile) return { ok: true, entries: n };
    let anchor: AuditHead | undefined;
    try {
      anchor = readAnchor(this.anchorFile);
    } catch (e) {
      return { ok: false, seq: (last?.seq ?? 0) + 1, reason: `the anchor file cannot be read (${(e as Error).message})` };
    }
    if (!anchor) {
      if (!last) return { ok: true, entries: 0 };
      return { ok: false, seq: last.seq + 1, reason: `the anchor file ${this.anchorFile} is missing (the collector writes it at start): the end of the log cannot be checked` };
    }
    if (!last || anchor.seq > last.seq) {
      const ends = last ? `ends at entry ${last.seq}` : 'is empty';
      return { ok: false, seq: (last?.seq ?? 0) + 1, reason: `log truncated: the anchor records entry ${anchor.seq} as the head, the log ${ends} (${anchor.seq - (last?.seq ?? 0)} entries missing at the end)` };
    }
    const at = this.hashAt(anchor.seq);
    if (at === undefined) return { ok: false, seq: anchor.seq, reason: `the anchored head entry ${anchor.seq} is missing` };
    if (at !== anchor.hash) return { ok: false, seq: anchor.seq, reason: `entry ${anchor.seq} does not match the anchored head hash (the log was rewritten from there)` };
    // Entries after the anchor (a crash between the insert and the anchor write) are covered by the chain alone.
    return { ok: true, entries: n };
  }
}
