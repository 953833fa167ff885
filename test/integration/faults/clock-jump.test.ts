import t from 'tap';
import { waitFor } from '../../peers/util.ts';
import { loopbackPair, startFeeder } from './procs.ts';

// The agent's wall clock jumps mid-stream. The jump is injected into the agent process's
// clock (sample timestamps and the outbox's age clock) rather than by setting the machine's
// clock, which would disturb every other process. Expected, and asserted:
//   backwards 2 h: nothing lost (timestamps stay distinct; InfluxDB takes points in the past);
//   forwards 2 h:  the collector refuses points more than ingest.max_future_s (600 s) ahead,
//                  and counts them — points lost = watchpost_ingest_points_rejected_total.
t.test('clock jumps on the agent: 0 lost backwards, the counted rejection forwards', async (t) => {
  const { influx, port, col } = await loopbackPair(t);
  await col.start();
  const url = `ws://127.0.0.1:${port}/v1/agent`;
  const base = Date.now() - 600_000;
  const count = 6000;
  const jumpAfter = 2500;
  const back = startFeeder({ url, token: col.token, dir: `${col.dir}/back`, run: 'back', count, ratePerS: 3000, batch: 100, base, jumpMs: -7_200_000, jumpAfter });
  t.teardown(() => back.stop());
  const b = await back.done();
  await waitFor('backward run stored', async () => (await influx.count('faults', 'fault', 'n', `"run" = 'back'`)) === count, 30_000, col.output);
  t.equal(b.produced - (await influx.count('faults', 'fault', 'n', `"run" = 'back'`)), 0, 'backwards: points lost');
  t.equal(await col.metric('watchpost_ingest_points_rejected_total'), 0);

  const fwd = startFeeder({ url, token: col.token, dir: `${col.dir}/fwd`, run: 'fwd', count, ratePerS: 3000, batch: 100, base, jumpMs: 7_200_000, jumpAfter });
  t.teardown(() => fwd.stop());
  const f = await fwd.done();
  t.equal(f.outbox.droppedSamplesAge, 0, 'a 2 h jump is well inside the outbox age bound');
  const rejected = await col.metric('watchpost_ingest_points_rejected_total', 'reason="future_timestamp"');
  t.equal(rejected, count - jumpAfter, 'every point stamped after the jump was refused, and counted');
  await waitFor('forward run stored', async () => (await influx.count('faults', 'fault', 'n', `"run" = 'fwd'`)) === jumpAfter, 30_000, col.output);
  const stored = await influx.count('faults', 'fault', 'n', `"run" = 'fwd'`);
  t.equal(f.produced - stored, rejected, 'forwards: points lost = the counted rejection');
});
