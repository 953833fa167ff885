import { createHash } from 'node:crypto';
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
 * Every state-changing action of the collector (enrolment, ack, maintenance window,
 * inspection sign-off, login…) is recorded here with who did it.
 */
export class AuditLog {
  private readonly db: DatabaseSync;
  private readonly algo: AuditAlgo;
  private readonly now: () => number;
  private last: StatementSync;
  private insert: StatementSync;

  constructor(db: DatabaseSync, algo: AuditAlgo = 'sha256', now: () => number = Date.now) {
    this.db = db;
    this.algo = algo;
    this.now = now;
    this.last = db.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(
      'INSERT INTO audit_log (time_ms, actor, action, target, details, algo, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq',
    );
  }

  append(actor: string, action: string, target: string, details: Record<string, unknown> = {}): number {
    const prev = (this.last.get() as { hash: string } | undefined)?.hash ?? GENESIS;
    const e = { time_ms: this.now(), actor, action, target, details: JSON.stringify(details) };
    const hash = digest(this.algo, prev, e);
    return Number((this.insert.get(e.time_ms, actor, action, target, e.details, this.algo, prev, hash) as { seq: number }).seq);
  }

  list(limit = 100): AuditEntry[] {
    return this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit) as unknown as AuditEntry[];
  }

  /** Recomputes the chain; returns the first broken entry, or ok with the count checked. */
  verify(): { ok: true; entries: number } | { ok: false; seq: number; reason: string } {
    let prev = GENESIS;
    let n = 0;
    for (const row of this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<AuditEntry>) {
      if (row.prev_hash !== prev) return { ok: false, seq: Number(row.seq), reason: 'previous-hash link broken (an entry before it was changed or removed)' };
      if (digest(row.algo, prev, row) !== row.hash) return { ok: false, seq: Number(row.seq), reason: 'entry content does not match its hash (entry changed)' };
      prev = row.hash;
      n++;
    }
    return { ok: true, entries: n };
  }
}
