import fc from 'fast-check';
import { inspect, isDeepStrictEqual } from 'node:util';
import t, { type Test } from 'tap';
import { Inventory } from '../../../collector/ingest/inventory.ts';
import { type EncodeContext, type Encoded, transcodeBatch } from '../../../collector/ingest/transcode.ts';
import { TARGET_TAGS } from '../../../protocol/targets.ts';
import { fromWire } from '../../../protocol/frames.ts';
import { decodeAgentFrame } from '../../../protocol/schema.ts';
import { encodeLine, lineProblem, parseLines } from '../../../protocol/line-protocol.ts';
import type { Sample } from '../../../protocol/sample.ts';
import { lines, points } from '../../../bench/ingest-points.ts';

const inventory = new Inventory([
  { name: 'sw1', kind: 'switch', building: 'B', floor: '2', role: 'core' },
  { name: 'cam,1', kind: 'camera', address: '10.0.0.9', building: 'C', room: 'a b' },
]);
const NOW = 1_800_000_000_000;
const ctx = (over: Partial<EncodeContext> = {}): EncodeContext => ({
  agent: 'pc-7',
  agentTags: { building: 'A', floor: '3', 'odd key': 'x,y=z' },
  inventory,
  limitMs: NOW,
  wants: (m) => m.length % 2 === 0,
  ...over,
});

/**
 * The reference: the frame decoded whole and each sample enriched and encoded one by one,
 * as Ingest.accept did before the transcoder (and still does for /write and events).
 */
function reference(text: string, c: EncodeContext) {
  const frame = decodeAgentFrame(text);
  if (frame.type !== 'batch') throw new Error('not a batch');
  let body = '';
  let n = 0;
  let future = 0;
  let empty = 0;
  let invalid = 0;
  let oldest = Infinity;
  const samples: Sample[] = [];
  const targets = new Map<string, string>();
  for (const w of frame.samples) {
    const s = fromWire(w);
    if (s.time > c.limitMs) {
      future++;
      continue;
    }
    if (c.agent !== undefined) s.tags.agent = c.agent;
    c.inventory.enrich(s, c.agentTags);
    if (lineProblem(s)) {
      invalid++;
      continue;
    }
    if (s.time < oldest) oldest = s.time;
    const line = encodeLine(s);
    if (line === undefined) {
      empty++;
      continue;
    }
    body += line + '\n';
    n++;
    if (c.wants(s.measurement)) samples.push(s);
    const agent = s.tags.agent;
    if (agent) {
      const target = TARGET_TAGS.map((k) => s.tags[k]).find((v) => v);
      if (target && target !== agent) targets.set(target, agent);
    }
  }
  return { seq: frame.seq, body, lines: n, future, empty, invalid, oldest, samples, targets };
}

/** What differs between the transcoder's output and the reference's (empty: nothing). */
function differences(fast: { seq: number; encoded: Encoded }, ref: ReturnType<typeof reference>): string[] {
  const e = fast.encoded;
  const a = parseLines(e.body.toString(), 'ms', NOW);
  const b = parseLines(ref.body, 'ms', NOW);
  const checks: [string, unknown, unknown][] = [
    ['seq', fast.seq, ref.seq],
    ['counts', [e.lines, e.future, e.empty, e.invalid, e.oldest], [ref.lines, ref.future, ref.empty, ref.invalid, ref.oldest]],
    ['parse errors', a.errors, b.errors],
    ['points', a.samples, b.samples],
    ['samples for listeners', e.samples, ref.samples],
    ['targets', [...e.targets], [...ref.targets]],
  ];
  return checks.filter(([, x, y]) => !isDeepStrictEqual(x, y)).map(([what, x, y]) => `${what}: ${inspect(x, { depth: 5 })} vs ${inspect(y, { depth: 5 })}`);
}

function same(t: Test, fast: { seq: number; encoded: Encoded }, ref: ReturnType<typeof reference>, what: string) {
  t.same(differences(fast, ref), [], `${what}: same seq, counts, points, listener samples and targets as the general way`);
}

