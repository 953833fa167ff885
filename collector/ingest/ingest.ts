import type { Logger } from 'pino';
import { concatBytes } from '../../lib/bytes.ts';
import { encodeLine, lineProblem } from '../../protocol/line-protocol.ts';
import type { Event, Sample } from '../../protocol/sample.ts';
import type { Metrics } from '../../lib/metrics.ts';
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

/** An inventory document as received (protocol `document` frame, without its seq). */
export interface InventoryDocument {
  kind: string;
  hash: string;
  /** When the agent took the inventory (agent clock, epoch ms). */
  time: number;
  body: Record<string, unknown>;
}

/**
 * Takes the documents of one kind (collector/software takes 'software'). Called on the
 * connection's turn, before the frame is acked: it must make the document durable (the
 * state DB) before returning, and must treat a document whose hash it already holds as a
 * no-op, since agents resend unchanged documents daily and after reconnects. It throws
 * DocumentError for a body it cannot accept (counted, acked, not retried); any other throw
 * closes the connection and the agent sends the document again.
 */
export type DocumentHandler = (doc: InventoryDocument, source: Source) => void;

/** A document body the handler refuses (bad shape): acked so the agent does not resend it forever. */
export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  readonly code = 'bad_document';
}

/**
 * An agent batch with samples stamped more than max_future_s ahead of the collector: refused
 * whole, not acked, so the agent keeps it (its clock is wrong; once fixed, the batch goes in).
 */
export class ClockAheadError extends Error {
  override readonly name = 'ClockAheadError';
  readonly code = 'clock_ahead';
  readonly points: number;
  constructor(points: number, maxFutureMs: number) {
    super(
      `${points} samples are stamped more than ${maxFutureMs / 1000} s ahead of the collector's clock: batch refused and kept by the agent; fix the agent's clock (NTP)`,
    );
    this.points = points;
  }
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
  private documentHandlers = new Map<string, DocumentHandler>();
  private readonly documentsIn;
  private readonly spool: Spool;
  private readonly inventory: Inventory;
  private readonly log: Logger;
  private readonly maxFutureMs: number;
  private readonly warnPastMs: number;
  private readonly pastSamples;
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

  constructor(opts: { spool: Spool; inventory: Inventory; metrics: Metrics; log: Logger; maxFutureMs: number; warnPastMs?: number; now?: () => number }) {
    this.spool = opts.spool;
    this.inventory = opts.inventory;
    this.log = opts.log;
    this.maxFutureMs = opts.maxFutureMs;
    this.warnPastMs = opts.warnPastMs ?? 7 * 86_400_000;
    this.pastSamples = opts.metrics.counter(
      'watchpost_ingest_points_past_total',
      'Points accepted though stamped more than ingest.warn_past_s in the past, by source kind',
    );
    this.now = opts.now ?? Date.now;
    this.accepted = opts.metrics.counter('watchpost_ingest_points_total', 'Points accepted into the spool, by source kind');
    this.rejected = opts.metrics.counter('watchpost_ingest_points_rejected_total', 'Points refused at ingest, by reason');
    this.eventsIn = opts.metrics.counter('watchpost_ingest_events_total', 'Events accepted, by kind');
    this.documentsIn = opts.metrics.counter(
      'watchpost_ingest_documents_total',
      'Inventory documents received, by kind and result (stored, unhandled, invalid)',
    );
  }

  addListener(l: IngestListener): void {
    this.listeners.push(l);
    this.wanted.clear();
  }

  /** Registers the handler of a document kind; one per kind (a second registration is a programming error). */
  onDocument(kind: string, handler: DocumentHandler): void {
    if (this.documentHandlers.has(kind)) throw new Error(`a handler for documents of kind "${kind}" is already registered`);
    this.documentHandlers.set(kind, handler);
  }

  /**
   * Hands a document to its kind's handler. Returns once it is durable (the caller acks
   * then). A kind nobody handles, or a body its handler refuses, is counted and logged and
   * returns normally, so the frame is acked and not resent; other handler failures throw.
   */
  acceptDocument(source: Source, doc: InventoryDocument): 'stored' | 'unhandled' | 'invalid' {
    const h = this.documentHandlers.get(doc.kind);
    let result: 'stored' | 'unhandled' | 'invalid' = 'stored';
    if (!h) {
      result = 'unhandled';
      this.log.warn({ source: source.name, kind: doc.kind }, 'document of a kind this collector does not handle: dropped');
    } else {
      try {
        h(doc, source);
      } catch (e) {
        if (!(e instanceof DocumentError)) throw e;
        result = 'invalid';
        this.log.warn({ source: source.name, kind: doc.kind, err: e.message }, 'document refused');
      }
    }
    this.documentsIn.inc({ kind: doc.kind, result });
    return result;
  }

  private context(source: Source): EncodeContext {
    const now = this.now();
    return {
      agent: source.kind === 'agent' ? source.name : undefined,
      agentTags: source.tags,
      inventory: this.inventory,
      limitMs: now + this.maxFutureMs,
      pastMs: now - this.warnPastMs,
      wants: this.wants,
    };
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
    // An agent keeps what is not acked: refusing its batch whole keeps the samples its wrong
    // clock stamped ahead in its outbox (until the clock is fixed), where a partial accept
    // would ack them and the agent would delete them.
    if (source.kind === 'agent' && enc.future) {
      this.rejected.inc({ reason: 'future_timestamp_batch' }, enc.future);
      throw new ClockAheadError(enc.future, this.maxFutureMs);
    }
    if (enc.past) {
      this.pastSamples.inc({ source: source.kind }, enc.past);
      this.log.warn(
        { source: source.name, points: enc.past, older_than_s: this.warnPastMs / 1000 },
        "points stamped far in the past accepted: check the sender's clock (InfluxDB may drop them under its retention policy)",
      );
    }
    let body: Buffer = enc.body;
    let n = enc.lines;
    let invalid = enc.invalid;
    let problem = enc.problem;
    if (events.length) {
      let text = '';
      for (const e of events) {
        const s: Sample = {
          measurement: 'event',
          tags: { kind: e.kind, target: e.target, severity: e.severity, ...(source.kind === 'agent' ? { agent: source.name } : {}) },
          fields: { message: e.message, attrs: attrsForInflux(e.attrs) },
          time: e.time,
        };
        const p = lineProblem(s);
        if (p) {
          invalid++;
          problem ??= p;
          continue;
        }
        const line = encodeLine(s);
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
    if (invalid) {
      this.rejected.inc({ reason: 'invalid_for_influxdb' }, invalid);
      this.log.warn({ source: source.name, points: invalid, problem }, 'points InfluxDB would refuse (or could not store as sent) rejected');
    }
    if (future) this.log.warn({ source: source.name, points: future }, "points with timestamps in the future rejected: check the sender's clock");
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
    return { accepted, rejected: future + empty + invalid };
  }
}
