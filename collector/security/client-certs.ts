import type { DatabaseSync } from 'node:sqlite';
import { registerMigrations } from '../store/db.ts';
import type { AuditLog } from '../store/audit.ts';

registerMigrations({
  id: '900_security_agent_certs',
  sql: `
    CREATE TABLE agent_certs (
      fingerprint_sha256 TEXT PRIMARY KEY,
      agent_name TEXT NOT NULL,
      serial TEXT NOT NULL,
      not_after_ms INTEGER NOT NULL,
      created_ms INTEGER NOT NULL,
      revoked_ms INTEGER
    );
    CREATE INDEX agent_certs_name ON agent_certs (agent_name);
  `,
});

/**
 * Client certificates issued to agents (`watchpost enroll NAME --cert`), by fingerprint.
 * With mTLS the collector accepts an agent's connection only when its certificate chains to
 * the site CA (checked by TLS), is recorded here for that same agent, and is not revoked —
 * so a certificate can be withdrawn without a CRL, and a stolen one cannot speak for
 * another agent. Every change is audit-logged.
 */
export class ClientCerts {
  private readonly db: DatabaseSync;
  private readonly audit: AuditLog;
  private readonly now: () => number;

  constructor(db: DatabaseSync, audit: AuditLog, now: () => number = Date.now) {
    this.db = db;
    this.audit = audit;
    this.now = now;
  }

  record(agentName: string, fingerprint: string, serial: string, notAfterMs: number, actor: string): void {
    this.db
      .prepare('INSERT INTO agent_certs (fingerprint_sha256, agent_name, serial, not_after_ms, created_ms) VALUES (?, ?, ?, ?, ?)')
      .run(fingerprint, agentName, serial, notAfterMs, this.now());
    this.audit.append(actor, 'agent.cert_issue', agentName, { serial, fingerprint_sha256: fingerprint });
  }

  /** Revokes every active certificate of an agent; returns how many. */
  revokeAll(agentName: string, actor: string): number {
    const r = this.db.prepare('UPDATE agent_certs SET revoked_ms = ? WHERE agent_name = ? AND revoked_ms IS NULL').run(this.now(), agentName);
    const n = Number(r.changes);
    if (n) this.audit.append(actor, 'agent.cert_revoke', agentName, { certificates: n });
    return n;
  }

  /** Why a presented certificate is refused for `agentName`, or undefined when it is accepted. */
  check(fingerprint: string, agentName: string): string | undefined {
    const row = this.db.prepare('SELECT agent_name, not_after_ms, revoked_ms FROM agent_certs WHERE fingerprint_sha256 = ?').get(fingerprint) as
      | { agent_name: string; not_after_ms: number; revoked_ms: number | null }
      | undefined;
    if (!row) return 'certificate was not issued by `watchpost enroll --cert`';
    if (row.revoked_ms !== null) return 'certificate revoked';
    if (row.agent_name !== agentName) return `certificate belongs to agent "${row.agent_name}", not to the token's agent`;
    if (Number(row.not_after_ms) < this.now()) return 'certificate expired';
    return undefined;
  }

  list(agentName?: string): { fingerprint_sha256: string; agent_name: string; serial: string; not_after_ms: number; revoked_ms: number | null }[] {
    const q = agentName
      ? this.db.prepare('SELECT * FROM agent_certs WHERE agent_name = ? ORDER BY created_ms').all(agentName)
      : this.db.prepare('SELECT * FROM agent_certs ORDER BY created_ms').all();
    return q as never;
  }
}
