import t from 'tap';
import { createCablingRegister, type CablingRegister } from '../../../collector/cabling/register.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import type { Event } from '../../../protocol/sample.ts';
import type { FdbEntry, PortmapSnapshot } from '../../../lib/portmap-snapshot.ts';

// The register's rules on snapshots written by hand (a state DB in memory): what the
// recording-driven test in register.test.ts cannot stage.
const H = 3600_000;
const T0 = Date.UTC(2026, 11, 1);
const entry = (mac: string, port: number, edge = true, vlan: number | null = 10): FdbEntry => ({
  mac,
  vlan,
  ifIndex: port,
  ifName: `GE0/0/${port}`,
  bridgePort: port,
  source: 'qbridge',
  edge,
});
const snap = (device: string, time: number, entries: FdbEntry[], over: Partial<PortmapSnapshot> = {}): PortmapSnapshot => ({
  version: 1,
  device,
  host: device,
  time,
  up: true,
  errorClass: null,
  sysName: device,
  vendor: 'huawei',
  bridgeMac: null,
  ports: [...new Set(entries.map((e) => e.ifIndex))].map((i) => ({
    ifIndex: i,
    ifName: `GE0/0/${i}`,
    ifAlias: '',
    operStatus: 'up',
    speedMbps: 1000,
    pvid: 10,
    aggregate: null,
    trunk: false,
    macCount: 1,
    edge: true,
    reasons: [],
    neighbors: [],
  })),
  entries,
  arp: [],
  uplinks: [],
  vlanErrors: [],
  ...over,
});
const setup = (): { r: CablingRegister; events: Event[] } => {
  const events: Event[] = [];
  const r = createCablingRegister(openStateDb(':memory:'), {
    identity: { vendor: () => '', device: () => undefined, addressesOf: () => [] },
    emit: (e) => events.push(...e),
    lostAfterMs: 24 * H,
  });
  return { r, events };
};
const kinds = (e: Event[]) => e.map((x) => `${x.kind} ${String(x.attrs.port ?? '')}`);

t.test('an older snapshot arriving late does not move a device back', async (t) => {
  const { r } = setup();
  r.ingest('a', snap('sw1', T0, [entry('02:00:00:00:00:01', 1)]), T0);
  t.equal(r.ingest('a', snap('sw1', T0 + 2 * H, [entry('02:00:00:00:00:01', 2)]), T0).moved, 1);
  t.equal(r.ingest('a', snap('sw1', T0 + H, [entry('02:00:00:00:00:01', 1)]), T0).moved, 0, 'the sighting from before the move');
  t.equal(r.search('02:00:00:00:00:01')[0]!.port, 'GE0/0/2');
});

t.test('a port is lost only when nothing else is on it; a switch that did not answer changes nothing', async (t) => {
  const { r, events } = setup();
  r.ingest('a', snap('sw1', T0, [entry('02:00:00:00:00:01', 1), entry('02:00:00:00:00:02', 3)]), T0);
  // The PC on GE0/0/1 is replaced by another one; the one on GE0/0/3 is gone.
  r.ingest('a', snap('sw1', T0 + 12 * H, [entry('02:00:00:00:00:09', 1)]), T0);
  t.same(
    r.ingest('a', snap('sw1', T0 + 25 * H, [], { up: false, errorClass: 'timeout' }), T0),
    { attached: 0, moved: 0, lost: 0, unknown: 0, events: [] },
    'down: no losses',
  );
  events.length = 0;
  const s = r.ingest('a', snap('sw1', T0 + 25 * H, [entry('02:00:00:00:00:09', 1)]), T0);
  t.equal(s.lost, 1);
  t.same(kinds(events), ['cabling_port_lost_device GE0/0/3'], 'GE0/0/1 has its new device: only GE0/0/3 lost one');
  t.equal(r.ingest('a', snap('sw1', T0 + 26 * H, [entry('02:00:00:00:00:09', 1)]), T0).lost, 0, 'reported once');
  t.same(r.ports('sw1').find((p) => p.port === 'GE0/0/3')!.nodes, [], 'and no longer listed on its port');
  t.equal(r.ingest('a', snap('sw1', T0 + 27 * H, [entry('02:00:00:00:00:02', 3)]), T0).lost, 0, 'back again');
  t.equal(r.ports('sw1').find((p) => p.port === 'GE0/0/3')!.nodes.length, 1);
});

t.test('only edge entries place devices; one MAC in two VLANs on one port is one device', async (t) => {
  const { r, events } = setup();
  const s = r.ingest(
    'a',
    snap('sw1', T0, [entry('02:00:00:00:00:01', 1, true, 10), entry('02:00:00:00:00:01', 1, true, 20), entry('02:00:00:00:00:05', 48, false)]),
    T0,
  );
  t.same([s.attached, s.unknown], [1, 1]);
  t.same(kinds(events), ['cabling_unknown_device GE0/0/1']);
  t.same(r.search('02:00:00:00:00:05'), [], 'a MAC seen only behind an uplink is on no port');
});

t.test('a device moving between switches is a move with both ends', async (t) => {
  const { r, events } = setup();
  r.ingest('a', snap('sw1', T0, [entry('02:00:00:00:00:01', 1)]), T0);
  r.ingest('b', snap('sw2', T0 + H, [entry('02:00:00:00:00:01', 7)]), T0);
  const m = events.find((e) => e.kind === 'cabling_device_moved')!;
  t.same([m.target, m.attrs.from_switch, m.attrs.from_port, m.attrs.port], ['sw2', 'sw1', 'GE0/0/1', 'GE0/0/7']);
  t.same(
    r.history('02-00-00-00-00-01').map((x) => `${x.from_switch}/${x.from_port} -> ${x.to_switch}/${x.to_port}`),
    ['sw1/GE0/0/1 -> sw2/GE0/0/7'],
  );
  t.same(
    r.inspect('sw1', T0).changed.map((c) => c.change),
    ['moved_out'],
    'sw1 shows the move away (the device is on sw2 now)',
  );
  t.same(
    r.inspect('sw2', T0).changed.map((c) => c.change),
    ['moved_in'],
  );
});
