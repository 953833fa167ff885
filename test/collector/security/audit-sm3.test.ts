import { spawnSync } from 'node:child_process';
import { createHash, getHashes } from 'node:crypto';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import t from 'tap';
import { AuditLog } from '../../../collector/store/audit.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');

t.test("Node's OpenSSL computes SM3 correctly (GB/T 32905-2016 test vector)", async (t) => {
  t.ok(getHashes().includes('sm3'), 'sm3 is available');
  // Example 1 of GB/T 32905-2016: SM3("abc").
  t.equal(createHash('sm3').update('abc').digest('hex'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
});

t.test('an SM3 audit chain verifies, and any edit, deletion or algorithm swap is caught', async (t) => {
  const dir = tempDir('audit-sm3');
  t.teardown(() => removeDir(dir));
  const cfg = path.join(dir, 'collector.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(cfg, `collector:\n  data_dir: ${path.join(dir, 'data')}\n  audit_hash: sm3\n`);
  // Real CLI operations write the entries, as an operator would.
  for (const args of [
    ['enroll', 'pc-0301'],
    ['enroll', 'pc-0302'],
    ['enroll', '--rotate', 'pc-0301'],
    ['enroll', '--revoke', 'pc-0302'],
  ]) {
    const r = spawnSync(process.execPath, [CLI, ...args, '--config', cfg], { encoding: 'utf8' });
    t.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const verify = () => spawnSync(process.execPath, [CLI, 'audit', 'verify', '--config', cfg], { encoding: 'utf8' });
  let v = verify();
  t.equal(v.status, 0, v.stdout);
  t.match(v.stdout, 'audit log OK: 4 entries');

  const file = path.join(dir, 'data', 'state.db');
  const db = new DatabaseSync(file);
  const rows = db.prepare('SELECT seq, algo, hash FROM audit_log ORDER BY seq').all() as { seq: number; algo: string; hash: string }[];
  t.same(
    rows.map((r) => r.algo),
    ['sm3', 'sm3', 'sm3', 'sm3'],
  );
  // Recompute entry 1 independently of AuditLog: SM3 over the length-prefixed fields.
  const e = db.prepare('SELECT * FROM audit_log WHERE seq = 1').get() as Record<string, string | number>;
  const h = createHash('sm3');
  for (const p of ['0'.repeat(64), String(e.time_ms), e.actor, e.action, e.target, e.details] as string[]) h.update(`${Buffer.byteLength(p)}:${p};`);
  t.equal(h.digest('hex'), rows[0]!.hash, 'entry hash is SM3 of the documented serialisation');

  db.prepare("UPDATE audit_log SET target = 'pc-9999' WHERE seq = 2").run();
  v = verify();
  t.equal(v.status, 2, 'an edited entry breaks verification');
  t.match(v.stdout, 'BROKEN at entry 2');
  db.prepare("UPDATE audit_log SET target = 'pc-0302' WHERE seq = 2").run();
  t.equal(verify().status, 0, 'restored');

  // Recomputing the entry with SHA-256 (a "downgrade") still fails: the next link does not match.
  const e3 = db.prepare('SELECT * FROM audit_log WHERE seq = 3').get() as Record<string, string | number>;
  const h2 = createHash('sha256');
  for (const p of [e3.prev_hash, String(e3.time_ms), e3.actor, e3.action, 'pc-0302', e3.details] as string[]) h2.update(`${Buffer.byteLength(p)}:${p};`);
  db.prepare("UPDATE audit_log SET algo = 'sha256', target = 'pc-0302', hash = ? WHERE seq = 3").run(h2.digest('hex'));
  v = verify();
  t.equal(v.status, 2);
  t.match(v.stdout, 'BROKEN at entry 4', 'rewriting one entry consistently still breaks the link after it');

  db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
  t.match(verify().stdout, 'BROKEN at entry 4');
  db.close();

  // The in-process API agrees and keeps appending with SM3.
  const st = openStateDb(':memory:');
  const log = new AuditLog(st, 'sm3');
  log.append('cli:test', 'a', 'x');
  log.append('cli:test', 'b', 'y', { k: 1 });
  t.same(log.verify(), { ok: true, entries: 2 });
  st.close();
});
