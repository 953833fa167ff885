import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { stringify } from 'yaml';
import { hashToken, newToken } from '../../../collector/store/agents.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { freePort, spawnPeer, stopProcess, tempDir, waitFor } from '../../peers/util.ts';
import type { FeederOptions } from './feeder.ts';

const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');
const FEEDER = path.resolve(import.meta.dirname, 'feeder.ts');

/** Wraps a command to run inside a network namespace (when given). */
function inNs(ns: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return ns ? ['ip', ['netns', 'exec', ns, cmd, ...args]] : [cmd, args];
}

export interface FaultCollector {
  port: number;
  host: string;
  token: string;
  dir: string;
  pid(): number | undefined;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
  /** Reads a counter from /metrics (summing all label sets matching `labels`). */
  metric(name: string, labels?: string): Promise<number>;
}

/**
 * A `watchpost collector` child process with its own data dir, a static agent token, and
 * (optionally) inside a network namespace. `fetchIn` is how the test reaches its HTTP port.
 */
export async function faultCollector(opts: {
  port: number;
  host?: string;
  influxUrl?: string;
  netns?: string;
  extra?: Record<string, unknown>;
  fetchText: (url: string) => Promise<string>;
}): Promise<FaultCollector> {
  const dir = tempDir('fault-collector');
  const token = newToken();
  const host = opts.host ?? '127.0.0.1';
  const cfg = {
    collector: { listen_host: host, listen_port: opts.port, data_dir: path.join(dir, 'data'), log_level: 'warn' },
    agents: [{ name: 'feeder', token_sha256: hashToken(token) }],
    ...(opts.influxUrl ? { influxdb: { url: opts.influxUrl, database: 'faults', batch_points: 5000, timeout_ms: 2000 } } : {}),
    limits: { auth_failures_per_min: 10_000 },
    ...opts.extra,
  };
  const configFile = path.join(dir, 'collector.yaml');
  writeFileSync(configFile, stringify(cfg));
  let peer: { proc: ChildProcess; output: () => string } | undefined;
  const base = `http://${host}:${opts.port}`;
  return {
    port: opts.port,
    host,
    token,
    dir,
    pid: () => peer?.proc.pid,
    async start() {
      const [cmd, args] = inNs(opts.netns, process.execPath, [CLI, 'collector', '--config', configFile]);
      peer = spawnPeer(cmd, args);
      const p = peer;
      await waitFor(
        'collector',
        async () => JSON.parse(await opts.fetchText(`${base}/healthz`)).status === 'ok',
        30_000,
        () => p.output(),
      );
    },
    async stop(signal = 'SIGTERM') {
      if (peer) await stopProcess(peer.proc, signal);
    },
    output: () => peer?.output() ?? '',
    async metric(name, labels = '') {
      const text = await opts.fetchText(`${base}/metrics`);
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const rest = line.slice(name.length);
        if (rest[0] !== ' ' && rest[0] !== '{') continue;
        if (labels && !rest.includes(labels)) continue;
        sum += Number(line.split(' ').pop());
      }
      return sum;
    },
  };
}

export interface FeederStatus {
  produced: number;
  appendErrors: number;
  connected: boolean;
  done?: boolean;
  outbox: { batches: number; bytes: number; samples: number; droppedSamplesFull: number; droppedSamplesAge: number; droppedSamplesDiskFull: number };
  transport?: { connects: number; disconnects: number; sentBatches: number; ackedBatches: number; authFailures: number };
}

export interface Feeder {
  proc: ChildProcess;
  last(): FeederStatus | undefined;
  until(what: string, pred: (s: FeederStatus) => boolean, timeoutMs: number): Promise<FeederStatus>;
  /** Resolves with the final status when the feeder exits. */
  done(): Promise<FeederStatus>;
  stop(): Promise<void>;
  /** Ends production (SIGUSR1); the feeder then drains and exits. */
  finishProducing(): void;
  output(): string;
}

/** Starts test/integration/faults/feeder.ts (optionally inside a network namespace). */
export function startFeeder(o: FeederOptions, netns?: string): Feeder {
  const [cmd, args] = inNs(netns, process.execPath, [FEEDER, JSON.stringify(o)]);
  const peer = spawnPeer(cmd, args);
  let last: FeederStatus | undefined;
  let buf = '';
  peer.proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        last = JSON.parse(line) as FeederStatus;
      } catch {
        /* not a status line */
      }
    }
  });
  const exited = new Promise<void>((r) => peer.proc.once('exit', () => r()));
  return {
    proc: peer.proc,
    last: () => last,
    async until(what, pred, timeoutMs) {
      await waitFor(
        `feeder: ${what}`,
        async () => last !== undefined && pred(last),
        timeoutMs,
        () => `${JSON.stringify(last)}\n${peer.output()}`,
      );
      return last!;
    },
    async done() {
      await exited;
      if (!last?.done) throw new Error(`feeder exited without a final status: ${peer.output().slice(-2000)}`);
      return last;
    },
    stop: () => stopProcess(peer.proc),
    finishProducing: () => void peer.proc.kill('SIGUSR1'),
    output: peer.output,
  };
}

/** RSS of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

export const localFetchText = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();

/**
 * A real influxd and a fault collector (not started yet) on loopback, both torn down with
 * the test: the setup every single-host fault test shares.
 */
export async function loopbackPair(t: { teardown(fn: () => unknown): void }) {
  const influx = await startInfluxd();
  t.teardown(() => influx.destroy());
  const port = await freePort();
  const col = await faultCollector({ port, influxUrl: influx.url, fetchText: localFetchText });
  t.teardown(() => col.stop('SIGKILL'));
  return { influx, port, col };
}
