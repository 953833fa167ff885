import { privateDir, privateFile } from '../../lib/private-fs.ts';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * A schema migration. Migrations are append-only: never edit one that has shipped; add a
 * new one. Other modules (alerts, uptime, inspections…) register theirs with registerMigrations
 * under their own name so each area owns its tables.
 */
export interface Migration {
  id: string;
  sql: string;
}

const registry: Migration[] = [
  {
    id: '001_agents',
    sql: `
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        token_sha256 TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL,
        revoked_ms INTEGER,
        last_seen_ms INTEGER,
        last_addr TEXT,
        version TEXT,
        hostname TEXT,
        tags TEXT NOT NULL DEFAULT '{}'
      );
    `,
  },
  {
    id: '002_audit',
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL,
        algo TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
    `,
  },
];

export function registerMigrations(...ms: Migration[]): void {
  for (const m of ms) if (!registry.some((r) => r.id === m.id)) registry.push(m);
}

/** Opens (creating if needed) a SQLite database in WAL mode and applies pending migrations in one transaction each. */
export function openStateDb(dataDir: string, file = 'state.db'): DatabaseSync {
  let target = ':memory:';
  if (dataDir !== ':memory:') {
    privateDir(dataDir);
    target = path.join(dataDir, file);
    privateFile(target);
  }
  const db = new DatabaseSync(target);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_ms INTEGER NOT NULL)');
  migrate(db);
  return db;
}

export function migrate(db: DatabaseSync): void {
  const done = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id));
  for (const m of registry) {
    if (done.has(m.id)) continue;
    db.exec('BEGIN');
    try {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, applied_ms) VALUES (?, ?)').run(m.id, Date.now());
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw new Error(`migration ${m.id} failed: ${(e as Error).message}`, { cause: e });
    }
  }
}
