// bench:alerts — rule evaluation over 10,000 targets × 50 rules on a stream of points:
// evaluation throughput, and latency from point arrival to notification dispatch while the
// stream runs at 100k points/s (target: ≤ 1 s added). Side by side with a reference: a
// hand-written loop doing only the threshold comparisons and a Map of states over the same
// stream (the floor any evaluator has to pay), in the same run.
//   npm run bench:alerts                       (defaults below)
//   TARGETS=10000 RULES=50 RATE=100000 SECONDS=10 POINTS=1000000 npm run bench:alerts
import { AlertEngine } from '../collector/alerts/engine.ts';
import { HolidayCalendar } from '../collector/calendar/holiday-calendar.ts';
import { Router } from '../collector/alerts/routing.ts';
import { AlertStore } from '../collector/alerts/store.ts';
import { Topology } from '../collector/alerts/topology.ts';
import { Dispatcher } from '../collector/notify/dispatcher.ts';
import type { Notification, Notifier } from '../collector/notify/types.ts';
import { openStateDb } from '../collector/store/db.ts';
import { alertsSchema, type RuleConfig } from '../config/schema/alerts.ts';
import { silentLogger } from '../lib/log.ts';
import type { Sample } from '../protocol/sample.ts';
import { quantile, table } from './lib.ts';

const TARGETS = Number(process.env.TARGETS ?? 10_000);
const RULES = Number(process.env.RULES ?? 50);
const RATE = Number(process.env.RATE ?? 100_000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const POINTS = Number(process.env.POINTS ?? 1_000_000);
const BATCH = 1000;
const MEAS = 10;
const FIELDS = Math.ceil(RULES / MEAS);
/** Share of points that cross a threshold (each crossing fires one alert once). */
const CROSS = Number(process.env.CROSS ?? 0.0005);

function rules(): RuleConfig[] {
  const out: unknown[] = [];
  for (let i = 0; i < RULES; i++) {
    out.push({
      name: `r${i}`,
      type: 'threshold',
      measurement: `m${i % MEAS}`,
      external: true,
      field: `f${Math.floor(i / MEAS)}`,
      op: '>',
      fire: 90,
      clear: 80,
      for_s: 0,
      severity: i % 3 ? 'warning' : 'critical',
    });
  }
  return alertsSchema.parse({
    rules: out,
    receivers: [{ name: 'eng', webhook: ['http://127.0.0.1:9/x'] }],
    route: { receiver: 'eng' },
    group_wait_s: 0,
    repeat_interval_s: 0,
  }).rules;
}

/** A deterministic point stream: target i, measurement m(i), fields mostly under 80; some cross 90. */
function* stream(n: number, seed = 1): Generator<{ s: Sample; crossing: boolean }> {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let k = 0; k < n; k++) {
    const t = k % TARGETS;
    const fields: Record<string, number> = {};
    let crossing = false;
    for (let f = 0; f < FIELDS; f++) {
      const c = rnd() < CROSS;
      crossing ||= c;
      fields[`f${f}`] = c ? 95 : rnd() * 70;
    }
    yield {
      s: { measurement: `m${Math.floor(k / TARGETS) % MEAS}`, tags: { device: `dev-${t}`, building: `B${t % 4}`, floor: String(t % 20) }, fields, time: k },
      crossing,
    };
  }
}

interface Batch {
  samples: Sample[];
  /** rule + target keys that this batch makes fire (for latency). */
  fires: string[];
}

