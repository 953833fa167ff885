import os from 'node:os';
import { int, type Sample } from '../../protocol/sample.ts';
import type { Source } from '../ingest/ingest.ts';
import type { CollectorContext } from '../core/module.ts';

/** Sums every series of each family in a Prometheus text exposition (labels ignored). */
export function sumFamilies(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const brace = line.indexOf('{');
    const name = line.slice(0, brace >= 0 && brace < sp ? brace : sp);
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) out.set(name, (out.get(name) ?? 0) + v);
  }
  return out;
}

const SOURCE: Source = { kind: 'http', name: 'collector-self', tags: {} };

export interface SelfMetricsOptions {
  /** How often to write; 10 s in production (docs/measurements.md), shorter in tests. */
  intervalMs?: number;
  /** The `instance` tag; the host name by default. */
  instance?: string;
}

/** What the module hands other modules (and tests): one tick on demand. */
export interface SelfMetrics {
  /** Builds and ingests one round of watchpost_collector + watchpost_agent points; returns them. */
  tick(): Sample[];
}

/**
 * Writes the collector's own health into InfluxDB through the normal ingest path, so the
 * self-monitoring dashboard reads it like any other data: `watchpost_collector` (from the
 * same counters GET /metrics exposes) and one `watchpost_agent` point per enrolled agent.
 * A full spool costs one round of self-metrics, logged, never the process.
 */
export function startSelfMetrics(ctx: CollectorContext, opts: SelfMetricsOptions = {}): SelfMetrics {
  const intervalMs = opts.intervalMs ?? 10_000;
  const instance = opts.instance ?? os.hostname();
  let last: { t: number; total: number } | undefined;
  // Static agents (from the config) are not in the agent store: remember when they were last connected.
  const staticSeen = new Map<string, number>();
  const tick = (): Sample[] => {
    const now = ctx.now();
    const m = sumFamilies(ctx.metrics.render());
    const total = m.get('watchpost_ingest_points_total') ?? 0;
    const rate = last && now > last.t ? ((total - last.total) * 1000) / (now - last.t) : 0;
    last = { t: now, total };
    const spool = ctx.spool.stats();
    const connected = new Set(ctx.server.connectedAgents());
    const fields: Sample['fields'] = {
      points_per_s: Math.round(rate * 100) / 100,
      points_total: int(total),
      spool_points: int(spool.points),
      spool_bytes: int(spool.bytes),
      agents_connected: int(connected.size),
      write_errors_total: int(m.get('watchpost_influx_write_errors_total') ?? 0),
      bad_frames_total: int(m.get('watchpost_bad_frames_total') ?? 0),
    };
    const up = m.get('watchpost_influx_up');
    if (up !== undefined) fields.influx_up = int(up);
    const samples: Sample[] = [{ measurement: 'watchpost_collector', tags: { instance }, fields, time: now }];
    const listed = new Set<string>();
    for (const a of ctx.agents.list()) {
      if (a.revoked_ms !== null) continue;
      listed.add(a.name);
      const f: Sample['fields'] = { connected: int(connected.has(a.name) ? 1 : 0) };
      const seen = connected.has(a.name) ? now : a.last_seen_ms;
      if (seen !== null) f.last_seen_s = int(Math.floor(seen / 1000));
      if (a.version) f.version = a.version;
      if (a.hostname) f.hostname = a.hostname;
      samples.push({ measurement: 'watchpost_agent', tags: { agent: a.name }, fields: f, time: now });
    }
    for (const a of ctx.config.agents) {
      if (listed.has(a.name)) continue;
      if (connected.has(a.name)) staticSeen.set(a.name, now);
      const f: Sample['fields'] = { connected: int(connected.has(a.name) ? 1 : 0) };
      const seen = staticSeen.get(a.name);
      if (seen !== undefined) f.last_seen_s = int(Math.floor(seen / 1000));
      samples.push({ measurement: 'watchpost_agent', tags: { agent: a.name }, fields: f, time: now });
    }
    try {
      ctx.ingest.accept(
        SOURCE,
        samples.map((s) => ({ ...s, tags: { ...s.tags } })),
      );
    } catch (e) {
      ctx.log.warn({ err: (e as Error).message }, 'self-metrics not written this round (spool full?)');
    }
    return samples;
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  ctx.onStop(() => clearInterval(timer));
  return { tick };
}
