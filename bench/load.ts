/**
 * bench:load — one collector (a real `watchpost collector` process) with a real influxd behind
 * it, fed by a simulated site:
 *   1,000 agents   host (6 samples: cpu, mem, 2 disks, 2 nics) + ping (1) every 10 s
 *     200 cameras  onvif + rtsp + snapshot samples every 10 s, through 4 poller agents
 *     100 switches 48 interfaces + system + 2 sensors every 10 s, through 4 poller agents
 * Each simulated agent is the real agent data path (in-memory outbox + Transport over its
 * own WebSocket). Measured: collector CPU and RSS, ack latency (batch appended → acked, i.e.
 * durable in the collector's spool) p50/p99, spool backlog, points lost (InfluxDB count vs
 * produced). Then a ramp multiplies the offered rate until the collector saturates, and a
 * reference ramp writes the same line protocol straight to influxd, so the two ceilings sit
 * side by side.
 *
 *   npm run bench:load                      # 10 minutes steady + ramp
 *   LOAD_DURATION_S=60 npm run bench:load   # shorter
 *   LOAD_AGENTS=1000 LOAD_CAMERAS=200 LOAD_SWITCHES=100 LOAD_INTERVAL_S=10 (defaults)
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { stringify } from 'yaml';
import { Outbox } from '../agent/outbox.ts';
import { Transport } from '../agent/transport.ts';
import { hashToken, newToken } from '../collector/store/agents.ts';
import { silentLogger } from '../lib/log.ts';
import { encodeLines } from '../protocol/line-protocol.ts';
import type { Sample } from '../protocol/sample.ts';
import { type InfluxPeer, startInfluxd } from '../test/peers/influxd.ts';
import { freePort, spawnPeer, stopProcess, tempDir, waitFor } from '../test/peers/util.ts';
import { cpuSeconds, quantile, rssMiB, table } from './lib.ts';

const DURATION_S = Number(process.env.LOAD_DURATION_S ?? 600);
const AGENTS = Number(process.env.LOAD_AGENTS ?? 1000);
const CAMERAS = Number(process.env.LOAD_CAMERAS ?? 200);
const SWITCHES = Number(process.env.LOAD_SWITCHES ?? 100);
const INTERVAL_S = Number(process.env.LOAD_INTERVAL_S ?? 10);
const RAMP_STEP_S = Number(process.env.LOAD_RAMP_STEP_S ?? 20);
const POLLERS = 4;
const CLI = path.resolve(import.meta.dirname, '../cli/watchpost.ts');

interface Sim {
  name: string;
  token: string;
  outbox?: Outbox;
  transport?: Transport;
  make(t: number): Sample[];
}

const n = (x: number) => BigInt(Math.round(x));
function hostSamples(host: string, t: number): Sample[] {
  const tags = { host };
  return [
    { measurement: 'load_cpu', tags, fields: { used_pct: Math.random() * 100, load1: Math.random() * 4 }, time: t },
    { measurement: 'load_mem', tags, fields: { used_pct: Math.random() * 100, used_bytes: n(Math.random() * 8e9) }, time: t },
    { measurement: 'load_disk', tags: { ...tags, mount: 'C:' }, fields: { used_pct: 50, free_bytes: n(1e11) }, time: t },
    { measurement: 'load_disk', tags: { ...tags, mount: 'D:' }, fields: { used_pct: 20, free_bytes: n(4e11) }, time: t },
    { measurement: 'load_net', tags: { ...tags, iface: 'eth0' }, fields: { rx_bytes: n(Math.random() * 1e12), tx_bytes: n(Math.random() * 1e12) }, time: t },
    { measurement: 'load_net', tags: { ...tags, iface: 'wlan0' }, fields: { rx_bytes: n(1e6), tx_bytes: n(1e6) }, time: t },
    { measurement: 'load_ping', tags: { ...tags, target: 'gateway' }, fields: { up: true, rtt_ms: Math.random() * 3, loss_pct: 0 }, time: t },
  ];
}
function cameraSamples(cams: number[], t: number): Sample[] {
  return cams.flatMap((c): Sample[] => {
    const tags = { camera: `cam-${c}` };
    return [
      { measurement: 'load_onvif', tags, fields: { up: true, clock_drift_s: Math.random() }, time: t },
      { measurement: 'load_rtsp', tags, fields: { up: true, describe_ms: Math.random() * 50 }, time: t },
      { measurement: 'load_snapshot', tags, fields: { ok: true, bytes: n(2e5), mean_luma: Math.random() * 255 }, time: t },
    ];
  });
}
function switchSamples(sws: number[], t: number): Sample[] {
  return sws.flatMap((s) => {
    const device = `sw-${s}`;
    const out: Sample[] = [{ measurement: 'load_snmp', tags: { device }, fields: { up: true, uptime_s: n(1e6), response_ms: 12 }, time: t }];
    for (let p = 1; p <= 48; p++) out.push({ measurement: 'load_if', tags: { device, if_name: `GE0/0/${p}` }, fields: { oper_up: true, in_bps: Math.random() * 1e8, out_bps: Math.random() * 1e8, in_errors: n(0) }, time: t });
    out.push({ measurement: 'load_sensor', tags: { device, sensor: 'temp' }, fields: { value: 40 }, time: t });
    out.push({ measurement: 'load_sensor', tags: { device, sensor: 'fan' }, fields: { value: 3000 }, time: t });
    return out;
  });
}
const MEASUREMENTS = ['load_cpu', 'load_mem', 'load_disk', 'load_net', 'load_ping', 'load_onvif', 'load_rtsp', 'load_snapshot', 'load_snmp', 'load_if', 'load_sensor'];

function buildSims(): Sim[] {
  const sims: Sim[] = [];
  for (let i = 0; i < AGENTS; i++) sims.push({ name: `pc-${i}`, token: newToken(), make: (t) => hostSamples(`pc-${i}`, t) });
  for (let p = 0; p < POLLERS; p++) {
    const cams = Array.from({ length: CAMERAS }, (_, c) => c).filter((c) => c % POLLERS === p);
    const sws = Array.from({ length: SWITCHES }, (_, s) => s).filter((s) => s % POLLERS === p);
    sims.push({ name: `poller-cam-${p}`, token: newToken(), make: (t) => cameraSamples(cams, t) });
    sims.push({ name: `poller-sw-${p}`, token: newToken(), make: (t) => switchSamples(sws, t) });
  }
  return sims;
}

/** The collector process under test and a reader of its /metrics. */
interface Collector {
  proc: ChildProcess;
  port: number;
  pid: number;
  metric(name: string): Promise<number>;
}

