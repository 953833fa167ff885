import t from 'tap';
import { inferEdges } from '../../../agent/probes/portmap/infer.ts';
import { ipv6, type DeviceTables, type RawEntry } from '../../../agent/probes/portmap/read.ts';

// Edge inference on tables written by hand for what no recording holds: an Eth-Trunk with two
// members, a duplicate entry without VLAN, and the MAC-count threshold.
const ifs = (n: [number, string][]) =>
  new Map(n.map(([i, name]) => [i, { ifIndex: i, ifName: name, ifAlias: '', operStatus: 'up', speedMbps: 1000, lag: /^Eth-Trunk/.test(name) }]));
const tables = (entries: RawEntry[], over: Partial<DeviceTables> = {}): DeviceTables => ({
  sysName: 'sw',
  vendor: 'huawei',
  bridgeMac: '00:00:00:00:00:aa',
  interfaces: ifs([
    [1, 'GE0/0/1'],
    [2, 'GE0/0/2'],
    [3, 'GE0/0/3'],
    [4, 'GE0/0/4'],
    [40, 'Eth-Trunk1'],
  ]),
  bridgePorts: new Map([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
  ]),
  entries,
  arp: [],
  neighbors: new Map(),
  aggregateOf: new Map([
    [3, 40],
    [4, 40],
  ]),
  trunks: new Set(),
  pvid: new Map(),
  ciscoVlans: [],
  ...over,
});
const e = (mac: string, bridgePort: number, vlan: number | null = 10, source: RawEntry['source'] = 'qbridge'): RawEntry => ({
  mac,
  vlan,
  bridgePort,
  ifIndex: null,
  source,
});

t.test('aggregate members are judged as their aggregate, which is an uplink', async (t) => {
  const r = inferEdges(tables([e('00:00:00:00:00:01', 1), e('00:00:00:00:00:02', 3), e('00:00:00:00:00:03', 4)]), new Set(), 4);
  t.same(
    r.entries.map((x) => [x.mac, x.ifName, x.edge]),
    [
      ['00:00:00:00:00:01', 'GE0/0/1', true],
      ['00:00:00:00:00:02', 'GE0/0/3', false],
      ['00:00:00:00:00:03', 'GE0/0/4', false],
    ],
  );
  t.same(r.uplinks, ['Eth-Trunk1'], 'the aggregate, not its members');
  const m = r.ports.find((p) => p.ifIndex === 3)!;
  t.same([m.aggregate, m.macCount, m.reasons], [40, 2, ['aggregate']]);
});

t.test('an entry without VLAN gives way to the same MAC and port with one; the switch itself is not a neighbour', async (t) => {
  const r = inferEdges(
    tables([e('00:00:00:00:00:01', 1, 10), e('00:00:00:00:00:01', 1, null, 'bridge'), e('00:00:00:00:00:aa', 2, null, 'bridge')]),
    new Set(['00:00:00:00:00:aa']),
    4,
  );
  t.same(
    r.entries.map((x) => `${x.mac} ${x.vlan} ${x.source} ${x.edge}`),
    ['00:00:00:00:00:01 10 qbridge true', '00:00:00:00:00:aa null bridge true'],
  );
});

t.test('group addresses (multicast, broadcast) and all-zero MACs are not stations', async (t) => {
  const r = inferEdges(tables([e('01:00:5e:00:00:fb', 1), e('ff:ff:ff:ff:ff:ff', 1), e('00:00:00:00:00:00', 1), e('02:00:00:00:00:01', 1)]), new Set(), 4);
  t.same(
    r.entries.map((x) => x.mac),
    ['02:00:00:00:00:01'],
  );
});

t.test('max_macs_edge: four MACs are an edge port, five are not', async (t) => {
  const macs = (n: number) => Array.from({ length: n }, (_, i) => e(`00:00:00:00:01:0${i}`, 1));
  t.equal(inferEdges(tables(macs(4)), new Set(), 4).ports.find((p) => p.ifIndex === 1)!.edge, true);
  const five = inferEdges(tables(macs(5)), new Set(), 4).ports.find((p) => p.ifIndex === 1)!;
  t.same([five.edge, five.macCount, five.reasons], [false, 5, ['too_many_macs']]);
});

t.test('without dot1dBasePortIfIndex, bridge ports are taken as ifIndexes; unmapped ports are dropped', async (t) => {
  const r = inferEdges(tables([e('00:00:00:00:00:01', 2), e('00:00:00:00:00:02', 9)], { bridgePorts: new Map(), aggregateOf: new Map() }), new Set(), 4);
  t.same(
    r.entries.map((x) => [x.mac, x.ifIndex]),
    [['00:00:00:00:00:01', 2]],
  );
});

t.test('ipNetToPhysicalTable IPv6 addresses print as RFC 5952 text', async (t) => {
  const b = (s: string) => s.split(':').flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
  const cases: [string, string][] = [
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:1:2:3:4:5:0', '2001:db8:1:2:3:4:5:0'],
    ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'],
  ];
  for (const [full, text] of cases) t.equal(ipv6(b(full)), text, full);
});
