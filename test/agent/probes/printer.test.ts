import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';
import iconv from 'iconv-lite';
import { createClient, type SnmpTarget } from '../../../agent/probes/snmp/client.ts';
import { pollPrinter, type PrinterReport } from '../../../agent/probes/printer/poll.ts';
import { createPrinterProbe } from '../../../agent/probes/printer/collect.ts';
import { printerSchema } from '../../../agent/probes/printer/schema.ts';
import { printerCheckJson } from '../../../agent/probes/printer/check.ts';
import {
  alertCode,
  alertSeverity,
  capacityUnit,
  decodeErrorState,
  hrDeviceStatus,
  hrPrinterStatus,
  supplyClass,
  supplyType,
  supplyUnit,
} from '../../../agent/probes/printer/mib.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Event } from '../../../protocol/sample.ts';
import { freeUdpPort, snmpBulkWalk, startSnmpsim, type SnmpSim } from '../../peers/snmpsim.ts';
import { snmprec, syntheticPrinter } from '../../peers/snmprec.ts';
import { FIXTURES, removeDir, tempDir } from '../../peers/util.ts';

// The four public printer recordings and one written from RFC 3805/2790, served by snmpsimd;
// values are compared with what Net-SNMP's snmpbulkwalk reads from the same agent, and
// percentages and states with figures worked out by hand from the recordings.
if (!FIXTURES) {
  t.plan(0, 'skip: ../shared/fixtures (SNMP recordings) not present');
} else {
  const REC = path.join(FIXTURES, 'snmprec');
  const names = ['printer_jetdirect_m880', 'printer_brother_hl5370dw', 'printer_ricoh_mpc3002', 'printer_canonprinter_lbp'];
  const TH = { low_pct: 10, full_pct: 90, receptacle_level: 'remaining' as const };
  // A standalone network scanner: system group and HOST-RESOURCES only, no Printer-MIB.
  const SCANNER = snmprec([
    ['1.3.6.1.2.1.1.1.0', '4', 'fi-7300NX'],
    ['1.3.6.1.2.1.1.2.0', '6', '1.3.6.1.4.1.8072.3.2.10'],
    ['1.3.6.1.2.1.1.3.0', '67', 4200],
    ['1.3.6.1.2.1.1.5.0', '4', 'scanner-2f'],
    ['1.3.6.1.2.1.25.3.2.1.2.1', '6', '1.3.6.1.2.1.25.3.1.1'],
    ['1.3.6.1.2.1.25.3.2.1.3.1', '4', 'FUJITSU fi-7300NX Network Scanner'],
    ['1.3.6.1.2.1.25.3.2.1.5.1', '2', 3],
  ]);
  let sim: SnmpSim;
  t.before(async () => {
    sim = await startSnmpsim(
      [
        ...names.map((n) => ({ name: n, file: path.join(REC, `${n}.snmprec`) })),
        { name: 'printer-3f', text: syntheticPrinter() },
        { name: 'scanner', text: SCANNER },
      ],
      { quiet: true },
    );
  });
  t.teardown(() => sim?.stop());

  const target = (community: string, over: Partial<SnmpTarget> = {}): SnmpTarget => ({
    host: '127.0.0.1',
    port: sim.port,
    version: '2c',
    community,
    request_timeout_ms: 3000,
    retries: 1,
    max_repetitions: 20,
    ...over,
  });
  const polls = new Map<string, Promise<PrinterReport>>();
  const poll = (community: string, over: Partial<SnmpTarget> = {}) => {
    const key = `${community} ${JSON.stringify(over)}`;
    if (!polls.has(key)) {
      const c = createClient(target(community, over));
      polls.set(
        key,
        pollPrinter(c, TH).finally(() => c.close()),
      );
    }
    return polls.get(key)!;
  };
  const walk = (community: string, oid: string) => snmpBulkWalk(sim.port, oid, ['-v2c', '-c', community]);

  // Reads snmpbulkwalk's printed string the way a person would: hex dumps ("C7 B0 …") as bytes
  // (UTF-8, else GBK), HP's "text line + hex lines" joined, NULs dropped, whitespace collapsed.
  const HEX = /^(?:[0-9A-F]{2} ?)+$/;
  const readWalk = (v: string | undefined): string => {
    if (v === undefined) return '';
    const lines = v.split('\n');
    let bytes: Buffer;
    if (lines.every((l) => l.trim() === '' || HEX.test(l.trim()))) bytes = Buffer.from(v.replace(/\s+/g, ''), 'hex');
    else if (lines.length > 1 && lines.slice(1).every((l) => l.trim() === '' || HEX.test(l.trim())))
      bytes = Buffer.concat([Buffer.from(lines[0]!, 'latin1'), Buffer.from(lines.slice(1).join('').replace(/\s+/g, ''), 'hex')]);
    else bytes = Buffer.from(v, 'utf8');
    bytes = Buffer.from(bytes.filter((b) => b !== 0));
    let s: string;
    try {
      s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      s = iconv.decode(bytes, 'gbk');
    }
    return s.replace(/\s+/g, ' ').trim();
  };

  for (const n of [...names, 'printer-3f']) {
    t.test(`${n}: identity, supplies, trays and counters match snmpbulkwalk`, async (t) => {
      const r = await poll(n);
      const sys = await walk(n, '1.3.6.1.2.1.1');
      t.equal(r.sysDescr, sys.get('1.3.6.1.2.1.1.1.0'));
      t.equal(r.sysObjectID, sys.get('1.3.6.1.2.1.1.2.0')?.replace(/^\./, ''));
      t.equal(r.uptimeSeconds, Math.floor(Number(sys.get('1.3.6.1.2.1.1.3.0')) / 100));
      const hr = await walk(n, '1.3.6.1.2.1.25.3.2.1');
      t.equal(r.model, hr.get('1.3.6.1.2.1.25.3.2.1.3.1'), 'model is the printer row of hrDeviceTable');
      const ser = await walk(n, '1.3.6.1.2.1.43.5.1.1.17');
      t.equal(r.serial, ser.get('1.3.6.1.2.1.43.5.1.1.17.1') ?? null);

      const S = '1.3.6.1.2.1.43.11.1.1';
      const sup = await walk(n, S);
      const rows = new Set(
        [...sup.keys()].map((k) =>
          k
            .slice(S.length + 1)
            .split('.')
            .slice(1)
            .join('.'),
        ),
      );
      t.equal(r.supplies.length, rows.size, 'one supply per prtMarkerSuppliesTable row');
      const num = (c: number, i: string) => (sup.has(`${S}.${c}.${i}`) ? Number(sup.get(`${S}.${c}.${i}`)) : null);
      for (const s of r.supplies) {
        const i = [...rows].find((x) => Number(x.split('.').pop()) === s.index)!;
        t.ok(i, `supply ${s.index} is a row`);
        t.equal(s.level, num(9, i), `level ${s.index}`);
        t.equal(s.max, num(8, i), `max ${s.index}`);
        t.equal(s.description, readWalk(sup.get(`${S}.6.${i}`)), `description ${s.index}`);
        // Enumerations: the walked number under the MIB's name, null when the column is absent.
        t.equal(s.class, num(4, i) === null ? null : supplyClass(num(4, i)!), `class ${s.index}`);
        t.equal(s.type, num(5, i) === null ? null : supplyType(num(5, i)!), `type ${s.index}`);
        t.equal(s.unit, num(7, i) === null ? null : supplyUnit(num(7, i)!), `unit ${s.index}`);
      }

      const I = '1.3.6.1.2.1.43.8.2.1';
      const inp = await walk(n, I);
      const trays = new Set(
        [...inp.keys()]
          .filter((k) => /^(8|9|10|12|13|18)$/.test(k.slice(I.length + 1).split('.')[0]!))
          .map((k) =>
            k
              .slice(I.length + 1)
              .split('.')
              .slice(1)
              .join('.'),
          ),
      );
      t.equal(r.trays.length, trays.size, 'one tray per prtInputTable row');
      for (const y of r.trays) {
        const i = `1.${y.index}`;
        t.equal(y.level, inp.has(`${I}.10.${i}`) ? Number(inp.get(`${I}.10.${i}`)) : null, `tray ${y.index} level`);
        t.equal(y.max, inp.has(`${I}.9.${i}`) ? Number(inp.get(`${I}.9.${i}`)) : null, `tray ${y.index} max`);
        t.equal(y.name, readWalk(inp.get(`${I}.13.${i}`)) || readWalk(inp.get(`${I}.18.${i}`)), `tray ${y.index} name`);
        t.equal(y.media, inp.has(`${I}.12.${i}`) ? readWalk(inp.get(`${I}.12.${i}`)) : null, `tray ${y.index} media`);
        t.equal(y.unit, inp.has(`${I}.8.${i}`) ? capacityUnit(Number(inp.get(`${I}.8.${i}`))) : null, `tray ${y.index} unit`);
      }

      const life = await walk(n, '1.3.6.1.2.1.43.10.2.1.4');
      t.equal(r.pagesTotal, life.size ? [...life.values()].reduce((a, v) => a + Number(v), 0) : null, 'pages_total = prtMarkerLifeCount');
      const err = await walk(n, '1.3.6.1.2.1.25.3.5.1.2');
      if (!err.size) t.equal(r.errors, null, 'no hrPrinterDetectedErrorState: conditions unknown, not zero');
      // snmpbulkwalk prints the BITS octets as hex ("2C 04 ").
      else t.same(r.errors, decodeErrorState(Buffer.from(err.get('1.3.6.1.2.1.25.3.5.1.2.1')!.replace(/\s+/g, ''), 'hex')), 'error state');
      t.equal(r.deviceStatus, hr.has('1.3.6.1.2.1.25.3.2.1.5.1') ? hrDeviceStatus(Number(hr.get('1.3.6.1.2.1.25.3.2.1.5.1'))) : null, 'hrDeviceStatus');
      const ps = (await walk(n, '1.3.6.1.2.1.25.3.5.1.1')).get('1.3.6.1.2.1.25.3.5.1.1.1');
      t.equal(r.printerStatus, ps === undefined ? null : hrPrinterStatus(Number(ps)), 'hrPrinterStatus');
      const A = '1.3.6.1.2.1.43.18.1.1';
      const al = await walk(n, A);
      t.equal(r.alerts.length, new Set([...al.keys()].map((k) => k.split('.').pop())).size, 'one alert per prtAlertTable row');
      for (const a of r.alerts) {
        t.equal(a.severity, alertSeverity(Number(al.get(`${A}.2.1.${a.index}`))), `alert ${a.index} severity`);
        t.equal(a.code, alertCode(Number(al.get(`${A}.7.1.${a.index}`))), `alert ${a.index} code`);
        t.equal(a.timeTicks, Number(al.get(`${A}.9.1.${a.index}`)), `alert ${a.index} time`);
      }
    });
  }

  t.test('HP M880 (JetDirect): two-line descriptions joined, order codes tidied away, percent-unit supplies', async (t) => {
    const r = await poll('printer_jetdirect_m880');
    t.equal(r.vendor, 'hp');
    t.equal(r.model, 'HP Color LaserJet flow MFP M880');
    t.equal(r.deviceStatus, 'running');
    t.equal(r.printerStatus, null, 'the recording has no hrPrinterStatus');
    t.same(r.errors, [], 'hrPrinterDetectedErrorState 00: no condition');
    t.same(r.supplies.map((s) => s.description).slice(0, 3), [
      'Black Cartridge 827A HP CF300A',
      'Cyan Cartridge 827A HP CF301A',
      'Magenta Cartridge 827A HP CF303A',
    ]);
    t.same(
      r.supplies.map((s) => s.name),
      [
        'Black Cartridge 827A',
        'Cyan Cartridge 827A',
        'Magenta Cartridge 827A',
        'Yellow Cartridge 827A',
        'Black Drum 828A',
        'Cyan Drum 828A',
        'Magenta Drum 828A',
        'Yellow Drum 828A',
        'Transfer Kit',
        'Fuser Kit',
        'Document Feeder Kit',
        'Clean Rollers',
        'Stapler 1',
        'Stapler 2',
        'Stapler 3',
      ],
    );
    t.equal(r.supplies[9]!.description, 'Fuser Kit HP 110V-C1N54A, 220V-C1N58A', 'a three-line description');
    // max 100, unit percent: the level is the percentage.
    t.same(
      r.supplies.map((s) => s.percent),
      [92, 16, 100, 70, 53, 58, 58, 58, 89, 84, 99, 97, null, null, null],
    );
    t.same(
      r.supplies.map((s) => s.state),
      [...Array(12).fill('ok'), 'some_remaining', 'some_remaining', 'some_remaining'],
      'staples: level −3 of max −2 is "some remaining", never 50 %',
    );
    t.same(
      r.supplies.map((s) => s.colour),
      ['black', 'cyan', 'magenta', 'yellow', 'black', 'cyan', 'magenta', 'yellow', '其它', '其它', '其它', '其它', '其它', '其它', '其它'],
    );
    t.same(
      r.supplies.slice(0, 5).map((s) => s.words),
      ['黑色碳粉', '青色碳粉', '品红色碳粉', '黄色碳粉', '黑色硒鼓'],
    );
    t.same(
      r.trays.map((y) => [y.index, y.name, y.media, y.percent, y.state]),
      [
        [1, 'Tray 1', 'Any', 0, 'empty'],
        [2, 'Tray 2', 'Plain', 40, 'ok'],
        [3, 'Tray 3', 'Mid Weight', 20, 'ok'],
        [5, 'Tray 4', 'Plain', 20, 'ok'],
      ],
    );
    t.equal(r.pagesTotal, null, 'no prtMarkerTable in the recording');
  });

  t.test('Brother HL-5370DW: 0 and −3 with max −2 are not amounts; the drum in raw impressions', async (t) => {
    const r = await poll('printer_brother_hl5370dw');
    t.equal(r.vendor, 'brother');
    t.same(
      r.supplies.map((s) => [s.index, s.max, s.level, s.percent, s.state]),
      [
        [1, -2, 0, null, 'unknown'], // 0 of an unknown capacity, and the printer raises no noToner: not "empty"
        [2, -2, -3, null, 'some_remaining'],
        [3, 25000, 17208, 68.8, 'ok'], // 100 × 17208 / 25000 = 68.832
      ],
    );
    t.same(
      r.supplies.map((s) => s.class),
      [null, null, null],
      'no class column in the recording',
    );
    t.same(
      r.trays.map((y) => [y.name, y.max, y.level, y.percent, y.state]),
      [
        ['MP TRAY', 50, 0, 0, 'empty'],
        ['TRAY1', 250, -3, null, 'ok'],
      ],
    );
    t.equal(r.pagesTotal, 7792);
  });

  t.test('Ricoh MP C3002: waste toner without a class column is a receptacle; 100 of 100 remaining space is an empty box', async (t) => {
    const r = await poll('printer_ricoh_mpc3002');
    t.equal(r.vendor, 'ricoh');
    t.equal(r.serial, 'W492KB03439');
    t.equal(r.deviceStatus, 'warning');
    t.same(
      r.supplies.map((s) => [s.index, s.type, s.percent, s.state, s.colour]),
      [
        [1, 'toner', 40, 'ok', 'black'],
        [2, 'wasteToner', 100, 'ok', '其它'],
        [3, 'toner', 20, 'ok', 'cyan'],
        [4, 'toner', 50, 'ok', 'magenta'],
        [5, 'toner', 50, 'ok', 'yellow'],
      ],
    );
    t.equal(r.supplies[1]!.receptacle, true);
    t.equal(r.supplies[1]!.fillPct, 0);
    t.equal(r.supplies[1]!.words, '废粉盒');
    // 55 of 550 = 10 %: at the low threshold counts as low.
    t.same(
      r.trays.map((y) => [y.name, y.percent, y.state]),
      [
        ['Tray 1', 10, 'low'],
        ['Tray 2', 10, 'low'],
        ['Tray 3', 10, 'low'],
        ['Tray 4', 0, 'empty'],
        ['Bypass Tray', 0, 'empty'],
      ],
    );
    t.equal(r.pagesTotal, 271871);
  });

  t.test('Canon LBP6670: a supply without a type column', async (t) => {
    const r = await poll('printer_canonprinter_lbp');
    t.equal(r.vendor, 'canon');
    t.equal(r.serial, 'MKRA012345');
    t.same(
      r.supplies.map((s) => [s.index, s.class, s.type, s.description, s.percent, s.state, s.colour, s.words]),
      [[1, null, null, 'Canon Cartridge 719/719H', 70, 'ok', '其它', 'Canon Cartridge 719/719H']],
    );
    t.same(r.trays, []);
  });

  t.test('RFC 3805 rows: jam, door open, low toner; Chinese texts in UTF-8 and GBK', async (t) => {
    const r = await poll('printer-3f');
    t.equal(r.vendor, 'pantum');
    t.equal(r.sysName, 'printer-3f');
    t.equal(r.printerStatus, 'other');
    t.equal(r.deviceStatus, 'down');
    t.same(r.errors, ['lowToner', 'doorOpen', 'jammed', 'inputTrayEmpty'], "2c 04: bits 2, 4, 5 and 13 counted from the first octet's high bit");
    t.same(
      r.supplies.map((s) => [s.index, s.description, s.name, s.percent, s.state, s.colour, s.words]),
      [
        [1, '黑色碳粉盒 PN 0123;SN ABC999', '黑色碳粉盒', 8, 'low', 'black', '黑色碳粉'],
        [2, '硒鼓 Drum Unit', '硒鼓 Drum Unit', 5, 'low', '其它', '硒鼓'], // 100 × 14500 / 290000
        [3, '废粉盒 Waste Toner Box', '废粉盒 Waste Toner Box', 5, 'near_full', '其它', '废粉盒'], // 5 % space left = 95 % full
        [4, '青色碳粉', '青色碳粉', null, 'unknown', 'cyan', '青色碳粉'], // GBK
        [5, 'Yellow Toner Cartridge', 'Yellow Toner Cartridge', null, 'ok', 'yellow', '黄色碳粉'], // NULs and whitespace; −1 no restriction
      ],
    );
    t.equal(r.supplies[2]!.fillPct, 95);
    t.same(
      r.trays.map((y) => [y.name, y.media, y.percent, y.state]),
      [
        ['纸盒1', 'A4 普通纸', 0, 'empty'],
        ['Tray 2', 'Plain', 8, 'low'],
      ],
    );
    t.same(
      r.alerts.map((a) => [a.index, a.severity, a.training, a.group, a.code, a.description, a.timeTicks]),
      [
        [1, 'critical', 'untrained', 'mediaPath', 'jam', '卡纸：请打开前盖取出纸张', 123000],
        [2, 'warning', 'untrained', 'cover', 'doorOpen', '前盖打开', 123100],
        [3, 'warning', 'untrained', 'markerSupplies', 'markerTonerAlmostEmpty', 'Toner low', 123200],
      ],
    );
    const walked = await walk('printer-3f', '1.3.6.1.2.1.43.18.1.1.8');
    t.same(
      r.alerts.map((a) => a.description),
      [...walked.values()].map(readWalk),
      'alert texts as snmpbulkwalk bytes read',
    );
    t.equal(r.consoleText, '卡纸 Paper jam | Open front door');
    t.equal(r.pagesTotal, 12345);
    t.equal(r.serial, 'CN7B123456');
  });

  t.test('a scanner answering only HOST-RESOURCES: up, identity and status, no supplies', async (t) => {
    const r = await poll('scanner');
    t.match(r, {
      sysName: 'scanner-2f',
      model: 'FUJITSU fi-7300NX Network Scanner',
      deviceStatus: 'warning',
      printerStatus: null,
      errors: null,
      serial: null,
      pagesTotal: null,
      uptimeSeconds: 42,
    });
    t.equal(r.vendor, 'fujitsu', 'generic net-snmp sysObjectID: the vendor from hrDeviceDescr');
    t.same([r.supplies, r.trays, r.alerts], [[], [], []]);
    const j = printerCheckJson(
      await createPrinterProbe(printerSchema.parse({ kind: 'printer', devices: [{ host: '127.0.0.1', port: sim.port, community: 'scanner' }] }), {
        log: silentLogger,
        now: Date.now,
        emitEvent: () => {},
      }).collect(AbortSignal.timeout(10_000)),
    ) as { status: unknown };
    t.same(j.status, { printer: null, device: 'warning', errors: null }, 'conditions unknown, not "no errors"');
  });

  t.test('SNMPv1 reads the same printer (GETNEXT walks)', async (t) => {
    const v1 = await poll('printer-3f', { version: '1' });
    const v2 = await poll('printer-3f');
    t.same(v1, v2);
  });

  t.test('probe samples and events: alerts added and removed, pages printed between polls, reset-safe', async (t) => {
    const dir = tempDir('printer-state');
    t.teardown(() => removeDir(dir));
    const cfg = printerSchema.parse({
      kind: 'printer',
      tags: { site: 'hq' },
      devices: [{ host: '127.0.0.1', port: sim.port, community: 'printer-3f', name: 'printer-3f', tags: { room: '3层 打印区' } }],
    });
    const events: Event[] = [];
    const mk = () => createPrinterProbe(cfg, { log: silentLogger, now: () => 1_800_000_000_000, emitEvent: (e) => events.push(e), stateDir: dir });
    const p = mk();
    const s1 = await p.collect(AbortSignal.timeout(20_000));
    const pr = s1.find((s) => s.measurement === 'printer')!;
    t.same(pr.tags, { device: 'printer-3f', room: '3层 打印区', vendor: 'pantum', site: 'hq' });
    t.match(pr.fields, {
      up: 1n,
      status: 'other',
      device_status: 'down',
      jammed: 1n,
      door_open: 1n,
      low_toner: 1n,
      no_toner: 0n,
      offline: 0n,
      input_tray_empty: 1n,
      pages_total: 12345n,
      alerts_open: 3n,
    });
    t.equal(pr.fields.supplies_low, '黑色碳粉 8%、硒鼓 5%');
    t.equal(pr.fields.supplies_empty, '');
    t.equal(pr.fields.waste_near_full, '废粉盒 95%');
    t.equal(pr.fields.pages_printed, undefined, 'no baseline yet');
    const sup = s1.filter((s) => s.measurement === 'printer_supply');
    t.same(sup[0]!.tags, { device: 'printer-3f', room: '3层 打印区', index: '1', colour: 'black', type: 'toner', site: 'hq' });
    t.match(sup[0]!.fields, { level: 8n, max: 100n, percent: 8, state: 'low', class: 'supplyThatIsConsumed', unit: 'percent' });
    t.equal(sup[3]!.fields.percent, undefined, 'unknown percent is absent, not 0');
    t.same(
      events.map((e) => [e.kind, e.target, e.severity, e.message]),
      [
        ['printer_alert', 'printer-3f', 'critical', '卡纸：请打开前盖取出纸张'],
        ['printer_alert', 'printer-3f', 'warning', '前盖打开'],
        ['printer_alert', 'printer-3f', 'warning', 'Toner low'],
      ],
    );
    const json = printerCheckJson(s1) as { alerts: { time: string }[] };
    // prtAlertTime 123000 ticks, sysUpTime 200000: raised 770 s before the poll.
    t.equal(json.alerts[0]!.time, new Date(1_800_000_000_000 - 770_000).toISOString());

    // The jam is cleared (row 1 gone), a new alert appears, 55 pages are printed.
    events.length = 0;
    const A = '1.3.6.1.2.1.43.18.1.1';
    const gone = Object.fromEntries([2, 3, 4, 5, 6, 7, 8, 9].map((c) => [`${A}.${c}.1.1`, null]));
    sim.write({
      name: 'printer-3f',
      text: syntheticPrinter({
        ...gone,
        '1.3.6.1.2.1.43.10.2.1.4.1.1': ['1.3.6.1.2.1.43.10.2.1.4.1.1', '65', 12400],
        [`${A}.2.1.4`]: [`${A}.2.1.4`, '2', 4],
        [`${A}.7.1.4`]: [`${A}.7.1.4`, '2', 808],
        [`${A}.8.1.4`]: [`${A}.8.1.4`, '4', 'Tray 1 empty'],
      }),
    });
    const s2 = await p.collect(AbortSignal.timeout(20_000));
    const pr2 = s2.find((s) => s.measurement === 'printer')!;
    t.equal(pr2.fields.pages_printed, 55n);
    t.equal(pr2.fields.alerts_open, 3n);
    t.same(
      events.map((e) => [e.kind, e.target, e.severity, e.message]),
      [
        ['printer_alert', 'printer-3f', 'warning', 'Tray 1 empty'],
        ['printer_alert_cleared', 'printer-3f', 'info', '卡纸：请打开前盖取出纸张（已清除 cleared）'],
      ],
    );

    // A new probe (agent restart) with the same state directory: nothing is new; a counter reset counts from 0.
    events.length = 0;
    sim.write({
      name: 'printer-3f',
      text: syntheticPrinter({
        ...gone,
        '1.3.6.1.2.1.43.10.2.1.4.1.1': ['1.3.6.1.2.1.43.10.2.1.4.1.1', '65', 10],
        [`${A}.2.1.4`]: [`${A}.2.1.4`, '2', 4],
        [`${A}.7.1.4`]: [`${A}.7.1.4`, '2', 808],
        [`${A}.8.1.4`]: [`${A}.8.1.4`, '4', 'Tray 1 empty'],
      }),
    });
    const s3 = await mk().collect(AbortSignal.timeout(20_000));
    t.same(events, [], 'open alerts are not re-reported after a restart');
    t.equal(s3.find((s) => s.measurement === 'printer')!.fields.pages_printed, 10n, 'counter went back: 10 pages since the reset');
    sim.write({ name: 'printer-3f', text: syntheticPrinter() });
  });

  t.test('a printer that does not answer is up=0 with an error class', async (t) => {
    const port = await freeUdpPort();
    const cfg = printerSchema.parse({ kind: 'printer', devices: [{ host: '127.0.0.1', port, request_timeout_ms: 300, retries: 0 }] });
    const out = await createPrinterProbe(cfg, { log: silentLogger, now: Date.now, emitEvent: () => {} }).collect(AbortSignal.timeout(10_000));
    t.same(
      out.map((s) => [s.measurement, s.tags.device, s.fields.up, s.fields.error_class]),
      [['printer', `127.0.0.1:${port}`, 0n, 'timeout']],
    );
  });

  const root = path.resolve(import.meta.dirname, '../../..');
  const check = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile(process.execPath, [path.join(root, 'cli/watchpost.ts'), 'check', 'printer', '--host', '127.0.0.1', ...args], (e, stdout, stderr) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  t.test('watchpost check printer --json: the exact document and exit codes', async (t) => {
    const ok = await check(['--port', String(sim.port), '--community', 'printer_brother_hl5370dw', '--json']);
    t.equal(ok.code, 0, ok.stderr);
    const j = JSON.parse(ok.stdout);
    // The document, then the summary every check's JSON carries (its own `status` stays the device status).
    t.same(Object.keys(j), ['device', 'status', 'supplies', 'trays', 'alerts', 'counters', 'summary']);
    t.same(j.device, {
      sysName: '<private>',
      sysDescr: 'Brother NC-6800h, Firmware Ver.1.01  (08.12.12),MID 84UB05',
      sysObjectID: '1.3.6.1.4.1.2435.2.3.9.1',
      vendor: 'brother',
      model: 'Brother HL-5370DW series',
      serial: null,
      uptimeSeconds: 336041,
    });
    t.same(j.status, { printer: null, device: 'running', errors: [] });
    t.same(j.supplies[2], {
      index: 3,
      class: null,
      type: 'opc',
      description: 'Drum Unit',
      name: 'Drum Unit',
      unit: null,
      max: 25000,
      level: 17208,
      percent: 68.8,
      state: 'ok',
    });
    t.same(j.trays[0], { index: 1, name: 'MP TRAY', media: null, unit: null, max: 50, level: 0, percent: 0, state: 'empty' });
    t.same(j.alerts, []);
    t.same(j.counters, { pages_total: 7792 });

    const crit = await check(['--port', String(sim.port), '--community', 'printer-3f', '--json']);
    t.equal(crit.code, 2, 'CRITICAL: jammed and door open');
    const c = JSON.parse(crit.stdout);
    t.same(c.status, { printer: 'other', device: 'down', errors: ['lowToner', 'doorOpen', 'jammed', 'inputTrayEmpty'] });
    t.same(Object.keys(c.supplies[0]), ['index', 'class', 'type', 'description', 'name', 'unit', 'max', 'level', 'percent', 'state']);
    t.same(Object.keys(c.trays[0]), ['index', 'name', 'media', 'unit', 'max', 'level', 'percent', 'state']);
    t.same(
      c.alerts.map((a: Record<string, unknown>) => Object.keys(a)),
      [0, 1, 2].map(() => ['index', 'severity', 'group', 'code', 'description', 'time']),
    );
    t.same(
      c.alerts.map((a: { description: string }) => a.description),
      ['卡纸：请打开前盖取出纸张', '前盖打开', 'Toner low'],
    );

    const line = await check(['--port', String(sim.port), '--community', 'printer-3f']);
    t.match(line.stderr, /^PRINTER CRITICAL - 127\.0\.0\.1:\d+ jammed, 127\.0\.0\.1:\d+ doorOpen, 127\.0\.0\.1:\d+ 黑色碳粉盒 low, /m);
    t.match(line.stdout, /^printer_supply,colour=black,device=127\.0\.0\.1:\d+,index=1,type=toner state="low",.*,level=8i,max=100i,percent=8 \d+$/m);

    const port = await freeUdpPort();
    const none = await check(['--port', String(port), '--request-timeout-ms', '300', '--retries', '0', '--json']);
    t.equal(none.code, 3, 'UNKNOWN when the device does not answer');
    t.equal(JSON.parse(none.stdout).status, 'UNKNOWN');
  });
}