function batches(n: number): Batch[] {
  const out: Batch[] = [];
  let cur: Batch = { samples: [], fires: [] };
  for (const { s, crossing } of stream(n)) {
    cur.samples.push(s);
    if (crossing) {
      for (const f in s.fields) {
        if ((s.fields[f] as number) > 90) cur.fires.push(`r${Number(s.measurement.slice(1)) + Number(f.slice(1)) * MEAS}\u0000${s.tags.device}`);
      }
    }
    if (cur.samples.length === BATCH) {
      out.push(cur);
      cur = { samples: [], fires: [] };
    }
  }
  if (cur.samples.length) out.push(cur);
  return out;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function engine(onSend: (n: Notification) => void) {
  const db = openStateDb(':memory:');
  const cfg = alertsSchema.parse({
    group_wait_s: 0,
    repeat_interval_s: 0,
    receivers: [{ name: 'eng', webhook: ['http://127.0.0.1:9/x'] }],
    route: { receiver: 'eng' },
  });
  const channel: Notifier = { channel: 'webhook', send: async (n) => (onSend(n), {}) };
  const dispatcher = new Dispatcher({
    db,
    channels: [channel],
    retry: { max_attempts: 1, base_ms: 1, max_ms: 1, timeout_ms: 5000, concurrency: 64 },
    now: Date.now,
    log: silentLogger,
  });
  dispatcher.start(20);
  const e = new AlertEngine({
    cfg,
    rules: rules(),
    store: new AlertStore(db),
    router: new Router(cfg.route, { group_wait_s: 0, repeat_interval_s: 0 }),
    calendar: new HolidayCalendar(),
    topology: new Topology([]),
    now: Date.now,
    log: silentLogger,
    deliver: (n) => {
      dispatcher.enqueue(n, 'webhook', 'http://127.0.0.1:9/x');
    },
    inMaintenance: () => false,
    ackUrl: () => undefined,
    changed: () => {},
  });
  return { e, dispatcher };
}

/** The reference: only what any evaluator must do — index rules by measurement, compare, keep a state per rule+target. */
function reference(bs: Batch[]) {
  const byM = new Map<string, { name: string; field: string }[]>();
  for (const r of rules()) if (r.type === 'threshold') byM.set(r.measurement, [...(byM.get(r.measurement) ?? []), { name: r.name, field: r.field }]);
  const state = new Map<string, boolean>();
  let evals = 0;
  let fired = 0;
  const c0 = cpu();
  const t0 = performance.now();
  for (const b of bs) {
    for (const s of b.samples) {
      const rs = byM.get(s.measurement);
      if (!rs) continue;
      const target = s.tags.device!;
      for (const r of rs) {
        evals++;
        const v = Number(s.fields[r.field]);
        const k = `${r.name}\u0000${target}`;
        const was = state.get(k) ?? false;
        if (!was && v > 90) {
          state.set(k, true);
          fired++;
        } else if (was && v < 80) state.set(k, false);
      }
    }
  }
  const secs = (performance.now() - t0) / 1000;
  return { secs, cpu: cpu() - c0, evals, fired };
}

async function throughput(bs: Batch[]) {
  let sent = 0;
  let fired = 0;
  const { e, dispatcher } = engine((n) => {
    sent++;
    if (n.kind === 'firing') fired += n.alerts.length;
  });
  const c0 = cpu();
  const t0 = performance.now();
  for (const b of bs) e.onSamples(b.samples);
  await dispatcher.idle();
  const secs = (performance.now() - t0) / 1000;
  const used = cpu() - c0;
  await dispatcher.stop();
  return { secs, cpu: used, evals: e.evaluated, fired, sent };
}

/** Paced at RATE points/s: latency from the batch's arrival to the notifier's send. */
async function paced() {
  const total = RATE * SECONDS;
  const bs = batches(total);
  const arrival = new Map<string, number>();
  const lat: number[] = [];
  const { e, dispatcher } = engine((n) => {
    const now = performance.now();
    if (n.kind !== 'firing') return;
    for (const a of n.alerts) {
      const t = arrival.get(`${a.rule}\u0000${a.target}`);
      if (t !== undefined) lat.push(now - t);
    }
  });
  const interval = (BATCH / RATE) * 1000;
  const c0 = cpu();
  const t0 = performance.now();
  let lagMax = 0;
  let busy = 0;
  for (let i = 0; i < bs.length; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else await new Promise((r) => setImmediate(r));
    const arr = performance.now();
    lagMax = Math.max(lagMax, arr - due);
    // Arrival of the points that will fire, as the ingest listener sees them.
    for (const k of bs[i]!.fires) if (!arrival.has(k)) arrival.set(k, arr);
    const b0 = performance.now();
    e.onSamples(bs[i]!.samples);
    busy += performance.now() - b0;
  }
  const wall = (performance.now() - t0) / 1000;
  await dispatcher.idle();
  await new Promise((r) => setTimeout(r, 100));
  await dispatcher.idle();
  await dispatcher.stop();
  return { points: total, wall, cpu: cpu() - c0, achieved: total / wall, busyPct: (busy / (wall * 1000)) * 100, lagMax, lat, expected: arrival.size };
}

const bs = batches(POINTS);
console.log(
  `bench:alerts — ${TARGETS.toLocaleString()} targets, ${RULES} rules, ${POINTS.toLocaleString()} points unpaced; then ${RATE.toLocaleString()} points/s for ${SECONDS} s\n`,
);
const ref = reference(bs);
const w = await throughput(bs);
console.log(
  table([
    {
      run: 'reference loop (compare + Map only)',
      'points/CPU-s': Math.round(POINTS / ref.cpu),
      'rule evals/CPU-s': Math.round(ref.evals / ref.cpu),
      'alerts fired': ref.fired,
      'CPU s': ref.cpu,
      'wall s': ref.secs,
    },
    {
      run: 'Watchpost AlertEngine (+ store, routing, dispatcher)',
      'points/CPU-s': Math.round(POINTS / w.cpu),
      'rule evals/CPU-s': Math.round(w.evals / w.cpu),
      'alerts fired': w.fired,
      'CPU s': w.cpu,
      'wall s': w.secs,
    },
  ]),
);
console.log(
  `ratio (Watchpost / reference, points per CPU second): ${(ref.cpu / w.cpu).toFixed(3)}  — notifications dispatched: ${w.sent} (firing + resolved, grouped by rule)\n`,
);
const p = await paced();
console.log(
  table([
    {
      'rate asked': RATE,
      'rate achieved': Math.round(p.achieved),
      'evaluation busy %': p.busyPct,
      'process CPU %': (p.cpu / p.wall) * 100,
      'max batch lag ms': p.lagMax,
      notifications: p.lat.length,
      expected: p.expected,
      'latency p50 ms': quantile(p.lat, 0.5),
      'p99 ms': quantile(p.lat, 0.99),
      'max ms': Math.max(0, ...p.lat),
    },
  ]),
);
const maxLat = Math.max(0, ...p.lat);
const os = await import('node:os');
console.log(
  `\nadded latency (arrival → dispatch) ≤ 1000 ms for every alert: ${p.lat.length === p.expected && maxLat <= 1000 ? 'MET' : 'NOT MET'} (max ${maxLat.toFixed(1)} ms)`,
);
console.log(
  `${RATE.toLocaleString()} points/s sustained in wall time: ${p.achieved >= RATE * 0.95 ? 'yes' : 'no'} (${Math.round(p.achieved).toLocaleString()}/s; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs; CPU cost at that rate from the unpaced run: ${((RATE / (POINTS / w.cpu)) * 100).toFixed(1)} % of one core)`,
);
