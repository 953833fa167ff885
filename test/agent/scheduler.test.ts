import t from 'tap';
import { Scheduler, type SampleSink } from '../../agent/scheduler.ts';
import { ProbeError, type ProbeBaseConfig } from '../../agent/probes/probe.ts';
import type { Sample } from '../../protocol/sample.ts';
import { silentLogger } from '../../lib/log.ts';

function sink() {
  const got: Sample[] = [];
  const s: SampleSink = { push: (samples) => got.push(...samples) };
  return { s, got };
}

const cfg = (over: Partial<ProbeBaseConfig> = {}): ProbeBaseConfig => ({ kind: 'test', interval_s: 0.05, timeout_ms: 1000, jitter_pct: 0, tags: {}, ...over });

t.test('self-metrics record success, duration and samples', async (t) => {
  const { s, got } = sink();
  const sch = new Scheduler({ sink: s, host: 'h' });
  sch.add({
    name: 'p',
    config: cfg({ tags: { floor: '3' } }),
    log: silentLogger,
    probe: { collect: async () => [{ measurement: 'x', tags: {}, fields: { v: 1 }, time: 1 }] },
  });
  await sch.runNow('p');
  t.equal(got.length, 2);
  t.equal(got[0]!.tags.floor, '3', 'probe tags are added');
  const self = got[1]!;
  t.equal(self.measurement, 'watchpost_probe');
  t.same(self.tags, { host: 'h', probe: 'p', kind: 'test' });
  t.equal(self.fields.success, true);
  t.equal(self.fields.samples, 1n);
  t.equal(self.fields.runs_total, 1n);
});

t.test('a run that overstays its timeout is aborted and classed as timeout', async (t) => {
  const { s, got } = sink();
  const sch = new Scheduler({ sink: s, host: 'h' });
  let sawAbort = false;
  sch.add({
    name: 'slow',
    config: cfg({ timeout_ms: 50 }),
    log: silentLogger,
    probe: {
      collect: (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
          });
          setTimeout(() => resolve([]), 2000).unref();
        }),
    },
  });
  const t0 = Date.now();
  await sch.runNow('slow');
  t.ok(Date.now() - t0 < 1900, 'the run ended at its timeout, long before the probe would have');
  t.ok(sawAbort, 'the probe saw its signal abort');
  t.equal(got[0]!.fields.error_class, 'timeout');
  t.equal(sch.stats('slow')!.timeouts, 1);
});

t.test('errors are counted by class', async (t) => {
  const { s, got } = sink();
  const sch = new Scheduler({ sink: s, host: 'h' });
  let i = 0;
  sch.add({
    name: 'e',
    config: cfg(),
    log: silentLogger,
    probe: {
      collect: async () => {
        i++;
        if (i === 1) throw new ProbeError('not_found', 'tool missing');
        throw Object.assign(new Error('x'), { code: 'EACCES' });
      },
    },
  });
  await sch.runNow('e');
  await sch.runNow('e');
  t.same(sch.stats('e')!.errorsByClass, { not_found: 1, permission: 1 });
  const last = got.at(-1)!;
  t.equal(last.fields.errors_not_found_total, 1n, 'self-metrics carry errors by class');
  t.equal(last.fields.errors_permission_total, 1n);
});

t.test('runs never overlap: a run still going when the next is due is skipped', async (t) => {
  const { s } = sink();
  const sch = new Scheduler({ sink: s, host: 'h' });
  let concurrent = 0;
  let maxConcurrent = 0;
  sch.add({
    name: 'o',
    config: cfg({ interval_s: 0.02, timeout_ms: 5000 }),
    log: silentLogger,
    probe: {
      collect: async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 120));
        concurrent--;
        return [];
      },
    },
  });
  await sch.start();
  await new Promise((r) => setTimeout(r, 400));
  await sch.stop();
  t.equal(maxConcurrent, 1);
  t.ok(sch.stats('o')!.skipped >= 1, `skipped ${sch.stats('o')!.skipped}`);
  t.ok(sch.stats('o')!.runs >= 2);
});

t.test('jitter spreads the first run within the jitter window', async (t) => {
  const { s, got } = sink();
  const sch = new Scheduler({ sink: s, host: 'h', random: () => 0.99 });
  sch.add({ name: 'j', config: cfg({ interval_s: 1, jitter_pct: 30 }), log: silentLogger, probe: { collect: async () => [] } });
  const t0 = Date.now();
  await sch.start();
  while (!got.length) await new Promise((r) => setTimeout(r, 10));
  const waited = Date.now() - t0;
  await sch.stop();
  t.ok(waited >= 290, `first run after ${waited} ms, not before 0.99 × 300 ms`);
  t.ok(waited < 5000, 'and not a whole interval-sized delay later');
});
