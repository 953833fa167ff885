// bench:ingest — points/s and p99 latency through agent → collector → InfluxDB, side by side
// with posting the same kind of line protocol straight to the same influxd in the same run.
//   npm run bench:ingest            (defaults: 1,000,000 points, 10 agents)
//   POINTS=2000000 AGENTS=20 npm run bench:ingest
//   PACED_RATE=50000 PACED_S=10 (the paced run: latency at a load the collector sustains)
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { hashToken, newToken } from '../collector/store/agents.ts';
import { collectorProcess } from '../test/peers/collector.ts';
import { startInfluxd } from '../test/peers/influxd.ts';
import { cpuSeconds, quantile, table } from './lib.ts';
import { stamp, template } from './ingest-points.ts';
import { concatBytes } from '../lib/bytes.ts';

const POINTS = Number(process.env.POINTS ?? 1_000_000);
const AGENTS = Number(process.env.AGENTS ?? 10);
// 500 points make frames of ~80 KB: under BATCH_TARGET_BYTES (96 KiB), as the agent's outbox splits them.
const AGENT_BATCH = Number(process.env.AGENT_BATCH ?? 500);
const WINDOW = Number(process.env.WINDOW ?? 8);
const DIRECT_BATCH = 5000;
const DIRECT_CONCURRENCY = Number(process.env.DIRECT_CONCURRENCY ?? 2);

async function countPoints(url: string, db: string): Promise<number> {
  const u = new URL('/query', url);
  u.searchParams.set('db', db);
  u.searchParams.set('q', 'SELECT COUNT("usage_user") FROM "cpu"');
  const body = (await (await fetch(u, { method: 'POST' })).json()) as { results: { series?: { values: number[][] }[] }[] };
  return Number(body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

// The reference posts as the collector's writer does: node:http with keep-alive (fetch
// copies each body twice, which would slow the reference and flatter the ratio).
const keepAlive = new http.Agent({ keepAlive: true });

function post(url: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: keepAlive, headers: { 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function direct(influxUrl: string, influxPid: number) {
  await fetch(`${influxUrl}/query?q=${encodeURIComponent('CREATE DATABASE direct')}`, { method: 'POST' });
  const latencies: number[] = [];
  let next = 0;
  // Same points, series and batch shapes as the agents send, 5 agent batches per request.
  const perAgent = Math.ceil(POINTS / AGENTS / AGENT_BATCH);
  const cpu0 = cpuSeconds(influxPid);
  const t0 = performance.now();
  const jobs: [number, number][] = [];
  for (let seq = 1; seq <= perAgent; seq++) for (let a = 0; a < AGENTS; a++) jobs.push([a, seq]);
  const per = DIRECT_BATCH / AGENT_BATCH;
  // Made before the clock starts, as the agents' are (ingest-agents.ts).
  const templates = Array.from({ length: AGENTS }, (_, a) => Array.from({ length: 32 }, (_, s) => template('line', a, s, AGENT_BATCH)));
  const worker = async () => {
    while (next < jobs.length) {
      const mine = jobs.slice(next, next + per);
      next += per;
      const created = Date.now();
      const body = concatBytes(mine.map(([a, seq]) => stamp(templates[a]![seq % 32]!, created)));
      const res = await post(`${influxUrl}/write?db=direct&precision=ms`, body);
      if (res.status !== 204) throw new Error(`direct write failed: ${res.status} ${res.text}`);
      latencies.push(Date.now() - created + 99);
    }
  };
  await Promise.all(Array.from({ length: DIRECT_CONCURRENCY }, worker));
  const secs = (performance.now() - t0) / 1000;
  const n = await countPoints(influxUrl, 'direct');
  return { points: n, secs, rate: n / secs, p99: quantile(latencies, 0.99) / 1000, influxCpu: cpuSeconds(influxPid) - cpu0, collectorCpu: 0 };
}

async function viaCollector(influxUrl: string, influxPid: number, database: string, points: number, rate = 0) {
  const tokens = Array.from({ length: AGENTS }, () => newToken());
  const col = await collectorProcess({
    influxdb: { url: influxUrl, database, batch_points: Number(process.env.BATCH_POINTS ?? 10000) },
    agents: tokens.map((t, i) => ({ name: `bench-${i}`, token_sha256: hashToken(t), building: 'A', floor: String(i % 10) })),
  });
  const pid = col.pid()!;
  const child = fork(
    path.join(import.meta.dirname, 'ingest-agents.ts'),
    [col.url, tokens.join(','), String(points), String(AGENT_BATCH), String(WINDOW), String(rate)],
    { stdio: 'inherit' },
  );
  let cpu0 = 0;
  let ccpu0 = 0;
  let t0 = 0;
  // TIMELINE=1: every 0.5 s, points acked into the spool and written to InfluxDB so far.
  const timeline: string[] = [];
  const timelineTimer = setInterval(async () => {
    if (!process.env.TIMELINE || !t0) return;
    const m = await (await fetch(`${col.url}/metrics`)).text();
    const v = (name: string) => Math.round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(m)?.[1] ?? 0) / 1000);
    timeline.push(
      `${((performance.now() - t0) / 1000).toFixed(1)}s in ${v('watchpost_ingest_points_total')}k out ${v('watchpost_influx_points_written_total')}k`,
    );
  }, 500);
  // The agents say when their batches are made; the clock starts at "go".
  const sent = await new Promise<number>((resolve, reject) => {
    child.on('message', (m) => {
      const msg = m as { ready?: boolean; sent?: number };
      if (msg.ready) {
        cpu0 = cpuSeconds(influxPid);
        ccpu0 = cpuSeconds(pid);
        t0 = performance.now();
        child.send('go');
      } else resolve(msg.sent!);
    });
    child.on('exit', (code) => code && reject(new Error(`agents exited ${code}`)));
  });
  const ackedSecs = (performance.now() - t0) / 1000;
  clearInterval(timelineTimer);
  // Done when the collector has had a 204 from influxd for every point: the direct path's
  // clock stops at its last 204 too. (Polling SELECT COUNT instead would make influxd scan
  // the growing database ten times a second while the collector is still writing.)
  const written = async () =>
    Number(/^watchpost_influx_points_written_total(?:\{[^}]*\})? (\S+)/m.exec(await (await fetch(`${col.url}/metrics`)).text())?.[1] ?? 0);
  let w = 0;
  let lastChange = Date.now();
  for (;;) {
    const m = await written();
    if (m !== w) lastChange = Date.now();
    w = m;
    if (w >= sent || Date.now() - lastChange > 15_000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const secs = (performance.now() - t0) / 1000;
  const n = await countPoints(influxUrl, database);
  if (timeline.length) console.log(`timeline: ${timeline.join(' | ')}`);
  const metrics = await (await fetch(`${col.url}/metrics`)).text();
  const writeProblems = metrics.split('\n').filter((l) => /^watchpost_influx_(write_errors|points_dropped)_total/.test(l));
  if (writeProblems.length) console.log(`collector write problems:\n  ${writeProblems.join('\n  ')}`);
  const p99 = Number(/watchpost_ingest_latency_seconds\{quantile="0.99"\} ([\d.e+-]+)/.exec(metrics)?.[1] ?? NaN);
  const res = { points: n, secs, ackedSecs, rate: n / secs, p99, influxCpu: cpuSeconds(influxPid) - cpu0, collectorCpu: cpuSeconds(pid) - ccpu0 };
  await col.stop();
  return res;
}

/**
 * Waits until influxd is idle (under 30 ms of CPU in 500 ms, at most 30 s): the previous
 * phase's points are still being snapshotted and compacted for a few seconds after its
 * last write, which would otherwise be charged to the next phase.
 */
async function settle(pid: number): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const c0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 500));
    if (cpuSeconds(pid) - c0 < 0.03) return;
  }
}

