import t from 'tap';
import { hostProbe } from '../../agent/probes/host/probe.ts';
import { hostSchema } from '../../agent/probes/host/schema.ts';
import { probeByKind } from '../../agent/probes/all/index.ts';
import { probeSchemas } from '../../agent/probes/all/schemas.ts';
import type { ProbeContext } from '../../agent/probes/probe.ts';
import { silentLogger } from '../../lib/log.ts';
import { removeDir, tempDir } from '../peers/util.ts';

// agent.name is the agent's `host` everywhere (Telegraf's agent.hostname): the host and ping
// probes tag with it, as the scheduler's watchpost_probe does, not with os.hostname().
t.test('probes tag samples with the agent name given in their context', async (t) => {
  const dir = tempDir('hosttag');
  t.teardown(() => removeDir(dir));
  const ctx: ProbeContext = { log: silentLogger, now: Date.now, emitEvent() {}, emitSamples() {}, stateDir: dir, host: 'office-pc-0301' };
  const host = hostProbe.create(hostSchema.parse({ kind: 'host' }), ctx);
  const samples = await host.collect(AbortSignal.timeout(20_000));
  await host.close?.();
  t.ok(samples.length > 0);
  t.same([...new Set(samples.map((s) => s.tags.host))], ['office-pc-0301']);
  const pingDef = probeByKind('ping')!;
  const ping = pingDef.create(probeSchemas.ping.parse({ kind: 'ping', targets: ['127.0.0.1'], count: 1 }), ctx);
  const ps = await ping.collect(AbortSignal.timeout(20_000));
  t.equal(ps.find((s) => s.measurement === 'ping')?.tags.host, 'office-pc-0301');
});
