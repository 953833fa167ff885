import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { createTrapReceiver } from '../../../agent/probes/snmp-trap/probe.ts';
import { big, hex, isText, num, printable, text } from '../../../agent/probes/snmp/decode.ts';
import { ConfigError, parseConfig } from '../../../config/load.ts';
import { agentConfigSchema } from '../../../config/schema/agent.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import { decodeCollectorFrame, encodeFrame, FrameError } from '../../../protocol/frames.ts';
import { decodeAgentFrame } from '../../../protocol/schema.ts';
import { encodeLine, lineProblem, parseLines } from '../../../protocol/line-protocol.ts';
import type { Event, Sample } from '../../../protocol/sample.ts';
import { freePort, waitFor } from '../../peers/util.ts';

// Property-based fuzzing (fast-check) of every decoder that sees bytes from the network or
// from an operator: each must either return a valid value or throw its own typed error —
// never anything else, never hang. Run counts are modest to keep the suite fast; set
// WATCHPOST_FUZZ_RUNS for a longer campaign.
const RUNS = Number(process.env.WATCHPOST_FUZZ_RUNS ?? 1000);
const ROOT = path.resolve(import.meta.dirname, '../../..');

const validBatch = encodeFrame({
  type: 'batch',
  seq: 7,
  samples: [
    { m: 'host', t: { host: 'pc-0301' }, f: { cpu_used_pct: 12.5, up: true }, i: { uptime_s: 123, big: '99999999999999999999' }, ts: 1_700_000_000_000 },
  ],
  events: [{ kind: 'k', target: 'x', severity: 'warning', message: 'm', attrs: { a: 1 }, time: 1 }],
});

/** Mutations of a valid text: byte flips, cuts, splices of JSON-significant characters. */
const mutated = (valid: string) =>
  fc
    .array(
      fc.tuple(fc.nat(valid.length), fc.constantFrom('', '"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', '-1', '1e999', 'null', 'true', '"x"', '\uD800')),
      { minLength: 1, maxLength: 6 },
    )
    .map((edits) => {
      let s = valid;
      for (const [at, ins] of edits) {
        const i = at % (s.length + 1);
        s = s.slice(0, i) + ins + s.slice(i + (ins === '' ? 1 : 0));
      }
      return s;
    });

function onlyFrameErrors(decode: (d: string | Buffer) => unknown, input: string | Buffer): void {
  try {
    decode(input);
  } catch (e) {
    if (!(e instanceof FrameError)) throw e;
  }
}

t.test('WebSocket frame decoders: valid frame or FrameError, for any input', async (t) => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
        fc.json(),
        fc.anything().map((v) => JSON.stringify(v) ?? ''),
        mutated(validBatch),
      ),
      (input) => {
        onlyFrameErrors(decodeAgentFrame, input);
        onlyFrameErrors(decodeCollectorFrame, input);
      },
    ),
    { numRuns: RUNS },
  );
  // Structure-aware: frames built from the schema's own shape with hostile values.
  fc.assert(
    fc.property(
      fc.record({
        type: fc.constantFrom('hello', 'batch', 'ack', 'welcome', 'error', '__proto__', 'constructor'),
        seq: fc.oneof(fc.integer(), fc.double(), fc.string()),
        samples: fc.array(
          fc.record({
            m: fc.string(),
            t: fc.dictionary(fc.string(), fc.string()),
            f: fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.string(), fc.boolean())),
            i: fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string())),
            ts: fc.oneof(fc.integer(), fc.double()),
          }),
          { maxLength: 5 },
        ),
      }),
      (obj) => onlyFrameErrors(decodeAgentFrame, JSON.stringify(obj)),
    ),
    { numRuns: RUNS },
  );
  t.pass(`${RUNS * 2} inputs: no exception other than FrameError`);
  t.throws(() => decodeAgentFrame('{"type":"batch","seq":1,"samples":[],"__proto__":{"x":1}}'), FrameError, 'prototype keys are refused by the strict schema');
});

const key = fc.stringMatching(/^[A-Za-z_][\w .,=\\"-]{0,12}$/).filter((s) => !s.startsWith('_') && s.trim() === s && s.length > 0);
const sampleArb: fc.Arbitrary<Sample> = fc.record({
  measurement: key,
  tags: fc.dictionary(
    key,
    fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\n\r\\]|^\s|\s$/.test(s)),
    { maxKeys: 3 },
  ),
  fields: fc.dictionary(
    key,
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.boolean(),
      fc.string({ maxLength: 20 }).filter((s) => !/[\r\\]/.test(s)),
    ),
    { minKeys: 1, maxKeys: 3 },
  ),
  time: fc.integer({ min: 0, max: 4_000_000_000_000 }),
});

