import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { compareVersions } from '../../lib/version-compare.ts';
import { registerMigrations } from '../store/db.ts';
import type { SoftwareBody, SoftwareRow } from './body.ts';

registerMigrations({
  id: '600_software',
  sql: `
    CREATE TABLE software_machines (
      agent TEXT PRIMARY KEY,
      hash TEXT NOT NULL,
      doc_time_ms INTEGER NOT NULL,
      received_ms INTEGER NOT NULL,
      first_ms INTEGER NOT NULL,
      changed_ms INTEGER NOT NULL,
      os_name TEXT NOT NULL,
      os_version TEXT NOT NULL,
      os_edition TEXT NOT NULL,
      os_activation TEXT NOT NULL,
      licenses TEXT NOT NULL,
      office TEXT NOT NULL,
      errors TEXT NOT NULL
    );
    CREATE TABLE software_installed (
      agent TEXT NOT NULL,
      source TEXT NOT NULL,
      scope TEXT NOT NULL,
      name TEXT NOT NULL,
      arch TEXT NOT NULL,
      version TEXT NOT NULL,
      publisher TEXT NOT NULL,
      install_date TEXT,
      install_location TEXT NOT NULL,
      since_ms INTEGER NOT NULL,
      PRIMARY KEY (agent, source, scope, name, arch, version)
    ) WITHOUT ROWID;
    CREATE INDEX software_installed_name ON software_installed (name COLLATE NOCASE);
    CREATE TABLE software_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      agent TEXT NOT NULL,
      time_ms INTEGER NOT NULL,
      change TEXT NOT NULL,
      source TEXT NOT NULL,
      scope TEXT NOT NULL,
      name TEXT NOT NULL,
      arch TEXT NOT NULL,
      old_version TEXT,
      new_version TEXT,
      publisher TEXT NOT NULL
    );
    CREATE INDEX software_changes_time ON software_changes (time_ms);
    CREATE INDEX software_changes_agent ON software_changes (agent, time_ms);
    CREATE TABLE software_os_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      agent TEXT NOT NULL,
      time_ms INTEGER NOT NULL,
      os_name TEXT NOT NULL,
      os_version TEXT NOT NULL,
      os_edition TEXT NOT NULL,
      os_activation TEXT NOT NULL,
      office_activation TEXT NOT NULL
    );
    CREATE INDEX software_os_history_agent ON software_os_history (agent, time_ms);
  `,
});

export type ChangeKind = 'installed' | 'removed' | 'upgraded' | 'downgraded';

export interface SoftwareChange {
  id: number;
  agent: string;
  time_ms: number;
  change: ChangeKind;
  source: string;
  scope: string;
  name: string;
  arch: string;
  old_version: string | null;
  new_version: string | null;
  publisher: string;
}

export interface MachineSummary {
  agent: string;
  hash: string;
  /** When the agent took the inventory now held. */
  doc_time_ms: number;
  /** When a document (changed or not) last arrived: how fresh the list is known to be. */
  received_ms: number;
  first_ms: number;
  changed_ms: number;
  os_name: string;
  os_version: string;
  os_edition: string;
  os_activation: string;
  licenses: SoftwareBody['licenses'];
  office: SoftwareBody['office'];
  errors: Record<string, string>;
  packages: number;
}

export interface InstalledRow extends SoftwareRow {
  agent: string;
  since_ms: number;
}

/** What applying one document did. */
export interface ApplyResult {
  /** unchanged: same hash as held (a resend); stale: older than the held one; baseline: a machine's first list; changed: a new list. */
  outcome: 'unchanged' | 'stale' | 'baseline' | 'changed';
  changes: number;
}

