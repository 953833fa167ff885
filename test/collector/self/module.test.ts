import t from 'tap';
import { sumFamilies } from '../../../collector/self/module.ts';
import { startDemoPipeline } from '../../peers/demo-pipeline.ts';
import { waitFor } from '../../peers/util.ts';

t.test('sumFamilies adds every labelled series of a family', async (t) => {
  const m = sumFamilies(
    '# HELP a x\n# TYPE a counter\na{reason="x y"} 2\na{reason="z"} 3\nb 7\nc{l="1"} NaN\n',
  );
  t.equal(m.get('a'), 5);
  t.equal(m.get('b'), 7);
  t.notOk(m.has('c'), 'non-numbers are skipped');
});

t.test('the collector writes watchpost_collector and watchpost_agent into InfluxDB', async (t) => {
  const p = await startDemoPipeline({ modules: ['self'], selfMetrics: { intervalMs: 200, instance: 'test-collector' } });
  t.teardown(() => p.stop());
  const q = (s: string) => p.influx.query(s, p.database);
  // Until the agent's hello is processed the agent shows as not connected; wait for the flip.
  await waitFor(
    'watchpost_agent connected=1',
    async () => (await q(`SELECT last("connected") FROM "watchpost_agent" WHERE "agent"='${p.agentName}'`))[0]?.values[0]?.[1] === 1,
    20_000,
  );
  const agentRow = await q(`SELECT last("connected"), last("last_seen_s"), last("version"), last("hostname") FROM "watchpost_agent" WHERE "agent"='${p.agentName}'`);
  const [, connected, lastSeen, version] = agentRow[0]!.values[0]! as [string, number, number, string];
  t.equal(connected, 1);
  t.ok(Math.abs(lastSeen - Date.now() / 1000) < 30, 'last_seen_s is an epoch second close to now');
  t.match(version, /^\d+\.\d+\.\d+/, 'the agent version from its hello');
  const tags = await q(`SHOW TAG VALUES FROM "watchpost_agent" WITH KEY = "building"`);
  t.same(tags[0]?.values, [['building', 'A']], 'agent points carry the inventory location');
  await waitFor(
    'points_total > 0',
    async () => Number((await q(`SELECT last("points_total") FROM "watchpost_collector" WHERE "instance"='test-collector'`))[0]?.values[0]?.[1] ?? 0) > 0,
    20_000,
  );
  const col = await q(`SELECT last("influx_up"), last("agents_connected"), max("points_per_s"), last("spool_points"), last("write_errors_total"), last("bad_frames_total") FROM "watchpost_collector"`);
  const [, influxUp, agents, rate, spool, errs, bad] = col[0]!.values[0]! as number[];
  t.equal(influxUp, 1, 'influx_up');
  t.equal(agents, 1, 'agents_connected');
  t.ok(rate! > 0, `points_per_s measured (${rate})`);
  t.ok(spool! >= 0);
  t.equal(errs, 0);
  t.equal(bad, 0);
  const types = await q(`SHOW FIELD KEYS FROM "watchpost_collector"`);
  const byField = Object.fromEntries(types[0]!.values.map((v) => [v[0], v[1]]));
  t.equal(byField.points_total, 'integer', 'counters are integers as the catalogue says');
  t.equal(byField.points_per_s, 'float');

  // A revoked agent is not reported; tick() returns exactly what it ingests.
  p.collector.ctx.agents.enroll('gone', 'test');
  p.collector.ctx.agents.revoke('gone', 'test');
  const self = p.collector.modules.self!;
  const samples = self.tick();
  t.equal(samples[0]?.measurement, 'watchpost_collector');
  t.same(samples.filter((s) => s.measurement === 'watchpost_agent').map((s) => s.tags.agent), [p.agentName]);
});
