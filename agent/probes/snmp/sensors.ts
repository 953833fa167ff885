import type { SnmpValue } from './client.ts';
import { num, text } from './decode.ts';

/** One environment reading, as `sensor` samples and the `check snmp` JSON carry it. */
export interface SensorReading {
  kind: string;
  entity: string;
  /** Entity index the reading belongs to (ENTITY-MIB entPhysicalIndex or the vendor table's index). */
  index: string;
  value: number | null;
  unit: string;
  status: 'ok' | 'warning' | 'critical' | 'failed' | 'absent' | 'unknown';
}

const ENT_SENSOR = '1.3.6.1.2.1.99.1.1.1';
const HW_STATE = '1.3.6.1.4.1.2011.5.25.31.1.1.1.1';
const H3C_STATE = '1.3.6.1.4.1.25506.2.6.1.1.1.1';
const CISCO_ENV = '1.3.6.1.4.1.9.9.13.1';
export const ENT_PHYSICAL_CLASS = '1.3.6.1.2.1.47.1.1.1.1.5';
export const ENT_PHYSICAL_NAME = '1.3.6.1.2.1.47.1.1.1.1.7';

/** Table columns to walk for a vendor's environment readings (ENTITY-SENSOR-MIB for everyone). */
export function sensorColumns(vendor: string): string[] {
  const cols = [1, 2, 3, 4, 5].map((c) => `${ENT_SENSOR}.${c}`);
  if (vendor === 'huawei') cols.push(`${HW_STATE}.5`, `${HW_STATE}.7`, `${HW_STATE}.11`);
  if (vendor === 'h3c') cols.push(`${H3C_STATE}.6`, `${H3C_STATE}.8`, `${H3C_STATE}.12`, `${H3C_STATE}.19`);
  if (vendor === 'cisco')
    cols.push(
      `${CISCO_ENV}.3.1.2`,
      `${CISCO_ENV}.3.1.3`,
      `${CISCO_ENV}.3.1.6`,
      `${CISCO_ENV}.4.1.2`,
      `${CISCO_ENV}.4.1.3`,
      `${CISCO_ENV}.5.1.2`,
      `${CISCO_ENV}.5.1.3`,
    );
  return cols;
}

type Cols = Map<string, Map<string, SnmpValue>>;
const col = (cols: Cols, oid: string) => cols.get(oid) ?? new Map<string, SnmpValue>();

// ENTITY-SENSOR-MIB EntitySensorDataType → our kind and unit.
const ENT_TYPES: Record<number, [string, string]> = {
  3: ['voltage', 'V'],
  4: ['voltage', 'V'],
  5: ['current', 'A'],
  6: ['power', 'W'],
  7: ['frequency', 'Hz'],
  8: ['temperature', 'C'],
  9: ['humidity', '%RH'],
  10: ['fan', 'rpm'],
  11: ['airflow', 'cmm'],
  14: ['optical_power', 'dBm'],
};

/**
 * Entity indexes whose names are needed; the caller GETs entPhysicalName/Class for them only
 * (a whole entPhysicalTable walk is the slowest part of polling a chassis switch).
 */
export function sensorEntityIndexes(cols: Cols, vendor: string): string[] {
  const idx = new Set<string>(col(cols, `${ENT_SENSOR}.4`).keys());
  if (vendor === 'huawei') for (const c of [5, 7, 11]) for (const k of col(cols, `${HW_STATE}.${c}`).keys()) idx.add(k);
  if (vendor === 'h3c') for (const c of [6, 8, 12, 19]) for (const k of col(cols, `${H3C_STATE}.${c}`).keys()) idx.add(k);
  return [...idx];
}

export interface EntityInfo {
  name: string;
  cls: number | undefined;
}

// entPhysicalClass: container(5), port(10) and stack(11) entities repeat the chassis reading on Comware.
const SKIP_CLASSES = new Set([5, 10, 11]);

