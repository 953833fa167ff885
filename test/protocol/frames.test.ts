import t from 'tap';
import { decodeCollectorFrame, fromWire, toWire } from '../../protocol/frames.ts';
import { decodeAgentFrame } from '../../protocol/schema.ts';

t.test('decodes a valid batch and converts wire samples back', async (t) => {
  const s = { measurement: 'interface', tags: { device: 'sw1' }, fields: { in_octets: 2n ** 63n, util: 1.5, up: true }, time: 1000 };
  const frame = JSON.stringify({ type: 'batch', seq: 7, samples: [toWire(s)] });
  const f = decodeAgentFrame(frame);
  t.equal(f.type, 'batch');
  if (f.type !== 'batch') return;
  t.same(fromWire(f.samples[0]!), s, 'a 64-bit counter survives as a decimal string');
});

t.test('rejects malformed frames with FrameError naming the path', async (t) => {
  const cases: [string, RegExp][] = [
    ['not json', /not valid JSON/],
    ['{"type":"nope"}', /invalid frame/],
    ['{"type":"batch","seq":-1,"samples":[]}', /seq/],
    ['{"type":"batch","seq":1,"samples":[{"m":"x","ts":1,"extra":1}]}', /samples\.0/],
    ['{"type":"batch","seq":1,"samples":[{"m":"","ts":1}]}', /samples\.0\.m/],
    ['{"type":"batch","seq":1,"samples":[{"m":"x","ts":1,"i":{"a":1.5}}]}', /samples\.0\.i\.a/],
    ['[]', /invalid frame/],
  ];
  for (const [input, re] of cases) {
    t.throws(() => decodeAgentFrame(input), { name: 'FrameError', code: 'bad_frame' });
    try {
      decodeAgentFrame(input);
    } catch (e) {
      t.match((e as Error).message, re, input);
    }
  }
  t.throws(() => decodeCollectorFrame('{"type":"ack"}'), { name: 'FrameError' });
});

import fc from 'fast-check';
import { batchFrame, collectorFrame } from '../../protocol/schema.ts';

t.test('the fast batch check accepts exactly what the batchFrame schema accepts', async (t) => {
  const name = fc.oneof(fc.constantFrom('m', 'cpu', 'usage_idle', ''), fc.string({ maxLength: 3 }), fc.constant('x'.repeat(257)));
  const scalar = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.string({ maxLength: 4 }),
    fc.constant(null),
    fc.constant('123'),
    fc.constant(2 ** 60),
    fc.constant(-0.5),
  );
  const rec = fc.dictionary(name, scalar, { maxKeys: 3 });
  const sample = fc.record(
    {
      m: fc.oneof(name, fc.integer()),
      t: fc.oneof(rec, fc.dictionary(name, fc.string({ maxLength: 3 }), { maxKeys: 3 })),
      f: rec,
      i: fc.oneof(rec, fc.dictionary(name, fc.integer(), { maxKeys: 2 })),
      ts: fc.oneof(fc.nat(), fc.integer(), fc.double()),
      x: scalar,
    },
    { requiredKeys: [] },
  );
  const frame = fc.record(
    {
      type: fc.constant('batch'),
      seq: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string({ maxLength: 2 })),
      samples: fc.oneof(fc.array(sample, { maxLength: 4 }), scalar),
      extra: scalar,
    },
    { requiredKeys: ['type'] },
  );
  fc.assert(
    fc.property(frame, (f) => {
      const text = JSON.stringify(f);
      const zodOk = batchFrame.safeParse(JSON.parse(text)).success;
      let fastOk = true;
      try {
        decodeAgentFrame(text);
      } catch {
        fastOk = false;
      }
      return zodOk === fastOk;
    }),
    { numRuns: 1500 },
  );
  t.pass('1500 random frames agreed');
});

