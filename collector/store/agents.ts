import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { AuditLog } from './audit.ts';

/** What the collector knows of an agent's current connection (kept in memory: it is live state). */
export interface AgentLive {
  probes: string[];
  platform: string | null;
  connected_ms: number | null;
  last_batch_ms: number | null;
  batches: number;
  samples: number;
}

/** An agent as the console lists it: enrolled or from the collector config, with its live state. */
export interface AgentView extends AgentRecord, AgentLive {
  source: 'enrolled' | 'config';
  connected: boolean;
}

export interface AgentRecord {
  id: string;
  name: string;
  created_ms: number;
  revoked_ms: number | null;
  last_seen_ms: number | null;
  last_addr: string | null;
  version: string | null;
  hostname: string | null;
  tags: Record<string, string>;
}

/** SHA-256 of a token, hex. Tokens are 256-bit random, so a fast hash is enough (no dictionary to attack). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `wpa_${randomBytes(32).toString('base64url')}`;
}

/**
 * Enrolled agents. The collector stores only token hashes; a presented token is hashed and
 * looked up, and the agent's identity is the row found — never a name sent by the agent.
 */
export class AgentRegistry {
  private readonly db: DatabaseSync;
  private readonly audit: AuditLog;
  private readonly now: () => number;
  /** Static agents from the collector config (name, token hash) that are not in the store. */
  private readonly staticAgents = new Map<string, { name: string; tags: Record<string, string> }>();
  /** Live state by agent id; static agents' last-seen/version live here too (they have no row). */
  private readonly live = new Map<string, AgentLive & { last_seen_ms?: number; last_addr?: string; version?: string; hostname?: string }>();

  private readonly credentialListeners = new Set<() => void>();
  private dataVersion: number | bigint | undefined;

  constructor(db: DatabaseSync, audit: AuditLog, now: () => number = Date.now) {
    this.db = db;
    this.audit = audit;
    this.now = now;
  }

  /** Called after this process rotated or revoked a token (the server closes that agent's socket at once). */
  onCredentialsChange(fn: () => void): () => void {
    this.credentialListeners.add(fn);
    return () => this.credentialListeners.delete(fn);
  }

  private credentialsChanged(): void {
    for (const fn of this.credentialListeners) fn();
  }

  /**
   * Whether another process may have changed the store since the last call: `watchpost enroll
   * --revoke/--rotate` runs as its own process against the same state.db. SQLite's
   * data_version changes exactly when another connection commits, and reading it costs one
   * pragma (no table read), so the server can ask before every batch.
   */
  changedElsewhere(): boolean {
    if (!this.db.isOpen) return false;
    const v = (this.db.prepare('PRAGMA data_version').get() as { data_version: number | bigint }).data_version;
    const changed = this.dataVersion !== undefined && v !== this.dataVersion;
    this.dataVersion = v;
    return changed;
  }

  /** Whether the connection authenticated as agent `id` with a token of hash `tokenSha256` may go on (not rotated, not revoked). */
  stillValid(id: string, tokenSha256: string): boolean {
    if (id.startsWith('static:')) return true;
    if (!this.db.isOpen) return true;
    const row = this.db.prepare('SELECT token_sha256, revoked_ms FROM agents WHERE id = ?').get(id) as { token_sha256: string; revoked_ms: number | null } | undefined;
    return row !== undefined && row.revoked_ms === null && row.token_sha256 === tokenSha256;
  }

  addStatic(name: string, tokenSha256: string, tags: Record<string, string> = {}): void {
    this.staticAgents.set(tokenSha256.toLowerCase(), { name, tags });
  }

  /** Creates an agent and returns its token; the token is shown once and never stored. */
  enroll(name: string, actor: string, tags: Record<string, string> = {}): { id: string; token: string } {
    const token = newToken();
    const id = randomUUID();
    const existing = this.db.prepare('SELECT id FROM agents WHERE name = ?').get(name);
    if (existing) throw new Error(`an agent named "${name}" is already enrolled: rotate its token with \`watchpost enroll --rotate ${name}\``);
    this.db.prepare('INSERT INTO agents (id, name, token_sha256, created_ms, tags) VALUES (?, ?, ?, ?, ?)').run(id, name, hashToken(token), this.now(), JSON.stringify(tags));
    this.audit.append(actor, 'agent.enroll', name, { id });
    return { id, token };
  }

