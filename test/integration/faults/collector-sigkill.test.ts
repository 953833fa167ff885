import t from 'tap';
import { waitFor } from '../../peers/util.ts';
import { loopbackPair, startFeeder } from './procs.ts';

// The collector is SIGKILLed three times while an agent streams into it — once while InfluxDB
// is also down, so the kill hits a collector whose spool holds unwritten data. The design
// promises zero loss: a batch is acked only once it is in the collector's spool, the spool is
// drained to InfluxDB in order, and the agent re-sends whatever was not acked.
t.test('collector SIGKILLed during ingest, three times: 0 points lost', async (t) => {
  const { influx, port, col } = await loopbackPair(t);
  await col.start();
  // Produces until told to stop, so slow steps on a busy machine cannot end the stream early.
  const feeder = startFeeder({
    url: `ws://127.0.0.1:${port}/v1/agent`,
    token: col.token,
    dir: `${col.dir}/agent`,
    run: 'sigkill',
    count: 1e9,
    ratePerS: 3000,
    batch: 200,
    base: Date.now() - 3_600_000,
  });
  t.teardown(() => feeder.stop());

  const kill = async () => {
    const before = feeder.last()!;
    t.ok(before.produced - before.outbox.samples > 0, `killed mid-stream (${before.produced} produced, ${before.outbox.samples} unacked)`);
    await col.stop('SIGKILL');
    // Data keeps arriving while the collector is gone: it waits in the agent's outbox.
    await feeder.until('outbox grows while the collector is dead', (s) => s.outbox.samples > before.outbox.samples + 300, 10_000);
    await col.start();
  };
  await feeder.until('3000 points produced', (s) => s.produced >= 3000, 30_000);
  await kill();
  // Second and third kills with InfluxDB down: the spool holds acked, unwritten points.
  await feeder.until('6000 points produced', (s) => s.produced >= 6000, 30_000);
  await influx.stop();
  await waitFor('spool holds points', async () => (await col.metric('watchpost_spool_points')) > 500, 10_000);
  const spooled = await col.metric('watchpost_spool_points');
  await kill();
  t.ok((await col.metric('watchpost_spool_points')) >= spooled, `the spool's ${spooled} points survived SIGKILL`);
  await feeder.until('10000 points produced', (s) => s.produced >= 10_000, 30_000);
  await kill();
  await influx.restart();
  await feeder.until('a little more after the last restart', (s) => s.produced >= 12_000, 30_000);
  feeder.finishProducing();
  const final = await feeder.done();
  const count = final.produced;
  t.equal(final.appendErrors, 0);
  t.same([final.outbox.droppedSamplesFull, final.outbox.droppedSamplesAge, final.outbox.droppedSamplesDiskFull], [0, 0, 0], 'the outbox dropped nothing');
  t.ok(final.transport!.connects >= 2, `the agent reconnected after the kills (${final.transport!.connects} connects)`);
  await waitFor('all points in InfluxDB', async () => (await influx.count('faults', 'fault', 'n', `"run" = 'sigkill'`)) === count, 60_000, col.output);
  const lost = count - (await influx.count('faults', 'fault', 'n', `"run" = 'sigkill'`));
  t.equal(lost, 0, 'points lost');
});