t.test("the agent's hand-written collector-frame check accepts exactly what the collectorFrame schema accepts", async (t) => {
  const scalar = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.nat(),
    fc.constant(-1),
    fc.constant(2 ** 60),
    fc.boolean(),
    fc.string({ maxLength: 4 }),
    fc.constant(null),
    fc.constant(1.5),
    fc.constant([]),
    fc.constant({}),
  );
  const frame = fc.record(
    {
      type: fc.oneof(fc.constantFrom('welcome', 'ack', 'error', 'batch', 'toString', '__proto__'), scalar),
      protocol: scalar,
      agent_id: scalar,
      server_time_ms: scalar,
      seq: scalar,
      code: scalar,
      message: scalar,
      extra: scalar,
    },
    { requiredKeys: [] },
  );
  // Frames of each type whose values are mostly valid, with now and then a wrong one or an extra key.
  const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: scalar, weight: 1 });
  const extra = { x: scalar };
  const nearlyValid = fc.oneof(
    fc.record(
      {
        type: fc.constant('welcome'),
        protocol: maybe(fc.integer()),
        agent_id: maybe(fc.string()),
        server_time_ms: maybe(fc.double({ noNaN: true, noDefaultInfinity: true })),
        ...extra,
      },
      { requiredKeys: ['type', 'protocol', 'agent_id', 'server_time_ms'] },
    ),
    fc.record({ type: fc.constant('ack'), seq: maybe(fc.nat()), ...extra }, { requiredKeys: ['type', 'seq'] }),
    fc.record({ type: fc.constant('error'), code: maybe(fc.string()), message: maybe(fc.string()), ...extra }, { requiredKeys: ['type', 'code', 'message'] }),
  );
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(frame, nearlyValid, scalar), (f) => {
      const text = JSON.stringify(f) ?? 'null';
      const zodOk = collectorFrame.safeParse(JSON.parse(text)).success;
      let handOk = true;
      try {
        decodeCollectorFrame(text);
      } catch (e) {
        if ((e as Error).name !== 'FrameError') throw e;
        handOk = false;
      }
      if (handOk) accepted++;
      return zodOk === handOk;
    }),
    { numRuns: 3000 },
  );
  t.ok(accepted > 0, `3000 random frames agreed (${accepted} accepted by both)`);
  t.same(decodeCollectorFrame('{"type":"ack","seq":3}'), { type: 'ack', seq: 3 });
  t.throws(() => decodeCollectorFrame('{"type":"ack","seq":-1}'), { name: 'FrameError', message: /at seq/ });
  t.throws(() => decodeCollectorFrame('{"type":"welcome","protocol":1,"agent_id":"a","server_time_ms":1,"x":1}'), { message: /unrecognized key "x"/ });
});

import { documentFrame } from '../../protocol/schema.ts';

t.test('the hand-written document check accepts exactly what the documentFrame schema accepts', async (t) => {
  const scalar = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.nat(),
    fc.constant(-1),
    fc.constant(2 ** 60),
    fc.boolean(),
    fc.string({ maxLength: 4 }),
    fc.constant(null),
    fc.constant(1.5),
    fc.constant([]),
    fc.constant({}),
  );
  const hash = fc.oneof(
    { arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/), weight: 6 },
    fc.constant('A'.repeat(64)),
    fc.constant('a'.repeat(63)),
    fc.constant(''),
  );
  const kind = fc.oneof(
    { arbitrary: fc.constantFrom('software', 'portmap', 'x'.repeat(256)), weight: 4 },
    fc.constantFrom('', 'x'.repeat(257)),
    fc.string({ maxLength: 5 }),
  );
  const body = fc.oneof(
    {
      arbitrary: fc.dictionary(
        fc.string({ maxLength: 3 }).filter((k) => k !== '__proto__'),
        scalar,
        { maxKeys: 3 },
      ),
      weight: 4,
    },
    scalar,
  );
  const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: scalar, weight: 1 });
  const frame = fc.record(
    {
      type: fc.oneof({ arbitrary: fc.constant('document'), weight: 5 }, { arbitrary: scalar, weight: 1 }),
      seq: maybe(fc.nat()),
      kind: maybe(kind),
      hash: maybe(hash),
      time: maybe(fc.nat()),
      body: maybe(body),
      extra: scalar,
    },
    { requiredKeys: ['type', 'seq', 'kind', 'hash', 'time', 'body'] },
  );
  let accepted = 0;
  fc.assert(
    fc.property(
      fc.oneof(frame, fc.record({ type: fc.constant('document'), seq: scalar, kind: scalar, hash: scalar, time: scalar, body: scalar }, { requiredKeys: [] })),
      (f) => {
        const text = JSON.stringify(f);
        const zodOk = documentFrame.safeParse(JSON.parse(text)).success;
        let handOk = true;
        try {
          const d = decodeAgentFrame(text);
          if (d.type !== 'document') return false;
        } catch (e) {
          if ((e as Error).name !== 'FrameError') throw e;
          handOk = false;
        }
        if (handOk) accepted++;
        return zodOk === handOk;
      },
    ),
    { numRuns: 3000 },
  );
  t.ok(accepted > 40, `3000 random document frames agreed (${accepted} accepted by both)`);
  t.throws(() => decodeAgentFrame(`{"type":"document","seq":1,"kind":"software","hash":"${'0'.repeat(64)}","time":1,"body":[]}`), { message: /at body/ });
});
