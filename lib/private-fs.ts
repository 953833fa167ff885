import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';

/**
 * Files that hold tokens' hashes, the audit chain, queued metrics or inspection photos are the
 * service account's alone: directories 0700, files 0600, whatever the umask of the shell that
 * started the process (systemd's units set UMask=0077; a hand start or a container may not).
 */

/** Creates `dir` (and parents) 0700; an existing directory keeps the mode its owner gave it. */
export function privateDir(dir: string): void {
  const made = mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask: set it exactly on what this call created.
  if (made) chmodSync(dir, 0o700);
}

/**
 * Makes sure `file` exists with mode 0600 before a library opens it (SQLite creates its -wal
 * and -shm files with the database file's mode, so they follow).
 */
export function privateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** writeFileSync for a new private file: 0600 from its first byte. */
export function writePrivateFile(file: string, data: Buffer | string): void {
  writeFileSync(file, data, { mode: 0o600 });
  chmodSync(file, 0o600);
}
