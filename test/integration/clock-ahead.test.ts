import t from 'tap';
import { Outbox } from '../../agent/outbox.ts';
import { Transport } from '../../agent/transport.ts';
import { startCollector } from '../../collector/main.ts';
import { parseConfig } from '../../config/load.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { silentLogger } from '../../lib/log.ts';
import { removeDir, tempDir, waitFor } from '../peers/util.ts';

// Issue 22, finding 9: samples more than max_future_s ahead were rejected but acked, so the
// agent deleted them. Now the batch is refused with a reason the agent logs, and the agent
// keeps it until the clocks agree.

function warnings(): { log: typeof silentLogger; lines: { msg: string; obj: Record<string, unknown> }[] } {
  const lines: { msg: string; obj: Record<string, unknown> }[] = [];
  const make = (): typeof silentLogger =>
    ({
      warn: (obj: unknown, msg?: string) => lines.push({ msg: String(msg ?? obj), obj: typeof obj === 'object' ? (obj as Record<string, unknown>) : {} }),
      info: () => {},
      debug: () => {},
      error: () => {},
      trace: () => {},
      child: () => make(),
    }) as unknown as typeof silentLogger;
  return { log: make(), lines };
}

t.test('a batch stamped an hour ahead is refused, kept by a real agent, and taken once the clocks agree', async (t) => {
  const dir = tempDir('clock-ahead');
  let clock = Date.now();
  const cfg = parseConfig(JSON.stringify({ collector: { listen_port: 0, data_dir: dir }, ingest: { max_future_s: 600 } }), 'test', collectorConfigSchema);
  const col = await startCollector(cfg, silentLogger, { modules: [], now: () => clock });
  const { token } = col.ctx.agents.enroll('pc-0401', 'test');
  const outbox = new Outbox({ dir: ':memory:', maxBytes: 1e7, maxAgeMs: 1e10, whenFull: 'drop_oldest' });
  const agentLog = warnings();
  const transport = new Transport(
    { url: col.url, token, heartbeatMs: 5000, maxInFlight: 4, reconnectMinMs: 50, reconnectMaxMs: 400, agentVersion: 'test', probes: [], log: agentLog.log },
    outbox,
  );
  t.teardown(async () => {
    await transport.close();
    outbox.close();
    await col.stop();
    removeDir(dir);
  });
  const ahead = Date.now() + 3600_000;
  outbox.append(Array.from({ length: 25 }, (_, i) => ({ measurement: 'clock_test', tags: {}, fields: { v: i }, time: ahead + i })));
  transport.start();

  await waitFor('the agent hears why', async () => agentLog.lines.some((l) => /clock is ahead/.test(l.msg)), 10_000);
  const why = agentLog.lines.find((l) => /clock is ahead/.test(l.msg))!;
  t.match(String(why.obj.message), /25 samples are stamped more than 600 s ahead of the collector's clock: batch refused and kept by the agent/);
  await new Promise((r) => setTimeout(r, 500));
  t.equal(outbox.stats().samples, 25, 'all 25 samples are still in the outbox');
  const metrics = await (await fetch(`${col.url}/metrics`)).text();
  t.match(metrics, /watchpost_ingest_points_rejected_total\{reason="future_timestamp_batch"\} \d+/, 'counted at the collector');
  t.notMatch(metrics, /watchpost_ingest_points_total\{source="agent"\} [1-9]/, 'nothing of it went into the spool');

  // The collector's clock catches up (or the agent's is fixed): the kept batch goes in.
  clock += 3600_000;
  await waitFor('the batch is acked', async () => outbox.stats().samples === 0, 15_000);
  t.match(await (await fetch(`${col.url}/metrics`)).text(), /watchpost_ingest_points_total\{source="agent"\} 25/, 'all 25 accepted');
});

t.test('samples far in the past are taken, counted and logged', async (t) => {
  const dir = tempDir('clock-behind');
  const cfg = parseConfig(JSON.stringify({ collector: { listen_port: 0, data_dir: dir }, ingest: { warn_past_s: 3600 } }), 'test', collectorConfigSchema);
  const log = warnings();
  const col = await startCollector(cfg, log.log, { modules: [] });
  t.teardown(async () => {
    await col.stop();
    removeDir(dir);
  });
  const r = col.ctx.ingest.accept({ kind: 'agent', name: 'pc-0402', tags: {} }, [
    { measurement: 'm', tags: {}, fields: { v: 1 }, time: Date.now() - 2 * 3600_000 },
    { measurement: 'm', tags: {}, fields: { v: 2 }, time: Date.now() - 3 * 3600_000 },
    { measurement: 'm', tags: {}, fields: { v: 3 }, time: Date.now() },
  ]);
  t.equal(r.accepted, 3, 'all three taken');
  t.match(await (await fetch(`${col.url}/metrics`)).text(), /watchpost_ingest_points_past_total\{source="agent"\} 2/);
  const w = log.lines.find((l) => /far in the past/.test(l.msg));
  t.ok(w, 'a warning');
  t.equal(w?.obj.points, 2);
});
