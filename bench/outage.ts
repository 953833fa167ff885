/**
 * bench:outage — the influxd-outage fault test at full length: an agent streams RATE points/s
 * into a real collector, influxd is stopped for OUTAGE_MIN minutes (default 5), then started
 * again. Prints the spool peak, how long the collector took to catch up, its catch-up write
 * rate side by side with the offered rate (ratio), collector RSS, and the points lost
 * (InfluxDB count vs produced; the design promises 0).
 *
 *   npm run bench:outage
 *   OUTAGE_MIN=1 RATE=5000 npm run bench:outage
 */
import { startInfluxd } from '../test/peers/influxd.ts';
import { freePort, waitFor } from '../test/peers/util.ts';
import { faultCollector, localFetchText, startFeeder } from '../test/integration/faults/procs.ts';
import { rssMiB, table } from './lib.ts';

const OUTAGE_MIN = Number(process.env.OUTAGE_MIN ?? 5);
const RATE = Number(process.env.RATE ?? 2000);

const influx = await startInfluxd();
const port = await freePort();
const col = await faultCollector({ port, influxUrl: influx.url, fetchText: localFetchText });
await col.start();
const feeder = startFeeder({
  url: `ws://127.0.0.1:${port}/v1/agent`,
  token: col.token,
  dir: `${col.dir}/agent`,
  run: 'outage',
  count: 1e12,
  ratePerS: RATE,
  batch: 500,
  base: Date.now() - 7 * 86_400_000,
});
await feeder.until('streaming', (s) => s.produced >= RATE * 10, 60_000);
let rss = 0;
const sampleRss = setInterval(() => (rss = Math.max(rss, rssMiB(col.pid()!))), 1000);
console.log(`influxd stopped for ${OUTAGE_MIN} min at ${RATE} points/s`);
await influx.stop();
const p0 = feeder.last()!.produced;
const tStop = Date.now();
await new Promise((r) => setTimeout(r, OUTAGE_MIN * 60_000));
// The feeder's real rate (a busy machine slows its 20 ms slices), not the nominal RATE.
const offered = Math.round((feeder.last()!.produced - p0) / ((Date.now() - tStop) / 1000));
const spoolPeak = await col.metric('watchpost_spool_points');
const agentBacklog = feeder.last()!.outbox.samples;
await influx.restart();
const t0 = Date.now();
await waitFor('caught up', async () => (await col.metric('watchpost_spool_points')) < RATE, OUTAGE_MIN * 60_000 * 4);
const catchUpS = (Date.now() - t0) / 1000;
feeder.finishProducing();
const final = await feeder.done();
await waitFor('spool empty', async () => (await col.metric('watchpost_spool_points')) === 0, 600_000);
clearInterval(sampleRss);
const stored = await influx.count('faults', 'fault', 'n', `"run" = 'outage'`);
await col.stop();
await influx.destroy();
const catchUpRate = Math.round((spoolPeak + offered * catchUpS) / catchUpS);
console.log(
  table([
    { figure: `rate produced during the outage (points/s; asked for ${RATE})`, value: offered, ratio: 1 },
    { figure: 'catch-up write rate after the outage (points/s)', value: catchUpRate, ratio: catchUpRate / offered },
  ]),
);
console.log(
  table([
    {
      outage_min: OUTAGE_MIN,
      spool_peak_points: spoolPeak,
      agent_outbox_at_end_of_outage: agentBacklog,
      catch_up_s: catchUpS,
      collector_rss_max_mib: rss,
      produced: final.produced,
      stored,
      lost: final.produced - stored,
    },
  ]),
);
process.exit(final.produced === stored ? 0 : 1);
