import type { SnmpClient, SnmpValue } from '../snmp/client.ts';
import { num, text } from '../snmp/decode.ts';
import { percentOf, supplyState, trayState, fillPercent, type SupplyState, type Thresholds, type TrayState } from './levels.ts';
import {
  alertCode,
  alertGroup,
  alertSeverity,
  alertTraining,
  capacityUnit,
  COL,
  decodeErrorState,
  HR_DEVICE_PRINTER,
  HR_UPTIME,
  hrDeviceStatus,
  hrPrinterStatus,
  PAGE_UNITS,
  printerVendor,
  SUPPLY_CLASS,
  supplyClass,
  supplyType,
  supplyUnit,
  SYS,
  TABLE,
  WASTE_TYPES,
  type ErrorCondition,
} from './mib.ts';
import { colourOf, printerText, supplyWords, tidyName, type Colour } from './text.ts';

export interface Supply {
  /** prtMarkerSuppliesIndex: the last OID component. */
  index: number;
  class: string | null;
  type: string | null;
  description: string;
  name: string;
  unit: string | null;
  max: number | null;
  level: number | null;
  percent: number | null;
  state: SupplyState;
  /** Receptacle by class, or by a waste type when the class column is missing. */
  receptacle: boolean;
  /** How full a receptacle is (percent), when known. */
  fillPct: number | null;
  colour: Colour;
  /** The supply in words for messages ("黑色碳粉"). */
  words: string;
}

export interface Tray {
  index: number;
  name: string;
  media: string | null;
  unit: string | null;
  max: number | null;
  level: number | null;
  percent: number | null;
  state: TrayState;
}

export interface PrinterAlert {
  index: number;
  severity: string | null;
  training: string | null;
  group: string | null;
  groupIndex: number | null;
  location: number | null;
  code: string | null;
  description: string;
  /** prtAlertTime: sysUpTime (ticks) when the alert was raised. */
  timeTicks: number | null;
}

/** What one poll of one printer learned (it answered: a silent device is the caller's up=0). */
export interface PrinterReport {
  sysName: string;
  sysDescr: string;
  sysObjectID: string;
  vendor: string;
  model: string;
  serial: string | null;
  uptimeSeconds: number | null;
  /** hrPrinterStatus / hrDeviceStatus names; null when the agent has no such row. */
  printerStatus: string | null;
  deviceStatus: string | null;
  /** Decoded hrPrinterDetectedErrorState; null when the agent does not answer it. */
  errors: ErrorCondition[] | null;
  supplies: Supply[];
  trays: Tray[];
  alerts: PrinterAlert[];
  /** Sum of prtMarkerLifeCount over markers counting impressions or sheets; null when none does. */
  pagesTotal: number | null;
  consoleText: string;
}

type Rows = Map<number, Map<string, SnmpValue>>;

/** Splits a whole-table walk (suffix "col.index…") into column → index suffix → value. */
function byColumn(table: Map<string, SnmpValue> | undefined): Rows {
  const out: Rows = new Map();
  for (const [suffix, v] of table ?? []) {
    const dot = suffix.indexOf('.');
    if (dot < 0) continue;
    const col = Number(suffix.slice(0, dot));
    let m = out.get(col);
    if (!m) out.set(col, (m = new Map()));
    m.set(suffix.slice(dot + 1), v);
  }
  return out;
}

const last = (index: string) => Number(index.slice(index.lastIndexOf('.') + 1));
const first = (index: string) => Number(index.split('.')[0]);

const col = (rows: Rows, c: number) => rows.get(c) ?? new Map<string, SnmpValue>();

/** Row indexes present in any of the columns (agents leave empty cells out). */
function rowIndexes(rows: Rows, cols: Record<string, number>): Set<string> {
  const idx = new Set<string>();
  for (const c of Object.values(cols)) for (const i of col(rows, c).keys()) idx.add(i);
  return idx;
}

/** prtMarkerSuppliesTable: consumed supplies and waste receptacles, with their state by the thresholds. */
function readSupplies(sup: Rows, noToner: boolean, t: Thresholds): Supply[] {
  const supplies: Supply[] = [...rowIndexes(sup, COL.supplies)].map((i) => {
    const g = (c: number) => num(col(sup, c).get(i)) ?? null;
    const cls = g(COL.supplies.class);
    const typ = g(COL.supplies.type);
    const description = printerText(col(sup, COL.supplies.description).get(i));
    const receptacle = cls === SUPPLY_CLASS.receptacle || (cls !== SUPPLY_CLASS.consumed && typ !== null && WASTE_TYPES.has(typ));
    const max = g(COL.supplies.maxCapacity);
    const level = g(COL.supplies.level);
    const percent = percentOf(level, max);
    const type = typ === null ? null : supplyType(typ);
    const name = tidyName(description);
    const colour = colourOf(description);
    return {
      index: last(i),
      class: cls === null ? null : supplyClass(cls),
      type,
      description,
      name,
      unit: supplyUnit(g(COL.supplies.unit) ?? undefined),
      max,
      level,
      percent,
      state: supplyState({ receptacle, level, max, percent, noToner }, t),
      receptacle,
      fillPct: receptacle && percent !== null ? fillPercent(percent, t) : null,
      colour,
      words: supplyWords(type, colour, name),
    };
  });
  supplies.sort((a, b) => a.index - b.index);
  return supplies;
}

