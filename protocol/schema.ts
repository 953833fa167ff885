import { z } from 'zod';
import { checkDocumentFrame, checkWireSample, FrameError, frameError, isObject, parseFrameJson } from './frames.ts';

/**
 * The zod schemas of the wire frames: the reference for what each side accepts (the
 * hand-written checks in frames.ts are held to them by property tests), and the validation
 * of agent frames on the collector. The agent does not load this module (nor zod): it
 * checks the collector's three small frames by hand (frames.ts decodeCollectorFrame).
 */
const name = z.string().min(1).max(256);
const tagValue = z.string().max(1024);
const intString = z.string().regex(/^-?\d{1,20}$/);

/** A sample on the wire: `f` holds floats/strings/booleans, `i` integers (number or decimal string for > 2^53). */
export const wireSample = z.strictObject({
  m: name,
  t: z.record(name, tagValue).optional(),
  f: z.record(name, z.union([z.number(), z.string().max(65536), z.boolean()])).optional(),
  i: z.record(name, z.union([z.number().int(), intString])).optional(),
  ts: z.number().int().nonnegative(),
});
export type WireSample = z.infer<typeof wireSample>;

export const wireEvent = z.strictObject({
  kind: name,
  target: z.string().max(1024),
  severity: z.enum(['info', 'warning', 'critical']),
  message: z.string().max(8192),
  attrs: z.record(name, z.union([z.string().max(8192), z.number(), z.boolean()])),
  time: z.number().int().nonnegative(),
});

export const helloFrame = z.strictObject({
  type: z.literal('hello'),
  protocol: z.number().int(),
  agent_version: z.string().max(64),
  hostname: z.string().max(256),
  platform: z.string().max(64),
  probes: z.array(z.string().max(128)).max(1000),
});

export const batchFrame = z.strictObject({
  type: z.literal('batch'),
  seq: z.number().int().nonnegative(),
  samples: z.array(wireSample).max(100_000),
  events: z.array(wireEvent).max(10_000).optional(),
});

/** An inventory document (frames.ts explains when agents send one); the body is validated by the handler of its kind. */
export const documentFrame = z.strictObject({
  type: z.literal('document'),
  seq: z.number().int().nonnegative(),
  kind: name,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.number().int().nonnegative(),
  body: z.record(z.string(), z.unknown()),
});

export const welcomeFrame = z.strictObject({
  type: z.literal('welcome'),
  protocol: z.number().int(),
  agent_id: z.string(),
  server_time_ms: z.number(),
});

export const ackFrame = z.strictObject({
  type: z.literal('ack'),
  seq: z.number().int().nonnegative(),
});

export const errorFrame = z.strictObject({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
});

export const agentFrame = z.discriminatedUnion('type', [helloFrame, batchFrame, documentFrame]);
export const collectorFrame = z.discriminatedUnion('type', [welcomeFrame, ackFrame, errorFrame]);

export type WireEvent = z.infer<typeof wireEvent>;
export type HelloFrame = z.infer<typeof helloFrame>;
export type BatchFrame = z.infer<typeof batchFrame>;
export type DocumentFrame = z.infer<typeof documentFrame>;
export type AgentFrame = z.infer<typeof agentFrame>;
export type CollectorFrame = z.infer<typeof collectorFrame>;

/** Decodes and validates a frame received by the collector. Throws FrameError, never anything else. */
export function decodeAgentFrame(data: string | Buffer): AgentFrame {
  const json = parseFrameJson(data);
  // Batches are the hot path (100k+ samples/s): a hand-written check that accepts exactly
  // what the batchFrame schema accepts (a property test holds the two together).
  if (isObject(json) && json.type === 'batch') return checkBatch(json);
  // A software list's body has thousands of entries that zod would walk only to accept as unknown.
  if (isObject(json) && json.type === 'document') {
    checkDocumentFrame(json);
    return json;
  }
  const r = agentFrame.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new FrameError(`invalid frame at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'schema mismatch'}`);
  }
  return r.data;
}

function checkBatch(o: Record<string, unknown>): BatchFrame {
  for (const k in o) if (k !== 'type' && k !== 'seq' && k !== 'samples' && k !== 'events') frameError('(root)', `unrecognized key "${k}"`);
  const seq = o.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) frameError('seq', 'expected a non-negative integer');
  const samples = o.samples;
  if (!Array.isArray(samples)) frameError('samples', 'expected an array');
  if (samples.length > 100_000) frameError('samples', 'too many samples (max 100000)');
  for (let n = 0; n < samples.length; n++) checkWireSample(samples[n], `samples.${n}`);
  if (o.events !== undefined) {
    const r = z.array(wireEvent).max(10_000).safeParse(o.events);
    if (!r.success) frameError(`events.${r.error.issues[0]?.path.join('.')}`, r.error.issues[0]?.message ?? 'invalid event');
  }
  return o as BatchFrame;
}