/** Turns the walked columns into readings. Vendor sentinels (Huawei 0, H3C 65535) are absences, not readings. */
export function parseSensors(cols: Cols, vendor: string, entities: Map<string, EntityInfo>): SensorReading[] {
  const out: SensorReading[] = [];
  const name = (i: string) => entities.get(i)?.name || `entity ${i}`;

  const values = col(cols, `${ENT_SENSOR}.4`);
  for (const [i, v] of values) {
    const type = num(col(cols, `${ENT_SENSOR}.1`).get(i)) ?? 1;
    const scale = num(col(cols, `${ENT_SENSOR}.2`).get(i)) ?? 9;
    const precision = num(col(cols, `${ENT_SENSOR}.3`).get(i)) ?? 0;
    const oper = num(col(cols, `${ENT_SENSOR}.5`).get(i)) ?? 1;
    const nm = name(i);
    // Cisco reports optical levels as type other(1) with a dBm name; keep them, they are line health.
    const [kind, unit] = ENT_TYPES[type] ?? (/dBm|power sensor/i.test(nm) ? ['optical_power', 'dBm'] : ['other', '']);
    const raw = num(v);
    const value = raw === undefined || oper !== 1 ? null : (raw * 10 ** ((scale - 9) * 3)) / 10 ** precision;
    out.push({ kind, entity: nm, index: i, value: value === null ? null : round(value), unit, status: oper === 1 ? 'ok' : oper === 2 ? 'unknown' : 'failed' });
  }

  const vendorTable = (base: string, cpuC: number, memC: number, tempC: number, absentTemp: number) => {
    const temps = col(cols, `${base}.${tempC}`);
    const cpus = col(cols, `${base}.${cpuC}`);
    const mems = col(cols, `${base}.${memC}`);
    for (const i of new Set([...temps.keys(), ...cpus.keys()])) {
      const cls = entities.get(i)?.cls;
      if (cls !== undefined && SKIP_CLASSES.has(cls)) continue;
      const t = num(temps.get(i));
      if (t !== undefined && t !== absentTemp && !(vendor === 'h3c' && t === 0))
        out.push({ kind: 'temperature', entity: name(i), index: i, value: t, unit: 'C', status: 'ok' });
      const c = num(cpus.get(i));
      const m = num(mems.get(i));
      // Entities without a CPU report 0 for both: no reading, not an idle CPU.
      if ((c ?? 0) > 0 || (m ?? 0) > 0) {
        if (c !== undefined) out.push({ kind: 'cpu', entity: name(i), index: i, value: c, unit: '%', status: 'ok' });
        if (m !== undefined) out.push({ kind: 'memory', entity: name(i), index: i, value: m, unit: '%', status: 'ok' });
      }
    }
  };
  if (vendor === 'huawei') vendorTable(HW_STATE, 5, 7, 11, 0);
  if (vendor === 'h3c') {
    vendorTable(H3C_STATE, 6, 8, 12, 65535);
    // hh3cEntityExtErrorStatus for fans and power supplies: notSupported(1) normal(2) entityAbsent(4), others are faults.
    for (const [i, v] of col(cols, `${H3C_STATE}.19`)) {
      const cls = entities.get(i)?.cls;
      if (cls !== 6 && cls !== 7) continue;
      const s = num(v);
      out.push({
        kind: cls === 6 ? 'psu' : 'fan',
        entity: name(i),
        index: i,
        value: null,
        unit: '',
        status: s === 2 ? 'ok' : s === 1 ? 'unknown' : s === 4 ? 'absent' : 'failed',
      });
    }
  }
  if (vendor === 'cisco') {
    const st = (s: number | undefined): SensorReading['status'] =>
      s === 1 ? 'ok' : s === 2 ? 'warning' : s === 3 ? 'critical' : s === 4 || s === 6 ? 'failed' : s === 5 ? 'absent' : 'unknown';
    for (const [i, v] of col(cols, `${CISCO_ENV}.3.1.3`))
      out.push({
        kind: 'temperature',
        entity: text(col(cols, `${CISCO_ENV}.3.1.2`).get(i)) || `temperature ${i}`,
        index: i,
        value: num(v) ?? null,
        unit: 'C',
        status: st(num(col(cols, `${CISCO_ENV}.3.1.6`).get(i))),
      });
    for (const [i, v] of col(cols, `${CISCO_ENV}.4.1.3`))
      out.push({ kind: 'fan', entity: text(col(cols, `${CISCO_ENV}.4.1.2`).get(i)) || `fan ${i}`, index: i, value: null, unit: '', status: st(num(v)) });
    for (const [i, v] of col(cols, `${CISCO_ENV}.5.1.3`))
      out.push({
        kind: 'psu',
        entity: text(col(cols, `${CISCO_ENV}.5.1.2`).get(i)) || `power supply ${i}`,
        index: i,
        value: null,
        unit: '',
        status: st(num(v)),
      });
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