t.test('writes exactly the lines the bench reference posts directly (byte for byte)', async (t) => {
  const json = `{"type":"batch","seq":3,"samples":[${points(4, 3, 3000, 200, NOW - 5).join(',')}]}`;
  const r = transcodeBatch(Buffer.from(json), ctx({ agent: 'bench-4', agentTags: { building: 'A', floor: '4' } }));
  t.ok(r);
  t.equal(r!.encoded.body.toString(), lines(4, 3, 3000, 200, NOW - 5));
  t.equal(r!.encoded.lines, 200);
});

t.test('escapes, unicode, exponents, booleans, big integers, empty tags and the enrichment order', async (t) => {
  const sample = {
    m: 'if stats,x',
    t: { device: 'sw1', 'port name': 'Gi0/1,a=b', empty: '', 名字: '交换机' },
    f: { s: 'say "hi" \\ there', big: 1e21, tiny: 1.5e-7, inf: 1e400, neg: -0, ok: true, no: false, 'k=v': 1 },
    i: { n: 5, huge: '-9223372036854775808', zero: 0 },
    ts: NOW - 1,
  };
  // 1e400 and -0 as raw JSON text (JSON.stringify would write null and 0).
  const text = `{"type":"batch","seq":1,"samples":[${JSON.stringify(sample).replace('"inf":null', '"inf":1e400').replace('"neg":0', '"neg":-0')}]}`;
  const r = transcodeBatch(Buffer.from(text), ctx());
  t.ok(r);
  same(t, r!, reference(text, ctx()), 'mixed sample');
  const line = r!.encoded.body.toString();
  t.match(line, /^if\\ stats\\,x,/, 'measurement escaped');
  t.match(line, /,port\\ name=Gi0\/1\\,a\\=b/, 'tag key and value escaped');
  t.match(line, /building=B,device=sw1,device_kind=switch,floor=2/, 'the device\'s location wins over the agent\'s, sorted in');
  t.notMatch(line, /empty=/, 'empty tag left out');
  t.match(line, /s="say \\"hi\\" \\\\ there"/, 'string field quoted and escaped');
  t.notMatch(line, /inf=/, 'a field that is not finite is left out');
  t.match(line, /huge=-9223372036854775808i/);
});

t.test('samples it does not scan itself go the general way; frames it does not read return undefined', async (t) => {
  const odd = [
    '{"m":"a\\u00e9","ts":5,"f":{"v":1}}', // escape in a name
    '{"ts":5,"f":{"v":1},"m":"cpu","m":"mem"}', // duplicate key: the last one wins
    '{"m":"cpu","t":{"a":"1","a":"2"},"f":{"v":1},"ts":5}',
    '{"m":"cpu","f":{"v":1},"i":{"v":7},"ts":5}', // one field name in f and i
    '{"m":"cpu","i":{"v":5.0,"w":"007"},"ts":5}',
    '{"m":"cpu","f":{"v":"line\\nbreak"},"ts":5}',
    '{"m":"cpu","f":{"v":1},"ts":1000000000000000}', // 16 digits
  ];
  const text = `{"type":"batch","seq":9,"samples":[${odd.join(',')},{"m":"ok","f":{"v":2},"ts":6}]}`;
  const r = transcodeBatch(Buffer.from(text), ctx({ limitMs: 1e17 }));
  t.ok(r, 'valid frame read');
  same(t, r!, reference(text, ctx({ limitMs: 1e17 })), 'odd samples');
  for (const other of [
    '{"type":"batch","seq":1,"samples":[{"m":"x","f":{"v":1},"ts":1}],"events":[]}',
    '{"seq":1,"type":"batch","samples":[]}',
    '{"type":"batch","seq":1,"samples":[ ]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","f":{"v":1},"ts":1}] }',
    '{"type":"batch","seq":1,"samples":[{"m":"x","f":{"v":null},"ts":1}]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","f":{"v":1},"ts":1}',
    '{"type":"batch","seq":01,"samples":[]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","x":1,"ts":1}]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","i":{"v":"123456789012345678901"},"ts":1}]}',
    `{"type":"batch","seq":1,"samples":[{"m":"x","t":{"k":"${'y'.repeat(1025)}"},"f":{"v":1},"ts":1}]}`,
    `{"type":"batch","seq":1,"samples":[{"m":"${'m'.repeat(257)}","f":{"v":1},"ts":1}]}`,
    '{"type":"batch","seq":1,"samples":[{"m":"","f":{"v":1},"ts":1}]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","f":{"":1},"ts":1}]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","f":{"v":1},"ts":90071992547409930}]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","f":{"v":1}}]}',
    '{"type":"batch","seq":1,"samples":[{"m":"x","i":{"v":1.5},"ts":1}]}',
  ])
    t.equal(transcodeBatch(Buffer.from(other), ctx()), undefined, other);
  const empty = transcodeBatch(Buffer.from('{"type":"batch","seq":4,"samples":[]}'), ctx());
  t.same([empty?.seq, empty?.encoded.lines, empty?.encoded.body.length], [4, 0, 0]);
});

