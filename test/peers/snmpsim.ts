import { copyFileSync, chmodSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { removeDir, tempDir, waitFor } from './util.ts';
import { freeUdpPort } from '../../demo/ports.ts';

/** Debian's example recordings (snmpsim package), e.g. cisco_16_switch.snmprec.gz. */
export const SNMPSIM_EXAMPLES = '/usr/share/doc/snmpsim/examples/data';

/** A recording to serve: under community `name`, from a file (plain or .gz) or from text. */
export interface Recording {
  name: string;
  file?: string;
  text?: string;
}

/** An SNMPv3 user snmpsimd accepts (its protocol names: MD5, SHA256, AES, AES256BLMT…). */
export interface SimUser {
  user: string;
  authProto?: string;
  authKey?: string;
  privProto?: string;
  privKey?: string;
}

export interface SnmpSim {
  port: number;
  pid: number;
  dataDir: string;
  output(): string;
  /** Replace a recording while running (snmpsimd re-indexes a data file whose mtime changed). */
  write(rec: Recording): void;
  stop(): Promise<void>;
}

/**
 * Spawns a peer tied to this process: a small sh wrapper runs it in the background and kills it
 * (then runs `cleanup`, e.g. userdel) when its stdin closes — which also happens when this
 * process is killed (tap's per-file timeout), so no peer outlives its test.
 * stop() closes stdin and waits for the wrapper to finish.
 */
export function spawnTied(
  cmd: string,
  args: string[],
  opts: { cwd?: string; cleanup?: string } = {},
): { pid: () => number; output: () => string; stop: () => Promise<void> } {
  const script = `"$0" "$@" & p=$!; echo "peer-pid $p"; cat >/dev/null; kill $p 2>/dev/null; wait $p; ${opts.cleanup ?? 'true'}`;
  const proc = spawn('sh', ['-c', script, cmd, ...args], { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let pid = 0;
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    const m = /peer-pid (\d+)/.exec(out);
    if (m && !pid) pid = Number(m[1]);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  proc.stdin.on('error', () => {});
  return {
    pid: () => pid,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const t = setTimeout(() => {
          if (pid) process.kill(pid, 'SIGKILL');
          proc.kill('SIGKILL');
        }, 10_000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        proc.stdin.end();
      }),
  };
}

/** A free UDP port on 127.0.0.1 (bound then released). */
export { freeUdpPort };

/**
 * Starts Debian's snmpsimd on 127.0.0.1 with copies of the given recordings in a temp data
 * dir (snmpsimd, when root, drops to nobody:nogroup, so the dir is made world-readable).
 * Resolves once every community answers a GET.
 */
export async function startSnmpsim(recordings: Recording[], opts: { users?: SimUser[]; quiet?: boolean } = {}): Promise<SnmpSim> {
  const dir = tempDir('snmpsim');
  const dataDir = path.join(dir, 'data');
  const cacheDir = path.join(dir, 'cache');
  mkdirSync(dataDir);
  mkdirSync(cacheDir);
  chmodSync(dir, 0o755);
  chmodSync(dataDir, 0o777);
  chmodSync(cacheDir, 0o777);
  // snmpsimd notices a changed recording by its mtime in whole seconds: each rewrite moves it on by 10 s.
  let mtime = Math.floor(Date.now() / 1000);
  const write = (r: Recording) => {
    const dest = path.join(dataDir, `${r.name}.snmprec`);
    if (r.text !== undefined) writeFileSync(dest, r.text);
    else if (r.file?.endsWith('.gz')) writeFileSync(dest, gunzipSync(readFileSync(r.file)));
    else copyFileSync(r.file!, dest);
    chmodSync(dest, 0o644);
    mtime += 10;
    utimesSync(dest, mtime, mtime);
  };
  recordings.forEach(write);
  const port = await freeUdpPort();
  const args = [
    `--data-dir=${dataDir}`,
    `--cache-dir=${cacheDir}`,
    `--agent-udpv4-endpoint=127.0.0.1:${port}`,
    `--logging-method=${opts.quiet ? 'null' : 'stderr'}`,
  ];
  if (process.getuid?.() === 0) args.push('--process-user=nobody', '--process-group=nogroup');
  for (const u of opts.users ?? []) {
    args.push(`--v3-user=${u.user}`);
    if (u.authKey) args.push(`--v3-auth-key=${u.authKey}`, `--v3-auth-proto=${u.authProto ?? 'MD5'}`);
    if (u.privKey) args.push(`--v3-priv-key=${u.privKey}`, `--v3-priv-proto=${u.privProto ?? 'DES'}`);
  }
  const peer = spawnTied('snmpsimd', args, { cwd: '/', cleanup: `rm -rf ${dir}` });
  const output = peer.output;
  const stop = async () => {
    await peer.stop();
    removeDir(dir);
  };
  try {
    // Indexing a large recording takes a while on first start: wait for every community to answer.
    for (const r of recordings) await waitFor(`snmpsimd (${r.name})`, () => answers(port, r.name), 60_000, output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, pid: peer.pid(), dataDir, output, write, stop };
}

const snmp = createRequire(import.meta.url)('net-snmp') as {
  createSession(h: string, c: string, o: object): { get(o: string[], cb: (e: Error | null) => void): void; close(): void; on(e: string, f: () => void): void };
  Version2c: number;
};

function answers(port: number, community: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = snmp.createSession('127.0.0.1', community, { port, version: snmp.Version2c, retries: 0, timeout: 1000 });
    s.on('error', () => {});
    s.get(['1.3.6.1.2.1.1.2.0'], (e) => {
      s.close();
      resolve(!e);
    });
  });
}

/** What Net-SNMP's own `snmpbulkwalk` reads (the reference the probe is checked against): OID → printed value. */
export async function snmpBulkWalk(port: number, oid: string, auth: string[] = ['-v2c', '-c', 'public']): Promise<Map<string, string>> {
  const { execFile } = await import('node:child_process');
  const out = await new Promise<string>((resolve, reject) =>
    execFile('snmpbulkwalk', [...auth, '-On', '-OQ', '-Oe', '-Ot', '-t', '5', '-r', '1', `127.0.0.1:${port}`, oid], { maxBuffer: 64 << 20 }, (e, so, se) =>
      e ? reject(new Error(`snmpbulkwalk ${oid}: ${se || e.message}`)) : resolve(so),
    ),
  );
  const m = new Map<string, string>();
  for (const entry of out.split(/\n(?=\.\d+(?:\.\d+)+ = )/)) {
    const eq = entry.indexOf(' = ');
    if (eq < 0 || /No Such (Object|Instance)|No more variables/.test(entry)) continue;
    let v = entry.slice(eq + 3).replace(/\n$/, '');
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    m.set(entry.slice(1, eq), v);
  }
  return m;
}

/** snmpbulkwalk prints non-printable strings as hex ("14 A0 F8 CF AF 39 "): as a colon MAC. */
export function walkHexToMac(v: string): string {
  return v.trim().toLowerCase().split(/\s+/).join(':');
}
