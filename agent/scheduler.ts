import type { Logger } from 'pino';
import type { Event, Sample } from '../protocol/sample.ts';
import { int } from '../protocol/sample.ts';
import { errorClass, timeoutSignal, type Probe, type ProbeBaseConfig } from './probes/probe.ts';

/** Where the scheduler delivers what probes produce (the batcher in the agent, a collector in `check`). */
export interface SampleSink {
  push(samples: Sample[], events: Event[]): void;
}

export interface ScheduledProbe {
  name: string;
  config: ProbeBaseConfig;
  probe: Probe;
  log: Logger;
  /** The run time the probe declared it needs (ProbeDefinition.budget); runs over it are counted. */
  budgetMs?: number | undefined;
}

/** Per-probe counters, also sent as the `watchpost_probe` measurement after every run. */
export interface ProbeStats {
  runs: number;
  errors: number;
  timeouts: number;
  skipped: number;
  errorsByClass: Record<string, number>;
  lastDurationMs: number;
  lastSuccess: boolean;
  overBudget?: number;
}

interface Slot {
  sp: ScheduledProbe;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  stats: ProbeStats;
}

/**
 * Runs each probe at its interval with jitter (so a hundred agents started together do not
 * poll in lockstep), aborts a run at its timeout, never overlaps runs of one probe (a run
 * still going when the next is due is skipped and counted), and measures every run as
 * node_exporter does for its collectors.
 */
export class Scheduler {
  private slots: Slot[] = [];
  private stopping = new AbortController();
  private readonly sink: SampleSink;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly host: string;

  constructor(opts: { sink: SampleSink; host: string; now?: () => number; random?: () => number }) {
    this.sink = opts.sink;
    this.host = opts.host;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  add(sp: ScheduledProbe): void {
    this.slots.push({
      sp,
      stats: { runs: 0, errors: 0, timeouts: 0, skipped: 0, errorsByClass: {}, lastDurationMs: 0, lastSuccess: false },
    });
  }

  stats(name: string): ProbeStats | undefined {
    return this.slots.find((s) => s.sp.name === name)?.stats;
  }

  /** Starts every probe; the first run of each comes after a random fraction of its jitter. */
  async start(): Promise<void> {
    for (const slot of this.slots) {
      await slot.sp.probe.start?.();
      const jitterMs = (slot.sp.config.interval_s * 1000 * slot.sp.config.jitter_pct) / 100;
      this.schedule(slot, this.random() * jitterMs);
    }
  }

  private schedule(slot: Slot, delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    slot.timer = setTimeout(() => {
      const intervalMs = slot.sp.config.interval_s * 1000;
      const jitterMs = (intervalMs * slot.sp.config.jitter_pct) / 100;
      // Next run is due one interval after this one started, ± jitter/2, whatever this run takes.
      this.schedule(slot, Math.max(0, intervalMs + (this.random() - 0.5) * jitterMs));
      if (slot.running) {
        slot.stats.skipped++;
        slot.sp.log.warn({ probe: slot.sp.name }, 'previous run still going: run skipped (interval shorter than the probe takes?)');
        return;
      }
      slot.running = this.runOnce(slot).finally(() => {
        slot.running = undefined;
      });
    }, delayMs);
    slot.timer.unref?.();
  }

  /** Runs one probe once now (used by tests and by `watchpost check`). */
  async runNow(name: string): Promise<void> {
    const slot = this.slots.find((s) => s.sp.name === name);
    if (!slot) throw new Error(`no probe named ${name}`);
    if (slot.running) await slot.running;
    slot.running = this.runOnce(slot).finally(() => {
      slot.running = undefined;
    });
    await slot.running;
  }

  private async runOnce(slot: Slot): Promise<void> {
    const { sp, stats } = slot;
    const timeout = timeoutSignal(sp.config.timeout_ms);
    const signal = AbortSignal.any([timeout.signal, this.stopping.signal]);
    const t0 = performance.now();
    let samples: Sample[] = [];
    let cls = '';
    try {
      samples = await new Promise<Sample[]>((resolve, reject) => {
        // A probe that ignores its signal still ends its run on time; its late result is dropped.
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        sp.probe
          .collect(signal)
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', onAbort));
      });
    } catch (e) {
      cls = signal.aborted && !this.stopping.signal.aborted ? 'timeout' : errorClass(e);
      if (this.stopping.signal.aborted) return;
      stats.errors++;
      stats.errorsByClass[cls] = (stats.errorsByClass[cls] ?? 0) + 1;
      if (cls === 'timeout') stats.timeouts++;
      sp.log.warn({ probe: sp.name, error_class: cls, err: e instanceof Error ? e.message : String(e) }, 'probe run failed');
    } finally {
      timeout.clear();
    }
    const duration = performance.now() - t0;
    stats.runs++;
    stats.lastDurationMs = duration;
    stats.lastSuccess = cls === '';
    if (sp.budgetMs !== undefined && duration > sp.budgetMs) stats.overBudget = (stats.overBudget ?? 0) + 1;
    const extra = sp.config.tags;
    for (const s of samples) for (const k in extra) s.tags[k] ??= extra[k]!;
    samples.push({
      measurement: 'watchpost_probe',
      tags: { host: this.host, probe: sp.name, kind: sp.config.kind },
      fields: {
        duration_ms: duration,
        success: cls === '',
        samples: int(samples.length),
        error_class: cls,
        runs_total: int(stats.runs),
        errors_total: int(stats.errors),
        timeouts_total: int(stats.timeouts),
        skipped_total: int(stats.skipped),
        ...(sp.budgetMs !== undefined ? { budget_ms: sp.budgetMs, over_budget_total: int(stats.overBudget ?? 0) } : {}),
        ...Object.fromEntries(Object.entries(stats.errorsByClass).map(([c, n]) => [`errors_${c}_total`, int(n)])),
      },
      time: this.now(),
    });
    this.sink.push(samples, []);
  }

  /** Stops scheduling, aborts runs in progress and waits for them, then closes probes. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('agent stopping'));
    for (const s of this.slots) clearTimeout(s.timer);
    await Promise.allSettled(this.slots.map((s) => s.running));
    await Promise.allSettled(this.slots.map((s) => s.sp.probe.close?.()));
  }
}
