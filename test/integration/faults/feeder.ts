/**
 * A real agent data path (outbox on disk → transport) in its own process, fed with numbered
 * points, for fault tests that must run the agent somewhere else (a network namespace, a
 * tiny tmpfs) or kill it. Configured by one JSON argument; prints JSON lines on stdout:
 *   {"produced":N,"outbox":{…},"connected":bool}   every 100 ms
 *   {"done":true,"produced":N,"outbox":{…},"transport":{…}}   when drained or on SIGTERM
 * Points: measurement `fault`, tag run, integer field n, timestamps base+n ms (distinct, so
 * none overwrites another in InfluxDB). SIGUSR1 ends production early (then drain, exit). The optional clock jump shifts the agent's clock
 * (sample timestamps and the outbox's age clock) by jumpMs after jumpAfter points.
 */
import { Outbox } from '../../../agent/outbox.ts';
import { Transport } from '../../../agent/transport.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Sample } from '../../../protocol/sample.ts';

export interface FeederOptions {
  url: string;
  token: string;
  dir: string;
  run: string;
  count: number;
  ratePerS: number;
  batch: number;
  base: number;
  maxBytes?: number;
  reserveBytes?: number;
  whenFull?: 'drop_oldest' | 'drop_newest';
  caFile?: string;
  heartbeatMs?: number;
  jumpMs?: number;
  jumpAfter?: number;
  /** Exit when produced and drained (default true); false keeps running until SIGTERM. */
  exitWhenDrained?: boolean;
}

const o = JSON.parse(process.argv[2]!) as FeederOptions;
let offset = 0;
const clock = () => Date.now() + offset;
const outbox = new Outbox({
  dir: o.dir,
  maxBytes: o.maxBytes ?? 256 * 1024 * 1024,
  maxAgeMs: 7 * 86_400_000,
  whenFull: o.whenFull ?? 'drop_oldest',
  now: clock,
  ...(o.reserveBytes !== undefined ? { reserveBytes: o.reserveBytes } : {}),
});
const transport = new Transport(
  {
    url: o.url,
    token: o.token,
    caFile: o.caFile,
    heartbeatMs: o.heartbeatMs ?? 1000,
    maxInFlight: 16,
    reconnectMinMs: 50,
    reconnectMaxMs: 1000,
    agentVersion: 'fault-feeder',
    probes: ['feeder'],
    log: silentLogger,
  },
  outbox,
);
transport.start();
let produced = 0;
let appendErrors = 0;

const report = (extra: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ produced, appendErrors, outbox: outbox.stats(), connected: transport.connected, ...extra })}\n`);
const progress = setInterval(() => report(), 100);

let finishing = false;
async function finish(): Promise<void> {
  if (finishing) return;
  finishing = true;
  clearInterval(progress);
  await transport.close();
  report({ done: true, transport: transport.stats });
  outbox.close();
  process.exit(0);
}
process.on('SIGTERM', () => void finish());
// SIGUSR1: stop producing now, then drain and exit as if `count` had been reached.
process.on('SIGUSR1', () => {
  o.count = produced;
});

const slice = 20; // ms
const perSlice = Math.max(1, Math.round((o.ratePerS * slice) / 1000));
async function produce(): Promise<void> {
  while (produced < o.count) {
    const t0 = Date.now();
    let n = Math.min(perSlice, o.count - produced);
    while (n > 0) {
      const k = Math.min(n, o.batch);
      const out: Sample[] = [];
      for (let i = 0; i < k; i++) {
        if (o.jumpMs && produced === o.jumpAfter) offset = o.jumpMs;
        // Timestamps follow the (possibly jumped) agent clock's offset, stay distinct per point.
        out.push({ measurement: 'fault', tags: { run: o.run }, fields: { n: BigInt(produced) }, time: o.base + produced + offset });
        produced++;
      }
      try {
        outbox.append(out);
      } catch {
        appendErrors++; // not expected: the outbox counts its own drops; reported so a test can fail on it
      }
      n -= k;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, slice - (Date.now() - t0))));
  }
  if (o.exitWhenDrained === false) return;
  for (;;) {
    if (outbox.stats().batches === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await finish();
}
void produce();
