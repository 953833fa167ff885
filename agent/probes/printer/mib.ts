// Printer-MIB (RFC 3805) and HOST-RESOURCES-MIB (RFC 2790) objects the printer probe reads,
// and the enumerations it names. Numbers the MIBs do not name print as the number.

export const SYS = { descr: '1.3.6.1.2.1.1.1.0', objectId: '1.3.6.1.2.1.1.2.0', upTime: '1.3.6.1.2.1.1.3.0', name: '1.3.6.1.2.1.1.5.0' };
export const HR_UPTIME = '1.3.6.1.2.1.25.1.1.0';

/** Tables walked whole (each one cursor of a side-by-side GETBULK), as `snmpbulkwalk` of the table would. */
export const TABLE = {
  hrDevice: '1.3.6.1.2.1.25.3.2.1',
  hrPrinter: '1.3.6.1.2.1.25.3.5.1',
  /** prtGeneralSerialNumber only: the rest of prtGeneralTable is configuration. */
  serial: '1.3.6.1.2.1.43.5.1.1.17',
  input: '1.3.6.1.2.1.43.8.2.1',
  marker: '1.3.6.1.2.1.43.10.2.1',
  supplies: '1.3.6.1.2.1.43.11.1.1',
  console: '1.3.6.1.2.1.43.16.5.1',
  alert: '1.3.6.1.2.1.43.18.1.1',
} as const;

/** Column numbers inside each table. */
export const COL = {
  hrDevice: { type: 2, descr: 3, status: 5 },
  hrPrinter: { status: 1, errorState: 2 },
  input: { capacityUnit: 8, maxCapacity: 9, currentLevel: 10, mediaName: 12, name: 13, description: 18 },
  marker: { counterUnit: 3, lifeCount: 4 },
  supplies: { class: 4, type: 5, description: 6, unit: 7, maxCapacity: 8, level: 9 },
  console: { text: 2 },
  alert: { severity: 2, training: 3, group: 4, groupIndex: 5, location: 6, code: 7, description: 8, time: 9 },
} as const;

export const HR_DEVICE_PRINTER = '1.3.6.1.2.1.25.3.1.5';

const named =
  (list: Record<number, string>) =>
  (n: number | undefined): string | null =>
    n === undefined ? null : (list[n] ?? String(n));

export const hrPrinterStatus = named({ 1: 'other', 2: 'unknown', 3: 'idle', 4: 'printing', 5: 'warmup' });
export const hrDeviceStatus = named({ 1: 'unknown', 2: 'running', 3: 'warning', 4: 'testing', 5: 'down' });

/** PrtMarkerSuppliesClassTC. */
export const SUPPLY_CLASS = { other: 1, consumed: 3, receptacle: 4 } as const;
export const supplyClass = named({ 1: 'other', 3: 'supplyThatIsConsumed', 4: 'receptacleThatIsFilled' });

/** PrtMarkerSuppliesTypeTC. */
export const SUPPLY_TYPE: Record<number, string> = {
  1: 'other',
  2: 'unknown',
  3: 'toner',
  4: 'wasteToner',
  5: 'ink',
  6: 'inkCartridge',
  7: 'inkRibbon',
  8: 'wasteInk',
  9: 'opc',
  10: 'developer',
  11: 'fuserOil',
  12: 'solidWax',
  13: 'ribbonWax',
  14: 'wasteWax',
  15: 'fuser',
  16: 'coronaWire',
  17: 'fuserOilWick',
  18: 'cleanerUnit',
  19: 'fuserCleaningPad',
  20: 'transferUnit',
  21: 'tonerCartridge',
  22: 'fuserOiler',
  23: 'water',
  24: 'wasteWater',
  25: 'glueWaterAdditive',
  26: 'wastePaper',
  27: 'bindingSupply',
  28: 'bandingSupply',
  29: 'stitchingWire',
  30: 'shrinkWrap',
  31: 'paperWrap',
  32: 'staples',
  33: 'inserts',
  34: 'covers',
  35: 'matteToner',
  36: 'matteInk',
};
export const supplyType = named(SUPPLY_TYPE);
/** Types that are receptacles whatever the class column says (or when it is missing, as on Ricoh and Brother). */
export const WASTE_TYPES = new Set([4, 8, 14, 24, 26]);

