import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { decodeConsole } from './decode.ts';

export type OsFamily = 'linux' | 'windows' | 'darwin' | 'other';

/** What running a command gave: a missing program is data (`error_class`), not an exception. */
export interface ExecResult {
  /** Exit code; null when the program could not start or was killed. */
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** '' on a normal exit (whatever the code); not_found, permission, timeout, spawn_failed otherwise. */
  error_class: string;
  duration_ms: number;
}

export interface ExecOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Stop reading after this many bytes of stdout (the program is killed). */
  maxBytes?: number;
}

/**
 * The operating system as the office-machine probes see it: run a program, run a PowerShell
 * script, read a file. Probes take a Platform so the Windows code paths (PowerShell, wmic,
 * ping.exe with its console code page) run on Linux CI against recorded outputs, and the real
 * platform on the machine. Implementations never throw for a failing command; they may throw
 * only for programming errors.
 */
export interface Platform {
  os: OsFamily;
  exec(file: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a PowerShell script, returns its UTF-8 output ('' when PowerShell failed). Windows only. */
  powershell(script: string, signal?: AbortSignal): Promise<string>;
  /** The console's OEM code page (936 on Simplified Chinese Windows); 65001 elsewhere. */
  codepage(): Promise<number>;
  readFile(path: string): Promise<Buffer | undefined>;
  /** Modification time in ms, or undefined when the file does not exist. */
  mtime(path: string): Promise<number | undefined>;
  /**
   * mtime of many files at once (undefined for a missing one). Optional: callers fall back to
   * mtime(). The real platform stats synchronously: for the ~2,000 files of a package database
   * one promise per stat cost 7× the CPU of the stats themselves.
   */
  mtimes?(paths: string[]): Promise<(number | undefined)[]>;
  exists(path: string): Promise<boolean>;
  now(): number;
}

export function osFamily(p: NodeJS.Platform = process.platform): OsFamily {
  return p === 'win32' ? 'windows' : p === 'linux' ? 'linux' : p === 'darwin' ? 'darwin' : 'other';
}

/** Runs a program without a shell; collects stdout/stderr as bytes (decoding is the caller's: code pages differ). */
export function execFile(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let cls = '';
    let done = false;
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    const kill = (why: string) => {
      if (!cls) cls = why;
      child.kill('SIGKILL');
    };
    const timer = opts.timeoutMs ? setTimeout(() => kill('timeout'), opts.timeoutMs) : undefined;
    const onAbort = () => kill('timeout');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      outLen += d.length;
      if (opts.maxBytes && outLen > opts.maxBytes) return kill('output_too_large');
      out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const finish = (code: number | null, errorClass: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), error_class: errorClass, duration_ms: performance.now() - t0 });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(null, e.code === 'ENOENT' ? 'not_found' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission' : 'spawn_failed');
    });
    child.on('close', (code) => finish(cls ? null : code, cls));
    if (opts.signal?.aborted) kill('timeout');
  });
}

interface SiPowerShell {
  powerShell(cmd: string): Promise<string>;
}

let siUtil: Promise<SiPowerShell> | undefined;

/**
 * The real machine. On Windows PowerShell goes through systeminformation's runner, which reuses
 * its persistent session once `powerShellStart()` was called (the host probe does that), so a
 * script costs a pipe round trip instead of a 300–600 ms powershell.exe start.
 */
export function systemPlatform(): Platform {
  let cp: Promise<number> | undefined;
  const os_ = osFamily();
  return {
    os: os_,
    exec: execFile,
    async powershell(script) {
      if (os_ !== 'windows') return '';
      // lib/util.js is systeminformation's own module; it has no type declarations.
      siUtil ??= import('systeminformation/lib/util.js' as string) as Promise<SiPowerShell>;
      return (await siUtil).powerShell(script);
    },
    codepage() {
      if (os_ !== 'windows') return Promise.resolve(65001);
      cp ??= execFile('cmd.exe', ['/d', '/c', 'chcp'], { timeoutMs: 5000 }).then((r) => {
        const m = /(\d{3,5})\D*$/.exec(r.stdout.toString('latin1').trim());
        return m ? Number(m[1]) : 437;
      });
      return cp;
    },
    async readFile(p) {
      try {
        return await readFile(p);
      } catch {
        return undefined;
      }
    },
    async mtime(p) {
      try {
        return (await stat(p)).mtimeMs;
      } catch {
        return undefined;
      }
    },
    async mtimes(paths) {
      return paths.map((p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs);
    },
    async exists(p) {
      try {
        await access(p);
        return true;
      } catch {
        return false;
      }
    },
    now: Date.now,
  };
}

/** Decodes a command's stdout with the platform's console code page. */
export async function decodeStdout(platform: Platform, r: ExecResult): Promise<string> {
  return decodeConsole(r.stdout, await platform.codepage());
}

export const hostname = (): string => os.hostname();
