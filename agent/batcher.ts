import type { Event, Sample } from '../protocol/sample.ts';
import type { Outbox } from './outbox.ts';
import type { SampleSink } from './scheduler.ts';

const LOCATION = new Set(['site', 'building', 'floor', 'shaft', 'room', 'role', 'device_kind']);

/**
 * Collects what probes produce into batches for the outbox: a batch is closed when it
 * reaches maxSamples or flushMs after its first sample, whichever comes first. Tags the
 * agent config adds to every sample are applied here, once.
 */
export class Batcher implements SampleSink {
  private samples: Sample[] = [];
  private events: Event[] = [];
  private timer?: NodeJS.Timeout;
  private readonly outbox: Outbox;
  private readonly maxSamples: number;
  private readonly flushMs: number;
  private readonly tags: Record<string, string>;

  constructor(outbox: Outbox, opts: { maxSamples: number; flushMs: number; tags?: Record<string, string> }) {
    this.outbox = outbox;
    this.maxSamples = opts.maxSamples;
    this.flushMs = opts.flushMs;
    this.tags = opts.tags ?? {};
  }

  push(samples: Sample[], events: Event[]): void {
    for (const s of samples) {
      // The agent's location describes its own host: a sample about a camera, a pinged
      // address or a polled switch does not get it (the collector puts the device's own).
      const other = s.tags.camera || s.tags.url || s.tags.target || (s.tags.device && !s.tags.host);
      for (const k in this.tags) if (!other || !LOCATION.has(k)) s.tags[k] ??= this.tags[k]!;
      this.samples.push(s);
      if (this.samples.length >= this.maxSamples) this.flush();
    }
    this.events.push(...events);
    if ((this.samples.length || this.events.length) && !this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref?.();
    }
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.samples.length && !this.events.length) return;
    const s = this.samples;
    const e = this.events;
    this.samples = [];
    this.events = [];
    this.outbox.append(s, e);
  }
}
