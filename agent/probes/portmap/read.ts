import type { ArpEntry, FdbSource, PortNeighbor } from '../../../lib/portmap-snapshot.ts';
import type { SnmpClient, SnmpValue } from '../snmp/client.ts';
import { hex, num, printable, text, vendorOf } from '../snmp/decode.ts';

/** Every object the probe reads (the default context's walk takes all columns but the scalars). */
export const OID = {
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  bridgeAddress: '1.3.6.1.2.1.17.1.1.0',
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifType: '1.3.6.1.2.1.2.2.1.3',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
  ifStackStatus: '1.3.6.1.2.1.31.1.2.1.3',
  basePortIfIndex: '1.3.6.1.2.1.17.1.4.1.2',
  dot1dTpFdbPort: '1.3.6.1.2.1.17.4.3.1.2',
  dot1dTpFdbStatus: '1.3.6.1.2.1.17.4.3.1.3',
  dot1qTpFdbPort: '1.3.6.1.2.1.17.7.1.2.2.1.2',
  dot1qTpFdbStatus: '1.3.6.1.2.1.17.7.1.2.2.1.3',
  dot1qVlanFdbId: '1.3.6.1.2.1.17.7.1.4.2.1.3',
  dot1qVlanStaticName: '1.3.6.1.2.1.17.7.1.4.3.1.1',
  dot1qVlanStaticEgressPorts: '1.3.6.1.2.1.17.7.1.4.3.1.2',
  dot1qVlanStaticUntaggedPorts: '1.3.6.1.2.1.17.7.1.4.3.1.4',
  dot1qPvid: '1.3.6.1.2.1.17.7.1.4.5.1.1',
  hwDynFdbPort: '1.3.6.1.4.1.2011.5.25.42.2.1.3.1.4',
  vtpVlanState: '1.3.6.1.4.1.9.9.46.1.3.1.1.2',
  vlanTrunkPortDynamicStatus: '1.3.6.1.4.1.9.9.46.1.6.1.1.14',
  vlanTrunkPortVlansEnabled: '1.3.6.1.4.1.9.9.46.1.6.1.1.4',
  vlanTrunkPortVlansEnabled2k: '1.3.6.1.4.1.9.9.46.1.6.1.1.17',
  vlanTrunkPortVlansEnabled3k: '1.3.6.1.4.1.9.9.46.1.6.1.1.18',
  vlanTrunkPortVlansEnabled4k: '1.3.6.1.4.1.9.9.46.1.6.1.1.19',
  vmVlan: '1.3.6.1.4.1.9.9.68.1.2.2.1.2',
  ipNetToMediaPhysAddress: '1.3.6.1.2.1.4.22.1.2',
  ipNetToMediaType: '1.3.6.1.2.1.4.22.1.4',
  ipNetToPhysicalPhysAddress: '1.3.6.1.2.1.4.35.1.4',
  ipNetToPhysicalType: '1.3.6.1.2.1.4.35.1.6',
  lldpRemChassisIdSubtype: '1.0.8802.1.1.2.1.4.1.1.4',
  lldpRemChassisId: '1.0.8802.1.1.2.1.4.1.1.5',
  lldpRemPortIdSubtype: '1.0.8802.1.1.2.1.4.1.1.6',
  lldpRemPortId: '1.0.8802.1.1.2.1.4.1.1.7',
  lldpRemPortDesc: '1.0.8802.1.1.2.1.4.1.1.8',
  lldpRemSysName: '1.0.8802.1.1.2.1.4.1.1.9',
  lldpLocPortId: '1.0.8802.1.1.2.1.3.7.1.3',
  lldpLocPortDesc: '1.0.8802.1.1.2.1.3.7.1.4',
  cdpCacheDeviceId: '1.3.6.1.4.1.9.9.23.1.2.1.1.6',
  cdpCacheDevicePort: '1.3.6.1.4.1.9.9.23.1.2.1.1.7',
  dot3adAggPortAttachedAggID: '1.2.840.10006.300.43.1.2.1.1.13',
} as const;

/** The columns of one side-by-side walk of the default context (ARP columns only when asked). */
export function defaultColumns(arp: boolean): string[] {
  const skip = new Set<string>([OID.sysObjectID, OID.sysName, OID.bridgeAddress]);
  if (!arp) [OID.ipNetToMediaPhysAddress, OID.ipNetToMediaType, OID.ipNetToPhysicalPhysAddress, OID.ipNetToPhysicalType].forEach((o) => skip.add(o));
  return Object.values(OID).filter((o) => !skip.has(o));
}
/** What one Cisco VLAN context is walked for: its own forwarding table and bridge-port numbering. */
export const VLAN_COLUMNS = [OID.dot1dTpFdbPort, OID.dot1dTpFdbStatus, OID.basePortIfIndex];

