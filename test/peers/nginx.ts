import net from 'node:net';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, removeDir, spawnPeer, stopProcess, tempDir, waitFor } from './util.ts';

export const NGINX = '/usr/sbin/nginx';

export interface NginxPeer {
  /** The prefix: files given to startNginx are under it. */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Runs Debian's nginx in the foreground (daemon off) from a temp prefix with the `http {}`
 * server blocks a test writes; `files` are written under the prefix first (relative paths).
 * Resolves once every port in `ports` accepts connections.
 */
/** n distinct free ports (freePort alone may hand out one twice). */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

export async function startNginx(o: { servers: string; files?: Record<string, string | Buffer>; ports: number[]; workers?: number }): Promise<NginxPeer> {
  const dir = tempDir('nginx');
  for (const d of ['tmp', 'logs', 'html']) mkdirSync(path.join(dir, d), { recursive: true });
  for (const [f, body] of Object.entries(o.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), body);
  }
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes ${o.workers ?? 1};
daemon off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { text/html html; application/json json; text/plain txt; }
  default_type application/octet-stream;
  ${o.servers}
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const { proc, output } = spawnPeer(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr']);
  let exited = false;
  proc.once('exit', () => (exited = true));
  const open = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  await waitFor(
    'nginx',
    async () => {
      if (exited) throw new Error(`nginx exited with code ${proc.exitCode}: ${output()}`);
      // nginx writes its pid file only after binding every listen socket: until then an open
      // port may be someone else's (a port freePort handed out and another process took).
      if (!existsSync(path.join(dir, 'nginx.pid'))) return false;
      return (await Promise.all(o.ports.map(open))).every(Boolean);
    },
    20_000,
    output,
  );
  if (exited) throw new Error(`nginx exited with code ${proc.exitCode}: ${output()}`);
  return {
    dir,
    async stop() {
      await stopProcess(proc, 'SIGTERM');
      removeDir(dir);
    },
  };
}
