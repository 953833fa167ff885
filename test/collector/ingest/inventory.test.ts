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

t.test("an inventory device's location replaces the agent's tags; the agent's tags apply to its own host only", async (t) => {
  // The agent wrote floor/room into the sample (its `tags:`): the inventory's location replaces them whole.
  const x = s({ host: 'pc-0301', room: 'server room', floor: '1' });
  inv.enrich(x, { site: 'ignored', building: 'ignored', zone: 'east' });
  t.same(x.tags, { host: 'pc-0301', device_kind: 'pc', site: 'hq', building: 'A', floor: '3', room: '301', zone: 'east' });
  const y = s({ host: 'unknown-pc' });
  inv.enrich(y, { building: 'C' });
  t.same(y.tags, { host: 'unknown-pc', building: 'C' }, "the agent's own host (not in the inventory) takes its tags");
  const z = s({ host: 'poller', url: '10.77.0.9' });
  inv.enrich(z, { building: 'C', zone: 'east' });
  t.same(z.tags, { host: 'poller', url: '10.77.0.9', zone: 'east' }, 'an unregistered pinged address gets no location from the poller');
  const w = s({ device: '10.9.0.2', floor: '1', room: 'IT' });
  inv.enrich(w, { floor: '1' });
  t.same(
    w.tags,
    { device: '10.9.0.2', device_kind: 'switch', site: 'hq', building: 'B', shaft: 'B-2', role: 'distribution' },
    'a switch polled by its address: the inventory location only',
  );
  const d = s({ host: 'pc-0301', device: 'sda1', path: '/' });
  inv.enrich(d, {});
  t.equal(d.tags.room, '301', "a disk's device tag names no device: the sample is about its host");
  t.equal(inv.device('10.9.0.2')?.name, 'sw-b-shaft2');
});

t.test('addresses: a list, URL hosts, names before addresses', async (t) => {
  const i = new Inventory([
    { name: 'pc-0301', kind: 'pc', address: ['10.3.1.21', 'pc-0301.office.lan'], floor: '3' },
    { name: 'cam-1', kind: 'camera', address: 'pc-0301', floor: '1' },
  ]);
  t.equal(i.device('10.3.1.21')?.name, 'pc-0301');
  t.equal(i.device('pc-0301.office.lan')?.name, 'pc-0301');
  t.equal(i.device('http://10.3.1.21:8080/onvif/device_service')?.name, 'pc-0301');
  t.equal(i.device('rtsp://admin:pw@10.3.1.21/stream')?.name, 'pc-0301');
  t.equal(i.device('pc-0301')?.name, 'pc-0301', "a name is never shadowed by another device's address");
  t.equal(i.device('10.3.1.22'), undefined);
  t.equal(i.nameOf('10.3.1.21'), 'pc-0301');
  t.equal(i.nameOf('10.3.1.22'), '10.3.1.22');
});

import { attrsForInflux } from '../../../collector/ingest/ingest.ts';

t.test('bulky event attributes stay out of InfluxDB, small ones are kept', async (t) => {
  t.equal(attrsForInflux({ a: 1, b: 'x' }), '{"a":1,"b":"x"}');
  const big = JSON.parse(attrsForInflux({ device: 'sw1', config_0: 'x'.repeat(8000), config_1: 'y'.repeat(8000), config_2: 'z'.repeat(8000), lines: 900 }));
  t.same(big, { device: 'sw1', lines: 900, truncated: true });
});