const IF_STATUS = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'];
// dot1dTpFdbStatus / dot1qTpFdbStatus: invalid(2), self(4), mgmt(5) are not learned entries.
const NOT_ENTRY = new Set([2, 4, 5]);
const LAG_NAME = /^(eth-trunk|port-channel|po\d|bridge-aggregation|route-aggregation|aggregateport|ag\d|trk|lag|bond|ae\d)/i;

/** A raw entry as a table gave it; the bridge port or ifIndex is mapped later. */
export interface RawEntry {
  mac: string;
  vlan: number | null;
  bridgePort: number | null;
  ifIndex: number | null;
  source: FdbSource;
}

/** One interface as IF-MIB names it; `lag` from ifType ieee8023adLag or, where ifType is missing, its name. */
export interface RawIf {
  ifIndex: number;
  ifName: string;
  ifAlias: string;
  operStatus: string;
  speedMbps: number | null;
  lag: boolean;
}

/** What one device's tables say, before edge inference. */
export interface DeviceTables {
  sysName: string;
  vendor: string;
  bridgeMac: string | null;
  interfaces: Map<number, RawIf>;
  /** bridge port → ifIndex (default context). */
  bridgePorts: Map<number, number>;
  entries: RawEntry[];
  arp: ArpEntry[];
  /** ifIndex → neighbours. */
  neighbors: Map<number, PortNeighbor[]>;
  /** member ifIndex → aggregate ifIndex. */
  aggregateOf: Map<number, number>;
  trunks: Set<number>;
  pvid: Map<number, number>;
  /**
   * Cisco VLANs to read per VLAN: operational in vtpVlanState, 1002–1005 left out, and in use
   * on a port (an access port's vmVlan, or enabled on a trunking port) where the device says
   * which are; empty elsewhere.
   */
  ciscoVlans: number[];
}

type Cols = Map<string, Map<string, SnmpValue>>;
const col = (c: Cols, oid: string) => c.get(oid) ?? new Map<string, SnmpValue>();

/** Six decimal OID components as a lower-case colon MAC, or null when they are not six bytes. */
export function macOfIndex(parts: string[]): string | null {
  if (parts.length !== 6 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 255)) return null;
  return parts.map((p) => Number(p).toString(16).padStart(2, '0')).join(':');
}

/** A PhysAddress value as a colon MAC; null unless it is six bytes and not all zero. */
export function macOfValue(v: SnmpValue | undefined): string | null {
  if (!v || !Buffer.isBuffer(v.value) || v.value.length !== 6) return null;
  const m = hex(v);
  return m === '00:00:00:00:00:00' ? null : m;
}

/** FDB rows of one forwarding table column pair (index → mac and, for Q-BRIDGE, fdb id). */
export function bridgeEntries(c: Cols, vlan: number | null): RawEntry[] {
  const out: RawEntry[] = [];
  const status = col(c, OID.dot1dTpFdbStatus);
  for (const [idx, v] of col(c, OID.dot1dTpFdbPort)) {
    const mac = macOfIndex(idx.split('.'));
    const port = num(v);
    const st = num(status.get(idx));
    if (!mac || port === undefined || port <= 0 || (st !== undefined && NOT_ENTRY.has(st))) continue;
    out.push({ mac, vlan, bridgePort: port, ifIndex: null, source: 'bridge' });
  }
  return out;
}

function interfacesOf(c: Cols): Map<number, RawIf> {
  const interfaces = new Map<number, RawIf>();
  const ifIdx = new Set<string>();
  for (const o of [OID.ifName, OID.ifDescr, OID.ifOperStatus, OID.ifType]) for (const i of col(c, o).keys()) if (/^\d+$/.test(i)) ifIdx.add(i);
  for (const i of ifIdx) {
    const name = text(col(c, OID.ifName).get(i)) || text(col(c, OID.ifDescr).get(i)) || `ifIndex ${i}`;
    const hs = num(col(c, OID.ifHighSpeed).get(i));
    // ieee8023adLag(161), or a LAG by its name where ifType is not recorded.
    const lag = num(col(c, OID.ifType).get(i)) === 161 || LAG_NAME.test(name);
    interfaces.set(Number(i), {
      ifIndex: Number(i),
      ifName: name,
      ifAlias: text(col(c, OID.ifAlias).get(i)),
      operStatus: IF_STATUS[num(col(c, OID.ifOperStatus).get(i)) ?? 0] ?? '',
      speedMbps: hs ?? null,
      lag,
    });
  }
  return interfaces;
}