/** prtInputTable: paper trays and their fill. */
function readTrays(inp: Rows, t: Thresholds): Tray[] {
  const trays: Tray[] = [...rowIndexes(inp, COL.input)].map((i) => {
    const g = (c: number) => num(col(inp, c).get(i)) ?? null;
    const max = g(COL.input.maxCapacity);
    const level = g(COL.input.currentLevel);
    const percent = percentOf(level, max);
    const mediaV = col(inp, COL.input.mediaName).get(i);
    return {
      index: last(i),
      name: printerText(col(inp, COL.input.name).get(i)) || printerText(col(inp, COL.input.description).get(i)) || `tray ${last(i)}`,
      media: mediaV === undefined ? null : printerText(mediaV),
      unit: capacityUnit(g(COL.input.capacityUnit) ?? undefined),
      max,
      level,
      percent,
      state: trayState(level, max, percent, t),
    };
  });
  trays.sort((a, b) => a.index - b.index);
  return trays;
}

/** prtAlertTable: the open alert rows. */
function readAlerts(al: Rows): PrinterAlert[] {
  const alerts: PrinterAlert[] = [...rowIndexes(al, COL.alert)].map((i) => {
    const g = (c: number) => num(col(al, c).get(i)) ?? undefined;
    return {
      index: last(i),
      severity: alertSeverity(g(COL.alert.severity)),
      training: alertTraining(g(COL.alert.training)),
      group: alertGroup(g(COL.alert.group)),
      groupIndex: g(COL.alert.groupIndex) ?? null,
      location: g(COL.alert.location) ?? null,
      code: alertCode(g(COL.alert.code)),
      description: printerText(col(al, COL.alert.description).get(i)),
      timeTicks: g(COL.alert.time) ?? null,
    };
  });
  alerts.sort((a, b) => a.index - b.index);
  return alerts;
}

/** Lifetime pages: prtMarkerLifeCount summed over the printer's markers counting in impressions or sheets. */
function readPages(mk: Rows, printerRow: string | undefined): number | null {
  let pagesTotal: number | null = null;
  for (const [i, v] of col(mk, COL.marker.lifeCount)) {
    const unit = num(col(mk, COL.marker.counterUnit).get(i));
    if (unit !== undefined && !PAGE_UNITS.has(unit)) continue;
    if (printerRow !== undefined && first(i) !== Number(printerRow)) continue;
    pagesTotal = (pagesTotal ?? 0) + (num(v) ?? 0);
  }
  return pagesTotal;
}

/**
 * Polls one printer: a GET of the system group, then one side-by-side GETBULK walk of the
 * HOST-RESOURCES device/printer tables and the Printer-MIB tables (marker, supplies, input,
 * console, alerts), each walked whole like `snmpbulkwalk` of that table. Throws the client's
 * error (timeout, auth); the caller turns it into up=0.
 */
export async function pollPrinter(client: SnmpClient, t: Thresholds): Promise<PrinterReport> {
  const sys = await client.get([SYS.descr, SYS.objectId, SYS.upTime, SYS.name, HR_UPTIME]);
  if (sys.size === 0) throw Object.assign(new Error('the agent answered no system object'), { name: 'RequestFailedError' });
  const tables = await client.walkColumns(Object.values(TABLE));
  const tab = (k: keyof typeof TABLE) => byColumn(tables.get(TABLE[k]));
  const hrDev = tab('hrDevice');
  const hrPrn = tab('hrPrinter');

  const sysDescr = text(sys.get(SYS.descr)).replace(/\s*\n\s*/g, ' ');
  const sysObjectID = text(sys.get(SYS.objectId)).replace(/^\./, '');
  const ticks = num(sys.get(SYS.upTime)) ?? num(sys.get(HR_UPTIME));

  // The printer's hrDeviceIndex: the hrDevice row typed hrDevicePrinter, else the first hrPrinterTable row.
  const types = col(hrDev, COL.hrDevice.type);
  const printerRow =
    [...types].find(([, v]) => text(v).replace(/^\./, '') === HR_DEVICE_PRINTER)?.[0] ??
    [...col(hrPrn, COL.hrPrinter.status).keys(), ...col(hrPrn, COL.hrPrinter.errorState).keys()][0];
  const devRow = printerRow ?? [...col(hrDev, COL.hrDevice.descr).keys()][0];
  const model = (devRow !== undefined ? printerText(col(hrDev, COL.hrDevice.descr).get(devRow)) : '') || sysDescr;
  const errRaw = printerRow !== undefined ? col(hrPrn, COL.hrPrinter.errorState).get(printerRow) : undefined;
  const errors = errRaw === undefined ? null : decodeErrorState(Buffer.isBuffer(errRaw.value) ? errRaw.value : Buffer.alloc(0));

  const serialCol = tables.get(TABLE.serial) ?? new Map<string, SnmpValue>();
  const serial = printerText((printerRow !== undefined ? serialCol.get(printerRow) : undefined) ?? [...serialCol.values()][0]) || null;

  const noToner = errors?.includes('noToner') ?? false;
  const supplies = readSupplies(tab('supplies'), noToner, t);
  const trays = readTrays(tab('input'), t);
  const alerts = readAlerts(tab('alert'));
  const pagesTotal = readPages(tab('marker'), printerRow);

  const consoleLines = [...col(tab('console'), COL.console.text)]
    .sort(([a], [b]) => last(a) - last(b))
    .map(([, v]) => printerText(v))
    .filter(Boolean);
  return {
    sysName: text(sys.get(SYS.name)),
    sysDescr,
    sysObjectID,
    vendor: printerVendor(sysObjectID, sysDescr, model),
    model,
    serial,
    uptimeSeconds: ticks === undefined ? null : Math.floor(ticks / 100),
    printerStatus: printerRow !== undefined ? hrPrinterStatus(num(col(hrPrn, COL.hrPrinter.status).get(printerRow))) : null,
    deviceStatus: devRow !== undefined ? hrDeviceStatus(num(col(hrDev, COL.hrDevice.status).get(devRow))) : null,
    errors,
    supplies,
    trays,
    alerts,
    pagesTotal,
    consoleText: consoleLines.join(' | '),
  };
}