t.test('future samples are refused, samples without fields are not written, targets are noted once', async (t) => {
  const s = (x: object) => JSON.stringify(x);
  const text = `{"type":"batch","seq":2,"samples":[${[
    s({ m: 'ping', t: { url: '10.0.0.9' }, f: { result_code: 0 }, ts: NOW - 10 }),
    s({ m: 'ping', t: { url: '10.0.0.9' }, f: { result_code: 1 }, ts: NOW - 9 }),
    s({ m: 'ping', t: { url: '10.0.0.8' }, f: { result_code: 0 }, ts: NOW + 1 }),
    s({ m: 'ping', t: { url: '10.0.0.7' }, f: {}, ts: NOW - 20 }),
    s({ m: 'cpu', t: { host: 'pc-7' }, f: { usage_idle: 50 }, ts: NOW - 5 }),
  ].join(',')}]}`;
  const c = ctx({ wants: (m) => m === 'ping' });
  const r = transcodeBatch(Buffer.from(text), c)!;
  same(t, r, reference(text, c), 'mixed');
  t.same([r.encoded.lines, r.encoded.future, r.encoded.empty, r.encoded.oldest], [3, 1, 1, NOW - 20]);
  t.same([...r.encoded.targets], [['10.0.0.9', 'pc-7']], 'the ping target, once; the agent\'s own host is not a target');
  t.same(r.encoded.samples.map((x) => [x.measurement, x.tags.building]), [['ping', 'C'], ['ping', 'C']], 'wanted samples arrive enriched');
});

t.test('a sample about an inventory device carries its location, not the agent\'s; an unregistered target gets none', async (t) => {
  const s = (x: object) => JSON.stringify(x);
  const text = `{"type":"batch","seq":1,"samples":[${[
    s({ m: 'snmp_device', t: { device: 'sw1', floor: '1', room: 'IT' }, i: { up: 1 }, ts: NOW - 3 }),
    s({ m: 'ping', t: { url: 'http://10.0.0.9:8080/', host: 'pc-7', floor: '1' }, f: { rtt_ms: 1 }, ts: NOW - 2 }),
    s({ m: 'ping', t: { url: '10.0.0.77', host: 'pc-7' }, f: { rtt_ms: 1 }, ts: NOW - 1 }),
    s({ m: 'cpu', t: { host: 'pc-7' }, f: { usage_idle: 50 }, ts: NOW }),
  ].join(',')}]}`;
  const c = ctx({ wants: () => false });
  const r = transcodeBatch(Buffer.from(text), c)!;
  same(t, r, reference(text, c), 'as the general way');
  t.same(r.encoded.body.toString().split('\n'), [
    `snmp_device,agent=pc-7,building=B,device=sw1,device_kind=switch,floor=2,odd\\ key=x\\,y\\=z,role=core up=1i ${NOW - 3}`,
    `ping,agent=pc-7,building=C,device_kind=camera,host=pc-7,odd\\ key=x\\,y\\=z,room=a\\ b,url=http://10.0.0.9:8080/ rtt_ms=1 ${NOW - 2}`,
    `ping,agent=pc-7,host=pc-7,odd\\ key=x\\,y\\=z,url=10.0.0.77 rtt_ms=1 ${NOW - 1}`,
    `cpu,agent=pc-7,building=A,floor=3,host=pc-7,odd\\ key=x\\,y\\=z usage_idle=50 ${NOW}`,
    '',
  ]);
});

