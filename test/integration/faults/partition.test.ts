import t from 'tap';
import { waitFor } from '../../peers/util.ts';
import { createNetPair, fetchTextIn, influxdIn } from './netns.ts';
import { faultCollector, startFeeder } from './procs.ts';

// Agent and collector in two network namespaces joined by a veth pair the test creates; the
// link is cut for PARTITION_S seconds while the agent keeps producing, then restored. Packets
// vanish silently (no RST), so the agent has to notice through its heartbeat. 0 points lost.
const PARTITION_S = Number(process.env.WATCHPOST_FAULT_PARTITION_S ?? 3);
const isRoot = process.getuid?.() === 0;

t.test(
  `network partition of ${PARTITION_S} s between agent and collector: 0 points lost`,
  { skip: isRoot ? false : 'needs root for ip netns (CI runs as root)' },
  async (t) => {
    const net = createNetPair();
    t.teardown(() => net.destroy());
    const influx = await influxdIn(net.collectorNs, 8086);
    t.teardown(() => influx.stop());
    const fetchText = fetchTextIn(net.collectorNs);
    const col = await faultCollector({ port: 8443, host: net.collectorIp, influxUrl: influx.url, netns: net.collectorNs, fetchText });
    t.teardown(() => col.stop('SIGKILL'));
    await col.start();
    const feeder = startFeeder(
      {
        url: `ws://${net.collectorIp}:8443/v1/agent`,
        token: col.token,
        dir: `${col.dir}/agent`,
        run: 'partition',
        count: 1e9,
        ratePerS: 1000,
        batch: 100,
        base: Date.now() - 3_600_000,
        heartbeatMs: 1000,
      },
      net.agentNs,
    );
    t.teardown(() => feeder.stop());
    await feeder.until('connected and streaming', (s) => s.connected && s.produced >= 2000 && s.outbox.samples < 500, 30_000);

    net.partition();
    const cut = feeder.last()!;
    await feeder.until('agent notices the partition (heartbeat)', (s) => !s.connected, 15_000);
    await new Promise((r) => setTimeout(r, PARTITION_S * 1000));
    const during = feeder.last()!;
    t.ok(during.outbox.samples >= (during.produced - cut.produced) * 0.9, `points produced during the partition wait in the outbox (${during.outbox.samples})`);
    net.heal();
    await feeder.until('reconnected and drained', (s) => s.connected && s.outbox.samples < 500, 30_000);
    feeder.finishProducing();
    const final = await feeder.done();
    t.same([final.outbox.droppedSamplesFull, final.outbox.droppedSamplesAge, final.outbox.droppedSamplesDiskFull], [0, 0, 0]);
    t.ok(final.transport!.disconnects >= 1, 'the partition cost a disconnect');
    await waitFor('all points in InfluxDB', async () => (await influx.count(`"run" = 'partition'`)) === final.produced, 30_000, col.output);
    t.equal(final.produced - (await influx.count(`"run" = 'partition'`)), 0, 'points lost');
  },
);