  /** Replaces an agent's token; the old one stops working at once. */
  rotate(name: string, actor: string): string {
    const token = newToken();
    const r = this.db.prepare('UPDATE agents SET token_sha256 = ?, revoked_ms = NULL WHERE name = ?').run(hashToken(token), name);
    if (r.changes === 0) throw new Error(`no agent named "${name}"`);
    this.audit.append(actor, 'agent.rotate', name);
    this.credentialsChanged();
    return token;
  }

  revoke(name: string, actor: string): void {
    const r = this.db.prepare('UPDATE agents SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL').run(this.now(), name);
    if (r.changes === 0) throw new Error(`no active agent named "${name}"`);
    this.audit.append(actor, 'agent.revoke', name);
    this.credentialsChanged();
  }

  /** Looks a presented token up; undefined for unknown or revoked tokens. */
  authenticate(token: string): { id: string; name: string; tags: Record<string, string> } | undefined {
    const h = hashToken(token);
    const st = this.staticAgents.get(h);
    if (st) return { id: `static:${st.name}`, name: st.name, tags: st.tags };
    const row = this.db.prepare('SELECT id, name, tags FROM agents WHERE token_sha256 = ? AND revoked_ms IS NULL').get(h) as
      | { id: string; name: string; tags: string }
      | undefined;
    return row ? { id: row.id, name: row.name, tags: JSON.parse(row.tags) as Record<string, string> } : undefined;
  }

  private liveOf(id: string) {
    let l = this.live.get(id);
    if (!l) this.live.set(id, (l = { probes: [], platform: null, connected_ms: null, last_batch_ms: null, batches: 0, samples: 0 }));
    return l;
  }

  /** The hello of a connection: which probes the agent runs, on which platform. */
  hello(id: string, info: { probes: readonly string[]; platform: string }): void {
    const l = this.liveOf(id);
    l.probes = [...info.probes];
    l.platform = info.platform;
    l.connected_ms = this.now();
  }

  /** A batch accepted from the agent. */
  batch(id: string, samples: number): void {
    const l = this.liveOf(id);
    l.last_batch_ms = this.now();
    l.batches++;
    l.samples += samples;
  }

  seen(id: string, info: { addr?: string; version?: string; hostname?: string }): void {
    if (id.startsWith('static:')) {
      const l = this.liveOf(id);
      l.last_seen_ms = this.now();
      if (info.addr) l.last_addr = info.addr;
      if (info.version) l.version = info.version;
      if (info.hostname) l.hostname = info.hostname;
      return;
    }
    this.db
      .prepare('UPDATE agents SET last_seen_ms = ?, last_addr = COALESCE(?, last_addr), version = COALESCE(?, version), hostname = COALESCE(?, hostname) WHERE id = ?')
      .run(this.now(), info.addr ?? null, info.version ?? null, info.hostname ?? null, id);
  }

  list(): AgentRecord[] {
    return (this.db.prepare('SELECT id, name, created_ms, revoked_ms, last_seen_ms, last_addr, version, hostname, tags FROM agents ORDER BY name').all() as unknown as (Omit<AgentRecord, 'tags'> & { tags: string })[]).map((r) => ({
      ...r,
      tags: JSON.parse(r.tags) as Record<string, string>,
    }));
  }

  /**
   * Every agent the collector accepts — enrolled ones and those from the collector config —
   * with its live state; `connected` names the agents with an open connection now.
   */
  overview(connected: ReadonlySet<string>): AgentView[] {
    const empty: AgentLive = { probes: [], platform: null, connected_ms: null, last_batch_ms: null, batches: 0, samples: 0 };
    const out: AgentView[] = this.list().map((r) => {
      const l = this.live.get(r.id);
      return { ...r, ...empty, ...(l ? { probes: l.probes, platform: l.platform, connected_ms: l.connected_ms, last_batch_ms: l.last_batch_ms, batches: l.batches, samples: l.samples } : {}), source: 'enrolled', connected: connected.has(r.name) };
    });
    for (const st of this.staticAgents.values()) {
      if (out.some((a) => a.name === st.name)) continue;
      const id = `static:${st.name}`;
      const l = this.live.get(id);
      out.push({
        id,
        name: st.name,
        created_ms: 0,
        revoked_ms: null,
        last_seen_ms: l?.last_seen_ms ?? null,
        last_addr: l?.last_addr ?? null,
        version: l?.version ?? null,
        hostname: l?.hostname ?? null,
        tags: st.tags,
        ...empty,
        ...(l ? { probes: l.probes, platform: l.platform, connected_ms: l.connected_ms, last_batch_ms: l.last_batch_ms, batches: l.batches, samples: l.samples } : {}),
        source: 'config',
        connected: connected.has(st.name),
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