// Random frames, valid and not: the transcoder must accept exactly the valid ones (in the
// agents' layout) and write what the reference writes.
const special = ['cpu', 'host', 'device', 'url', 'camera', 'target', 'agent', 'building', 'floor', 'room', 'device_kind', 'http://10.0.0.9:80/x', 'sw1', '10.0.0.9', 'a b', 'a,b', 'a=b', 'q"q', 'b\\s', 'n\nl', '日本', '😀', '', 'x'.repeat(257), 'y'.repeat(1025)];
const str = fc.oneof(fc.constantFrom(...special), fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }));
const num = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc.integer().map(String),
  fc.constantFrom('1e400', '-0', '-0.0', '1.50', '1E5', '2e-7', '9007199254740993', '12345678901234567890', '007', '1.', '-', 'null', 'true', 'false', '"12"', '"007"', '"-0"', '"123456789012345678901"', '"-9223372036854775808"'),
);
const value = fc.oneof(num, str.map((s) => JSON.stringify(s)));
const entries = (v: fc.Arbitrary<string>) => fc.array(fc.tuple(str, v), { maxLength: 4 }).map((es) => `{${es.map(([k, x]) => `${JSON.stringify(k)}:${x}`).join(',')}}`);
const sampleText = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.tuple(fc.constant('m'), str.map((s) => JSON.stringify(s))),
        fc.tuple(fc.constant('t'), fc.oneof(entries(str.map((s) => JSON.stringify(s))), entries(value))),
        fc.tuple(fc.constant('f'), entries(value)),
        fc.tuple(fc.constant('i'), entries(num)),
        fc.tuple(fc.constant('ts'), fc.oneof(fc.constantFrom(String(NOW - 1), String(NOW + 1), '0', '1.5', '-1', '1e3', '9007199254740993'), fc.nat().map(String))),
        fc.tuple(fc.constantFrom('x', 'M'), value),
      ),
      { maxLength: 6 },
    ),
    fc.boolean(),
  )
  .map(([es, withMust]) => {
    const all = withMust ? [['m', '"cpu"'], ['ts', String(NOW - 3)], ...es] : es;
    return `{${all.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
  });

t.test('property: accepts what decodeAgentFrame accepts and writes what the general way writes', async (t) => {
  let fastRead = 0;
  fc.assert(
    fc.property(fc.array(sampleText, { maxLength: 5 }), fc.nat(), (samples, seq) => {
      const text = `{"type":"batch","seq":${seq},"samples":[${samples.join(',')}]}`;
      const c = ctx();
      let ref: ReturnType<typeof reference> | undefined;
      try {
        ref = reference(text, c);
      } catch {
        ref = undefined;
      }
      const fast = transcodeBatch(Buffer.from(text), c);
      if (!ref) {
        if (fast) throw new Error(`accepted an invalid frame: ${text}`);
        return;
      }
      if (!fast) throw new Error(`fell back on a valid frame in the agents' layout: ${text}`);
      fastRead++;
      const d = differences(fast, ref);
      if (d.length) throw new Error(`differs from the general way on ${text}: ${d.join('; ')}`);
    }),
    { numRuns: 3000 },
  );
  t.ok(fastRead > 300, `${fastRead} valid frames compared`);
  t.comment(`${fastRead} valid frames compared`);
});
