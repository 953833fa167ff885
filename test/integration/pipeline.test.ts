import t from 'tap';
import { startInfluxd } from '../peers/influxd.ts';
import { collectorProcess } from '../peers/collector.ts';
import { SimAgent, waitForCount } from '../peers/agent-sim.ts';
import { removeDir, tempDir } from '../peers/util.ts';

const inventory = {
  devices: [{ name: 'sw-a-3f-01', kind: 'switch', site: 'hq', building: 'A', floor: '3', shaft: 'A-1', room: '301', role: 'access' }],
};

/** A real influxd, a collector process writing to it, and a temp dir for an agent's outbox; all torn down with the test. */
async function setup(t: Pick<typeof import('tap').default, 'teardown'>, extra: Record<string, unknown> = {}) {
  const influx = await startInfluxd();
  t.teardown(() => influx.destroy());
  const col = await collectorProcess({ influxdb: { url: influx.url, database: 'wp' }, ...extra });
  t.teardown(() => col.stop());
  const dir = tempDir('agent');
  t.teardown(() => removeDir(dir));
  return { influx, col, dir };
}

t.test('agent → collector → influxd end to end, with inventory tags', async (t) => {
  const { influx, col, dir } = await setup(t, { inventory });
  const agent = new SimAgent({ url: col.wsUrl, token: col.token, dir, run: 'e2e' });
  agent.push(2500);
  const n = await waitForCount(() => influx.count('wp', 'seqtest', 'n', `"run"='e2e'`), 2500, 30_000);
  t.equal(n, 2500, 'every point arrived');
  t.equal(agent.outbox.stats().batches, 0, 'the outbox is empty once all is acked');
  const series = await influx.query(`SHOW TAG VALUES FROM "seqtest" WITH KEY IN ("agent","building","floor","shaft","room","role","site","device_kind")`, 'wp');
  const tags = Object.fromEntries((series[0]?.values ?? []).map((v) => [v[0], v[1]]));
  t.same(
    tags,
    { agent: 'test-agent', building: 'A', floor: '3', shaft: 'A-1', room: '301', role: 'access', site: 'hq', device_kind: 'switch' },
    'enriched with identity and location',
  );
  const sum = await influx.query(`SELECT SUM("n") FROM "seqtest" WHERE "run"='e2e'`, 'wp');
  t.equal(sum[0]?.values[0]?.[1], (2499 * 2500) / 2, 'each point exactly once (sum of 0..2499)');
  const metrics = await (await fetch(`${col.url}/metrics`)).text();
  t.match(metrics, /watchpost_influx_points_written_total \d+/);
  t.match(metrics, /watchpost_agents_connected 1/);
  await agent.close();
});

t.test('restarting the agent with unacked batches loses nothing', async (t) => {
  const { influx, col, dir } = await setup(t);
  await col.stop();
  // Collector down: everything the agent produces waits unacked in its outbox.
  let agent = new SimAgent({ url: col.wsUrl, token: col.token, dir, run: 'restart' });
  agent.push(1200);
  agent.batcher.flush();
  t.equal(agent.outbox.stats().samples, 1200, 'all points queued on disk');
  await agent.close();
  await col.start();
  agent = new SimAgent({ url: col.wsUrl, token: col.token, dir, run: 'restart' });
  const n = await waitForCount(() => influx.count('wp', 'seqtest', 'n', `"run"='restart'`), 1200, 30_000);
  t.equal(n, 1200, 'the restarted agent sent its backlog');
  await agent.close();
});

t.test('collector SIGKILLed and restarted mid-stream: zero points lost', async (t) => {
  const { influx, col, dir } = await setup(t);
  const agent = new SimAgent({ url: col.wsUrl, token: col.token, dir, run: 'kill' });
  const streaming = agent.stream(2000, 6);
  await new Promise((r) => setTimeout(r, 2000));
  await col.stop('SIGKILL');
  await new Promise((r) => setTimeout(r, 1000));
  await col.start();
  await streaming;
  const produced = agent.produced;
  const n = await waitForCount(() => influx.count('wp', 'seqtest', 'n', `"run"='kill'`), produced, 40_000);
  t.equal(n, produced, `all ${produced} points arrived despite the SIGKILL`);
  t.ok(agent.transport.stats.connects >= 2, 'the agent reconnected');
  await agent.close();
});

t.test('influxd down for 30 s mid-stream: spooled and replayed, zero lost', async (t) => {
  const { influx, col, dir } = await setup(t);
  const agent = new SimAgent({ url: col.wsUrl, token: col.token, dir, run: 'outage' });
  const streaming = agent.stream(1000, 36);
  await new Promise((r) => setTimeout(r, 3000));
  await influx.stop();
  const downAt = Date.now();
  await new Promise((r) => setTimeout(r, 5000));
  const health = (await (await fetch(`${col.url}/healthz`)).json()) as { influxdb: string; spool_points: number };
  t.equal(health.influxdb, 'down', 'healthz reports InfluxDB down');
  t.ok(health.spool_points > 0, `points wait in the spool (${health.spool_points})`);
  while (Date.now() - downAt < 30_000) await new Promise((r) => setTimeout(r, 250));
  await influx.restart();
  await streaming;
  const produced = agent.produced;
  const n = await waitForCount(() => influx.count('wp', 'seqtest', 'n', `"run"='outage'`), produced, 60_000);
  t.equal(n, produced, `all ${produced} points arrived after the outage`);
  const sum = await influx.query(`SELECT SUM("n") FROM "seqtest" WHERE "run"='outage'`, 'wp');
  t.equal(sum[0]?.values[0]?.[1], ((produced - 1) * produced) / 2, 'none twice, none missing');
  await agent.close();
});
