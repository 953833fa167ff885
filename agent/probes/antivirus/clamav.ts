import net from 'node:net';
import type { Platform } from '../platform/platform.ts';

/**
 * ClamAV's .cvd/.cld files start with a 512-byte ASCII header:
 * `ClamAV-VDB:<build time>:<version>:<signatures>:<level>:<md5>:<dsig>:<builder>:<stime>`, the
 * build time written as `24 Nov 2026 08:25 +0000` (which may contain colons: the time field
 * is matched by shape, and the last field is the build time in epoch seconds when present).
 */
export function parseCvdHeader(buf: Buffer): { built_ms: number; version: number } | undefined {
  const h = buf.subarray(0, 512).toString('latin1');
  if (!h.startsWith('ClamAV-VDB:')) return undefined;
  const m = /^ClamAV-VDB:(\d{1,2} \w{3} \d{4} \d\d[:-]\d\d [-+]\d{4}):(\d+):/.exec(h);
  if (!m) return undefined;
  const stime = /:(\d{9,11})\s*$/.exec(h.replace(/\0.*$/s, '').trimEnd());
  const built = stime ? Number(stime[1]) * 1000 : Date.parse(m[1]!.replace(/(\d\d)-(\d\d)/, '$1:$2'));
  return Number.isFinite(built) ? { built_ms: built, version: Number(m[2]) } : undefined;
}

/** LocalSocket from clamd.conf, or Debian's default. */
export function clamdSocket(conf: string | undefined): string {
  const m = /^\s*LocalSocket\s+(\S+)/m.exec(conf ?? '');
  return m?.[1] ?? '/var/run/clamav/clamd.ctl';
}

/** clamd's PING command on its local socket: true when it answers PONG within timeoutMs. */
export function clamdPing(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(socketPath);
    let got = '';
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('zPING\0'));
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('PONG')) done(true);
    });
    s.on('end', () => done(got.includes('PONG')));
  });
}

export interface ClamavState {
  installed: boolean;
  daemon: boolean;
  on_access: boolean;
  signature_built_ms?: number | undefined;
  signature_version?: number | undefined;
}

const DB_DIRS = ['/var/lib/clamav', '/var/clamav', '/usr/local/share/clamav'];

/** ClamAV on Linux: the newest daily database's build time, clamd answering PING, clamonacc running. */
export async function clamavState(platform: Platform, ping = clamdPing): Promise<ClamavState> {
  let best: { built_ms: number; version: number } | undefined;
  for (const dir of DB_DIRS) {
    for (const f of ['daily.cld', 'daily.cvd']) {
      const buf = await platform.readFile(`${dir}/${f}`);
      const h = buf ? parseCvdHeader(buf) : undefined;
      if (h && (!best || h.built_ms > best.built_ms)) best = h;
    }
  }
  const conf = (await platform.readFile('/etc/clamav/clamd.conf'))?.toString('utf8');
  const installed = best !== undefined || conf !== undefined;
  const daemon = installed ? await ping(clamdSocket(conf)) : false;
  const onAccess = installed ? await processRunning(platform, 'clamonacc') : false;
  return { installed, daemon, on_access: onAccess, signature_built_ms: best?.built_ms, signature_version: best?.version };
}

async function processRunning(platform: Platform, comm: string): Promise<boolean> {
  const r = await platform.exec('pgrep', ['-x', comm], { timeoutMs: 5000 });
  return !r.error_class && r.code === 0;
}