/** bridge port → ifIndex. */
function bridgePortsOf(c: Cols): Map<number, number> {
  const bridgePorts = new Map<number, number>();
  for (const [bp, v] of col(c, OID.basePortIfIndex)) {
    const ifIndex = num(v);
    if (ifIndex !== undefined && ifIndex > 0) bridgePorts.set(Number(bp), ifIndex);
  }
  return bridgePorts;
}

/** Forwarding entries from Q-BRIDGE, Huawei's hwDynFdbPort and BRIDGE-MIB. */
function fdbEntries(c: Cols): RawEntry[] {
  // Q-BRIDGE: index fdbId.mac. The FDB id is a VLAN through dot1qVlanFdbId (index timeMark.vlan);
  // without that table, an FDB id that is also a configured VLAN is taken as that VLAN (the IVL
  // convention most switches follow), else the VLAN is unknown.
  const fdbToVlans = new Map<number, Set<number>>();
  for (const [idx, v] of col(c, OID.dot1qVlanFdbId)) {
    const vlan = Number(idx.split('.')[1]);
    const fdb = num(v);
    if (fdb === undefined || !Number.isFinite(vlan)) continue;
    if (!fdbToVlans.has(fdb)) fdbToVlans.set(fdb, new Set());
    fdbToVlans.get(fdb)!.add(vlan);
  }
  const staticVlans = new Set([...col(c, OID.dot1qVlanStaticName).keys()].map(Number));
  const vlanOfFdb = (fdb: number): number | null => {
    const vs = fdbToVlans.get(fdb);
    if (vs) return vs.size === 1 ? [...vs][0]! : null; // shared learning: one FDB id for several VLANs says no VLAN
    if (fdbToVlans.size === 0 && staticVlans.has(fdb)) return fdb;
    return null;
  };
  const entries: RawEntry[] = [];
  const qStatus = col(c, OID.dot1qTpFdbStatus);
  for (const [idx, v] of col(c, OID.dot1qTpFdbPort)) {
    const parts = idx.split('.');
    const mac = macOfIndex(parts.slice(1));
    const port = num(v);
    const st = num(qStatus.get(idx));
    if (!mac || port === undefined || port <= 0 || (st !== undefined && NOT_ENTRY.has(st))) continue;
    entries.push({ mac, vlan: vlanOfFdb(Number(parts[0])), bridgePort: port, ifIndex: null, source: 'qbridge' });
  }
  // HUAWEI-L2MAM-MIB hwDynFdbPort: index mac(6).vlan.vsi (a length-prefixed string), value the ifIndex.
  for (const [idx, v] of col(c, OID.hwDynFdbPort)) {
    const parts = idx.split('.');
    const mac = macOfIndex(parts.slice(0, 6));
    const vlan = Number(parts[6]);
    const ifIndex = num(v);
    if (!mac || ifIndex === undefined || ifIndex <= 0) continue;
    entries.push({ mac, vlan: Number.isInteger(vlan) && vlan > 0 && vlan < 4095 ? vlan : null, bridgePort: null, ifIndex, source: 'huawei' });
  }
  entries.push(...bridgeEntries(c, null));
  return entries;
}

/** ARP / neighbour cache rows (ipNetToMedia and ipNetToPhysical), each (ip, mac, ifIndex) once. */
function arpEntries(c: Cols): ArpEntry[] {
  const arpOut: ArpEntry[] = [];
  const seen = new Set<string>();
  const add = (ip: string, mac: string | null, ifIndex: number) => {
    const k = `${ip}|${mac}|${ifIndex}`;
    if (!mac || seen.has(k)) return;
    seen.add(k);
    arpOut.push({ ip, mac, ifIndex });
  };
  const mType = col(c, OID.ipNetToMediaType);
  for (const [idx, v] of col(c, OID.ipNetToMediaPhysAddress)) {
    const p = idx.split('.');
    if (p.length !== 5 || num(mType.get(idx)) === 2) continue;
    add(p.slice(1).join('.'), macOfValue(v), Number(p[0]));
  }
  // ipNetToPhysicalTable: index ifIndex.addrType.len.addr… (ipv4 = 1, ipv6 = 2).
  const pType = col(c, OID.ipNetToPhysicalType);
  for (const [idx, v] of col(c, OID.ipNetToPhysicalPhysAddress)) {
    const p = idx.split('.').map(Number);
    if (num(pType.get(idx)) === 2) continue;
    const [ifIndex, type, len] = p;
    const addr = p.slice(3);
    if (ifIndex === undefined || addr.length !== len) continue;
    if (type === 1 && len === 4) add(addr.join('.'), macOfValue(v), ifIndex);
    else if (type === 2 && len === 16) add(ipv6(addr), macOfValue(v), ifIndex);
  }
  return arpOut;
}

