import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import t from 'tap';
import { AuditLog, auditAnchorFile } from '../../../collector/store/audit.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');
const verify = (dir: string) => spawnSync(process.execPath, [CLI, 'audit', 'verify', '--data-dir', dir], { encoding: 'utf8' });

/** A data directory with `n` audit entries written by the real CLI and AuditLog, as the collector would. */
function chain(t: { teardown(fn: () => void): void }, n: number): string {
  const dir = tempDir('audit-anchor');
  t.teardown(() => removeDir(dir));
  const db = openStateDb(dir);
  const log = new AuditLog(db, 'sha256', Date.now, auditAnchorFile(dir));
  for (let i = 1; i <= n; i++) log.append('console:admin', 'alert.ack', `rule-${i}`, { i });
  db.close();
  return dir;
}

t.test('a normal chain verifies OK, and its head is anchored beside state.db', async (t) => {
  const dir = chain(t, 10);
  const v = verify(dir);
  t.equal(v.status, 0, v.stdout + v.stderr);
  t.match(v.stdout, 'audit log OK: 10 entries');
  const anchor = JSON.parse(readFileSync(path.join(dir, 'audit.anchor'), 'utf8'));
  const db = new DatabaseSync(path.join(dir, 'state.db'));
  t.same(anchor, db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get(), 'the anchor holds the last entry');
  db.close();
  t.notOk(existsSync(path.join(dir, 'audit.anchor.tmp')), 'written through a temp file, renamed');
  // An append by the CLI moves the anchor along.
  t.equal(spawnSync(process.execPath, [CLI, 'enroll', 'pc-0301', '--data-dir', dir], { encoding: 'utf8' }).status, 0);
  t.equal(JSON.parse(readFileSync(path.join(dir, 'audit.anchor'), 'utf8')).seq, 11);
  t.match(verify(dir).stdout, 'audit log OK: 11 entries');
});

t.test('deleting the last 3 entries fails verification, naming the truncation', async (t) => {
  const dir = chain(t, 10);
  const db = new DatabaseSync(path.join(dir, 'state.db'));
  db.prepare('DELETE FROM audit_log WHERE seq > 7').run();
  db.close();
  const v = verify(dir);
  t.equal(v.status, 2);
  t.match(v.stdout, 'audit log BROKEN at entry 8: log truncated: the anchor records entry 10 as the head, the log ends at entry 7 (3 entries missing at the end)');
  // Later appends do not move the anchor over the evidence.
  const db2 = openStateDb(dir);
  new AuditLog(db2, 'sha256', Date.now, auditAnchorFile(dir)).append('cli:x', 'agent.enroll', 'pc-1');
  db2.close();
  t.equal(verify(dir).status, 2, 'still broken after another append');
});

t.test('rewriting the tail consistently (same count, new hashes) fails against the anchor', async (t) => {
  const dir = chain(t, 5);
  const db = openStateDb(dir);
  db.prepare('DELETE FROM audit_log WHERE seq > 3').run();
  // Re-append two entries without the anchor, as an attacker with the database alone would.
  const forged = new AuditLog(db);
  forged.append('console:admin', 'alert.ack', 'other');
  forged.append('console:admin', 'alert.ack', 'other');
  db.prepare("UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit_log'").run();
  db.prepare('UPDATE audit_log SET seq = seq - 2 WHERE seq > 3').run();
  db.close();
  const v = verify(dir);
  t.equal(v.status, 2, v.stdout);
  t.match(v.stdout, 'BROKEN at entry 5: entry 5 does not match the anchored head hash');
});

t.test('an entry with an unknown algo is a verify failure with exit code 2 and a message, not a stack trace', async (t) => {
  const dir = chain(t, 4);
  const db = new DatabaseSync(path.join(dir, 'state.db'));
  db.prepare("UPDATE audit_log SET algo = 'md17' WHERE seq = 3").run();
  db.close();
  const v = verify(dir);
  t.equal(v.status, 2);
  t.match(v.stdout, 'audit log BROKEN at entry 3: unknown hash algorithm "md17" (known: sha256, sm3)');
  t.equal(v.stderr, '', 'nothing on stderr (no stack trace)');
});

t.test('a deleted anchor is reported, not taken as OK', async (t) => {
  const dir = chain(t, 3);
  rmSync(path.join(dir, 'audit.anchor'));
  const v = verify(dir);
  t.equal(v.status, 2);
  t.match(v.stdout, /anchor file .* is missing/);
});
