import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Outbox } from '../../agent/outbox.ts';
import { openStateDb } from '../../collector/store/db.ts';
import { Spool } from '../../collector/store/spool.ts';
import { privateDir, writePrivateFile } from '../../lib/private-fs.ts';
import { removeDir, tempDir } from '../peers/util.ts';

// Issue 22, finding 9: state.db, the agent outbox and inspection photos were created 0644
// outside systemd (whose units set UMask=0077). Under a shell's usual umask of 022 they are
// the service account's alone now.

const mode = (p: string) => statSync(p).mode & 0o777;

t.test('state.db, its WAL, the spool, the outbox and photos are private under umask 022', async (t) => {
  const old = process.umask(0o022);
  const root = tempDir('private-fs');
  t.teardown(() => {
    process.umask(old);
    removeDir(root);
  });
  const data = path.join(root, 'collector');
  const db = openStateDb(data);
  db.exec('CREATE TABLE x (v); INSERT INTO x VALUES (1)');
  t.equal(mode(data), 0o700, 'data_dir 0700');
  t.equal(mode(path.join(data, 'state.db')), 0o600, 'state.db 0600');
  t.ok(existsSync(path.join(data, 'state.db-wal')));
  t.equal(mode(path.join(data, 'state.db-wal')), 0o600, 'its WAL follows the database file');
  const spool = new Spool(data, 1e6);
  t.equal(mode(path.join(data, 'spool')), 0o700, 'spool/ 0700');
  spool.close();
  db.close();

  const agentDir = path.join(root, 'agent', 'outbox');
  const ob = new Outbox({ dir: agentDir, maxBytes: 1e6, maxAgeMs: 1e9, whenFull: 'drop_oldest', reserveBytes: 0 });
  t.equal(mode(agentDir), 0o700, 'outbox dir 0700');
  t.equal(mode(path.join(agentDir, 'outbox.db')), 0o600, 'outbox.db 0600');
  ob.close();

  const photos = path.join(root, 'photos');
  privateDir(photos);
  writePrivateFile(path.join(photos, 'a.jpg'), Buffer.from([0xff, 0xd8]));
  t.equal(mode(photos), 0o700);
  t.equal(mode(path.join(photos, 'a.jpg')), 0o600, 'an inspection photo 0600');
});

t.test('an existing directory keeps the mode its owner gave it', async (t) => {
  const root = tempDir('private-fs-existing');
  t.teardown(() => removeDir(root));
  const { chmodSync } = await import('node:fs');
  chmodSync(root, 0o750);
  privateDir(root);
  t.equal(mode(root), 0o750);
});