/** LLDP and CDP neighbours by local ifIndex. */
function neighborsOf(c: Cols, interfaces: Map<number, RawIf>, bridgePorts: Map<number, number>): Map<number, PortNeighbor[]> {
  const neighbors = new Map<number, PortNeighbor[]>();
  const addNeighbor = (ifIndex: number | undefined, n: PortNeighbor) => {
    if (ifIndex === undefined) return;
    if (!neighbors.has(ifIndex)) neighbors.set(ifIndex, []);
    neighbors.get(ifIndex)!.push(n);
  };
  const byName = new Map<string, number>();
  for (const i of interfaces.values()) byName.set(i.ifName.toLowerCase(), i.ifIndex);
  for (const [i, v] of col(c, OID.ifDescr)) byName.set(text(v).toLowerCase(), Number(i));
  // lldpLocPortNum is not an ifIndex on every device (VRP numbers it by bridge port): match the
  // local port's id or description to an interface name first, then the bridge port, then the number itself.
  const lldpIfIndex = (portNum: string): number | undefined => {
    for (const o of [OID.lldpLocPortId, OID.lldpLocPortDesc]) {
      const hit = byName.get(text(col(c, o).get(portNum)).toLowerCase());
      if (hit !== undefined) return hit;
    }
    return bridgePorts.get(Number(portNum)) ?? (interfaces.has(Number(portNum)) ? Number(portNum) : undefined);
  };
  // A row is any index one of its columns has (agents leave empty columns out). Index: timeMark.localPortNum.remIndex.
  const lldpRows = new Set([OID.lldpRemSysName, OID.lldpRemChassisId, OID.lldpRemPortId].flatMap((o) => [...col(c, o).keys()]));
  for (const idx of lldpRows) {
    const portNum = idx.split('.')[1] ?? '';
    const r = (o: string) => col(c, o).get(idx);
    const chassisSub = num(r(OID.lldpRemChassisIdSubtype));
    const portSub = num(r(OID.lldpRemPortIdSubtype));
    addNeighbor(lldpIfIndex(portNum), {
      protocol: 'lldp',
      remoteSysName: text(r(OID.lldpRemSysName)),
      remotePort: portSub === 3 || !printable(r(OID.lldpRemPortId)) ? hex(r(OID.lldpRemPortId)) : text(r(OID.lldpRemPortId)) || text(r(OID.lldpRemPortDesc)),
      remoteChassisId: chassisSub === 4 || !printable(r(OID.lldpRemChassisId)) ? hex(r(OID.lldpRemChassisId)) : text(r(OID.lldpRemChassisId)),
    });
  }
  // CDP: index ifIndex.deviceIndex.
  for (const [idx, v] of col(c, OID.cdpCacheDeviceId)) {
    addNeighbor(Number(idx.split('.')[0]), {
      protocol: 'cdp',
      remoteSysName: text(v),
      remotePort: text(col(c, OID.cdpCacheDevicePort).get(idx)),
      remoteChassisId: '',
    });
  }
  return neighbors;
}

/** member ifIndex → aggregate ifIndex, from LACP and the interface stack. */
function aggregatesOf(c: Cols, interfaces: Map<number, RawIf>): Map<number, number> {
  const aggregateOf = new Map<number, number>();
  for (const [member, v] of col(c, OID.dot3adAggPortAttachedAggID)) {
    const agg = num(v);
    if (agg !== undefined && agg > 0 && agg !== Number(member)) aggregateOf.set(Number(member), agg);
  }
  // ifStackTable: index higher.lower; a higher layer that is a LAG makes the lower one its member.
  for (const [idx, v] of col(c, OID.ifStackStatus)) {
    const [hi, lo] = idx.split('.').map(Number);
    if (num(v) !== 1 || !hi || !lo || aggregateOf.has(lo)) continue;
    if (interfaces.get(hi)?.lag) aggregateOf.set(lo, hi);
  }
  return aggregateOf;
}

