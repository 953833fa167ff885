import t from 'tap';
import iconv from 'iconv-lite';
import { percentOf, supplyState, trayState, type Thresholds } from '../../../agent/probes/printer/levels.ts';
import { decodeErrorState, ERROR_BITS, printerVendor } from '../../../agent/probes/printer/mib.ts';
import { colourOf, printerText, supplyWords, tidyName } from '../../../agent/probes/printer/text.ts';
import { printerSchema } from '../../../agent/probes/printer/schema.ts';

const TH: Thresholds = { low_pct: 10, full_pct: 90, receptacle_level: 'remaining' };
const str = (b: Buffer) => ({ type: 4, value: b });

t.test("hrPrinterDetectedErrorState: every bit, counted from the first octet's most significant bit", async (t) => {
  // RFC 3805 §2.2.13.4 (BITS): bit 0 lowPaper is 0x80 of octet 0 … bit 14 overduePreventMaint is 0x02 of octet 1.
  const want: [string, string][] = [
    ['8000', 'lowPaper'],
    ['4000', 'noPaper'],
    ['2000', 'lowToner'],
    ['1000', 'noToner'],
    ['0800', 'doorOpen'],
    ['0400', 'jammed'],
    ['0200', 'offline'],
    ['0100', 'serviceRequested'],
    ['0080', 'inputTrayMissing'],
    ['0040', 'outputTrayMissing'],
    ['0020', 'markerSupplyMissing'],
    ['0010', 'outputNearFull'],
    ['0008', 'outputFull'],
    ['0004', 'inputTrayEmpty'],
    ['0002', 'overduePreventMaint'],
  ];
  t.equal(want.length, ERROR_BITS.length);
  for (const [hex, name] of want) t.same(decodeErrorState(Buffer.from(hex, 'hex')), [name], hex);
  t.same(decodeErrorState(Buffer.from('04', 'hex')), ['jammed'], 'RFC 2790 agents send one octet');
  t.same(decodeErrorState(Buffer.from('0001', 'hex')), [], 'bit 15 is not defined');
  t.same(decodeErrorState(Buffer.alloc(0)), []);
  t.same(decodeErrorState(Buffer.from('c1', 'hex')), ['lowPaper', 'noPaper', 'serviceRequested']);
});

t.test('percent: round(100 × level / max, 1) for quantities with a known capacity, else null', async (t) => {
  t.equal(percentOf(17208, 25000), 68.8);
  t.equal(percentOf(1, 3), 33.3);
  t.equal(percentOf(2, 3), 66.7);
  t.equal(percentOf(145000, 290000), 50);
  t.equal(percentOf(0, 100), 0);
  t.equal(percentOf(-3, 100), null);
  t.equal(percentOf(50, -2), null);
  t.equal(percentOf(50, -1), null);
  t.equal(percentOf(50, 0), null);
  t.equal(percentOf(150, 100), 100, 'a level above max (Brother firmware) is 100 %, not 150 %');
});