/** What the simulated agents share: when each batch was appended, ack latencies, points produced. */
interface Run {
  appended: Map<string, number>;
  latencies: number[];
  produced: number;
}

type Window = Awaited<ReturnType<Driver['window']>>;

async function startCollector(influx: InfluxPeer, sims: Sim[]): Promise<Collector> {
  const dir = tempDir('bench-load');
  const port = await freePort();
  const cfgFile = path.join(dir, 'collector.yaml');
  writeFileSync(
    cfgFile,
    stringify({
      collector: { listen_host: '127.0.0.1', listen_port: port, data_dir: path.join(dir, 'data'), log_level: 'warn' },
      influxdb: { url: influx.url, database: 'load', batch_points: 5000 },
      agents: sims.map((s) => ({ name: s.name, token_sha256: hashToken(s.token) })),
      limits: { max_connections_per_ip: 5000, auth_failures_per_min: 100_000 },
    }),
  );
  const col = spawnPeer(process.execPath, [CLI, 'collector', '--config', cfgFile]);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('collector', async () => (await fetch(`${base}/healthz`)).ok, 30_000, col.output);
  const metric = async (name: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    let v = 0;
    for (const l of text.split('\n')) if (l.startsWith(name + ' ') || l.startsWith(name + '{')) v += Number(l.split(' ').pop());
    return v;
  };
  return { proc: col.proc, port, pid: col.proc.pid!, metric };
}

/** Gives every simulated agent an in-memory outbox (acks timed into run.latencies) and a Transport, connected. */
async function connectAgents(sims: Sim[], port: number, run: Run): Promise<void> {
  for (const s of sims) {
    const outbox = new Outbox({ dir: ':memory:', maxBytes: 256 * 1024 * 1024, maxAgeMs: 86_400_000, whenFull: 'drop_oldest' });
    const ack = outbox.ack.bind(outbox);
    outbox.ack = (seq: number) => {
      const k = `${s.name}:${seq}`;
      const t0 = run.appended.get(k);
      if (t0 !== undefined) {
        run.latencies.push(performance.now() - t0);
        run.appended.delete(k);
      }
      ack(seq);
    };
    s.outbox = outbox;
    s.transport = new Transport(
      { url: `ws://127.0.0.1:${port}/v1/agent`, token: s.token, heartbeatMs: 15_000, maxInFlight: 16, reconnectMinMs: 500, reconnectMaxMs: 30_000, agentVersion: 'bench', probes: ['host', 'ping'], log: silentLogger },
      outbox,
    );
    s.transport.start();
  }
  await waitFor('all agents connected', async () => sims.every((s) => s.transport!.connected), 120_000);
}