/** ifIndexes that carry a trunk (Cisco's DTP status or a tagged Q-BRIDGE membership). */
function trunksOf(c: Cols, bridgePorts: Map<number, number>): Set<number> {
  const trunks = new Set<number>();
  for (const [i, v] of col(c, OID.vlanTrunkPortDynamicStatus)) if (num(v) === 1) trunks.add(Number(i));
  // Q-BRIDGE: a port that is a tagged (egress, not untagged) member of any VLAN carries a trunk.
  const untagged = col(c, OID.dot1qVlanStaticUntaggedPorts);
  for (const [vlan, v] of col(c, OID.dot1qVlanStaticEgressPorts)) {
    const eg = portList(v);
    const un = new Set(portList(untagged.get(vlan)));
    // Only bridge ports that exist: some agents pad the bitmap with garbage past the last port.
    for (const bp of eg) if (!un.has(bp) && bridgePorts.has(bp)) trunks.add(bridgePorts.get(bp)!);
  }
  return trunks;
}

/** ifIndex → port VLAN id. */
function pvidsOf(c: Cols, bridgePorts: Map<number, number>): Map<number, number> {
  const pvid = new Map<number, number>();
  for (const [bp, v] of col(c, OID.dot1qPvid)) {
    const p = num(v);
    const ifIndex = bridgePorts.get(Number(bp));
    if (p !== undefined && ifIndex !== undefined) pvid.set(ifIndex, p);
  }
  return pvid;
}

/** See DeviceTables.ciscoVlans (sorted; the caller drops repeats). */
function ciscoVlansOf(c: Cols, trunks: Set<number>): number[] {
  // VLANs in use, as Netdisco's get_vlan_list: access ports' vmVlan and the VLANs enabled on trunking ports.
  const inUse = new Set<number>();
  for (const v of col(c, OID.vmVlan).values()) if (num(v) !== undefined) inUse.add(num(v)!);
  const enabled = [OID.vlanTrunkPortVlansEnabled, OID.vlanTrunkPortVlansEnabled2k, OID.vlanTrunkPortVlansEnabled3k, OID.vlanTrunkPortVlansEnabled4k];
  for (const i of trunks) enabled.forEach((o, k) => portList(col(c, o).get(String(i))).forEach((b) => inUse.add(k * 1024 + b - 1)));
  const ciscoVlans: number[] = [];
  for (const [idx, v] of col(c, OID.vtpVlanState)) {
    const vlan = Number(idx.split('.')[1]);
    // operational(1) only; 1002–1005 are the FDDI/Token Ring defaults no port uses.
    if (num(v) !== 1 || !(vlan > 0 && vlan < 4095) || (vlan >= 1002 && vlan <= 1005)) continue;
    if (inUse.size === 0 || inUse.has(vlan)) ciscoVlans.push(vlan);
  }
  ciscoVlans.sort((a, b) => a - b);
  return ciscoVlans;
}

/** Reads the default context of one device: system, interfaces, forwarding tables, ARP, neighbours, aggregates, trunks. */
export async function readTables(client: SnmpClient, arp: boolean): Promise<DeviceTables> {
  const sys = await client.get([OID.sysObjectID, OID.sysName, OID.bridgeAddress]);
  const c = await client.walkColumns(defaultColumns(arp));
  const vendor = vendorOf(text(sys.get(OID.sysObjectID)).replace(/^\./, ''));
  const interfaces = interfacesOf(c);
  const bridgePorts = bridgePortsOf(c);
  const trunks = trunksOf(c, bridgePorts);
  return {
    sysName: text(sys.get(OID.sysName)),
    vendor,
    bridgeMac: macOfValue(sys.get(OID.bridgeAddress)),
    interfaces,
    bridgePorts,
    entries: fdbEntries(c),
    arp: arp ? arpEntries(c) : [],
    neighbors: neighborsOf(c, interfaces, bridgePorts),
    aggregateOf: aggregatesOf(c, interfaces),
    trunks,
    pvid: pvidsOf(c, bridgePorts),
    ciscoVlans: vendor === 'cisco' ? [...new Set(ciscoVlansOf(c, trunks))] : [],
  };
}

/** A PortList bitmap (first octet's high bit = bridge port 1) as port numbers. */
export function portList(v: SnmpValue | undefined): number[] {
  if (!v || !Buffer.isBuffer(v.value)) return [];
  const out: number[] = [];
  v.value.forEach((b, i) => {
    for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) out.push(i * 8 + bit + 1);
  });
  return out;
}

/** RFC 5952 text of 16 bytes: lower case, the longest run of two or more zero groups as "::". */
export function ipv6(bytes: number[]): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) (best = i), (bestLen = j - i);
    i = j > i ? j : i + 1;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
