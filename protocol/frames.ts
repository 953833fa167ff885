import type { Event, FieldValue, Sample } from './sample.ts';
import type { AgentFrame, BatchFrame, CollectorFrame, DocumentFrame, HelloFrame, WireEvent, WireSample } from './schema.ts';

export type { AgentFrame, BatchFrame, CollectorFrame, DocumentFrame, HelloFrame, WireEvent, WireSample };

/**
 * The agent ↔ collector wire protocol. Both sides import this module; the collector also
 * validates agent frames with the zod schemas in schema.ts, the reference for every frame.
 * Frames are JSON text messages on one WebSocket:
 *
 *   agent → collector   hello, batch, document
 *   collector → agent   welcome, ack, error
 *
 * A document is a whole inventory that is not a metric per item (installed software, a
 * port map): `{type:'document', seq, kind, hash, time, body}`. It shares the batches'
 * sequence and is acked the same way; the collector hands it to the handler registered
 * for its kind. Agents send one only when its hash changed, plus a periodic resend, so
 * receiving the same hash again must change nothing.
 *
 * Identity comes from the bearer token presented at the HTTP upgrade, never from a frame.
 * A batch is acked only once the collector has made it durable (its spool), so an agent
 * may delete an acked batch from its outbox; an unacked batch is re-sent after reconnect
 * and InfluxDB's last-write-wins on identical series+time makes the replay idempotent.
 */
export const PROTOCOL_VERSION = 1;

/** URL path of the agent WebSocket endpoint on the collector. */
export const AGENT_WS_PATH = '/v1/agent';

/**
 * Agents split batches so that a frame stays under this size (a single sample larger than
 * it travels alone). Frames of a few hundred samples keep acks flowing and, on the
 * collector, keep the decoded frame text under V8's large-object size (128 KiB): above it,
 * turning the frame's bytes into a string costs about 40 times more (measured on Node 24:
 * 0.67 µs vs 0.015 µs per sample), which is a third of the collector's per-sample budget.
 */
export const BATCH_TARGET_BYTES = 96 * 1024;

/** Close codes sent by the collector (4000–4999 is the application range). */
export const CloseCode = {
  badFrame: 4400,
  unauthorized: 4401,
  revoked: 4403,
  unsupportedProtocol: 4426,
  replaced: 4409,
  /** A batch refused whole (its samples' clock is ahead): the agent keeps it and retries later. */
  batchRefused: 4422,
  shuttingDown: 1001,
  tooBig: 1009,
} as const;

export class FrameError extends Error {
  override readonly name = 'FrameError';
  readonly code = 'bad_frame';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const INT_STRING = /^-?\d{1,20}$/;
const SAMPLE_KEYS = new Set(['m', 't', 'f', 'i', 'ts']);

/** Throws the FrameError for `what` is wrong at `path` of a frame. */
export function frameError(path: string, what: string): never {
  throw new FrameError(`invalid frame at ${path}: ${what}`);
}

function checkName(k: string, path: string): void {
  if (k.length < 1 || k.length > 256) frameError(path, 'name must be 1 to 256 characters');
}

function checkRecord(v: unknown, path: string, value: (x: unknown, p: string) => void): void {
  if (!isObject(v)) frameError(path, 'expected an object');
  for (const k in v) {
    checkName(k, `${path}.${k}`);
    value(v[k], `${path}.${k}`);
  }
}

/**
 * Checks one decoded wire sample exactly as the batchFrame schema would; `p` is its path in
 * the frame for the error message. Throws FrameError.
 */
export function checkWireSample(s: unknown, p: string): asserts s is WireSample {
  if (!isObject(s)) frameError(p, 'expected an object');
  for (const k in s) if (!SAMPLE_KEYS.has(k)) frameError(p, `unrecognized key "${k}"`);
  if (typeof s.m !== 'string') frameError(`${p}.m`, 'expected a string');
  checkName(s.m, `${p}.m`);
  if (typeof s.ts !== 'number' || !Number.isSafeInteger(s.ts) || s.ts < 0) frameError(`${p}.ts`, 'expected a non-negative integer');
  if (s.t !== undefined)
    checkRecord(s.t, `${p}.t`, (x, q) => {
      if (typeof x !== 'string' || x.length > 1024) frameError(q, 'expected a string of at most 1024 characters');
    });
  if (s.f !== undefined)
    checkRecord(s.f, `${p}.f`, (x, q) => {
      if (typeof x === 'number' || typeof x === 'boolean') return;
      if (typeof x !== 'string' || x.length > 65536) frameError(q, 'expected a number, boolean or string of at most 65536 characters');
    });
  if (s.i !== undefined)
    checkRecord(s.i, `${p}.i`, (x, q) => {
      if (typeof x === 'number' ? Number.isSafeInteger(x) : typeof x === 'string' && INT_STRING.test(x)) return;
      frameError(q, 'expected an integer');
    });
}

const DOCUMENT_KEYS = new Set(['type', 'seq', 'kind', 'hash', 'time', 'body']);
const HASH = /^[0-9a-f]{64}$/;

/**
 * Checks a decoded document frame exactly as schema.ts's documentFrame would (a property
 * test holds the two together): the envelope only; the body is the kind handler's to validate.
 * Throws FrameError.
 */
export function checkDocumentFrame(o: Record<string, unknown>): asserts o is DocumentFrame {
  for (const k in o) if (!DOCUMENT_KEYS.has(k)) frameError('(root)', `unrecognized key "${k}"`);
  if (o.type !== 'document') frameError('type', 'expected "document"');
  const nonNegInt = (k: string) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) frameError(k, 'expected a non-negative integer');
  };
  nonNegInt('seq');
  if (typeof o.kind !== 'string') frameError('kind', 'expected a string');
  checkName(o.kind, 'kind');
  if (typeof o.hash !== 'string' || !HASH.test(o.hash)) frameError('hash', 'expected a SHA-256 hex digest');
  nonNegInt('time');
  if (!isObject(o.body)) frameError('body', 'expected an object');
}

