import t from 'tap';
import { Inventory } from '../../../collector/ingest/inventory.ts';
import type { Sample } from '../../../protocol/sample.ts';

const inv = new Inventory([
  { name: 'pc-0301', kind: 'pc', site: 'hq', building: 'A', floor: '3', room: '301' },
  { name: 'sw-b-shaft2', kind: 'switch', address: '10.9.0.2', site: 'hq', building: 'B', shaft: 'B-2', role: 'distribution' },
]);
const s = (tags: Record<string, string>): Sample => ({ measurement: 'm', tags, fields: { v: 1 }, time: 1 });

t.test('a ping sample takes the location of the device pinged, not of the pinging PC', async (t) => {
  const x = s({ host: 'pc-0301', url: '10.9.0.2' });
  inv.enrich(x, {});
  t.match(x.tags, { building: 'B', shaft: 'B-2', device_kind: 'switch', role: 'distribution' });
  t.notOk(x.tags.floor);
});

t.test('host tags match when no target tag names a device; existing tags win; agent tags fill gaps', async (t) => {
  const x = s({ host: 'pc-0301', room: 'server room' });
  inv.enrich(x, { site: 'ignored', building: 'ignored', zone: 'east' });
  t.same(x.tags, { host: 'pc-0301', room: 'server room', device_kind: 'pc', site: 'hq', building: 'A', floor: '3', zone: 'east' });
  const y = s({ host: 'unknown-pc' });
  inv.enrich(y, { building: 'C' });
  t.same(y.tags, { host: 'unknown-pc', building: 'C' });
  t.equal(inv.device('10.9.0.2')?.name, 'sw-b-shaft2');
});

import { attrsForInflux } from '../../../collector/ingest/ingest.ts';

t.test('bulky event attributes stay out of InfluxDB, small ones are kept', async (t) => {
  t.equal(attrsForInflux({ a: 1, b: 'x' }), '{"a":1,"b":"x"}');
  const big = JSON.parse(attrsForInflux({ device: 'sw1', config_0: 'x'.repeat(8000), config_1: 'y'.repeat(8000), config_2: 'z'.repeat(8000), lines: 900 }));
  t.same(big, { device: 'sw1', lines: 900, truncated: true });
});
