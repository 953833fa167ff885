import t from 'tap';
import { lazyProbe, type Probe } from '../../../agent/probes/probe.ts';

t.test('lazyProbe loads the implementation once, on start or first collect, and delegates', async (t) => {
  let loads = 0;
  const calls: string[] = [];
  const impl: Probe = {
    async start() {
      calls.push('start');
    },
    async collect() {
      calls.push('collect');
      return [{ measurement: 'm', tags: {}, fields: { v: 1 }, time: 1 }];
    },
    async close() {
      calls.push('close');
    },
  };
  const p = lazyProbe(async () => {
    loads++;
    return impl;
  });
  t.equal(loads, 0, 'creating it loads nothing');
  await p.start!();
  const s = await p.collect(new AbortController().signal);
  await p.collect(new AbortController().signal);
  await p.close!();
  t.equal(loads, 1, 'loaded once');
  t.same(calls, ['start', 'collect', 'collect', 'close']);
  t.equal(s[0]!.measurement, 'm');

  let never = 0;
  const unused = lazyProbe(async () => {
    never++;
    return impl;
  });
  await unused.close!();
  t.equal(never, 0, 'closing a probe that never ran loads nothing');

  const broken = lazyProbe(() => import('./does-not-exist.ts' as string) as Promise<Probe>);
  await t.rejects(broken.collect(new AbortController().signal), 'a failing import fails the run, as a broken probe does');
  const noStart = lazyProbe(async () => ({ collect: async () => [] }));
  await noStart.start!();
  t.same(await noStart.collect(new AbortController().signal), [], 'an implementation without start() is fine');
});
