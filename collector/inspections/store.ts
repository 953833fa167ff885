import type { DatabaseSync } from 'node:sqlite';
import type { AuditLog } from '../store/audit.ts';
import { registerMigrations } from '../store/db.ts';

registerMigrations({
  id: '300_inspections',
  sql: `
    CREATE TABLE inspections (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      schedule_id TEXT NOT NULL,
      title TEXT NOT NULL,
      kind TEXT NOT NULL,
      period TEXT NOT NULL,
      started_ms INTEGER NOT NULL,
      started_by TEXT NOT NULL,
      signed_ms INTEGER,
      signed_by TEXT,
      summary TEXT NOT NULL DEFAULT '',
      inventory TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX inspections_schedule ON inspections (schedule_id, period);
    CREATE TABLE inspection_items (
      inspection_id INTEGER NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      mode TEXT NOT NULL CHECK (mode IN ('auto', 'manual')),
      code TEXT NOT NULL,
      device TEXT NOT NULL DEFAULT '',
      label TEXT NOT NULL,
      result TEXT CHECK (result IN ('pass', 'warn', 'fail', 'na')),
      evidence TEXT NOT NULL DEFAULT '{}',
      note TEXT NOT NULL DEFAULT '',
      photo TEXT,
      PRIMARY KEY (inspection_id, seq)
    );
    CREATE TABLE inspection_problems (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      inspection_id INTEGER REFERENCES inspections (id),
      title TEXT NOT NULL,
      device TEXT NOT NULL DEFAULT '',
      severity TEXT NOT NULL CHECK (severity IN ('warn', 'fail')),
      owner TEXT NOT NULL DEFAULT '',
      due_ms INTEGER NOT NULL,
      created_ms INTEGER NOT NULL,
      closed_ms INTEGER,
      closed_by TEXT,
      resolution TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE inspection_notices (
      schedule_id TEXT NOT NULL,
      due_ms INTEGER NOT NULL,
      kind TEXT NOT NULL,
      sent_ms INTEGER NOT NULL,
      PRIMARY KEY (schedule_id, due_ms, kind)
    );
  `,
});

export type ItemResult = 'pass' | 'warn' | 'fail' | 'na';

export interface InspectionItem {
  seq: number;
  mode: 'auto' | 'manual';
  code: string;
  device: string;
  label: string;
  result: ItemResult | null;
  evidence: Record<string, unknown>;
  note: string;
  photo: string | null;
}

export interface InspectionRecord {
  id: number;
  schedule_id: string;
  title: string;
  kind: string;
  period: string;
  started_ms: number;
  started_by: string;
  signed_ms: number | null;
  signed_by: string | null;
  summary: string;
  /** Devices in scope when the run started. */
  inventory: string[];
  items: InspectionItem[];
}

export interface ProblemRecord {
  id: number;
  inspection_id: number | null;
  title: string;
  device: string;
  severity: 'warn' | 'fail';
  owner: string;
  due_ms: number;
  created_ms: number;
  closed_ms: number | null;
  closed_by: string | null;
  resolution: string;
}