t.test('supply states: special levels, consumed vs receptacle, thresholds', async (t) => {
  const st = (receptacle: boolean, level: number | null, max: number | null, th: Thresholds = TH, noToner = false) =>
    supplyState({ receptacle, level, max, percent: percentOf(level, max), noToner }, th);
  t.equal(st(false, -3, 100), 'some_remaining');
  t.equal(st(false, -2, 100), 'unknown');
  t.equal(st(false, -1, -1), 'ok');
  t.equal(st(false, null, 100), 'unknown', 'no level column');
  t.equal(st(false, 0, 100), 'empty');
  t.equal(st(false, 10, 100), 'low', 'at low_pct is low');
  t.equal(st(false, 11, 100), 'ok');
  t.equal(st(false, 2900, 29000), 'low', 'raw units: 10 %');
  t.equal(st(false, 15, 100, { ...TH, low_pct: 20 }), 'low');
  t.equal(st(false, 0, -2), 'unknown', 'Brother: 0 of unknown capacity without noToner');
  t.equal(st(false, 0, -2, TH, true), 'empty', '…and with the printer saying noToner');
  t.equal(st(false, 3, -2), 'unknown');
  t.equal(st(false, -100, 100), 'low', 'Ricoh: −100 is "near end"');
  t.equal(st(true, -100, 100), 'near_full');
  t.equal(st(false, -7, 100), 'unknown', 'other negative levels mean nothing');
  // Receptacles: the level is the remaining space (RFC 3805).
  t.equal(st(true, 100, 100), 'ok', 'all space left: empty waste box');
  t.equal(st(true, 11, 100), 'ok');
  t.equal(st(true, 10, 100), 'near_full', '90 % full');
  t.equal(st(true, 0, 100), 'full');
  t.equal(st(true, -3, 100), 'some_remaining', 'some space left');
  t.equal(st(true, 0, -2), 'unknown', 'never "empty" or "low"');
  const filled: Thresholds = { ...TH, receptacle_level: 'filled' };
  t.equal(st(true, 95, 100, filled), 'near_full');
  t.equal(st(true, 100, 100, filled), 'full');
  t.equal(st(true, 0, 100, filled), 'ok');
});

t.test('tray states', async (t) => {
  t.equal(trayState(0, 250, 0, TH), 'empty');
  t.equal(trayState(0, -2, null, TH), 'empty');
  t.equal(trayState(25, 250, 10, TH), 'low');
  t.equal(trayState(26, 250, 10.4, TH), 'ok');
  t.equal(trayState(-3, 250, null, TH), 'ok');
  t.equal(trayState(-1, -1, null, TH), 'ok');
  t.equal(trayState(-2, 250, null, TH), 'unknown');
  t.equal(trayState(100, -2, null, TH), 'unknown');
});

t.test('descriptions: UTF-8, GBK, hex-line tails, NULs and whitespace', async (t) => {
  t.equal(printerText(str(Buffer.from('黑色碳粉', 'utf8'))), '黑色碳粉');
  t.equal(printerText(str(iconv.encode('黄色碳粉 剩余少量', 'gbk'))), '黄色碳粉 剩余少量');
  t.equal(printerText(str(Buffer.from('Black Toner\0\0\0'))), 'Black Toner');
  t.equal(printerText(str(Buffer.from(' Cyan\t\tToner \r\n  Cartridge '))), 'Cyan Toner Cartridge');
  t.equal(printerText(str(Buffer.from('Black Cartridge \n38 32 37 41 20 48 50 20 43 46 33 30 30 41 00 '))), 'Black Cartridge 827A HP CF300A');
  t.equal(printerText(str(Buffer.from('Magenta Cartridg\n65 20 38 32 37 41 20 48 50 20 43 46 33 30 33 41 \n00 '))), 'Magenta Cartridge 827A HP CF303A');
  t.equal(printerText(str(Buffer.from('Line one\nLine two'))), 'Line one Line two', 'ordinary two-line text is kept as text');
  t.equal(printerText(undefined), '');
});

t.test('tidied names drop part and serial numbers', async (t) => {
  t.equal(tidyName('Black Toner Cartridge, PN 106R03745;SN 2C54A9F300010D5'), 'Black Toner Cartridge');
  t.equal(tidyName('Cyan Toner [C] Cartridge; PN 106R01512; SN 12345'), 'Cyan Toner [C] Cartridge');
  t.equal(tidyName('Drum Cartridge S/N: 9A8B7C'), 'Drum Cartridge');
  t.equal(tidyName('Black Cartridge 827A HP CF300A'), 'Black Cartridge 827A');
  t.equal(tidyName('Fuser Kit HP 110V-C1N54A, 220V-C1N58A'), 'Fuser Kit');
  t.equal(tidyName('Clean Rollers HP None'), 'Clean Rollers');
  t.equal(tidyName('TK-5240K'), 'TK-5240K', 'an order code that is the whole name stays');
  t.equal(tidyName('Waste Toner Box'), 'Waste Toner Box');
});