/** Drives the simulated agents at an interval and measures the collector over a window. */
class Driver {
  intervalMs = INTERVAL_S * 1000;
  timers: NodeJS.Timeout[] = [];
  readonly pointsPerInterval: number;
  readonly sims: Sim[];
  readonly col: Collector;
  readonly run: Run;
  constructor(sims: Sim[], col: Collector, run: Run) {
    this.sims = sims;
    this.col = col;
    this.run = run;
    this.pointsPerInterval = sims.reduce((a, s) => a + s.make(0).length, 0);
  }

  // Each agent ticks on its own phase within the interval, as real agents do.
  start(ms: number): void {
    this.intervalMs = ms;
    this.stop();
    this.timers = [];
    const { sims, run } = this;
    sims.forEach((s, i) => {
      const tick = () => {
        const t = Date.now();
        const samples = s.make(t);
        const seq = s.outbox!.append(samples);
        if (seq !== undefined) run.appended.set(`${s.name}:${seq}`, performance.now());
        run.produced += samples.length;
      };
      const phase = Math.floor((i / sims.length) * ms);
      this.timers.push(setTimeout(() => {
        tick();
        this.timers.push(setInterval(tick, ms));
      }, phase));
    });
  }

  stop(): void {
    this.timers.forEach(clearTimeout);
    this.timers.forEach(clearInterval);
  }

  async window(seconds: number) {
    const { pid, metric } = this.col;
    this.run.latencies = [];
    // The simulated agents share this one process: its event-loop lag is part of every ack
    // latency measured here, so it is reported to tell a slow collector from a slow harness.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const selfCpu0 = process.cpuUsage();
    const cpu0 = cpuSeconds(pid);
    const ingest0 = await metric('watchpost_ingest_points_total');
    const t0 = performance.now();
    let rss = 0;
    let spool = 0;
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1000));
      rss = Math.max(rss, rssMiB(pid));
      spool = Math.max(spool, await metric('watchpost_spool_points'));
    }
    const wall = (performance.now() - t0) / 1000;
    return {
      offered_pts_s: Math.round(this.pointsPerInterval / (this.intervalMs / 1000)),
      ingested_pts_s: Math.round(((await metric('watchpost_ingest_points_total')) - ingest0) / wall),
      collector_cpu_pct: ((cpuSeconds(pid) - cpu0) / wall) * 100,
      rss_max_mib: rss,
      ack_p50_ms: quantile(this.run.latencies, 0.5),
      ack_p99_ms: quantile(this.run.latencies, 0.99),
      spool_max_points: spool,
      harness_lag_p99_ms: (lag.disable(), lag.percentile(99) / 1e6),
      harness_cpu_pct: ((process.cpuUsage(selfCpu0).user + process.cpuUsage(selfCpu0).system) / 1e6 / wall) * 100,
    };
  }
}

/** Ramp: halve the interval each step until the collector falls behind. */
async function rampUp(driver: Driver): Promise<{ ramp: Record<string, string | number>[]; saturated: string | undefined }> {
  const ramp: Record<string, string | number>[] = [];
  let saturated: string | undefined;
  for (let k = 2; k <= 64 && !saturated; k *= 2) {
    driver.start((INTERVAL_S * 1000) / k);
    const w = await driver.window(RAMP_STEP_S);
    ramp.push({ rate: `x${k}`, ...w });
    console.log(table([ramp[ramp.length - 1]!]));
    if (w.ingested_pts_s < w.offered_pts_s * 0.9 || w.ack_p99_ms > 2000) {
      const who = w.harness_lag_p99_ms > 200 ? 'the load generator (its event loop lags; the figure is a lower bound for the collector)' : 'the collector';
      saturated = `x${k}: ${w.offered_pts_s} points/s offered, ${w.ingested_pts_s} ingested, p99 ack ${Math.round(w.ack_p99_ms)} ms, collector CPU ${Math.round(w.collector_cpu_pct)}%, harness lag p99 ${Math.round(w.harness_lag_p99_ms)} ms — limited by ${who}`;
    }
  }
  return { ramp, saturated };
}