/** PrtMarkerSuppliesSupplyUnitTC. */
export const supplyUnit = named({
  1: 'other',
  2: 'unknown',
  3: 'tenThousandthsOfInches',
  4: 'micrometers',
  7: 'impressions',
  8: 'sheets',
  11: 'hours',
  12: 'thousandthsOfOunces',
  13: 'tenthsOfGrams',
  14: 'hundrethsOfFluidOunces',
  15: 'tenthsOfMilliliters',
  16: 'feet',
  17: 'meters',
  18: 'items',
  19: 'percent',
});
/** PrtCapacityUnitTC (input trays). */
export const capacityUnit = named({
  1: 'other',
  2: 'unknown',
  3: 'tenThousandthsOfInches',
  4: 'micrometers',
  8: 'sheets',
  16: 'feet',
  17: 'meters',
  18: 'items',
  19: 'percent',
});
/** PrtMarkerCounterUnitTC values that count pages. */
export const PAGE_UNITS = new Set([7, 8]);

export const alertSeverity = named({ 1: 'other', 3: 'critical', 4: 'warning', 5: 'warningBinaryChangeEvent' });
export const alertTraining = named({ 1: 'other', 2: 'unknown', 3: 'untrained', 4: 'trained', 5: 'fieldService', 6: 'management', 7: 'noInterventionRequired' });
export const alertGroup = named({
  1: 'other',
  2: 'unknown',
  3: 'hostResourcesMIBStorageTable',
  4: 'hostResourcesMIBDeviceTable',
  5: 'generalPrinter',
  6: 'cover',
  7: 'localization',
  8: 'input',
  9: 'output',
  10: 'marker',
  11: 'markerSupplies',
  12: 'markerColorant',
  13: 'mediaPath',
  14: 'channel',
  15: 'interpreter',
  16: 'consoleDisplayBuffer',
  17: 'consoleLights',
  18: 'alert',
  30: 'finDevice',
  31: 'finSupply',
  32: 'finSupplyMediaInput',
  33: 'finAttribute',
});
export const alertCode = named({
  1: 'other',
  2: 'unknown',
  3: 'coverOpen',
  4: 'coverClosed',
  5: 'interlockOpen',
  6: 'interlockClosed',
  7: 'configurationChange',
  8: 'jam',
  9: 'subunitMissing',
  10: 'subunitLifeAlmostOver',
  11: 'subunitLifeOver',
  12: 'subunitAlmostEmpty',
  13: 'subunitEmpty',
  14: 'subunitAlmostFull',
  15: 'subunitFull',
  16: 'subunitNearLimit',
  17: 'subunitAtLimit',
  18: 'subunitOpened',
  19: 'subunitClosed',
  20: 'subunitTurnedOn',
  21: 'subunitTurnedOff',
  22: 'subunitOffline',
  23: 'subunitPowerSaver',
  24: 'subunitWarmingUp',
  25: 'subunitAdded',
  26: 'subunitRemoved',
  27: 'subunitResourceAdded',
  28: 'subunitResourceRemoved',
  29: 'subunitRecoverableFailure',
  30: 'subunitUnrecoverableFailure',
  31: 'subunitRecoverableStorageError',
  32: 'subunitUnrecoverableStorageError',
  33: 'subunitMotorFailure',
  34: 'subunitMemoryExhausted',
  35: 'subunitUnderTemperature',
  36: 'subunitOverTemperature',
  37: 'subunitTimingFailure',
  38: 'subunitThermistorFailure',
  501: 'doorOpen',
  502: 'doorClosed',
  503: 'poweredUp',
  504: 'poweredDown',
  505: 'printerNMSReset',
  506: 'printerManualReset',
  507: 'printerReadyToPrint',
  801: 'inputMediaTrayMissing',
  802: 'inputMediaSizeChange',
  803: 'inputMediaWeightChange',
  804: 'inputMediaTypeChange',
  805: 'inputMediaColorChange',
  806: 'inputMediaFormPartsChange',
  807: 'inputMediaSupplyLow',
  808: 'inputMediaSupplyEmpty',
  809: 'inputManualInputRequest',
  810: 'inputManualInputCompleted',
  901: 'outputMediaTrayMissing',
  902: 'outputMediaTrayAlmostFull',
  903: 'outputMediaTrayFull',
  904: 'outputMailboxSelectFailure',
  1001: 'markerFuserUnderTemperature',
  1002: 'markerFuserOverTemperature',
  1003: 'markerFuserTimingFailure',
  1004: 'markerFuserThermistorFailure',
  1005: 'markerAdjustingPrintQuality',
  1101: 'markerTonerEmpty',
  1102: 'markerInkEmpty',
  1103: 'markerPrintRibbonEmpty',
  1104: 'markerTonerAlmostEmpty',
  1105: 'markerInkAlmostEmpty',
  1106: 'markerPrintRibbonAlmostEmpty',
  1107: 'markerWasteTonerReceptacleAlmostFull',
  1108: 'markerWasteInkReceptacleAlmostFull',
  1109: 'markerWasteTonerReceptacleFull',
  1110: 'markerWasteInkReceptacleFull',
  1111: 'markerOpcLifeAlmostOver',
  1112: 'markerOpcLifeOver',
  1113: 'markerDeveloperAlmostEmpty',
  1114: 'markerDeveloperEmpty',
  1115: 'markerTonerCartridgeMissing',
  1301: 'mediaPathMediaTrayMissing',
  1302: 'mediaPathMediaTrayAlmostFull',
  1303: 'mediaPathMediaTrayFull',
  1304: 'mediaPathCannotDuplexMediaSelected',
  1501: 'interpreterMemoryIncrease',
  1502: 'interpreterMemoryDecrease',
  1503: 'interpreterCartridgeAdded',
  1504: 'interpreterCartridgeDeleted',
  1505: 'interpreterResourceAdded',
  1506: 'interpreterResourceDeleted',
  1507: 'interpreterResourceUnavailable',
  1509: 'interpreterComplexPageEncountered',
  1801: 'alertRemovalOfBinaryChangeEntry',
});