t.test('colour from the description, English and Chinese', async (t) => {
  const cases: [string, string][] = [
    ['Black Toner', 'black'],
    ['Photo Black Ink', 'black'],
    ['Cyan Cartridge 827A', 'cyan'],
    ['Magenta Toner', 'magenta'],
    ['Yellow Drum', 'yellow'],
    ['黑色碳粉盒', 'black'],
    ['青色墨粉', 'cyan'],
    ['蓝色墨水', 'cyan'],
    ['品红色碳粉', 'magenta'],
    ['洋红墨盒', 'magenta'],
    ['黄色碳粉', 'yellow'],
    ['Toner [K]', 'black'],
    ['TK-5240K', 'black'],
    ['TK-5240M', 'magenta'],
    ['TN-512Y', 'yellow'],
    ['TN-213C', 'cyan'],
    ['HP CF300A', '其它'],
    ['Canon 045H', '其它'],
    ['Drum Unit', '其它'],
    ['Waste Toner Box', '其它'],
    ['Canon Cartridge 719/719H', '其它'],
    ['Blackish', '其它'],
  ];
  for (const [d, c] of cases) t.equal(colourOf(d), c, d);
  t.equal(supplyWords('tonerCartridge', 'black', 'x'), '黑色碳粉');
  t.equal(supplyWords('opc', 'cyan', 'x'), '青色硒鼓');
  t.equal(supplyWords('wasteToner', '其它', 'x'), '废粉盒');
  t.equal(supplyWords(null, '其它', 'Canon Cartridge 719'), 'Canon Cartridge 719');
});

t.test('vendor from the sysObjectID enterprise number, else from the description', async (t) => {
  const want: [string, string][] = [
    ['1.3.6.1.4.1.11.2.3.9.1', 'hp'],
    ['1.3.6.1.4.1.2435.2.3.9.1', 'brother'],
    ['1.3.6.1.4.1.1602.4.2', 'canon'],
    ['1.3.6.1.4.1.367.1.1', 'ricoh'],
    ['1.3.6.1.4.1.1347.41', 'kyocera'],
    ['1.3.6.1.4.1.18334.1.2.1.2.1.64.3.5', 'konica-minolta'],
    ['1.3.6.1.4.1.2385.3.1.64', 'sharp'],
    ['1.3.6.1.4.1.253.8.62.1.27.1.1', 'xerox'],
    ['1.3.6.1.4.1.297.1.11.93.1.1.1', 'fujifilm'],
    ['1.3.6.1.4.1.641.2.1', 'lexmark'],
    ['1.3.6.1.4.1.1248.1.2.1', 'epson'],
    ['1.3.6.1.4.1.40093.1.1', 'pantum'],
    ['.1.3.6.1.4.1.19046.1', 'lenovo'],
    ['1.3.6.1.4.1.110', 'unknown'],
  ];
  for (const [oid, v] of want) t.equal(printerVendor(oid), v, oid);
  t.equal(printerVendor('1.3.6.1.4.1.8072.3.2.10', 'Linux', 'Lenovo LJ2405D'), 'lenovo', 'embedded net-snmp: from hrDeviceDescr');
  t.equal(printerVendor('1.3.6.1.4.1.8072.3.2.10', 'FUJI XEROX DocuCentre-V 3065'), 'fujifilm');
});

t.test('config: strict, thresholds per probe and per device', async (t) => {
  const ok = printerSchema.parse({ kind: 'printer', devices: [{ host: '10.3.0.50', low_pct: 15 }] });
  t.match(ok, { interval_s: 300, low_pct: 10, full_pct: 90, receptacle_level: 'remaining', concurrency: 32 });
  t.equal(ok.devices[0]!.low_pct, 15);
  t.equal(ok.devices[0]!.version, '2c');
  const bad = printerSchema.safeParse({ kind: 'printer', devices: [{ host: 'p', toner_low: 5 }] });
  t.notOk(bad.success);
  t.match(JSON.stringify(bad.error?.issues), /toner_low/);
  t.notOk(printerSchema.safeParse({ kind: 'printer', devices: [{ host: 'p', receptacle_level: 'inverse' }] }).success);
});
