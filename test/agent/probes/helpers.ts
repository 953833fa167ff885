import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../../peers/util.ts';
import type { ExecResult, OsFamily, Platform } from '../../../agent/probes/platform/platform.ts';

export const CMDOUT = FIXTURES ? path.join(FIXTURES, 'cmdout') : undefined;

export function fixture(name: string): Buffer {
  return readFileSync(path.join(CMDOUT!, name));
}

export type Reply = Partial<ExecResult> | ((args: string[]) => Partial<ExecResult>);

/**
 * A Platform that replays recorded command outputs: the Windows code paths of the probes run
 * on Linux against what real Windows machines printed. Commands without a recording fail as
 * a missing program would (error_class not_found), so a probe calling something unexpected shows.
 */
export function recordedPlatform(opts: {
  os: OsFamily;
  codepage?: number;
  exec?: Record<string, Reply>;
  powershell?: (script: string) => string;
  files?: Record<string, Buffer | string>;
  mtimes?: Record<string, number>;
  now?: number;
}): Platform & { calls: string[] } {
  const calls: string[] = [];
  return {
    os: opts.os,
    calls,
    async exec(file, args) {
      calls.push([file, ...args].join(' '));
      const r = opts.exec?.[file];
      if (!r) return { code: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), error_class: 'not_found', duration_ms: 0 };
      const v = typeof r === 'function' ? r(args) : r;
      return { code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), error_class: '', duration_ms: 1, ...v };
    },
    async powershell(script) {
      calls.push(`powershell ${script.slice(0, 40)}`);
      return opts.powershell ? opts.powershell(script) : '';
    },
    async codepage() {
      return opts.codepage ?? 65001;
    },
    async readFile(p) {
      const f = opts.files?.[p];
      return f === undefined ? undefined : Buffer.from(f);
    },
    async mtime(p) {
      return opts.mtimes?.[p];
    },
    async exists(p) {
      return opts.files?.[p] !== undefined || opts.mtimes?.[p] !== undefined;
    },
    now: () => opts.now ?? Date.UTC(2026, 10, 25, 12, 0, 0),
  };
}

/** Whether this process may create network namespaces (root with CAP_NET_ADMIN). */
export function canNetns(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A network namespace joined to this one by a veth pair, with 10.250.N.1/24 on our side and
 * 10.250.N.2/24 inside: .2 answers pings, every other 10.250.N.x does not exist anywhere, so
 * pings to it go unanswered without a packet leaving this machine. N is picked so the subnet is
 * not routed yet (other tests may hold their own). Always call remove().
 */
export function createNetns(tag: string): { name: string; peer: string; silent: (i: number) => string; remove(): void } {
  const routes = ip('-4', 'route', 'show');
  let n = 100 + (process.pid % 100);
  for (let i = 0; i < 100 && routes.includes(`10.250.${n}.`); i++) n = 100 + ((n - 99) % 150);
  const name = `wp-${tag}-${process.pid}`;
  const a = `wpa${process.pid % 100000}`;
  const b = `wpb${process.pid % 100000}`;
  const remove = () => {
    try {
      ip('netns', 'del', name);
    } catch {
      /* already gone */
    }
    try {
      ip('link', 'del', a);
    } catch {
      /* removed with the namespace */
    }
  };
  try {
    ip('netns', 'add', name);
    ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
    ip('link', 'set', b, 'netns', name);
    ip('addr', 'add', `10.250.${n}.1/24`, 'dev', a);
    ip('link', 'set', a, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `10.250.${n}.2/24`, 'dev', b);
    ip('netns', 'exec', name, 'ip', 'link', 'set', b, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (e) {
    remove();
    throw e;
  }
  return { name, peer: `10.250.${n}.2`, silent: (i) => `10.250.${n}.${10 + i}`, remove };
}
