import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A free TCP port on 127.0.0.1 (bound then released; the peer binds it right after). */
export { freeTcpPort as freePort } from '../../demo/ports.ts';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `wp-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `ready` until it resolves true, or rejects after timeoutMs with the peer's output. */
export async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number, output?: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ready()) return;
    } catch (e) {
      // A peer that exited will never become ready: fail now with its output.
      if (e instanceof Error && / exited with code /.test(e.message)) throw e;
    }
    if (Date.now() > until) throw new Error(`${what} not ready after ${timeoutMs} ms${output ? `\n${output().slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Peers still running; killed when the test process exits however it ends, so none outlive it. */
const livePeers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of livePeers) p.kill('SIGKILL');
});

/** Spawns a peer process, keeping the tail of its output for error messages. */
export function spawnPeer(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { proc: ChildProcess; output: () => string } {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  livePeers.add(proc);
  proc.once('exit', () => livePeers.delete(proc));
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { proc, output: () => out };
}

export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill(signal);
  });
}

/** Whether a command is on PATH (for peers from Debian packages). */
export function hasCommand(cmd: string): boolean {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => {
    try {
      accessSync(path.join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The shared fixtures folder (../shared/fixtures next to the repo), or undefined when absent. */
export { SHARED_FIXTURES as FIXTURES } from '../../demo/fixtures.ts';