t.test('line-protocol parser (/write): never throws; what it encodes it reads back', async (t) => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 400 }),
        fc.array(fc.string({ maxLength: 80 }), { maxLength: 10 }).map((a) => a.join('\n')),
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString('latin1')),
      ),
      fc.constantFrom('ns', 'us', 'ms', 's', 'h'),
      (body, p) => {
        const r = parseLines(body, p as 'ns');
        return Array.isArray(r.samples) && Array.isArray(r.errors) && r.errors.every((e) => e.line >= 1);
      },
    ),
    { numRuns: RUNS },
  );
  let roundTrips = 0;
  fc.assert(
    fc.property(sampleArb, (s) => {
      const line = encodeLine(s);
      // A sample InfluxDB could not store as it is is refused at ingest, not encoded.
      if (line === undefined || lineProblem(s)) return true;
      const r = parseLines(line, 'ms');
      if (r.errors.length || r.samples.length !== 1) throw new Error(`own encoding not readable: ${JSON.stringify(line)} → ${JSON.stringify(r.errors)}`);
      const back = r.samples[0]!;
      roundTrips++;
      const sorted = (o: Record<string, unknown>) =>
        JSON.stringify(
          Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)),
          (_k, v) => (typeof v === 'bigint' ? `${v}i` : v),
        );
      if (back.measurement !== s.measurement || back.time !== s.time || sorted(back.tags) !== sorted(s.tags) || sorted(back.fields) !== sorted(s.fields)) {
        throw new Error(`round trip changed the sample: ${JSON.stringify(line)}`);
      }
      return true;
    }),
    { numRuns: RUNS },
  );
  // Keys with backslashes before delimiters (about half of them) are refused as InfluxDB cannot store them.
  t.ok(roundTrips > RUNS / 4, `${roundTrips} encode → parse round trips`);
});

t.test('config loader: any YAML text gives a config or a ConfigError with a location', async (t) => {
  const example = readFileSync(path.join(ROOT, 'config/agent.example.yaml'), 'utf8');
  const exampleC = readFileSync(path.join(ROOT, 'config/collector.example.yaml'), 'utf8');
  const yamlish = fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(':', '- ', '  ', '\n', '&a ', '*a', '!!binary ', '{', '[', '"', "'", '? ', '%YAML 1.2\n', '---\n', '<<: *a'),
      ),
      { maxLength: 30 },
    )
    .map((a) => a.join(''));
  const lineEdits = (text: string) =>
    fc
      .array(
        fc.tuple(
          fc.nat(200),
          fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', '  bogus: 1', 'probes: 7', '\t', 'kind: nope', 'collector:', '  url: ws://x')),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((edits) => {
        const lines = text.split('\n');
        for (const [i, l] of edits) lines.splice(i % (lines.length + 1), l === '' ? 1 : 0, l);
        return lines.join('\n');
      });
  let errors = 0;
  fc.assert(
    fc.property(fc.oneof(yamlish, lineEdits(example), lineEdits(exampleC)), fc.boolean(), (text, agent) => {
      try {
        parseConfig(text, 'fuzz.yaml', (agent ? agentConfigSchema : collectorConfigSchema) as never);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        errors++;
        for (const p of e.problems)
          if (!(p.line >= 0 && p.column >= 0 && p.fix.length > 0)) throw new Error(`problem without location or fix: ${JSON.stringify(p)}`);
      }
    }),
    { numRuns: Math.min(RUNS, 300) },
  );
  t.ok(errors > 0, `${errors} inputs refused, each with a located problem and a fix`);
  // A billion-laughs alias bomb is refused, not expanded.
  const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`;
  t.throws(() => parseConfig(bomb, 'bomb.yaml', agentConfigSchema), ConfigError);
});

t.test('SNMP value decoding: any type/value pair decodes without throwing', async (t) => {
  // What net-snmp hands over for any tag: Buffers (strings, opaque, Counter64), numbers, OID strings, null (noSuchObject…).
  const value = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    fc.integer(),
    fc.double(),
    fc.bigInt(),
    fc.string(),
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), value, (type, v) => {
      const sv = { type, value: v };
      text(sv);
      hex(sv);
      printable(sv);
      isText(sv);
      const b = big(sv);
      if (b !== undefined && typeof b !== 'bigint') throw new Error('big() returned a non-bigint');
      num(sv);
    }),
    { numRuns: RUNS },
  );
  t.pass('decode.ts functions are total');
});

t.test('SNMP trap receiver: random and mutated datagrams are counted as rejected, never crash it', async (t) => {
  const port = await freePort();
  const events: Event[] = [];
  const rx = createTrapReceiver({ kind: 'snmp_trap', port, address: '127.0.0.1', communities: ['public'], users: [], devices: {} } as never, {
    emitEvent: (e) => events.push(e),
    log: silentLogger,
    now: Date.now,
  });
  await rx.start?.();
  t.teardown(() => rx.close?.());
  // A real packet to mutate: capture what snmptrap sends.
  const cap = dgram.createSocket('udp4');
  await new Promise<void>((r) => cap.bind(0, '127.0.0.1', () => r()));
  const capPort = cap.address().port;
  const packet = new Promise<Buffer>((r) => cap.once('message', (m) => r(m)));
  execFileSync('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${capPort}`, '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.3', 'i', '3']);
  const valid = await packet;
  cap.close();
  const out = dgram.createSocket('udp4');
  t.teardown(() => out.close());
  const send = (b: Uint8Array) => new Promise<void>((r) => out.send(b, port, '127.0.0.1', () => r()));
  const samples = fc.sample(
    fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
        const b = Buffer.from(valid);
        for (const [i, v] of flips) b[i] = v;
        return b;
      }),
      fc.nat(valid.length).map((n) => valid.subarray(0, n)),
    ),
    Math.min(RUNS, 1500),
  );
  for (const s of samples) await send(s);
  await send(valid);
  await waitFor(
    'the valid trap after the fuzz is still received',
    async () => events.some((e) => e.kind === 'snmp_trap' && e.attrs.trap === 'linkDown'),
    10_000,
  );
  const m = (await rx.collect(new AbortController().signal))[0]!;
  t.ok(Number(m.fields.rejected_total) > 0, `malformed datagrams counted as rejected (${m.fields.rejected_total})`);
});
