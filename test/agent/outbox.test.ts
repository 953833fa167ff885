import t from 'tap';
import { Outbox } from '../../agent/outbox.ts';
import { decodeAgentFrame } from '../../protocol/schema.ts';
import type { Sample } from '../../protocol/sample.ts';
import { removeDir, tempDir } from '../peers/util.ts';

const sample = (i: number): Sample => ({ measurement: 'm', tags: { k: 'v' }, fields: { v: i, c: BigInt(i) }, time: 1000 + i });

t.test('batches survive a restart and keep growing sequence numbers', async (t) => {
  const dir = tempDir('outbox');
  t.teardown(() => removeDir(dir));
  let ob = new Outbox({ dir, maxBytes: 1e6, maxAgeMs: 1e9, whenFull: 'drop_oldest' });
  const s1 = ob.append([sample(1), sample(2)]);
  const s2 = ob.append([sample(3)]);
  ob.close();
  ob = new Outbox({ dir, maxBytes: 1e6, maxAgeMs: 1e9, whenFull: 'drop_oldest' });
  t.same(ob.stats().samples, 3, 'unacked samples are still there');
  const rows = ob.peek(0, 10);
  t.same(
    rows.map((r) => r.seq),
    [s1, s2],
  );
  const f = decodeAgentFrame(rows[0]!.frame);
  t.equal(f.type, 'batch');
  if (f.type === 'batch') t.equal(f.samples.length, 2, 'stored frame decodes with the protocol schema');
  ob.ack(s1!);
  ob.ack(s1!); // acking twice is harmless
  t.same(
    ob.peek(0, 10).map((r) => r.seq),
    [s2],
  );
  const s3 = ob.append([sample(4)]);
  t.ok(s3! > s2!, 'sequence keeps growing');
  ob.close();
});

t.test('drop_oldest makes room and counts what it dropped', async (t) => {
  const ob = new Outbox({ dir: ':memory:', maxBytes: 600, maxAgeMs: 1e9, whenFull: 'drop_oldest' });
  t.teardown(() => ob.close());
  let appended = 0;
  for (let i = 0; i < 20; i++) if (ob.append([sample(i)]) !== undefined) appended++;
  const st = ob.stats();
  t.equal(appended, 20, 'every new batch is accepted');
  t.ok(st.bytes <= 600, `bytes ${st.bytes} within the bound`);
  t.equal(st.samples + st.droppedSamplesFull, 20, 'kept + dropped = produced');
  t.ok(st.droppedSamplesFull > 0);
  const rows = ob.peek(0, 100);
  t.equal(rows.at(-1)!.seq, 20, 'the newest batch is kept');
});

t.test('drop_newest refuses new batches and counts them', async (t) => {
  const ob = new Outbox({ dir: ':memory:', maxBytes: 600, maxAgeMs: 1e9, whenFull: 'drop_newest' });
  t.teardown(() => ob.close());
  const seqs = [];
  for (let i = 0; i < 20; i++) seqs.push(ob.append([sample(i)]));
  const st = ob.stats();
  t.equal(seqs[0], 1, 'the oldest batch is kept');
  t.ok(seqs.includes(undefined), 'later batches are refused');
  t.equal(st.samples + st.droppedSamplesFull, 20);
});

t.test('batches older than max age expire and are counted', async (t) => {
  let now = 1_000_000;
  const ob = new Outbox({ dir: ':memory:', maxBytes: 1e6, maxAgeMs: 60_000, whenFull: 'drop_oldest', now: () => now });
  t.teardown(() => ob.close());
  ob.append([sample(1), sample(2)]);
  now += 120_000;
  ob.append([sample(3)]);
  const st = ob.stats();
  t.equal(st.samples, 1);
  t.equal(st.droppedSamplesAge, 2);
});

t.test('onAppend listeners fire and can unsubscribe', async (t) => {
  const ob = new Outbox({ dir: ':memory:', maxBytes: 1e6, maxAgeMs: 1e9, whenFull: 'drop_oldest' });
  t.teardown(() => ob.close());
  let n = 0;
  const off = ob.onAppend(() => n++);
  ob.append([sample(1)]);
  off();
  ob.append([sample(2)]);
  t.equal(n, 1);
  t.equal(ob.append([]), undefined, 'an empty batch is not stored');
});

t.test('a batch larger than the frame target is split; every sample kept, in order, events in the last', async (t) => {
  const ob = new Outbox({ dir: ':memory:', maxBytes: 1e7, maxAgeMs: 1e9, whenFull: 'drop_oldest', batchBytes: 2000 });
  t.teardown(() => ob.close());
  const samples = Array.from({ length: 100 }, (_, i) => sample(i));
  const big: Sample = { measurement: 'big', tags: {}, fields: { text: 'x'.repeat(5000) }, time: 1 };
  const last = ob.append(
    [...samples.slice(0, 50), big, ...samples.slice(50)],
    [{ kind: 'k', target: 't', severity: 'info', message: 'm', attrs: {}, time: 2 }],
  );
  const rows = ob.peek(0, 1000);
  t.ok(rows.length > 3, `split into ${rows.length} batches`);
  t.equal(last, rows[rows.length - 1]!.seq, 'append returns the last sequence number');
  const got: string[] = [];
  rows.forEach((r, k) => {
    const f = decodeAgentFrame(r.frame);
    if (f.type !== 'batch') throw new Error('not a batch');
    const hasBig = f.samples.some((s) => s.m === 'big');
    if (!hasBig) t.ok(r.frame.length <= 2000 + 100, `frame ${k} is ${r.frame.length} bytes`);
    else t.equal(f.samples.length, 1, 'a sample over the target travels alone');
    t.equal(f.events?.length ?? 0, k === rows.length - 1 ? 1 : 0, 'events only in the last batch');
    t.equal(r.samples, f.samples.length);
    for (const s of f.samples) got.push(s.m === 'big' ? 'big' : String(s.f?.v));
  });
  t.same(got, [...samples.slice(0, 50).map((_, i) => String(i)), 'big', ...samples.slice(50).map((_, i) => String(i + 50))], 'all samples, in order');
});

t.test('the disk reserve is a real (not sparse) file of exactly reserveBytes, made once', async (t) => {
  const dir = tempDir('outbox-reserve');
  t.teardown(() => removeDir(dir));
  const { statSync } = await import('node:fs');
  const size = 3 * 64 * 1024 + 1000; // not a whole number of write chunks
  const o = new Outbox({ dir, maxBytes: 1 << 20, maxAgeMs: 60_000, whenFull: 'drop_oldest', reserveBytes: size });
  const st = statSync(`${dir}/outbox.reserve`);
  t.equal(st.size, size);
  t.ok(st.blocks * 512 >= size, `${st.blocks} blocks of 512 bytes allocated`);
  o.close();
  const again = new Outbox({ dir, maxBytes: 1 << 20, maxAgeMs: 60_000, whenFull: 'drop_oldest', reserveBytes: size });
  t.equal(statSync(`${dir}/outbox.reserve`).mtimeMs, st.mtimeMs, 'kept as it is at the next start');
  again.close();
});
