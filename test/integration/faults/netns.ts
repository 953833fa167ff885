import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnPeer, stopProcess, tempDir, removeDir, waitFor } from '../../peers/util.ts';

/**
 * Two network namespaces joined by one veth pair, created by the test and deleted in its
 * teardown: `agent` (10.254.N.1) and `collector` (10.254.N.2). Addresses exist only inside
 * these namespaces; nothing is configured in the host's namespace.
 */
export interface NetPair {
  agentNs: string;
  collectorNs: string;
  agentIp: string;
  collectorIp: string;
  /** Cuts the link (the collector side goes down: packets vanish, no RST). */
  partition(): void;
  heal(): void;
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createNetPair(): NetPair {
  const id = `${process.pid % 100_000}${Math.floor(Math.random() * 100)}`;
  const agentNs = `wpf-${id}-a`;
  const collectorNs = `wpf-${id}-c`;
  const n = ((process.pid + Math.floor(Math.random() * 250)) % 250) + 1;
  const agentIp = `10.254.${n}.1`;
  const collectorIp = `10.254.${n}.2`;
  const destroy = () => {
    for (const ns of [agentNs, collectorNs]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  };
  try {
    ip('netns', 'add', agentNs);
    ip('netns', 'add', collectorNs);
    ip('-n', agentNs, 'link', 'add', 'wp0', 'type', 'veth', 'peer', 'name', 'wp0', 'netns', collectorNs);
    ip('-n', agentNs, 'addr', 'add', `${agentIp}/30`, 'dev', 'wp0');
    ip('-n', collectorNs, 'addr', 'add', `${collectorIp}/30`, 'dev', 'wp0');
    for (const ns of [agentNs, collectorNs]) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', 'wp0', 'up');
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    agentNs,
    collectorNs,
    agentIp,
    collectorIp,
    partition: () => ip('-n', collectorNs, 'link', 'set', 'wp0', 'down'),
    heal: () => ip('-n', collectorNs, 'link', 'set', 'wp0', 'up'),
    destroy,
  };
}

/** GET a URL from inside a namespace (a short node process there), returning the body. */
export function fetchTextIn(ns: string): (url: string) => Promise<string> {
  return async (url) => {
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '-e',
        'fetch(process.argv[1],{signal:AbortSignal.timeout(3000)}).then(r=>r.text()).then(t=>process.stdout.write(t),()=>process.exit(1))',
        url,
      ],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    );
    if (r.status !== 0) throw new Error(`fetch ${url} in ${ns} failed`);
    return r.stdout;
  };
}

/** influxd inside a namespace, on that namespace's loopback. */
export async function influxdIn(ns: string, port: number): Promise<{ url: string; count(where: string): Promise<number>; stop(): Promise<void> }> {
  const dir = tempDir('influxd-ns');
  const conf = path.join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${port + 1}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[logging]
  level = "warn"
`,
  );
  const peer = spawnPeer('ip', ['netns', 'exec', ns, 'influxd', '-config', conf]);
  const url = `http://127.0.0.1:${port}`;
  const get = fetchTextIn(ns);
  await waitFor('influxd in namespace', async () => (await get(`${url}/ping`)) !== undefined, 30_000, peer.output);
  return {
    url,
    async count(where) {
      const q = encodeURIComponent(`SELECT COUNT("n") FROM "fault" WHERE ${where}`);
      const body = JSON.parse(await get(`${url}/query?db=faults&q=${q}`)) as { results: { series?: { values: unknown[][] }[] }[] };
      return Number(body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
    },
    async stop() {
      await stopProcess(peer.proc);
      removeDir(dir);
    },
  };
}