/** Drain, then count: points stored in InfluxDB and samples the outboxes dropped (counted). */
async function drainAndCount(sims: Sim[], col: Collector, influx: InfluxPeer): Promise<{ stored: number; dropped: number }> {
  await waitFor('outboxes drained', async () => sims.every((s) => s.outbox!.stats().batches === 0), 300_000);
  await waitFor('spool drained', async () => (await col.metric('watchpost_spool_points')) === 0, 600_000);
  let stored = 0;
  for (const m of MEASUREMENTS) {
    const series = await influx.query(`SELECT COUNT(*) FROM "${m}"`, 'load');
    // COUNT(*) gives one column per field; every field is present on every point, take the first.
    stored += Number(series[0]?.values[0]?.[1] ?? 0);
  }
  const dropped = sims.reduce((a, s) => a + s.outbox!.stats().droppedSamplesFull + s.outbox!.stats().droppedSamplesAge, 0);
  for (const s of sims) await s.transport!.close();
  return { stored, dropped };
}

// Reference: the same kind of line protocol straight into influxd, 4 writers, 5000 lines a
// request, for RAMP_STEP_S seconds: influxd's own ceiling on this machine.
async function referenceRate(influx: InfluxPeer): Promise<number> {
  const refSamples: Sample[] = [];
  const t = Date.now() - 86_400_000;
  for (let i = 0; i < 1000; i++) refSamples.push(...hostSamples(`ref-${i}`, t));
  refSamples.push(...switchSamples(Array.from({ length: 60 }, (_, s) => s), t));
  let refPoints = 0;
  const refUntil = Date.now() + RAMP_STEP_S * 1000;
  let shift = 0;
  const writer = async () => {
    while (Date.now() < refUntil) {
      shift++;
      const body = encodeLines(refSamples.slice(0, 5000).map((s) => ({ ...s, time: s.time + shift }))).body;
      const r = await fetch(`${influx.url}/write?db=load&precision=ms`, { method: 'POST', body });
      if (r.status === 204) refPoints += 5000;
    }
  };
  const r0 = performance.now();
  await Promise.all([writer(), writer(), writer(), writer()]);
  return Math.round(refPoints / ((performance.now() - r0) / 1000));
}

function report(steady: Window, ramp: Record<string, string | number>[], saturated: string | undefined, counts: { produced: number; stored: number; dropped: number; lost: number }, refRate: number): void {
  const { produced, stored, dropped, lost } = counts;
  const ceiling = Number((ramp.findLast((r) => Number(r.ingested_pts_s) >= Number(r.offered_pts_s) * 0.9) ?? { ingested_pts_s: steady.ingested_pts_s }).ingested_pts_s);
  console.log('\n=== bench:load results ===');
  console.log(table([{ phase: `steady ${DURATION_S} s`, ...steady }, ...ramp.map(({ rate, ...r }) => ({ phase: `ramp ${rate}`, ...r }))]));
  console.log(`\npoints produced ${produced.toLocaleString('en-US')}, stored in InfluxDB ${stored.toLocaleString('en-US')}, counted outbox drops ${dropped}, LOST ${lost}`);
  console.log(`saturation: ${saturated ?? 'not reached up to x64'}`);
  console.log(table([
    { path: 'agents → collector → spool → influxd (highest rate kept up with)', points_per_s: ceiling, ratio: 1 },
    { path: 'reference: line protocol straight into influxd (4 writers × 5000 lines)', points_per_s: refRate, ratio: refRate / Math.max(1, ceiling) },
  ]));
}

async function main(): Promise<void> {
  const influx = await startInfluxd();
  const sims = buildSims();
  const col = await startCollector(influx, sims);
  const run: Run = { appended: new Map(), latencies: [], produced: 0 };
  await connectAgents(sims, col.port, run);
  console.log(`${sims.length} simulated agents connected (${AGENTS} PCs, ${POLLERS} camera pollers for ${CAMERAS} cameras, ${POLLERS} SNMP pollers for ${SWITCHES} switches)`);

  const driver = new Driver(sims, col, run);
  driver.start(INTERVAL_S * 1000);
  console.log(`steady load: ${driver.pointsPerInterval} points every ${INTERVAL_S} s for ${DURATION_S} s`);
  const steady = await driver.window(DURATION_S);
  console.log(table([{ phase: 'steady', ...steady }]));

  const { ramp, saturated } = await rampUp(driver);
  driver.stop();

  const { stored, dropped } = await drainAndCount(sims, col, influx);
  const refRate = await referenceRate(influx);

  await stopProcess(col.proc);
  await influx.destroy();

  const lost = run.produced - dropped - stored;
  report(steady, ramp, saturated, { produced: run.produced, stored, dropped, lost }, refRate);
  process.exit(lost === 0 ? 0 : 1);
}

await main();
