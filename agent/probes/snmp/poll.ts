import type { SnmpClient, SnmpValue } from './client.ts';
import { big, hex, num, printable, text, vendorOf } from './decode.ts';
import { ENT_PHYSICAL_CLASS, ENT_PHYSICAL_NAME, parseSensors, sensorColumns, sensorEntityIndexes, type EntityInfo, type SensorReading } from './sensors.ts';

const SYS = { descr: '1.3.6.1.2.1.1.1.0', objectId: '1.3.6.1.2.1.1.2.0', upTime: '1.3.6.1.2.1.1.3.0', name: '1.3.6.1.2.1.1.5.0' };
// HOST-RESOURCES hrSystemUptime: some agents (TP-Link smart switches) answer it but not sysUpTime.
const HR_UPTIME = '1.3.6.1.2.1.25.1.1.0';
const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
const LLDP_REM = '1.0.8802.1.1.2.1.4.1.1';
const LLDP_LOC = '1.0.8802.1.1.2.1.3.7.1';

const IF_COLS = {
  descr: `${IF}.2`,
  speed: `${IF}.5`,
  admin: `${IF}.7`,
  oper: `${IF}.8`,
  lastChange: `${IF}.9`,
  inDiscards: `${IF}.13`,
  inErrors: `${IF}.14`,
  outDiscards: `${IF}.19`,
  outErrors: `${IF}.20`,
  name: `${IFX}.1`,
  hcIn: `${IFX}.6`,
  hcOut: `${IFX}.10`,
  highSpeed: `${IFX}.15`,
  alias: `${IFX}.18`,
};
const IF32 = { in: `${IF}.10`, out: `${IF}.16` };
const LLDP_COLS = [4, 5, 6, 7, 8, 9].map((c) => `${LLDP_REM}.${c}`).concat([`${LLDP_LOC}.3`, `${LLDP_LOC}.4`]);

export const IF_STATUS = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'] as const;

/** One IF-MIB row, joined across ifTable and ifXTable on the ifIndex taken from the OID suffix. */
export interface InterfaceRow {
  ifIndex: number;
  name: string;
  descr: string;
  alias: string;
  adminStatus: number;
  operStatus: number;
  speedMbps: number | null;
  lastChange: number | undefined;
  /** True when octets come from ifHC* (64-bit), false for the 32-bit ifTable fallback. */
  hc: boolean;
  inOctets: bigint | undefined;
  outOctets: bigint | undefined;
  inErrors: bigint | undefined;
  outErrors: bigint | undefined;
  inDiscards: bigint | undefined;
  outDiscards: bigint | undefined;
}

export interface Neighbor {
  localPort: string;
  remoteSysName: string;
  remotePort: string;
  remoteChassisId: string;
}

/** Everything one poll of one device learned; `up=false` carries the error class instead. */
export interface DeviceReport {
  up: boolean;
  errorClass: string | undefined;
  pollMs: number;
  sysName: string;
  sysDescr: string;
  sysObjectID: string;
  vendor: string;
  /** sysUpTime (or hrSystemUptime) in seconds; null when the agent answers neither. */
  uptimeSeconds: number | null;
  interfaces: InterfaceRow[];
  sensors: SensorReading[];
  neighbors: Neighbor[];
}

export interface PollParts {
  interfaces: boolean;
  sensors: boolean;
  lldp: boolean;
}

/**
 * Polls one device: a GET for the system group, then one side-by-side GETBULK walk of every
 * needed column (IF-MIB, environment, LLDP), then GETs of entPhysicalName/Class for just the
 * entities that have readings. Throws the client's error (timeout, auth) — the caller maps it to up=0.
 */
