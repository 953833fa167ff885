import type { FdbEntry, PortmapPort, UplinkReason } from '../../../lib/portmap-snapshot.ts';
import type { DeviceTables } from './read.ts';

/** The verdict on one switch: entries with `edge` set, every port with its reasons, and the uplinks' names. */
export interface Inference {
  entries: FdbEntry[];
  ports: PortmapPort[];
  uplinks: string[];
}

/**
 * Edge-port inference for one switch (Netdisco's macsuck as the model; docs/cabling.md says
 * where it differs). Entries are mapped to ifIndexes, de-duplicated (one per MAC, VLAN and
 * port; an entry without a VLAN goes when the same MAC on the same port has one), and a port is
 * an edge port unless it has an LLDP/CDP neighbour, shows a known switch's MAC, is or belongs
 * to an aggregate, carries a trunk, or has more than `maxMacsEdge` distinct MACs. Aggregate
 * members are judged as their aggregate. Pure: no I/O, no clock.
 */
export function inferEdges(t: DeviceTables, knownSwitchMacs: ReadonlySet<string>, maxMacsEdge: number): Inference {
  const bpOfIf = new Map<number, number>();
  for (const [bp, i] of t.bridgePorts) if (!bpOfIf.has(i)) bpOfIf.set(i, bp);
  // Some agents answer no dot1dBasePortIfIndex at all; their bridge port numbers are ifIndexes.
  const ifOfBp = (bp: number) => t.bridgePorts.get(bp) ?? (t.bridgePorts.size === 0 && t.interfaces.has(bp) ? bp : undefined);

  const byKey = new Map<string, FdbEntry>();
  for (const r of t.entries) {
    // A group address (multicast, broadcast: I/G bit set) or all-zero is no station on a port.
    if (parseInt(r.mac.slice(0, 2), 16) & 1 || r.mac === '00:00:00:00:00:00') continue;
    const ifIndex = r.ifIndex ?? (r.bridgePort !== null ? ifOfBp(r.bridgePort) : undefined);
    if (ifIndex === undefined) continue;
    const key = `${r.mac}|${r.vlan}|${ifIndex}`;
    if (byKey.has(key)) continue; // tables are read qbridge, huawei, bridge: the first (richest) wins
    byKey.set(key, {
      mac: r.mac,
      vlan: r.vlan,
      ifIndex,
      ifName: t.interfaces.get(ifIndex)?.ifName ?? `ifIndex ${ifIndex}`,
      bridgePort: r.bridgePort ?? bpOfIf.get(ifIndex) ?? null,
      source: r.source,
      edge: false,
    });
  }
  const withVlan = new Set([...byKey.values()].filter((e) => e.vlan !== null).map((e) => `${e.mac}|${e.ifIndex}`));
  const entries = [...byKey.values()].filter((e) => e.vlan !== null || !withVlan.has(`${e.mac}|${e.ifIndex}`));

  const portOf = (ifIndex: number) => t.aggregateOf.get(ifIndex) ?? ifIndex;
  const members = new Map<number, number[]>();
  for (const [m, agg] of t.aggregateOf) members.set(agg, [...(members.get(agg) ?? []), m]);
  const macs = new Map<number, Set<string>>();
  for (const e of entries) {
    const p = portOf(e.ifIndex);
    if (!macs.has(p)) macs.set(p, new Set());
    macs.get(p)!.add(e.mac);
  }

  const reasonsCache = new Map<number, UplinkReason[]>();
  const reasonsOf = (port: number): UplinkReason[] => {
    const hit = reasonsCache.get(port);
    if (hit) return hit;
    const all = [port, ...(members.get(port) ?? [])];
    const r: UplinkReason[] = [];
    const ns = all.flatMap((i) => t.neighbors.get(i) ?? []);
    if (ns.some((n) => n.protocol === 'lldp')) r.push('lldp');
    if (ns.some((n) => n.protocol === 'cdp')) r.push('cdp');
    const seen = macs.get(port) ?? new Set<string>();
    if ([...seen].some((m) => m !== t.bridgeMac && knownSwitchMacs.has(m))) r.push('switch_mac');
    if (members.has(port) || t.interfaces.get(port)?.lag) r.push('aggregate');
    if (all.some((i) => t.trunks.has(i))) r.push('trunk');
    if (seen.size > maxMacsEdge) r.push('too_many_macs');
    reasonsCache.set(port, r);
    return r;
  };
  for (const e of entries) e.edge = reasonsOf(portOf(e.ifIndex)).length === 0;

  const portIdx = new Set<number>([...t.bridgePorts.values(), ...entries.map((e) => e.ifIndex), ...t.neighbors.keys(), ...t.aggregateOf.values()]);
  const ports: PortmapPort[] = [...portIdx]
    .sort((a, b) => a - b)
    .map((i) => {
      const raw = t.interfaces.get(i);
      const p = portOf(i);
      const reasons = reasonsOf(p);
      return {
        ifIndex: i,
        ifName: raw?.ifName ?? `ifIndex ${i}`,
        ifAlias: raw?.ifAlias ?? '',
        operStatus: raw?.operStatus ?? '',
        speedMbps: raw?.speedMbps ?? null,
        pvid: t.pvid.get(i) ?? null,
        aggregate: t.aggregateOf.get(i) ?? null,
        trunk: t.trunks.has(i),
        macCount: macs.get(p)?.size ?? 0,
        edge: reasons.length === 0,
        reasons,
        neighbors: t.neighbors.get(i) ?? [],
      };
    });
  // Uplinks as seen: non-edge ports that carry entries or a neighbour, an aggregate standing for its members.
  const up = new Set<number>();
  for (const p of ports) if (!p.edge && (macs.has(portOf(p.ifIndex)) || (t.neighbors.get(p.ifIndex)?.length ?? 0) > 0)) up.add(portOf(p.ifIndex));
  const uplinks = [...up].sort((a, b) => a - b).map((i) => t.interfaces.get(i)?.ifName ?? `ifIndex ${i}`);
  return { entries, ports, uplinks };
}