/**
 * Per-machine software lists in the state DB, with their history. `apply` is the document
 * handler's write: one transaction per changed list; a resend of the list held (same hash)
 * only moves received_ms, so an unchanged fleet adds nothing to the database. A machine's
 * first list is a baseline (its programs are not "installed" changes: they were there
 * before Watchpost looked). Changes are dated by the agent's inventory time. Entries of a
 * source that failed on the agent (body.errors) keep their previous rows, so a broken
 * rpm database does not read as every package removed, and per-user entries of users the
 * agent could not read this time (body.read_scopes: their hive is loaded only while they are
 * logged on) stay as they were instead of reading as removed at every log-off.
 */
export interface SoftwareStore {
  apply(agent: string, hash: string, docTimeMs: number, body: SoftwareBody, receivedMs: number): ApplyResult;
  /** A resend of the list held (same hash): records that it is still current and returns true, before the body is even validated. */
  resend(agent: string, hash: string, receivedMs: number): boolean;
  machines(): MachineSummary[];
  machine(agent: string): MachineSummary | undefined;
  installed(agent: string): InstalledRow[];
  /** Every installed row, machine by machine (the policy totals walk this). */
  all(): Map<string, InstalledRow[]>;
  /** Machines holding a program whose name contains `q` (case-insensitive). */
  search(q: string, limit?: number): InstalledRow[];
  changes(fromMs: number, toMs: number, agent?: string): SoftwareChange[];
  osHistory(agent: string): { time_ms: number; os_name: string; os_version: string; os_edition: string; os_activation: string; office_activation: string }[];
}

const itemKey = (r: { source: string; scope: string; name: string; arch: string; version: string }) =>
  `${r.source}\u0000${r.scope}\u0000${r.name}\u0000${r.arch}\u0000${r.version}`;
const slotKey = (r: { source: string; scope: string; name: string; arch: string }) => `${r.source}\u0000${r.scope}\u0000${r.name}\u0000${r.arch}`;

/** Office's activation as one word for the history: the worst of the suites Office licensing covers. */
function officeActivation(office: SoftwareBody['office']): string {
  const ms = office.filter((o) => o.kind !== 'wps');
  if (!ms.length) return '';
  return ms.every((o) => o.activation === 'licensed') ? 'licensed' : (ms.find((o) => o.activation !== 'licensed')?.activation ?? 'unknown');
}

type Statements = Record<string, StatementSync>;

