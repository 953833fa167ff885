/** The document kind of a port map (agent → collector `document` frame; one per switch per poll). */
export const PORTMAP_DOCUMENT = 'portmap';

// The port map of one switch as the `portmap` probe read it: the contract between the agent
// (agent/probes/portmap/) and the collector's cabling register (collector/cabling/). Types
// only, so both sides share them without either loading the other's code; the collector
// validates what arrives with collector/cabling/snapshot-schema.ts.

export type FdbSource = 'qbridge' | 'bridge' | 'huawei';

/** Why a port is not an edge port (a MAC learned there is not *on* that port). */
export type UplinkReason = 'lldp' | 'cdp' | 'switch_mac' | 'aggregate' | 'trunk' | 'too_many_macs';

/** One learned forwarding entry (one per MAC, VLAN and port), before and with the edge verdict. */
export interface FdbEntry {
  /** Lower-case, colon-separated. */
  mac: string;
  /** null where the table does not say (BRIDGE-MIB, Cisco's default context). */
  vlan: number | null;
  ifIndex: number;
  ifName: string;
  /** null for hwDynFdbPort rows whose ifIndex has no bridge port. */
  bridgePort: number | null;
  source: FdbSource;
  edge: boolean;
}

export interface ArpEntry {
  ip: string;
  mac: string;
  ifIndex: number;
}

export interface PortNeighbor {
  protocol: 'lldp' | 'cdp';
  remoteSysName: string;
  remotePort: string;
  remoteChassisId: string;
}

/** One switch port (every ifIndex that carries entries, a neighbour, or a bridge port). */
export interface PortmapPort {
  ifIndex: number;
  ifName: string;
  ifAlias: string;
  /** IF-MIB ifOperStatus name (up, down, …); '' when the agent does not say. */
  operStatus: string;
  speedMbps: number | null;
  /** Port VLAN id (dot1qPvid); null where the device does not say. */
  pvid: number | null;
  /** ifIndex of the aggregate this port is a member of. */
  aggregate: number | null;
  trunk: boolean;
  /** Distinct MACs learned on the port (members count toward their aggregate). */
  macCount: number;
  edge: boolean;
  /** Empty for edge ports. */
  reasons: UplinkReason[];
  neighbors: PortNeighbor[];
}

/**
 * The whole port map of one switch at one poll. Produced by the portmap probe (one per device
 * per run) and handed whole to the collector's register; a device that did not answer is
 * `up: false` with its error class and empty lists (the register then changes nothing).
 */
export interface PortmapSnapshot {
  version: 1;
  /** The `device` tag (config `name`, else host[:port]). */
  device: string;
  host: string;
  /** Poll time, ms since the epoch. */
  time: number;
  up: boolean;
  errorClass: string | null;
  sysName: string;
  /** Switch vendor from sysObjectID (huawei, h3c, cisco, …). */
  vendor: string;
  /** dot1dBaseBridgeAddress: the switch's own MAC, how other switches recognise it. */
  bridgeMac: string | null;
  ports: PortmapPort[];
  entries: FdbEntry[];
  arp: ArpEntry[];
  /** ifNames of the non-edge ports (aggregates instead of their members). */
  uplinks: string[];
  /** Per-VLAN (Cisco community/context indexing) walks that failed, with why. */
  vlanErrors: { vlan: number; errorClass: string }[];
}
