import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, removeDir, spawnPeer, stopProcess, tempDir, waitFor } from './util.ts';

export interface InfluxPeer {
  url: string;
  port: number;
  dir: string;
  /** Runs InfluxQL and returns the first result's series. */
  query(q: string, db?: string): Promise<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]>;
  /** Counts points of a measurement (COUNT of one field). */
  count(db: string, measurement: string, field: string, where?: string): Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  pid(): number;
  /** Starts influxd again on the same port and data (after stop). */
  restart(): Promise<void>;
  /** Stops and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts Debian's influxd (1.x) on a free loopback port with a throw-away data directory,
 * and waits until /ping answers.
 */
export async function startInfluxd(): Promise<InfluxPeer> {
  const dir = tempDir('influxd');
  const port = await freePort();
  const rpcPort = await freePort();
  const conf = path.join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"
[coordinator]
[retention]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  max-body-size = 0
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
`,
  );
  const url = `http://127.0.0.1:${port}`;
  let peer = spawnPeer('influxd', ['-config', conf]);
  const ready = () => waitFor('influxd', async () => (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 204, 30_000, peer.output);
  await ready();
  const query: InfluxPeer['query'] = async (q, db) => {
    const u = new URL('/query', url);
    u.searchParams.set('q', q);
    if (db) u.searchParams.set('db', db);
    const res = await fetch(u, { method: 'POST' });
    const body = (await res.json()) as { error?: string; results: { error?: string; series?: never[] }[] };
    const err = body.error ?? body.results?.[0]?.error;
    if (err) throw new Error(`InfluxQL error: ${err} (query: ${q})`);
    return body.results[0]?.series ?? [];
  };
  return {
    url,
    port,
    dir,
    query,
    async count(db, measurement, field, where) {
      const s = await query(`SELECT COUNT("${field}") FROM "${measurement}"${where ? ` WHERE ${where}` : ''}`, db);
      return Number(s[0]?.values[0]?.[1] ?? 0);
    },
    stop: (signal = 'SIGTERM') => stopProcess(peer.proc, signal),
    pid: () => peer.proc.pid!,
    async restart() {
      peer = spawnPeer('influxd', ['-config', conf]);
      await ready();
    },
    async destroy() {
      await stopProcess(peer.proc);
      removeDir(dir);
    },
  };
}
