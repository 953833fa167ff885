import t from 'tap';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createClient, type SnmpTarget } from '../../../agent/probes/snmp/client.ts';
import { createPortmapProbe, PORTMAP_DOCUMENT } from '../../../agent/probes/portmap/probe.ts';
import { portmapSchema } from '../../../agent/probes/portmap/schema.ts';
import type { PortmapSnapshot } from '../../../lib/portmap-snapshot.ts';
import { FIXTURES } from '../../peers/util.ts';
import { snmpBulkWalk, startSnmpsim, walkHexToMac, type SnmpSim } from '../../peers/snmpsim.ts';
import { silentLogger } from '../../../lib/log.ts';

// Forwarding-table recordings of real switches served by snmpsimd; every entry the probe reports
// is checked against what Net-SNMP's snmpbulkwalk reads from the same agent.
if (!FIXTURES) {
  t.plan(0, 'skip: ../shared/fixtures (SNMP recordings) not present');
} else {
  const REC = path.join(FIXTURES, 'snmprec');
  const names = ['fdb_huawei_s5720-36c', 'fdb_cisco_c3750', 'comware_a5500', 'vrp_5720', 'ios_2960x'];
  // Cisco community indexing, written from CISCO-VTP-MIB/BRIDGE-MIB: VLANs 1, 10 and 1002 are
  // operational, each VLAN's context has its own table and its own bridge-port numbering.
  const sys = ['1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.516', '1.3.6.1.2.1.1.5.0|4|acc-3f', '1.3.6.1.2.1.17.1.1.0|4x|00aabbcc0000'];
  const ifs = [1, 2, 3].map((i) => `1.3.6.1.2.1.31.1.1.1.1.1010${i}|4|Gi1/0/${i}`);
  const fdb = (rows: [mac: string, bp: number][], bps: [bp: number, ifIndex: number][]) =>
    [
      ...bps.map(([bp, i]) => `1.3.6.1.2.1.17.1.4.1.2.${bp}|2|${i}`),
      ...rows.map(
        ([m, bp]) =>
          `1.3.6.1.2.1.17.4.3.1.2.${m
            .split(':')
            .map((h) => parseInt(h, 16))
            .join('.')}|2|${bp}`,
      ),
      ...rows.map(
        ([m]) =>
          `1.3.6.1.2.1.17.4.3.1.3.${m
            .split(':')
            .map((h) => parseInt(h, 16))
            .join('.')}|2|3`,
      ),
    ].sort(oidOrder);
  const ciscoMain = [
    ...sys,
    ...fdb(
      [['00:00:00:00:01:01', 1]],
      [
        [1, 10101],
        [2, 10102],
        [3, 10103],
      ],
    ),
    ...ifs,
    '1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.1|2|1',
    '1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.10|2|1',
    '1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.20|2|1',
    '1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.1002|2|1',
    // Trunk Gi1/0/3 carries VLANs 1 and 10 (bits 1 and 10 of vlanTrunkPortVlansEnabled); access ports are in 1 and 10.
    '1.3.6.1.4.1.9.9.46.1.6.1.1.4.10103|4x|4020',
    '1.3.6.1.4.1.9.9.46.1.6.1.1.14.10103|2|1',
    '1.3.6.1.4.1.9.9.68.1.2.2.1.2.10101|2|1',
    '1.3.6.1.4.1.9.9.68.1.2.2.1.2.10102|2|10',
  ].sort(oidOrder);
  const ciscoVlan1 = [
    ...sys,
    ...fdb(
      [['00:00:00:00:01:01', 1]],
      [
        [1, 10101],
        [3, 10103],
      ],
    ),
  ].sort(oidOrder);
  // In VLAN 10's context bridge port 1 is Gi1/0/2: the per-VLAN numbering must be used.
  const ciscoVlan10 = [
    ...sys,
    ...fdb(
      [
        ['00:00:00:00:10:01', 1],
        ['00:00:00:00:10:02', 3],
      ],
      [
        [1, 10102],
        [3, 10103],
      ],
    ),
  ].sort(oidOrder);

  // Tables no recording here holds, written from their MIBs: an Eth-Trunk by IEEE8023-LAG-MIB
  // and one by ifStackTable, dot1qVlanFdbId (FDB id 5 is VLAN 100), Q-BRIDGE tagged membership,
  // ipNetToPhysicalTable (IPv4 and IPv6) and a CDP neighbour.
  const mac = (m: string) =>
    m
      .split(':')
      .map((h) => parseInt(h, 16))
      .join('.');
  const synthetic = [
    '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.291',
    '1.3.6.1.2.1.1.5.0|4|sw-lab',
    '1.3.6.1.2.1.17.1.1.0|4x|00e0fc000001',
    ...[1, 2, 3, 4, 5, 6].map((i) => `1.3.6.1.2.1.2.2.1.3.${i}|2|6`),
    '1.3.6.1.2.1.2.2.1.3.40|2|161',
    '1.3.6.1.2.1.2.2.1.3.41|2|161',
    ...[1, 2, 3, 4, 5, 6].map((i) => `1.3.6.1.2.1.31.1.1.1.1.${i}|4|GE0/0/${i}`),
    '1.3.6.1.2.1.31.1.1.1.1.40|4|Eth-Trunk1',
    '1.3.6.1.2.1.31.1.1.1.1.41|4|Eth-Trunk2',
    '1.3.6.1.2.1.31.1.2.1.3.41.5|2|1',
    '1.3.6.1.2.1.31.1.2.1.3.41.6|2|1',
    ...[1, 2, 3, 4, 5, 6].map((i) => `1.3.6.1.2.1.17.1.4.1.2.${i}|2|${i}`),
    '1.3.6.1.2.1.17.1.4.1.2.7|2|40',
    `1.3.6.1.2.1.17.7.1.2.2.1.2.5.${mac('00:00:5e:00:01:01')}|2|1`,
    `1.3.6.1.2.1.17.7.1.2.2.1.2.5.${mac('00:00:5e:00:01:02')}|2|2`,
    `1.3.6.1.2.1.17.7.1.2.2.1.2.5.${mac('00:00:5e:00:01:03')}|2|3`,
    `1.3.6.1.2.1.17.7.1.2.2.1.2.5.${mac('00:00:5e:00:01:05')}|2|5`,
    `1.3.6.1.2.1.17.7.1.2.2.1.2.5.${mac('00:e0:fc:00:00:01')}|2|1`,
    `1.3.6.1.2.1.17.7.1.2.2.1.3.5.${mac('00:e0:fc:00:00:01')}|2|4`,
    '1.3.6.1.2.1.17.7.1.4.2.1.3.0.100|66|5',
    '1.3.6.1.2.1.17.7.1.4.3.1.1.100|4|OFFICE',
    // VLAN 100: egress ports 1, 2 and 4; untagged 1 and 4, so port 2 is tagged (a trunk).
    '1.3.6.1.2.1.17.7.1.4.3.1.2.100|4x|d0',
    '1.3.6.1.2.1.17.7.1.4.3.1.4.100|4x|90',
    '1.3.6.1.2.1.17.7.1.4.5.1.1.1|66|100',
    `1.3.6.1.2.1.4.35.1.4.1.1.4.10.0.0.5|4x|00005e000101`,
    `1.3.6.1.2.1.4.35.1.4.1.2.16.254.128.0.0.0.0.0.0.2.0.94.255.254.0.1.1|4x|00005e000101`,
    `1.3.6.1.2.1.4.35.1.6.1.1.4.10.0.0.5|2|3`,
    '1.3.6.1.4.1.9.9.23.1.2.1.1.6.6.1|4|ap-3f.example',
    '1.3.6.1.4.1.9.9.23.1.2.1.1.7.6.1|4|GigabitEthernet0',
    '1.2.840.10006.300.43.1.2.1.1.13.3|2|40',
    '1.2.840.10006.300.43.1.2.1.1.13.4|2|40',
  ].sort(oidOrder);

  let sim: SnmpSim;
  t.before(async () => {
    sim = await startSnmpsim(
      [
        ...names.map((n) => ({ name: n, file: path.join(REC, `${n}.snmprec`) })),
        { name: 'cisco_vlans', text: ciscoMain.join('\n') + '\n' },
        { name: 'cisco_vlans@1', text: ciscoVlan1.join('\n') + '\n' },
        { name: 'cisco_vlans@10', text: ciscoVlan10.join('\n') + '\n' },
        // SNMPv3 picks the recording by context: the per-VLAN contexts are vlan-1 and vlan-10.
        { name: 'vlan-1', text: ciscoVlan1.join('\n') + '\n' },
        { name: 'vlan-10', text: ciscoVlan10.join('\n') + '\n' },
        { name: 'synthetic', text: synthetic.join('\n') + '\n' },
        // Some Huawei models answer only hwDynFdbPort: the S5720 recording without its BRIDGE-MIB table.
        {
          name: 'huawei_only',
          text: readFileSync(path.join(REC, 'fdb_huawei_s5720-36c.snmprec'), 'utf8').replace(/^1\.3\.6\.1\.2\.1\.17\.4\.3\.1\..*\n/gm, ''),
        },
      ],
      { quiet: true, users: [{ user: 'noc', authProto: 'SHA', authKey: 'auth-key-123', privProto: 'AES', privKey: 'priv-key-123' }] },
    );
  });
  t.teardown(() => sim?.stop());

  const device = (community: string, over: Record<string, unknown> = {}) => ({
    host: '127.0.0.1',
    port: sim.port,
    community,
    request_timeout_ms: 1500,
    retries: 0,
    ...over,
  });
  const run = async (devices: Record<string, unknown>[], over: Record<string, unknown> = {}) => {
    const cfg = portmapSchema.parse({ kind: 'portmap', devices, ...over });
    const docs: PortmapSnapshot[] = [];
    const probe = createPortmapProbe(
      cfg,
      {
        log: silentLogger,
        now: () => 1_700_000_000_000,
        emitDocument: (k, b) => {
          if (k === PORTMAP_DOCUMENT) docs.push(b as PortmapSnapshot);
          return { hash: '', queued: true };
        },
      },
      (x: SnmpTarget) => createClient(x),
    );
    const samples = await probe.collect(new AbortController().signal);
    return { samples, docs };
  };
  const walk = (community: string, oid: string) => snmpBulkWalk(sim.port, oid, ['-v2c', '-c', community]);
  const suffix = (oid: string, root: string) => oid.slice(root.length + 1);
  const macOf = (parts: string[]) => parts.map((p) => Number(p).toString(16).padStart(2, '0')).join(':');

  /** The forwarding entries snmpbulkwalk reads, in the probe's terms (before the one-VLAN-wins de-duplication). */
  const reference = async (community: string) => {
    const bp = new Map([...(await walk(community, '1.3.6.1.2.1.17.1.4.1.2'))].map(([o, v]) => [Number(suffix(o, '1.3.6.1.2.1.17.1.4.1.2')), Number(v)]));
    const st = new Map([...(await walk(community, '1.3.6.1.2.1.17.4.3.1.3'))].map(([o, v]) => [suffix(o, '1.3.6.1.2.1.17.4.3.1.3'), Number(v)]));
    const out: { mac: string; vlan: number | null; ifIndex: number; bridgePort: number | null; source: string }[] = [];
    for (const [o, v] of await walk(community, '1.3.6.1.2.1.17.4.3.1.2')) {
      const idx = suffix(o, '1.3.6.1.2.1.17.4.3.1.2');
      const port = Number(v);
      if (port <= 0 || [2, 4, 5].includes(st.get(idx) ?? 3) || !bp.has(port)) continue;
      out.push({ mac: macOf(idx.split('.')), vlan: null, ifIndex: bp.get(port)!, bridgePort: port, source: 'bridge' });
    }
    const ifBp = new Map([...bp].map(([b, i]) => [i, b]));
    for (const [o, v] of await walk(community, '1.3.6.1.4.1.2011.5.25.42.2.1.3.1.4')) {
      const p = suffix(o, '1.3.6.1.4.1.2011.5.25.42.2.1.3.1.4').split('.');
      out.push({ mac: macOf(p.slice(0, 6)), vlan: Number(p[6]), ifIndex: Number(v), bridgePort: ifBp.get(Number(v)) ?? null, source: 'huawei' });
    }
    for (const [o, v] of await walk(community, '1.3.6.1.2.1.17.7.1.2.2.1.2')) {
      const p = suffix(o, '1.3.6.1.2.1.17.7.1.2.2.1.2').split('.');
      out.push({ mac: macOf(p.slice(1)), vlan: Number(p[0]), ifIndex: bp.get(Number(v))!, bridgePort: Number(v), source: 'qbridge' });
    }
    return out;
  };
  const key = (e: { mac: string; vlan: number | null; ifIndex: number; bridgePort: number | null; source: string }) =>
    `${e.source} ${e.mac} vlan=${e.vlan} if=${e.ifIndex} bp=${e.bridgePort}`;

  t.test('Huawei S5720: BRIDGE-MIB and hwDynFdbPort agree on 26 MACs; 24 sit behind the uplink', async (t) => {
    const { docs, samples } = await run([device('fdb_huawei_s5720-36c')]);
    const s = docs[0]!;
    t.equal(s.up, true);
    t.equal(s.vendor, 'huawei');
    t.equal(s.sysName, 'DUMSYS-05');
    const ref = await reference('fdb_huawei_s5720-36c');
    const bridge = ref.filter((e) => e.source === 'bridge');
    const huawei = ref.filter((e) => e.source === 'huawei');
    t.equal(bridge.length, 48);
    t.equal(huawei.length, 29);
    const agree = bridge.filter((b) => huawei.some((h) => h.mac === b.mac && h.ifIndex === b.ifIndex));
    t.equal(agree.length, 26, 'the recording: 26 MACs in both tables on the same port');
    // Where both say the same MAC and port, the hwDynFdbPort row (it has the VLAN) is the entry.
    const expected = [...huawei, ...bridge.filter((b) => !agree.includes(b))].map(key).sort();
    t.same(s.entries.map(key).sort(), expected, 'every entry as snmpbulkwalk reads it');
    const xge = s.entries.filter((e) => e.ifName === 'XGigabitEthernet0/0/1');
    t.equal(new Set(bridge.filter((e) => e.ifIndex === 34).map((e) => e.mac)).size, 24);
    t.ok(xge.length >= 24 && xge.every((e) => !e.edge), 'MACs behind the uplink are not on it');
    t.ok(s.uplinks.includes('XGigabitEthernet0/0/1'));
    const port = s.ports.find((p) => p.ifName === 'XGigabitEthernet0/0/1')!;
    t.ok(port.reasons.includes('too_many_macs'));
    t.equal(port.macCount, new Set(xge.map((e) => e.mac)).size);
    // Edge ports: one or few MACs and nothing else against them.
    const edges = s.entries.filter((e) => e.edge);
    t.ok(edges.length > 0);
    for (const e of edges) t.same(s.ports.find((p) => p.ifIndex === e.ifIndex)!.reasons, [], `${e.ifName} is an edge port`);
    const arpRef = [...(await walk('fdb_huawei_s5720-36c', '1.3.6.1.2.1.4.22.1.2'))].map(([o, v]) => {
      const p = suffix(o, '1.3.6.1.2.1.4.22.1.2').split('.');
      // snmpbulkwalk prints a MAC whose bytes happen to be printable as a string.
      const mac = /^([0-9A-Fa-f]{2} ){5}[0-9A-Fa-f]{2} ?$/.test(v)
        ? walkHexToMac(v)
        : [...Buffer.from(v, 'latin1')].map((b) => b.toString(16).padStart(2, '0')).join(':');
      return `${p.slice(1).join('.')} ${mac} ${p[0]}`;
    });
    t.equal(arpRef.length, 49);
    t.same(s.arp.map((a) => `${a.ip} ${a.mac} ${a.ifIndex}`).sort(), arpRef.sort(), 'ARP as snmpbulkwalk reads it');
    t.equal(samples[0]!.fields.entries, BigInt(s.entries.length));
    t.equal(samples[0]!.fields.up, 1n);
  });

  t.test('Cisco 3750: the default VLAN only, every FDB port a trunk', async (t) => {
    const { docs, samples } = await run([device('fdb_cisco_c3750')]);
    const s = docs[0]!;
    const ref = await reference('fdb_cisco_c3750');
    t.equal(ref.length, 15);
    t.same(s.entries.map(key).sort(), ref.map(key).sort());
    t.ok(s.entries.every((e) => e.vlan === null && !e.edge));
    for (const i of new Set(s.entries.map((e) => e.ifIndex))) t.ok(s.ports.find((p) => p.ifIndex === i)!.reasons.includes('trunk'), `ifIndex ${i} trunks`);
    // The recording holds no per-VLAN contexts: the first VLAN walk fails and the walk stops there.
    t.same(s.vlanErrors, [{ vlan: 1, errorClass: 'timeout' }]);
    t.equal(samples[0]!.fields.vlan_errors, 1n);
    t.equal(s.arp.length, 9);
  });

  t.test('Cisco 2960-X: default context entries as snmpbulkwalk reads them; per-VLAN list from vtpVlanState in use', async (t) => {
    const s = (await run([device('ios_2960x')])).docs[0]!;
    const ref = await reference('ios_2960x');
    t.ok(ref.length > 0);
    t.same(s.entries.map(key).sort(), ref.map(key).sort());
    const states = await walk('ios_2960x', '1.3.6.1.4.1.9.9.46.1.3.1.1.2');
    const used = new Set([...(await walk('ios_2960x', '1.3.6.1.4.1.9.9.68.1.2.2.1.2')).values()].map(Number));
    const first = [...states]
      .map(([o, v]) => [Number(o.split('.').pop()), Number(v)])
      .filter(([vl, st]) => st === 1 && (vl! < 1002 || vl! > 1005) && used.has(vl!))
      .map(([vl]) => vl!)
      .sort((a, b) => a - b)[0];
    t.same(s.vlanErrors, [{ vlan: first, errorClass: 'timeout' }], 'the first VLAN in use is asked for (and the recording has no per-VLAN contexts)');
  });

  t.test('Cisco community indexing: community@vlan per operational VLAN in use, 1002–1005 skipped, per-VLAN bridge ports', async (t) => {
    const { docs } = await run([device('cisco_vlans')]);
    const s = docs[0]!;
    t.same(s.vlanErrors, [], 'neither VLAN 1002 nor VLAN 20, which no port uses, is asked for (they have no recording and would time out)');
    t.same(
      s.entries.map((e) => `${e.mac} ${e.vlan} ${e.ifName} ${e.bridgePort}`),
      ['00:00:00:00:01:01 1 Gi1/0/1 1', '00:00:00:00:10:01 10 Gi1/0/2 1', '00:00:00:00:10:02 10 Gi1/0/3 3'],
    );
    t.same(
      s.entries.map((e) => e.edge),
      [true, true, false],
      'Gi1/0/3 is trunking',
    );
    const v3 = await run([
      device('', {
        version: '3',
        user: 'noc',
        auth_protocol: 'sha',
        auth_key: 'auth-key-123',
        priv_protocol: 'aes',
        priv_key: 'priv-key-123',
        context: 'cisco_vlans',
      }),
    ]);
    t.same(v3.docs[0]!.entries, s.entries, 'SNMPv3 reads the same through contexts vlan-1 and vlan-10');
    t.same(v3.docs[0]!.vlanErrors, []);
    const off = await run([device('cisco_vlans', { per_vlan: 'off' })]);
    t.same(
      off.docs[0]!.entries.map((e) => `${e.mac} ${e.vlan}`),
      ['00:00:00:00:01:01 null'],
    );
  });

  t.test('Comware A5500: Q-BRIDGE over five FDB ids', async (t) => {
    const { docs } = await run([device('comware_a5500')]);
    const s = docs[0]!;
    t.equal(s.vendor, 'h3c');
    const ref = await reference('comware_a5500');
    t.equal(ref.length, 104);
    t.same(
      s.entries.map(key).sort(),
      ref.map(key).sort(),
      'every entry as snmpbulkwalk reads it; FDB id = VLAN (no dot1qVlanFdbId, the ids are configured VLANs)',
    );
    t.same(
      [...new Set(s.entries.map((e) => e.vlan))].sort((a, b) => a! - b!),
      [10, 20, 25, 30, 55],
    );
    const p26 = s.ports.find((p) => p.ifName === 'GigabitEthernet1/0/26')!;
    t.equal(ref.filter((e) => e.ifIndex === 26).length, 57);
    t.equal(p26.macCount, new Set(ref.filter((e) => e.ifIndex === 26).map((e) => e.mac)).size, 'distinct MACs (two appear in two VLANs)');
    t.equal(p26.edge, false);
    t.equal(s.arp.length, 19);
  });

  t.test('VRP S5720 LLDP rows: neighbour ports are not edge ports', async (t) => {
    const { docs } = await run([device('vrp_5720')]);
    const s = docs[0]!;
    // lldpRemLocalPortNum is VRP's bridge port: 14, 49, 50, 52 and the management port 901.
    const names = new Set(s.ports.filter((p) => p.reasons.includes('lldp')).map((p) => p.ifName));
    t.same([...names].sort(), ['GigabitEthernet0/0/14', 'MEth0/0/1', 'XGigabitEthernet0/0/1', 'XGigabitEthernet0/0/2', 'XGigabitEthernet0/0/4'].sort());
    const ce = s.ports.find((p) => p.ifName === 'XGigabitEthernet0/0/4')!;
    t.same(
      ce.neighbors.map((n) => [n.remoteSysName, n.remotePort]),
      [['CE-NG', '10GE1/0/41']],
    );
    // Two learned MACs on XGE0/0/4 (bridge port 52); three rows with port -1 are not entries.
    t.same(
      s.entries.map((e) => `${e.mac} ${e.ifName} ${e.edge}`),
      ['d8:cb:8a:8a:a8:0f XGigabitEthernet0/0/4 false', 'd8:cb:8a:8a:a8:19 XGigabitEthernet0/0/4 false'],
    );
    t.same(s.uplinks, ['MEth0/0/1', 'GigabitEthernet0/0/14', 'XGigabitEthernet0/0/1', 'XGigabitEthernet0/0/2', 'XGigabitEthernet0/0/4']);
  });

  t.test('a known switch MAC on a port makes it an uplink; max_macs_edge is the threshold', async (t) => {
    // 00:18:b9:14:4d:01 is learned on Cisco bridge port 9; as a configured switch MAC its port gains switch_mac.
    const { docs } = await run([device('fdb_cisco_c3750')], { switch_macs: ['00-18-B9-14-4D-01'] });
    const p = docs[0]!.ports.find((x) => x.ifIndex === 10109)!;
    t.same(p.reasons, ['cdp', 'switch_mac', 'trunk']);
    const without = await run([device('fdb_cisco_c3750')]);
    t.same(without.docs[0]!.ports.find((x) => x.ifIndex === 10109)!.reasons, ['cdp', 'trunk']);
    const few = await run([device('fdb_huawei_s5720-36c')], { max_macs_edge: 12 });
    const g2 = few.docs[0]!.ports.find((x) => x.ifName === 'GigabitEthernet0/0/2')!;
    t.equal(g2.macCount, 12);
    t.equal(g2.edge, true, '12 MACs with max_macs_edge 12 is still an edge port');
  });

  t.test('tables written from the MIBs: LAG members, ifStack, dot1qVlanFdbId, tagged ports, ipNetToPhysicalTable, CDP', async (t) => {
    const s = (await run([device('synthetic')])).docs[0]!;
    t.same(
      s.entries.map((e) => `${e.mac} ${e.vlan} ${e.ifName} ${e.edge}`),
      [
        '00:00:5e:00:01:01 100 GE0/0/1 true',
        '00:00:5e:00:01:02 100 GE0/0/2 false',
        '00:00:5e:00:01:03 100 GE0/0/3 false',
        '00:00:5e:00:01:05 100 GE0/0/5 false',
      ],
      'FDB id 5 is VLAN 100; the self entry is not an entry',
    );
    const port = (n: string) => s.ports.find((p) => p.ifName === n)!;
    t.same([port('GE0/0/2').trunk, port('GE0/0/2').reasons], [true, ['trunk']], 'tagged in VLAN 100');
    t.same([port('GE0/0/3').aggregate, port('GE0/0/3').reasons], [40, ['aggregate']], 'dot3adAggPortAttachedAggID');
    t.same([port('GE0/0/5').aggregate, port('GE0/0/6').aggregate], [41, 41], 'ifStackTable under a LAG');
    t.same(port('GE0/0/6').reasons, ['cdp', 'aggregate'], 'a CDP neighbour on a member makes its aggregate an uplink');
    t.same(port('GE0/0/6').neighbors, [{ protocol: 'cdp', remoteSysName: 'ap-3f.example', remotePort: 'GigabitEthernet0', remoteChassisId: '' }]);
    t.equal(port('GE0/0/1').pvid, 100);
    t.same(s.uplinks, ['GE0/0/2', 'Eth-Trunk1', 'Eth-Trunk2'], 'aggregates stand for their members');
    t.same(s.arp, [
      { ip: '10.0.0.5', mac: '00:00:5e:00:01:01', ifIndex: 1 },
      { ip: 'fe80::200:5eff:fe00:101', mac: '00:00:5e:00:01:01', ifIndex: 1 },
    ]);
    t.equal(s.bridgeMac, '00:e0:fc:00:00:01');
  });

  t.test('a Huawei that answers only hwDynFdbPort', async (t) => {
    const s = (await run([device('huawei_only')])).docs[0]!;
    const ref = (await reference('huawei_only')).filter((e) => e.source === 'huawei');
    t.equal(ref.length, 29);
    t.same(s.entries.map(key).sort(), ref.map(key).sort(), 'every hwDynFdbPort row, bridge port found back through dot1dBasePortIfIndex');
    t.ok(s.entries.every((e) => e.source === 'huawei' && e.vlan !== null));
  });

  t.test('an agent that does not answer is up=0, an empty snapshot, never an error', async (t) => {
    const { docs, samples } = await run([device('no_such_community', { request_timeout_ms: 300 })]);
    t.equal(samples[0]!.fields.up, 0n);
    t.equal(samples[0]!.fields.error_class, 'timeout');
    t.equal(docs[0]!.up, false);
    t.same(docs[0]!.entries, []);
  });

  t.test('watchpost check portmap --json prints exactly the issue shape', async (t) => {
    const out = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        ['cli/watchpost.ts', 'check', 'portmap', '--host', '127.0.0.1', '--port', String(sim.port), '--community', 'vrp_5720', '--json'],
        (e, stdout) => resolve({ code: (e as { code?: number } | null)?.code ?? 0, stdout }),
      ),
    );
    t.equal(out.code, 0);
    const j = JSON.parse(out.stdout);
    // The document, then the status and summary every check's JSON carries.
    t.same(Object.keys(j), ['device', 'entries', 'arp', 'uplinks', 'status', 'summary']);
    t.same(j.device, { sysName: '<private>', vendor: 'huawei' });
    t.same(Object.keys(j.entries[0]), ['mac', 'vlan', 'ifIndex', 'ifName', 'bridgePort', 'source', 'edge']);
    t.same(j.entries[0], { mac: 'd8:cb:8a:8a:a8:0f', vlan: null, ifIndex: 57, ifName: 'XGigabitEthernet0/0/4', bridgePort: 52, source: 'bridge', edge: false });
    t.same(Object.keys(j.arp[0]), ['ip', 'mac', 'ifIndex']);
    t.ok(j.arp.some((a: { ip: string; mac: string; ifIndex: number }) => a.ip === '10.1.100.26' && a.mac === '14:a0:f8:cf:af:39' && a.ifIndex === 19));
    t.equal(j.uplinks.length, 5);
  });
}

function oidOrder(a: string, b: string): number {
  const x = a.split('|')[0]!.split('.').map(Number);
  const y = b.split('|')[0]!.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
