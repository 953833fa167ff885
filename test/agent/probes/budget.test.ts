import pino from 'pino';
import t from 'tap';
import { Scheduler } from '../../../agent/scheduler.ts';
import { probes } from '../../../agent/probes/all/index.ts';
import { schemaOf } from '../../../agent/probes/all/schemas.ts';
import { pingBudget, pingProbe } from '../../../agent/probes/ping/probe.ts';
import { pingSchema } from '../../../agent/probes/ping/schema.ts';
import type { Sample } from '../../../protocol/sample.ts';

t.test('office-machine probes declare a cost budget; the scheduler reports it and counts runs over it', async (t) => {
  for (const kind of ['host', 'ping', 'patches', 'antivirus']) {
    const def = probes.find((p) => p.kind === kind)!;
    const cfg = schemaOf(kind)!.parse({ kind, ...(kind === 'ping' ? { targets: ['127.0.0.1'] } : {}) }) as never;
    t.ok(def.budget!(cfg).run_ms > 0, `${kind} declares a budget`);
  }
  const big = pingSchema.parse({ kind: 'ping', targets: Array.from({ length: 1000 }, (_, i) => `h${i}`) });
  t.ok(pingBudget(big).run_ms < big.timeout_ms, '1000 targets fit in the default timeout with fping');
  t.ok(pingBudget(big).run_ms > pingBudget(pingSchema.parse({ kind: 'ping', targets: ['a'] })).run_ms);
  t.equal(pingProbe.budget, pingBudget);

  const got: Sample[] = [];
  const sched = new Scheduler({ sink: { push: (s) => got.push(...s) }, host: 'h' });
  let delay = 0;
  sched.add({
    name: 'slow',
    config: { kind: 'test', interval_s: 3600, timeout_ms: 5000, jitter_pct: 0, tags: {} },
    probe: { collect: () => new Promise((r) => setTimeout(() => r([]), delay)) },
    log: pino({ level: 'silent' }),
    budgetMs: 1000,
  });
  await sched.runNow('slow');
  delay = 1100; // a generous budget: an immediate run stays under it even on a loaded machine
  await sched.runNow('slow');
  await sched.stop();
  const self = got.filter((s) => s.measurement === 'watchpost_probe');
  t.match(self[0]!.fields, { budget_ms: 1000, over_budget_total: 0n });
  t.match(self[1]!.fields, { budget_ms: 1000, over_budget_total: 1n });
});

t.test('every probe kind has a config schema and every schema a probe', async (t) => {
  const { probeSchemas } = await import('../../../agent/probes/all/schemas.ts');
  t.same(Object.keys(probeSchemas).sort(), probes.map((p) => p.kind).sort());
  for (const p of probes) t.equal(schemaOf(p.kind)!.safeParse({ kind: 'no-such-kind' }).success, false, `${p.kind}'s schema checks the kind`);
  t.equal(schemaOf('toString'), undefined, 'no schema for names of Object.prototype');
});