function prepareStatements(db: DatabaseSync): Statements {
  return {
    machine: db.prepare('SELECT m.*, (SELECT COUNT(*) FROM software_installed i WHERE i.agent = m.agent) AS packages FROM software_machines m WHERE agent = ?'),
    machines: db.prepare('SELECT m.*, (SELECT COUNT(*) FROM software_installed i WHERE i.agent = m.agent) AS packages FROM software_machines m ORDER BY agent'),
    head: db.prepare('SELECT hash, doc_time_ms, os_name, os_version, os_edition, os_activation, office FROM software_machines WHERE agent = ?'),
    seen: db.prepare('UPDATE software_machines SET received_ms = ? WHERE agent = ?'),
    upsert:
      db.prepare(`INSERT INTO software_machines (agent, hash, doc_time_ms, received_ms, first_ms, changed_ms, os_name, os_version, os_edition, os_activation, licenses, office, errors)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(agent) DO UPDATE SET hash = excluded.hash, doc_time_ms = excluded.doc_time_ms, received_ms = excluded.received_ms, changed_ms = excluded.changed_ms,
        os_name = excluded.os_name, os_version = excluded.os_version, os_edition = excluded.os_edition, os_activation = excluded.os_activation,
        licenses = excluded.licenses, office = excluded.office, errors = excluded.errors`),
    rows: db.prepare('SELECT * FROM software_installed WHERE agent = ?'),
    allRows: db.prepare('SELECT * FROM software_installed ORDER BY agent, name'),
    ins: db.prepare(
      'INSERT INTO software_installed (agent, source, scope, name, arch, version, publisher, install_date, install_location, since_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    upd: db.prepare(
      'UPDATE software_installed SET publisher = ?, install_date = ?, install_location = ? WHERE agent = ? AND source = ? AND scope = ? AND name = ? AND arch = ? AND version = ?',
    ),
    del: db.prepare('DELETE FROM software_installed WHERE agent = ? AND source = ? AND scope = ? AND name = ? AND arch = ? AND version = ?'),
    change: db.prepare(
      'INSERT INTO software_changes (agent, time_ms, change, source, scope, name, arch, old_version, new_version, publisher) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    os: db.prepare(
      'INSERT INTO software_os_history (agent, time_ms, os_name, os_version, os_edition, os_activation, office_activation) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    search: db.prepare("SELECT * FROM software_installed WHERE name LIKE ? ESCAPE '\\' ORDER BY name, agent LIMIT ?"),
    changes: db.prepare('SELECT * FROM software_changes WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id'),
    changesOf: db.prepare('SELECT * FROM software_changes WHERE agent = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, id'),
    osHistory: db.prepare(
      'SELECT time_ms, os_name, os_version, os_edition, os_activation, office_activation FROM software_os_history WHERE agent = ? ORDER BY time_ms, id',
    ),
  };
}

type Head = { hash: string; doc_time_ms: number; os_name: string; os_version: string; os_edition: string; os_activation: string; office: string };

/**
 * Brings one machine's installed rows to the new list: returns what came and what went (rows of a
 * source that failed on the agent, or of a user it could not read this time, are kept).
 */
function syncInstalled(st: Statements, agent: string, docTimeMs: number, body: SoftwareBody): { added: SoftwareRow[]; removed: InstalledRow[] } {
  const failed = new Set(Object.keys(body.errors));
  const old = new Map<string, InstalledRow>();
  for (const r of st.rows!.all(agent) as unknown as InstalledRow[]) old.set(itemKey(r), r);
  const now = new Map<string, SoftwareRow>();
  for (const r of body.software) now.set(itemKey(r), r);
  const added: SoftwareRow[] = [];
  const removed: InstalledRow[] = [];
  for (const [k, r] of now) {
    const o = old.get(k);
    if (!o) added.push(r);
    else if (o.publisher !== r.publisher || o.install_date !== r.install_date || o.install_location !== r.install_location)
      st.upd!.run(r.publisher, r.install_date, r.install_location, agent, r.source, r.scope, r.name, r.arch, r.version);
  }
  // Per-user entries of a user whose hive was not loaded (logged off) were not looked at.
  const unread = (o: InstalledRow) => o.scope !== 'machine' && body.read_scopes?.[o.source] !== undefined && !body.read_scopes[o.source]!.includes(o.scope);
  for (const [k, o] of old) if (!now.has(k) && !failed.has(o.source) && !unread(o)) removed.push(o);
  for (const o of removed) st.del!.run(agent, o.source, o.scope, o.name, o.arch, o.version);
  for (const r of added) st.ins!.run(agent, r.source, r.scope, r.name, r.arch, r.version, r.publisher, r.install_date, r.install_location, docTimeMs);
  return { added, removed };
}

/** Writes the change history of one new list; one entry gone and one come in the same slot (source, scope, name, arch) is a version change. Returns how many. */
function recordChanges(st: Statements, agent: string, docTimeMs: number, added: SoftwareRow[], removed: InstalledRow[]): number {
  let changes = 0;
  const gone = new Map<string, InstalledRow[]>();
  for (const o of removed) (gone.get(slotKey(o)) ?? gone.set(slotKey(o), []).get(slotKey(o))!).push(o);
  const came = new Map<string, SoftwareRow[]>();
  for (const r of added) (came.get(slotKey(r)) ?? came.set(slotKey(r), []).get(slotKey(r))!).push(r);
  const rec = (
    change: ChangeKind,
    r: { source: string; scope: string; name: string; arch: string; publisher: string },
    oldV: string | null,
    newV: string | null,
  ) => {
    st.change!.run(agent, docTimeMs, change, r.source, r.scope, r.name, r.arch, oldV, newV, r.publisher);
    changes++;
  };
  for (const [k, rs] of came) {
    const gs = gone.get(k);
    if (gs?.length === 1 && rs.length === 1) {
      const o = gs[0]!;
      const r = rs[0]!;
      rec(compareVersions(r.version, o.version) < 0 ? 'downgraded' : 'upgraded', r, o.version, r.version);
      gone.delete(k);
    } else for (const r of rs) rec('installed', r, null, r.version);
  }
  for (const gs of gone.values()) for (const o of gs) rec('removed', o, o.version, null);
  return changes;
}

/** The machine's row (the list's head) and, when the OS or Office activation changed, a line of OS history. */
function recordMachine(st: Statements, head: Head | undefined, agent: string, hash: string, docTimeMs: number, body: SoftwareBody, receivedMs: number): void {
  const oa = officeActivation(body.office);
  if (
    !head ||
    head.os_name !== body.os.name ||
    head.os_version !== body.os.version ||
    head.os_edition !== body.os.edition ||
    head.os_activation !== body.os.activation ||
    officeActivation(JSON.parse(head.office)) !== oa
  )
    st.os!.run(agent, docTimeMs, body.os.name, body.os.version, body.os.edition, body.os.activation, oa);
  st.upsert!.run(
    agent,
    hash,
    docTimeMs,
    receivedMs,
    receivedMs,
    docTimeMs,
    body.os.name,
    body.os.version,
    body.os.edition,
    body.os.activation,
    JSON.stringify(body.licenses),
    JSON.stringify(body.office),
    JSON.stringify(body.errors),
  );
}

export function createSoftwareStore(db: DatabaseSync): SoftwareStore {
  const st = prepareStatements(db);
  const summary = (r: Record<string, unknown> | undefined): MachineSummary | undefined =>
    r && {
      ...(r as unknown as MachineSummary),
      licenses: JSON.parse(String(r.licenses)),
      office: JSON.parse(String(r.office)),
      errors: JSON.parse(String(r.errors)),
      packages: Number(r.packages),
    };

  return {
    resend(agent, hash, receivedMs) {
      const head = st.head!.get(agent) as { hash: string } | undefined;
      if (head?.hash !== hash) return false;
      st.seen!.run(receivedMs, agent);
      return true;
    },
    apply(agent, hash, docTimeMs, body, receivedMs) {
      const head = st.head!.get(agent) as Head | undefined;
      if (head && head.hash === hash) {
        st.seen!.run(receivedMs, agent);
        return { outcome: 'unchanged', changes: 0 };
      }
      // The outbox is FIFO, but a restored agent state dir can replay an old list: the newer one stands.
      if (head && docTimeMs < head.doc_time_ms) return { outcome: 'stale', changes: 0 };
      let changes = 0;
      db.exec('BEGIN');
      try {
        const { added, removed } = syncInstalled(st, agent, docTimeMs, body);
        if (head) changes = recordChanges(st, agent, docTimeMs, added, removed);
        recordMachine(st, head, agent, hash, docTimeMs, body, receivedMs);
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
      return { outcome: head ? 'changed' : 'baseline', changes };
    },
    machines: () => (st.machines!.all() as Record<string, unknown>[]).map((r) => summary(r)!),
    machine: (agent) => summary(st.machine!.get(agent) as Record<string, unknown> | undefined),
    installed: (agent) => st.rows!.all(agent) as unknown as InstalledRow[],
    all() {
      const out = new Map<string, InstalledRow[]>();
      for (const r of st.allRows!.all() as unknown as InstalledRow[]) (out.get(r.agent) ?? out.set(r.agent, []).get(r.agent)!).push(r);
      return out;
    },
    search: (q, limit = 1000) => st.search!.all(`%${q.replace(/[\\%_]/g, '\\$&')}%`, limit) as unknown as InstalledRow[],
    changes: (fromMs, toMs, agent) => (agent ? st.changesOf!.all(agent, fromMs, toMs) : st.changes!.all(fromMs, toMs)) as unknown as SoftwareChange[],
    osHistory: (agent) => st.osHistory!.all(agent) as never,
  };
}
