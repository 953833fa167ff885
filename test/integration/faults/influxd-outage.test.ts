import t from 'tap';
import { waitFor } from '../../peers/util.ts';
import { localFetchText, loopbackPair, startFeeder } from './procs.ts';

// InfluxDB stopped while agents keep sending. The test scales the outage down to
// WATCHPOST_FAULT_OUTAGE_S seconds (default 8) to keep the suite fast; `npm run
// bench:outage` runs the same scenario for minutes. Zero loss is the design: the collector
// spools, the writer retries, order is kept.
const OUTAGE_S = Number(process.env.WATCHPOST_FAULT_OUTAGE_S ?? 8);

t.test(`influxd stopped for ${OUTAGE_S} s under load: 0 points lost`, async (t) => {
  const { influx, port, col } = await loopbackPair(t);
  await col.start();
  const rate = 2000;
  const count = rate * (OUTAGE_S + 6);
  const feeder = startFeeder({
    url: `ws://127.0.0.1:${port}/v1/agent`,
    token: col.token,
    dir: `${col.dir}/agent`,
    run: 'outage',
    count,
    ratePerS: rate,
    batch: 100,
    base: Date.now() - 3_600_000,
  });
  t.teardown(() => feeder.stop());
  await feeder.until('streaming', (s) => s.produced >= rate * 2, 20_000);
  await waitFor('first points in InfluxDB', async () => (await influx.count('faults', 'fault', 'n')) > 0, 20_000);
  await influx.stop();
  const down = Date.now();
  const producedAtStop = feeder.last()!.produced;
  await waitFor('health reports influxdb down', async () => JSON.parse(await localFetchText(`http://127.0.0.1:${port}/healthz`)).influxdb === 'down', 20_000);
  let maxSpool = 0;
  let maxOutbox = 0;
  while (Date.now() - down < OUTAGE_S * 1000) {
    maxSpool = Math.max(maxSpool, await col.metric('watchpost_spool_points'));
    maxOutbox = Math.max(maxOutbox, feeder.last()!.outbox.samples);
    await new Promise((r) => setTimeout(r, 500));
  }
  const during = feeder.last()!.produced - producedAtStop;
  t.ok(maxSpool >= during / 2, `the spool held the outage's points (max ${maxSpool}; ${during} produced during the outage)`);
  t.ok(maxOutbox < rate, `the agent was not held back: the collector kept acking into its spool (outbox max ${maxOutbox})`);
  await influx.restart();
  const final = await feeder.done();
  t.equal(final.produced, count);
  await waitFor('spool drained', async () => (await col.metric('watchpost_spool_points')) === 0, 60_000, col.output);
  const stored = await influx.count('faults', 'fault', 'n', `"run" = 'outage'`);
  t.equal(count - stored, 0, 'points lost');
  t.equal(final.outbox.droppedSamplesFull + final.outbox.droppedSamplesAge + final.outbox.droppedSamplesDiskFull, 0);
});