export async function pollDevice(
  client: SnmpClient,
  parts: PollParts = { interfaces: true, sensors: true, lldp: true },
): Promise<Omit<DeviceReport, 'up' | 'errorClass' | 'pollMs'>> {
  const sys = await client.get([SYS.descr, SYS.objectId, SYS.upTime, SYS.name, HR_UPTIME]);
  const sysObjectID = text(sys.get(SYS.objectId)).replace(/^\./, '');
  const vendor = vendorOf(sysObjectID);
  const ticks = num(sys.get(SYS.upTime)) ?? num(sys.get(HR_UPTIME));

  const columns: string[] = [];
  if (parts.interfaces) columns.push(...Object.values(IF_COLS));
  if (parts.sensors) columns.push(...sensorColumns(vendor));
  if (parts.lldp) columns.push(...LLDP_COLS);
  const cols = columns.length ? await client.walkColumns(columns) : new Map<string, Map<string, SnmpValue>>();
  const c = (oid: string) => cols.get(oid) ?? new Map<string, SnmpValue>();

  let interfaces: InterfaceRow[] = [];
  if (parts.interfaces) {
    // The ifIndex column itself is often not recorded/served: the index is the OID suffix.
    const indexes = new Set<string>();
    for (const k of Object.values(IF_COLS)) for (const i of c(k).keys()) indexes.add(i);
    // v1 cannot carry Counter64 and some rows (stack ports, old line cards) lack ifHC*: those use ifTable's 32-bit counters.
    const hcMissing = [...indexes].some((i) => !c(IF_COLS.hcIn).has(i) && !c(IF_COLS.hcOut).has(i));
    const c32 = hcMissing ? await client.walkColumns([IF32.in, IF32.out]) : new Map<string, Map<string, SnmpValue>>();
    interfaces = [...indexes]
      .filter((i) => /^\d+$/.test(i))
      .map((i) => {
        const hs = num(c(IF_COLS.highSpeed).get(i));
        const sp = num(c(IF_COLS.speed).get(i));
        const hcIn = big(c(IF_COLS.hcIn).get(i));
        const hcOut = big(c(IF_COLS.hcOut).get(i));
        const hc = hcIn !== undefined || hcOut !== undefined;
        return {
          ifIndex: Number(i),
          name: text(c(IF_COLS.name).get(i)) || text(c(IF_COLS.descr).get(i)) || `ifIndex ${i}`,
          descr: text(c(IF_COLS.descr).get(i)),
          alias: text(c(IF_COLS.alias).get(i)),
          adminStatus: num(c(IF_COLS.admin).get(i)) ?? 4,
          operStatus: num(c(IF_COLS.oper).get(i)) ?? 4,
          // ifSpeed saturates at 4294967295 bps; ifHighSpeed (Mbps) is authoritative when present.
          speedMbps: hs !== undefined && hs > 0 ? hs : sp !== undefined ? sp / 1e6 : (hs ?? null),
          lastChange: num(c(IF_COLS.lastChange).get(i)),
          hc,
          inOctets: hc ? hcIn : big(c32.get(IF32.in)?.get(i)),
          outOctets: hc ? hcOut : big(c32.get(IF32.out)?.get(i)),
          inErrors: big(c(IF_COLS.inErrors).get(i)),
          outErrors: big(c(IF_COLS.outErrors).get(i)),
          inDiscards: big(c(IF_COLS.inDiscards).get(i)),
          outDiscards: big(c(IF_COLS.outDiscards).get(i)),
        };
      })
      .sort((a, b) => a.ifIndex - b.ifIndex);
  }

  let sensors: SensorReading[] = [];
  if (parts.sensors) {
    const need = sensorEntityIndexes(cols, vendor);
    const entities = new Map<string, EntityInfo>();
    for (let k = 0; k < need.length; k += 24) {
      const batch = need.slice(k, k + 24);
      const got = await client.get(batch.flatMap((i) => [`${ENT_PHYSICAL_NAME}.${i}`, `${ENT_PHYSICAL_CLASS}.${i}`]));
      for (const i of batch) entities.set(i, { name: text(got.get(`${ENT_PHYSICAL_NAME}.${i}`)), cls: num(got.get(`${ENT_PHYSICAL_CLASS}.${i}`)) });
    }
    sensors = parseSensors(cols, vendor, entities);
  }

  const neighbors: Neighbor[] = [];
  if (parts.lldp) {
    const ifName = new Map(interfaces.map((r) => [String(r.ifIndex), r.name]));
    const rem = (n: number, i: string) => c(`${LLDP_REM}.${n}`).get(i);
    const rows = new Set<string>();
    for (const n of [4, 5, 6, 7, 8, 9]) for (const i of c(`${LLDP_REM}.${n}`).keys()) rows.add(i);
    for (const i of rows) {
      // Index: lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex
      const portNum = i.split('.')[1] ?? '';
      const loc = text(c(`${LLDP_LOC}.3`).get(portNum)) || ifName.get(portNum) || text(c(`${LLDP_LOC}.4`).get(portNum)) || portNum;
      const chassisSub = num(rem(4, i));
      const portSub = num(rem(6, i));
      neighbors.push({
        localPort: loc,
        remoteSysName: text(rem(9, i)),
        // Port id subtype macAddress(3), chassis subtype macAddress(4): binary, shown as MAC.
        remotePort: portSub === 3 || !printable(rem(7, i)) ? hex(rem(7, i)) : text(rem(7, i)) || text(rem(8, i)),
        remoteChassisId: chassisSub === 4 || !printable(rem(5, i)) ? hex(rem(5, i)) : text(rem(5, i)),
      });
    }
  }

  return {
    sysName: text(sys.get(SYS.name)),
    // Multi-line (CRLF) descriptions become one line: it is a field in line protocol and a table cell in dashboards.
    sysDescr: text(sys.get(SYS.descr)).replace(/\s*\n\s*/g, ' '),
    sysObjectID,
    vendor,
    uptimeSeconds: ticks === undefined ? null : Math.floor(ticks / 100),
    interfaces,
    sensors,
    neighbors,
  };
}