/** A typed refusal (signed inspections are read-only, unknown ids…): the console turns it into a 4xx. */
export class InspectionError extends Error {
  readonly code: 'not_found' | 'signed' | 'incomplete' | 'invalid';
  constructor(code: InspectionError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

type Row = Record<string, unknown>;

/**
 * Inspection runs, their checklist items and the problem list, in the collector's state DB.
 * Every change is audit-logged with the actor. Signed inspections cannot change.
 */
export class InspectionStore {
  private readonly db: DatabaseSync;
  private readonly audit: AuditLog;
  private readonly now: () => number;

  constructor(db: DatabaseSync, audit: AuditLog, now: () => number = Date.now) {
    this.db = db;
    this.audit = audit;
    this.now = now;
  }

  create(
    actor: string,
    run: { schedule_id: string; title: string; kind: string; period: string; inventory: string[]; items: Omit<InspectionItem, 'seq'>[] },
  ): number {
    this.db.exec('BEGIN');
    try {
      const id = Number(
        (
          this.db
            .prepare('INSERT INTO inspections (schedule_id, title, kind, period, started_ms, started_by, inventory) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id')
            .get(run.schedule_id, run.title, run.kind, run.period, this.now(), actor, JSON.stringify(run.inventory)) as { id: number }
        ).id,
      );
      const ins = this.db.prepare(
        'INSERT INTO inspection_items (inspection_id, seq, mode, code, device, label, result, evidence, note, photo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      run.items.forEach((it, i) => ins.run(id, i + 1, it.mode, it.code, it.device, it.label, it.result, JSON.stringify(it.evidence), it.note, it.photo));
      const failed = run.items.filter((i) => i.result === 'fail').length;
      this.audit.append(actor, 'inspection.start', `inspection/${id}`, { schedule: run.schedule_id, period: run.period, items: run.items.length, failed });
      this.db.exec('COMMIT');
      return id;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  get(id: number): InspectionRecord | undefined {
    const r = this.db.prepare('SELECT * FROM inspections WHERE id = ?').get(id) as Row | undefined;
    return r ? this.hydrate(r) : undefined;
  }

  private hydrate(r: Row): InspectionRecord {
    const items = (this.db.prepare('SELECT * FROM inspection_items WHERE inspection_id = ? ORDER BY seq').all(r.id as number) as Row[]).map((i) => ({
      seq: Number(i.seq),
      mode: i.mode as 'auto' | 'manual',
      code: String(i.code),
      device: String(i.device),
      label: String(i.label),
      result: (i.result as ItemResult | null) ?? null,
      evidence: JSON.parse(String(i.evidence)) as Record<string, unknown>,
      note: String(i.note),
      photo: (i.photo as string | null) ?? null,
    }));
    return {
      id: Number(r.id),
      schedule_id: String(r.schedule_id),
      title: String(r.title),
      kind: String(r.kind),
      period: String(r.period),
      started_ms: Number(r.started_ms),
      started_by: String(r.started_by),
      signed_ms: r.signed_ms === null ? null : Number(r.signed_ms),
      signed_by: (r.signed_by as string | null) ?? null,
      summary: String(r.summary),
      inventory: JSON.parse(String(r.inventory)) as string[],
      items,
    };
  }

  list(limit = 100): InspectionRecord[] {
    return (this.db.prepare('SELECT * FROM inspections ORDER BY started_ms DESC, id DESC LIMIT ?').all(limit) as Row[]).map((r) => this.hydrate(r));
  }

  /** Inspections started or signed in [startMs, endMs), oldest first. */
  inspectionsIn(startMs: number, endMs: number): InspectionRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM inspections WHERE (started_ms >= ? AND started_ms < ?) OR (signed_ms >= ? AND signed_ms < ?) ORDER BY started_ms, id')
        .all(startMs, endMs, startMs, endMs) as Row[]
    ).map((r) => this.hydrate(r));
  }

  /** The latest signed run of a schedule, or undefined. */
  lastSigned(scheduleId: string, beforeMs = Number.MAX_SAFE_INTEGER): InspectionRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM inspections WHERE schedule_id = ? AND signed_ms IS NOT NULL AND signed_ms < ? ORDER BY signed_ms DESC LIMIT 1')
      .get(scheduleId, beforeMs) as Row | undefined;
    return r ? this.hydrate(r) : undefined;
  }

  forPeriod(scheduleId: string, period: string): InspectionRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM inspections WHERE schedule_id = ? AND period = ? ORDER BY signed_ms IS NULL, id DESC LIMIT 1')
      .get(scheduleId, period) as Row | undefined;
    return r ? this.hydrate(r) : undefined;
  }

  private editable(id: number): InspectionRecord {
    const r = this.get(id);
    if (!r) throw new InspectionError('not_found', `no inspection ${id}`);
    if (r.signed_ms !== null) throw new InspectionError('signed', `inspection ${id} is signed and can no longer change`);
    return r;
  }

  /** Records the engineer's result and note for a manual item (or overrides nothing else: automatic results stand). */
  recordManual(actor: string, id: number, seq: number, v: { result: ItemResult; note: string; photo?: string | null }): void {
    const r = this.editable(id);
    const item = r.items.find((i) => i.seq === seq);
    if (item?.mode !== 'manual') throw new InspectionError('invalid', `inspection ${id} has no manual item ${seq}`);
    this.db
      .prepare('UPDATE inspection_items SET result = ?, note = ?, photo = COALESCE(?, photo) WHERE inspection_id = ? AND seq = ?')
      .run(v.result, v.note, v.photo ?? null, id, seq);
    this.audit.append(actor, 'inspection.item', `inspection/${id}`, { seq, code: item.code, result: v.result, note: v.note, photo: v.photo ?? undefined });
  }

  /**
   * Signs an inspection off. Every manual item needs a result. Failed and warned items become
   * problems (owner, due date) unless an open problem for the same item and device exists.
   */
  sign(actor: string, id: number, summary: string, opts: { owner: string; dueDays: number }): { problems: number[] } {
    const r = this.editable(id);
    const missing = r.items.filter((i) => i.mode === 'manual' && i.result === null);
    if (missing.length) throw new InspectionError('incomplete', `record every manual item before signing: ${missing.map((m) => m.label).join(', ')}`);
    const now = this.now();
    const made: number[] = [];
    this.db.exec('BEGIN');
    try {
      this.db.prepare('UPDATE inspections SET signed_ms = ?, signed_by = ?, summary = ? WHERE id = ?').run(now, actor, summary, id);
      for (const it of r.items) {
        if (it.result !== 'fail' && it.result !== 'warn') continue;
        const title = it.note ? `${it.label}: ${it.note}` : it.label;
        const open = this.db.prepare('SELECT id FROM inspection_problems WHERE closed_ms IS NULL AND device = ? AND title = ?').get(it.device, title);
        if (open) continue;
        const pid = Number(
          (
            this.db
              .prepare(
                'INSERT INTO inspection_problems (inspection_id, title, device, severity, owner, due_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
              )
              .get(id, title, it.device, it.result, opts.owner, now + opts.dueDays * 86_400_000, now) as { id: number }
          ).id,
        );
        made.push(pid);
      }
      this.audit.append(actor, 'inspection.sign', `inspection/${id}`, { summary, problems: made });
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
    return { problems: made };
  }

  addProblem(
    actor: string,
    p: { title: string; device?: string; severity: 'warn' | 'fail'; owner: string; due_ms: number; inspection_id?: number | null },
  ): number {
    const id = Number(
      (
        this.db
          .prepare(
            'INSERT INTO inspection_problems (inspection_id, title, device, severity, owner, due_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
          )
          .get(p.inspection_id ?? null, p.title, p.device ?? '', p.severity, p.owner, p.due_ms, this.now()) as { id: number }
      ).id,
    );
    this.audit.append(actor, 'problem.add', `problem/${id}`, { title: p.title, owner: p.owner, due_ms: p.due_ms });
    return id;
  }

  updateProblem(actor: string, id: number, v: { owner?: string; due_ms?: number }): void {
    const r = this.db
      .prepare('UPDATE inspection_problems SET owner = COALESCE(?, owner), due_ms = COALESCE(?, due_ms) WHERE id = ? AND closed_ms IS NULL')
      .run(v.owner ?? null, v.due_ms ?? null, id);
    if (r.changes === 0) throw new InspectionError('not_found', `no open problem ${id}`);
    this.audit.append(actor, 'problem.update', `problem/${id}`, v);
  }

  closeProblem(actor: string, id: number, resolution: string): void {
    const r = this.db
      .prepare('UPDATE inspection_problems SET closed_ms = ?, closed_by = ?, resolution = ? WHERE id = ? AND closed_ms IS NULL')
      .run(this.now(), actor, resolution, id);
    if (r.changes === 0) throw new InspectionError('not_found', `no open problem ${id}`);
    this.audit.append(actor, 'problem.close', `problem/${id}`, { resolution });
  }

  problems(opts: { open?: boolean } = {}): ProblemRecord[] {
    const where = opts.open ? 'WHERE closed_ms IS NULL' : '';
    return this.db.prepare(`SELECT * FROM inspection_problems ${where} ORDER BY closed_ms IS NOT NULL, due_ms, id`).all() as unknown as ProblemRecord[];
  }

  /** Problems a report for [startMs, endMs) lists: open at its end, or closed during it. */
  problemsFor(startMs: number, endMs: number): ProblemRecord[] {
    return this.db
      .prepare('SELECT * FROM inspection_problems WHERE created_ms < ? AND (closed_ms IS NULL OR closed_ms >= ?) ORDER BY due_ms, id')
      .all(endMs, startMs) as unknown as ProblemRecord[];
  }
}
