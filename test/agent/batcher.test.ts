import t from 'tap';
import { Batcher } from '../../agent/batcher.ts';
import type { Outbox } from '../../agent/outbox.ts';
import type { Sample } from '../../protocol/sample.ts';

t.test("the agent's tags: all of them on its own host's samples, its location not on samples about other devices", async (t) => {
  const got: Sample[] = [];
  const outbox = { append: (s: Sample[]) => (got.push(...s), 1) } as unknown as Outbox;
  const b = new Batcher(outbox, { maxSamples: 100, flushMs: 10_000, tags: { building: 'A', floor: '1', room: 'IT', customer: 'hq' } });
  const s = (measurement: string, tags: Record<string, string>): Sample => ({ measurement, tags, fields: { v: 1 }, time: 1 });
  b.push(
    [
      s('cpu', { host: 'poller' }),
      s('disk', { host: 'poller', device: 'sda1' }),
      s('ping', { host: 'poller', url: '10.3.1.21' }),
      s('snmp_device', { device: 'sw-a-3f-01' }),
      s('camera', { camera: 'cam-1', floor: '2' }),
    ],
    [],
  );
  b.flush();
  t.same(
    got.map((x) => x.tags),
    [
      { host: 'poller', building: 'A', floor: '1', room: 'IT', customer: 'hq' },
      { host: 'poller', device: 'sda1', building: 'A', floor: '1', room: 'IT', customer: 'hq' },
      { host: 'poller', url: '10.3.1.21', customer: 'hq' },
      { device: 'sw-a-3f-01', customer: 'hq' },
      { camera: 'cam-1', floor: '2', customer: 'hq' },
    ],
  );
});
