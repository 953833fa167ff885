import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { AuditLog } from '../store/audit.ts';
import { registerMigrations } from '../store/db.ts';

registerMigrations({
  id: '320_console',
  sql: `
    CREATE TABLE console_users (
      username TEXT PRIMARY KEY,
      pw_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('viewer', 'engineer', 'admin')),
      display_name TEXT NOT NULL DEFAULT '',
      created_ms INTEGER NOT NULL,
      disabled_ms INTEGER
    );
    CREATE TABLE console_sessions (
      id_sha256 TEXT PRIMARY KEY,
      username TEXT NOT NULL REFERENCES console_users (username) ON DELETE CASCADE,
      csrf TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      expires_ms INTEGER NOT NULL,
      addr TEXT NOT NULL DEFAULT ''
    );
  `,
});

export type Role = 'viewer' | 'engineer' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'engineer', 'admin'];
const RANK: Record<Role, number> = { viewer: 0, engineer: 1, admin: 2 };

export function hasRole(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

// scrypt with N=2^15, r=8, p=1 (OWASP's minimum for scrypt); parameters are stored with the hash.
const N = 32768;
const R = 8;
const P = 1;
const MAXMEM = 64 * 1024 * 1024;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64'), want.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM });
  return timingSafeEqual(got, want);
}

// A hash to verify against for unknown users, so a wrong user name costs the same time as a wrong password.
const DUMMY = hashPassword(randomBytes(12).toString('hex'));

export interface User {
  username: string;
  role: Role;
  display_name: string;
  created_ms: number;
  disabled_ms: number | null;
}

export interface Session {
  user: User;
  csrf: string;
  expires_ms: number;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Console users (scrypt password hashes) and sessions (only SHA-256 of the session id is
 * stored, with its CSRF token). User changes and logins are audit-logged by the callers
 * that know the actor: `add`/`setPassword`/`disable` here, login/logout in the console.
 */
export class UserStore {
  private readonly db: DatabaseSync;
  private readonly audit: AuditLog;
  private readonly now: () => number;

  constructor(db: DatabaseSync, audit: AuditLog, now: () => number = Date.now) {
    this.db = db;
    this.audit = audit;
    this.now = now;
  }

  add(actor: string, username: string, password: string, role: Role, displayName = ''): void {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) throw new Error('user names are 1-64 letters, digits, . _ @ -');
    if (password.length < 10) throw new Error('passwords need at least 10 characters');
    if (!ROLES.includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
    if (this.get(username)) throw new Error(`user "${username}" exists: use \`watchpost user passwd ${username}\``);
    this.db
      .prepare('INSERT INTO console_users (username, pw_hash, role, display_name, created_ms) VALUES (?, ?, ?, ?, ?)')
      .run(username, hashPassword(password), role, displayName, this.now());
    this.audit.append(actor, 'user.add', `user/${username}`, { role });
  }

  setPassword(actor: string, username: string, password: string): void {
    if (password.length < 10) throw new Error('passwords need at least 10 characters');
    const r = this.db.prepare('UPDATE console_users SET pw_hash = ? WHERE username = ?').run(hashPassword(password), username);
    if (r.changes === 0) throw new Error(`no user "${username}"`);
    this.db.prepare('DELETE FROM console_sessions WHERE username = ?').run(username);
    this.audit.append(actor, 'user.passwd', `user/${username}`);
  }

  disable(actor: string, username: string): void {
    const r = this.db.prepare('UPDATE console_users SET disabled_ms = ? WHERE username = ? AND disabled_ms IS NULL').run(this.now(), username);
    if (r.changes === 0) throw new Error(`no active user "${username}"`);
    this.db.prepare('DELETE FROM console_sessions WHERE username = ?').run(username);
    this.audit.append(actor, 'user.disable', `user/${username}`);
  }

  get(username: string): User | undefined {
    return this.db.prepare('SELECT username, role, display_name, created_ms, disabled_ms FROM console_users WHERE username = ?').get(username) as
      | User
      | undefined;
  }

  list(): User[] {
    return this.db.prepare('SELECT username, role, display_name, created_ms, disabled_ms FROM console_users ORDER BY username').all() as unknown as User[];
  }

  /** Checks a password; undefined for unknown, disabled or wrong (same cost for each). */
  check(username: string, password: string): User | undefined {
    const row = this.db.prepare('SELECT pw_hash, disabled_ms FROM console_users WHERE username = ?').get(username) as
      | { pw_hash: string; disabled_ms: number | null }
      | undefined;
    const ok = verifyPassword(password, row?.pw_hash ?? DUMMY);
    return ok && row && row.disabled_ms === null ? this.get(username) : undefined;
  }

  createSession(username: string, ttlMs: number, addr: string): { id: string; csrf: string } {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const now = this.now();
    this.db.prepare('DELETE FROM console_sessions WHERE expires_ms < ?').run(now);
    this.db
      .prepare('INSERT INTO console_sessions (id_sha256, username, csrf, created_ms, expires_ms, addr) VALUES (?, ?, ?, ?, ?, ?)')
      .run(sha(id), username, csrf, now, now + ttlMs, addr);
    return { id, csrf };
  }

  session(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const row = this.db.prepare('SELECT username, csrf, expires_ms FROM console_sessions WHERE id_sha256 = ?').get(sha(id)) as
      | { username: string; csrf: string; expires_ms: number }
      | undefined;
    if (!row || row.expires_ms < this.now()) return undefined;
    const user = this.get(row.username);
    if (!user || user.disabled_ms !== null) return undefined;
    return { user, csrf: row.csrf, expires_ms: row.expires_ms };
  }

  endSession(id: string): void {
    this.db.prepare('DELETE FROM console_sessions WHERE id_sha256 = ?').run(sha(id));
  }
}