const influx = await startInfluxd();
try {
  const influxPid = influx.pid();
  console.log(
    `bench:ingest — ${POINTS.toLocaleString('en-US')} points; ${AGENTS} agents × batches of ${AGENT_BATCH} (window ${WINDOW}) vs direct /write batches of ${DIRECT_BATCH} × ${DIRECT_CONCURRENCY}`,
  );
  await settle(influxPid);
  const d = await direct(influx.url, influxPid);
  await settle(influxPid);
  const c = await viaCollector(influx.url, influxPid, 'viacollector', POINTS);
  await settle(influxPid);
  // The same path at an offered load it can sustain: latency without a backlog.
  const pacedRate = Number(process.env.PACED_RATE ?? 50_000);
  const pacedPoints = pacedRate * Number(process.env.PACED_S ?? 10);
  const paced = await viaCollector(influx.url, influxPid, 'paced', pacedPoints, pacedRate);
  console.log(
    table([
      {
        path: 'direct → influxd',
        points: d.points,
        'wall s': d.secs,
        'points/s': Math.round(d.rate),
        'p99 latency s': d.p99,
        'influxd cpu s': d.influxCpu,
        'collector cpu s': '-',
      },
      {
        path: 'agents → collector → influxd',
        points: c.points,
        'wall s': c.secs,
        'points/s': Math.round(c.rate),
        'p99 latency s': c.p99,
        'influxd cpu s': c.influxCpu,
        'collector cpu s': c.collectorCpu,
      },
      {
        path: `same, paced at ${pacedRate.toLocaleString('en-US')}/s`,
        points: paced.points,
        'wall s': paced.secs,
        'points/s': Math.round(paced.rate),
        'p99 latency s': paced.p99,
        'influxd cpu s': paced.influxCpu,
        'collector cpu s': paced.collectorCpu,
      },
    ]),
  );
  console.log(
    `ratio collector/direct throughput: ${(c.rate / d.rate).toFixed(2)} (target ≥ 0.80); collector throughput ${Math.round(c.rate).toLocaleString('en-US')} points/s (target ≥ 100,000)`,
  );
  const expected = Math.ceil(POINTS / AGENTS / AGENT_BATCH) * AGENT_BATCH * AGENTS;
  console.log(
    `all acked by the collector after ${c.ackedSecs.toFixed(2)} s; points expected ${expected}, in InfluxDB via collector ${c.points}, direct ${d.points}: lost ${expected - c.points}`,
  );
  const pacedExpected = Math.ceil(pacedPoints / AGENTS / AGENT_BATCH) * AGENT_BATCH * AGENTS;
  console.log(
    `paced run: p99 sample→InfluxDB latency ${paced.p99.toFixed(2)} s at ${pacedRate.toLocaleString('en-US')} points/s offered; lost ${pacedExpected - paced.points}`,
  );
} finally {
  await influx.destroy();
}
