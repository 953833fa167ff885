import t from 'tap';
import { waitFor } from '../../peers/util.ts';
import { loopbackPair, startFeeder } from './procs.ts';

// The agent's wall clock jumps mid-stream. The jump is injected into the agent process's
// clock (sample timestamps and the outbox's age clock) rather than by setting the machine's
// clock, which would disturb every other process. Expected, and asserted:
//   backwards 2 h: nothing lost (timestamps stay distinct; InfluxDB takes points in the past);
//   forwards 2 h:  the collector refuses batches with points more than ingest.max_future_s
//                  (600 s) ahead, counts them, and the agent keeps them: points lost = 0.
t.test('clock jumps on the agent: 0 lost backwards, 0 lost forwards (refused batches stay queued)', async (t) => {
  const { influx, port, col } = await loopbackPair(t);
  await col.start();
  const url = `ws://127.0.0.1:${port}/v1/agent`;
  const base = Date.now() - 600_000;
  const count = 6000;
  const jumpAfter = 2500;
  const back = startFeeder({
    url,
    token: col.token,
    dir: `${col.dir}/back`,
    run: 'back',
    count,
    ratePerS: 3000,
    batch: 100,
    base,
    jumpMs: -7_200_000,
    jumpAfter,
  });
  t.teardown(() => back.stop());
  const b = await back.done();
  await waitFor('backward run stored', async () => (await influx.count('faults', 'fault', 'n', `"run" = 'back'`)) === count, 30_000, col.output);
  t.equal(b.produced - (await influx.count('faults', 'fault', 'n', `"run" = 'back'`)), 0, 'backwards: points lost');
  t.equal(await col.metric('watchpost_ingest_points_rejected_total'), 0);

  const fwd = startFeeder({
    url,
    token: col.token,
    dir: `${col.dir}/fwd`,
    run: 'fwd',
    count,
    ratePerS: 3000,
    batch: 100,
    base,
    jumpMs: 7_200_000,
    jumpAfter,
    exitWhenDrained: false,
  });
  t.teardown(() => fwd.stop());
  // Issue 22 finding 9: a batch stamped beyond max_future_s is refused whole and stays in the
  // agent's outbox (it was acked and lost before): what is not stored is still queued.
  const fwdStored = () => influx.count('faults', 'fault', 'n', `"run" = 'fwd'`);
  await fwd.until('every point produced', (s) => s.produced === count, 30_000);
  let stored = 0;
  await waitFor(
    'every point stored or kept in the outbox',
    async () => (stored = await fwdStored()) + (fwd.last()?.outbox.samples ?? 0) === count,
    30_000,
    col.output,
  );
  const f = fwd.last()!;
  t.equal(f.outbox.droppedSamplesAge, 0, 'a 2 h jump is well inside the outbox age bound');
  t.ok(
    stored <= jumpAfter && stored >= jumpAfter - 1000,
    `the points before the jump are stored (${stored} of ${jumpAfter}; a batch that straddles the jump waits with the rest)`,
  );
  t.ok(f.outbox.samples >= count - jumpAfter, `the ${f.outbox.samples} points from the jump on wait in the outbox`);
  t.ok((await col.metric('watchpost_ingest_points_rejected_total', 'reason="future_timestamp_batch"')) > 0, 'the refusals are counted');
  t.equal(f.produced - stored - f.outbox.samples, 0, 'forwards: points lost');
});