/** The frame's JSON, or FrameError. */
export function parseFrameJson(data: string | Buffer): unknown {
  try {
    return JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    throw new FrameError('frame is not valid JSON');
  }
}

const COLLECTOR_FRAME_KEYS: Record<string, readonly string[]> = {
  welcome: ['type', 'protocol', 'agent_id', 'server_time_ms'],
  ack: ['type', 'seq'],
  error: ['type', 'code', 'message'],
};

/**
 * Decodes and validates a frame received by the agent (welcome, ack, error). Accepts exactly
 * what schema.ts's collectorFrame accepts (a property test holds the two together), by hand
 * so that the agent never loads zod. Throws FrameError.
 */
export function decodeCollectorFrame(data: string | Buffer): CollectorFrame {
  const o = parseFrameJson(data);
  if (!isObject(o)) frameError('(root)', 'expected an object');
  const keys = typeof o.type === 'string' && Object.hasOwn(COLLECTOR_FRAME_KEYS, o.type) ? COLLECTOR_FRAME_KEYS[o.type]! : undefined;
  if (!keys) frameError('type', 'expected "welcome", "ack" or "error"');
  for (const k in o) if (!keys.includes(k)) frameError('(root)', `unrecognized key "${k}"`);
  const int = (k: string, min = -Infinity) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) frameError(k, min === 0 ? 'expected a non-negative integer' : 'expected an integer');
  };
  const str = (k: string) => {
    if (typeof o[k] !== 'string') frameError(k, 'expected a string');
  };
  if (o.type === 'welcome') {
    int('protocol');
    str('agent_id');
    if (typeof o.server_time_ms !== 'number' || !Number.isFinite(o.server_time_ms)) frameError('server_time_ms', 'expected a number');
  } else if (o.type === 'ack') {
    int('seq', 0);
  } else {
    str('code');
    str('message');
  }
  return o as CollectorFrame;
}

export function encodeFrame(frame: AgentFrame | CollectorFrame): string {
  return JSON.stringify(frame);
}

export function toWire(s: Sample): WireSample {
  const f: Record<string, number | string | boolean> = {};
  let i: Record<string, number | string> | undefined;
  for (const k in s.fields) {
    const v = s.fields[k]!;
    if (typeof v === 'bigint') {
      (i ??= {})[k] = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
    } else if (typeof v === 'number') {
      if (Number.isFinite(v)) f[k] = v;
    } else {
      f[k] = v;
    }
  }
  const w: WireSample = { m: s.measurement, f, ts: Math.trunc(s.time) };
  if (Object.keys(s.tags).length) w.t = s.tags;
  if (i) w.i = i;
  return w;
}

/**
 * A wire sample as a Sample. The wire object's own `t` and `f` become the sample's tags and
 * fields (no copies: this runs for every point the collector takes in, and a decoded frame
 * is not used again), so do not keep the wire sample after calling this.
 */
export function fromWire(w: WireSample): Sample {
  const fields: Record<string, FieldValue> = w.f ?? {};
  if (w.i) for (const k in w.i) fields[k] = BigInt(w.i[k]!);
  return { measurement: w.m, tags: w.t ?? {}, fields, time: w.ts };
}

export function eventFromWire(e: WireEvent): Event {
  return { ...e };
}
