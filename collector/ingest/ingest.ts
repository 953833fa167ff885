import type { Logger } from 'pino';
import { encodeLine } from '../../protocol/line-protocol.ts';
import type { Event, Sample } from '../../protocol/sample.ts';
import type { Metrics } from '../metrics.ts';
import type { Spool } from '../store/spool.ts';
import type { Inventory } from './inventory.ts';

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

/** Gets every accepted sample and event after it is durable (alerts, uptime ledger, live state). */
export interface IngestListener {
  onSamples?(samples: readonly Sample[], source: Source): void;
  onEvents?(events: readonly Event[], source: Source): void;
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
  }

  accept(source: Source, samples: Sample[], events: readonly Event[] = []): IngestResult {
    const limit = this.now() + this.maxFutureMs;
    let body = '';
    let n = 0;
    let future = 0;
    let empty = 0;
    const kept: Sample[] = [];
    let oldest = Infinity;
    for (const s of samples) {
      if (s.time > limit) {
        future++;
        continue;
      }
      if (s.time < oldest) oldest = s.time;
      if (source.kind === 'agent') s.tags.agent ??= source.name;
      this.inventory.enrich(s, source.tags);
      const line = encodeLine(s);
      if (line === undefined) {
        empty++;
        continue;
      }
      body += line + '\n';
      n++;
      kept.push(s);
    }
    for (const e of events) {
      const line = encodeLine({
        measurement: 'event',
        tags: { kind: e.kind, target: e.target, severity: e.severity, ...(source.kind === 'agent' ? { agent: source.name } : {}) },
        fields: { message: e.message, attrs: attrsForInflux(e.attrs) },
        time: e.time,
      });
      if (line) {
        body += line + '\n';
        n++;
      }
    }
    this.spool.append(body, n, Number.isFinite(oldest) ? oldest : this.now());
    if (kept.length) this.accepted.inc({ source: source.kind }, kept.length);
    if (future) this.rejected.inc({ reason: 'future_timestamp' }, future);
    if (empty) this.rejected.inc({ reason: 'no_fields' }, empty);
    if (future) this.log.warn({ source: source.name, points: future }, 'points with timestamps in the future rejected: check the sender\'s clock');
    for (const e of events) this.eventsIn.inc({ kind: e.kind });
    for (const l of this.listeners) {
      try {
        if (kept.length) l.onSamples?.(kept, source);
        if (events.length) l.onEvents?.(events, source);
      } catch (e) {
        // A listener bug must not cost the data: it is durable already.
        this.log.error({ err: (e as Error).message }, 'ingest listener failed');
      }
    }
    return { accepted: kept.length, rejected: future + empty };
  }
}
