import t from 'tap';
import { DocumentGate } from '../../agent/documents.ts';
import { Outbox } from '../../agent/outbox.ts';
import { decodeAgentFrame } from '../../protocol/schema.ts';
import { tempDir } from '../peers/util.ts';

t.test('a document is queued when its hash changes or once per resend period, also across restarts', async (t) => {
  const dir = tempDir('docgate');
  let now = Date.UTC(2026, 11, 1, 8);
  const open = () => new Outbox({ dir: `${dir}/outbox`, maxBytes: 64 << 20, maxAgeMs: 86_400_000 * 7, whenFull: 'drop_oldest', now: () => now });
  let ob = open();
  let gate = new DocumentGate(ob, `${dir}/probes/software`, () => now);
  const day = { resendMs: 86_400_000 };
  const a = { os: { name: 'Debian' }, software: [{ name: 'bash', version: '5.2' }] };
  t.same(gate.offer('software', a, day).queued, true, 'first time: sent');
  t.same(gate.offer('software', a, day).queued, false, 'same list: not sent again');
  const rows = ob.peek(0, 10);
  t.equal(rows.length, 1);
  const f = decodeAgentFrame(rows[0]!.frame);
  t.equal(f.type, 'document');
  if (f.type === 'document') {
    t.equal(f.kind, 'software');
    t.match(f.hash, /^[0-9a-f]{64}$/);
    t.equal(f.time, now);
    t.same(f.body, a);
    t.equal(f.seq, rows[0]!.seq, 'shares the batch sequence, acked the same way');
  }
  ob.ack(rows[0]!.seq);
  // The agent restarts: the gate remembers the hash in the probe's state dir.
  ob.close();
  ob = open();
  gate = new DocumentGate(ob, `${dir}/probes/software`, () => now);
  now += 3_600_000;
  t.equal(gate.offer('software', a, day).queued, false, 'after a restart, unchanged: not sent');
  const b = { ...a, software: [{ name: 'bash', version: '5.3' }] };
  t.equal(gate.offer('software', b, day).queued, true, 'changed: sent');
  now += 86_400_000;
  t.equal(gate.offer('software', b, day).queued, true, 'a day later, unchanged: sent again');
  ob.append([{ measurement: 'm', tags: {}, fields: { v: 1 }, time: now }]);
  const frames = ob.peek(0, 10).map((r) => decodeAgentFrame(r.frame).type);
  t.same(frames, ['document', 'document', 'batch'], 'documents and batches in one queue, in order');
  ob.close();
});
