import type { Logger } from 'pino';
import { concatBytes } from '../../lib/bytes.ts';
import { encodeLine } from '../../protocol/line-protocol.ts';
import type { Event, Sample } from '../../protocol/sample.ts';
import type { Metrics } from '../metrics.ts';
import type { Spool } from '../store/spool.ts';
import type { Inventory } from './inventory.ts';
import { type EncodeContext, type Encoded, encodeSamples, transcodeBatch } from './transcode.ts';

/** Largest `attrs` JSON written with an event; longer values (config texts) are left out. */
const MAX_ATTRS = 16 * 1024;

/**
 * The event's attributes as JSON for InfluxDB. Bulky values (a switch configuration sent
 * with config_changed) belong in the state DB, not in a field: values over 1 KiB are
 * dropped from the InfluxDB copy when the whole would exceed 16 KiB, and `truncated` says so.
 * Listeners still get the event whole.
 */
export function attrsForInflux(attrs: Event['attrs']): string {
  const full = JSON.stringify(attrs);
  if (full.length <= MAX_ATTRS) return full;
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v !== 'string' || v.length <= 1024) kept[k] = v;
  kept.truncated = true;
  const out = JSON.stringify(kept);
  return out.length <= MAX_ATTRS ? out : '{"truncated":true}';
}

/** Who sent a batch: an authenticated agent or an authenticated /write client. */
export interface Source {
  kind: 'agent' | 'http';
  name: string;
  tags: Record<string, string>;
}

/**
 * Gets accepted samples and events after they are durable (alerts, uptime ledger, live state).
 * A listener that names the measurements it `wants` gets only those as Sample objects: the
 * rest are written to InfluxDB without ever becoming objects (see transcode.ts), which is
 * most of the collector's speed. Without `wants` it gets every sample.
 */
export interface IngestListener {
  /** Answers are cached per measurement: they must not change once the listener is added. */
  wants?(measurement: string): boolean;
  onSamples?(samples: readonly Sample[], source: Source): void;
  onEvents?(events: readonly Event[], source: Source): void;
  /** For every accepted sample, wanted or not: target → agent that reported it (TARGET_TAGS), when they differ. */
  onTargets?(targets: ReadonlyMap<string, string>, source: Source): void;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
}

/**
 * The one path every point takes into the collector: enrich with inventory tags, drop
 * points that cannot be written (future timestamps, no fields), commit to the spool, then
 * tell listeners. `accept` returns only once the batch is durable — the caller acks after
 * it — and throws SpoolFullError when it cannot take the batch (the caller must not ack).
 */
export class Ingest {
  private listeners: IngestListener[] = [];
  private readonly spool: Spool;
  private readonly inventory: Inventory;
  private readonly log: Logger;
  private readonly maxFutureMs: number;
  private readonly accepted;
  private readonly rejected;
  private readonly eventsIn;
  private readonly now: () => number;
  /** Whether any listener wants a measurement as Sample objects, by measurement. */
  private wanted = new Map<string, boolean>();
  private readonly wants = (m: string): boolean => {
    let w = this.wanted.get(m);
    if (w === undefined) {
      w = this.listeners.some((l) => l.onSamples && (!l.wants || l.wants(m)));
      if (this.wanted.size < 10_000) this.wanted.set(m, w);
    }
    return w;
  };

  constructor(opts: { spool: Spool; inventory: Inventory; metrics: Metrics; log: Logger; maxFutureMs: number; now?: () => number }) {
    this.spool = opts.spool;
    this.inventory = opts.inventory;
    this.log = opts.log;
    this.maxFutureMs = opts.maxFutureMs;
    this.now = opts.now ?? Date.now;
    this.accepted = opts.metrics.counter('watchpost_ingest_points_total', 'Points accepted into the spool, by source kind');
    this.rejected = opts.metrics.counter('watchpost_ingest_points_rejected_total', 'Points refused at ingest, by reason');
    this.eventsIn = opts.metrics.counter('watchpost_ingest_events_total', 'Events accepted, by kind');
  }

  addListener(l: IngestListener): void {
    this.listeners.push(l);
    this.wanted.clear();
  }

  private context(source: Source): EncodeContext {
    return { agent: source.kind === 'agent' ? source.name : undefined, agentTags: source.tags, inventory: this.inventory, limitMs: this.now() + this.maxFutureMs, wants: this.wants };
  }

  /**
   * Accepts an agent's batch frame straight from its bytes. Returns undefined when the frame
   * is not in the layout the fast path reads: decode it (decodeAgentFrame) and call accept.
   */
  acceptFrame(source: Source, frame: Buffer): (IngestResult & { seq: number }) | undefined {
    const t = transcodeBatch(frame, this.context(source));
    if (!t) return undefined;
    return { seq: t.seq, ...this.commit(source, t.encoded, []) };
  }

  accept(source: Source, samples: Sample[], events: readonly Event[] = []): IngestResult {
    return this.commit(source, encodeSamples(samples, this.context(source)), events);
  }

  private commit(source: Source, enc: Encoded, events: readonly Event[]): IngestResult {
    let body: Buffer = enc.body;
    let n = enc.lines;
    if (events.length) {
      let text = '';
      for (const e of events) {
        const line = encodeLine({
          measurement: 'event',
          tags: { kind: e.kind, target: e.target, severity: e.severity, ...(source.kind === 'agent' ? { agent: source.name } : {}) },
          fields: { message: e.message, attrs: attrsForInflux(e.attrs) },
          time: e.time,
        });
        if (line) {
          text += line + '\n';
          n++;
        }
      }
      body = concatBytes([body, Buffer.from(text)]);
    }
    this.spool.append(body, n, Number.isFinite(enc.oldest) ? enc.oldest : this.now());
    const { lines: accepted, future, empty } = enc;
    if (accepted) this.accepted.inc({ source: source.kind }, accepted);
    if (future) this.rejected.inc({ reason: 'future_timestamp' }, future);
    if (empty) this.rejected.inc({ reason: 'no_fields' }, empty);
    if (future) this.log.warn({ source: source.name, points: future }, 'points with timestamps in the future rejected: check the sender\'s clock');
    for (const e of events) this.eventsIn.inc({ kind: e.kind });
    for (const l of this.listeners) {
      try {
        if (enc.samples.length && l.onSamples) {
          const mine = l.wants ? enc.samples.filter((s) => l.wants!(s.measurement)) : enc.samples;
          if (mine.length) l.onSamples(mine, source);
        }
        if (enc.targets.size) l.onTargets?.(enc.targets, source);
        if (events.length) l.onEvents?.(events, source);
      } catch (e) {
        // A listener bug must not cost the data: it is durable already.
        this.log.error({ err: (e as Error).message }, 'ingest listener failed');
      }
    }
    return { accepted, rejected: future + empty };
  }
}