/**
 * hrPrinterDetectedErrorState bits in RFC order. The MIB numbers bits from the most significant
 * bit of the first octet (BITS encoding): bit 0 lowPaper is 0x80 of octet 0, bit 8
 * inputTrayMissing is 0x80 of octet 1. RFC 3805 added bits 8–15 to RFC 2790's first eight.
 */
export const ERROR_BITS = [
  'lowPaper',
  'noPaper',
  'lowToner',
  'noToner',
  'doorOpen',
  'jammed',
  'offline',
  'serviceRequested',
  'inputTrayMissing',
  'outputTrayMissing',
  'markerSupplyMissing',
  'outputNearFull',
  'outputFull',
  'inputTrayEmpty',
  'overduePreventMaint',
] as const;
export type ErrorCondition = (typeof ERROR_BITS)[number];

/** The named conditions set in a BITS value; bits past the known ones are ignored. */
export function decodeErrorState(bytes: Buffer): ErrorCondition[] {
  const out: ErrorCondition[] = [];
  ERROR_BITS.forEach((name, bit) => {
    const octet = bytes[bit >> 3];
    if (octet !== undefined && octet & (0x80 >> (bit & 7))) out.push(name);
  });
  return out;
}

/** camelCase MIB name → the snake_case field name (`doorOpen` → `door_open`). */
export function fieldName(c: ErrorCondition): string {
  return c.replace(/[A-Z]/g, (m) => '_' + m.toLowerCase());
}

/** Vendors by sysObjectID enterprise number (IANA Private Enterprise Numbers). */
const ENTERPRISES: Record<number, string> = {
  11: 'hp',
  2435: 'brother',
  1602: 'canon',
  367: 'ricoh',
  1347: 'kyocera',
  18334: 'konica-minolta',
  2385: 'sharp',
  253: 'xerox',
  297: 'fujifilm',
  641: 'lexmark',
  1248: 'epson',
  40093: 'pantum',
  19046: 'lenovo',
  236: 'samsung',
  2001: 'oki',
  1129: 'toshiba',
  674: 'dell',
  211: 'fujitsu',
};
/** Names in sysDescr/hrDeviceDescr, for agents whose sysObjectID is generic (an embedded net-snmp). */
const DESCR_VENDORS: [RegExp, string][] = [
  [/\bHP\b|Hewlett|JETDIRECT|LaserJet/i, 'hp'],
  [/Brother/i, 'brother'],
  [/Canon/i, 'canon'],
  [/Ricoh|Aficio|Lanier|Savin/i, 'ricoh'],
  [/Kyocera|ECOSYS|TASKalfa/i, 'kyocera'],
  [/Konica|Minolta|bizhub/i, 'konica-minolta'],
  [/Sharp/i, 'sharp'],
  [/Fuji ?Xerox|FUJIFILM|DocuCentre|ApeosPort/i, 'fujifilm'],
  [/Xerox/i, 'xerox'],
  [/Lexmark/i, 'lexmark'],
  [/Epson/i, 'epson'],
  [/Pantum|奔图/i, 'pantum'],
  [/Lenovo|联想/i, 'lenovo'],
  [/Samsung/i, 'samsung'],
  [/\bOKI\b/i, 'oki'],
  [/Toshiba|e-STUDIO/i, 'toshiba'],
  [/Fujitsu/i, 'fujitsu'],
  [/Kodak/i, 'kodak'],
  [/Avision|虹光/i, 'avision'],
];

export function printerVendor(sysObjectID: string, ...descrs: string[]): string {
  const m = /^\.?1\.3\.6\.1\.4\.1\.(\d+)(\.|$)/.exec(sysObjectID);
  const byOid = m ? ENTERPRISES[Number(m[1])] : undefined;
  if (byOid) return byOid;
  for (const d of descrs) for (const [re, v] of DESCR_VENDORS) if (re.test(d)) return v;
  return 'unknown';
}
