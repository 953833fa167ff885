import t from 'tap';
import { decodeAgentFrame, decodeCollectorFrame, fromWire, toWire } from '../../protocol/frames.ts';

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
