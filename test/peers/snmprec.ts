import iconv from 'iconv-lite';

/** One `.snmprec` row: OID, snmpsim type tag (2 integer, 4 string, 4x hex string, 6 OID, 65 counter, 67 ticks), value. */
export type Row = [oid: string, tag: string, value: string | number];

/** Rows in numeric OID order, as snmpsimd needs them, as `.snmprec` text. */
export function snmprec(rows: Row[]): string {
  const key = (o: string) => o.split('.').map(Number);
  const sorted = [...rows].sort(([a], [b]) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
  return sorted.map(([o, t, v]) => `${o}|${t}|${v}`).join('\n') + '\n';
}

/** An OCTET STRING row holding `text` encoded as UTF-8 or GBK (hex-encoded, so any byte survives). */
export function octets(oid: string, text: string, encoding: 'utf8' | 'gbk' = 'utf8'): Row {
  const b = encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
  return [oid, '4x', b.toString('hex')];
}

/**
 * A printer written from RFC 3805 / RFC 2790 definitions (no public recording has alerts,
 * hrPrinterStatus or error bits other than zero): a paper jam with the front door open and
 * toner low, Chinese alert texts in UTF-8 and in GBK, raw-unit and special-value supplies.
 * `over` replaces or adds rows by OID (null removes one), for tests that change the device.
 */
export function syntheticPrinter(over: Record<string, Row | null> = {}): string {
  const S = '1.3.6.1.2.1.43.11.1.1';
  const I = '1.3.6.1.2.1.43.8.2.1';
  const A = '1.3.6.1.2.1.43.18.1.1';
  const rows: Row[] = [
    ['1.3.6.1.2.1.1.1.0', '4', 'Pantum M7300FDW Series'],
    ['1.3.6.1.2.1.1.2.0', '6', '1.3.6.1.4.1.40093.1.1'],
    ['1.3.6.1.2.1.1.3.0', '67', 200000],
    ['1.3.6.1.2.1.1.5.0', '4', 'printer-3f'],
    ['1.3.6.1.2.1.25.3.2.1.1.1', '2', 1],
    ['1.3.6.1.2.1.25.3.2.1.2.1', '6', '1.3.6.1.2.1.25.3.1.5'],
    ['1.3.6.1.2.1.25.3.2.1.3.1', '4', 'Pantum M7300FDW'],
    ['1.3.6.1.2.1.25.3.2.1.5.1', '2', 5], // down: RFC 3805 §2.2.13.2, a jam stops the printer
    ['1.3.6.1.2.1.25.3.5.1.1.1', '2', 1], // hrPrinterStatus other (jammed)
    // lowToner (bit 2, 0x20) + doorOpen (bit 4, 0x08) + jammed (bit 5, 0x04); inputTrayEmpty (bit 13: octet 1, 0x04)
    ['1.3.6.1.2.1.25.3.5.1.2.1', '4x', '2c04'],
    ['1.3.6.1.2.1.43.5.1.1.17.1', '4', 'CN7B123456'],
    ['1.3.6.1.2.1.43.10.2.1.3.1.1', '2', 7], // impressions
    ['1.3.6.1.2.1.43.10.2.1.4.1.1', '65', 12345],
    // 1: black toner, 8 % (low)
    [`${S}.4.1.1`, '2', 3],
    [`${S}.5.1.1`, '2', 3],
    octets(`${S}.6.1.1`, '黑色碳粉盒 PN 0123;SN ABC999'),
    [`${S}.7.1.1`, '2', 19],
    [`${S}.8.1.1`, '2', 100],
    [`${S}.9.1.1`, '2', 8],
    // 2: drum in raw impressions: 14500 of 290000 = 5 % (low)
    [`${S}.4.1.2`, '2', 3],
    [`${S}.5.1.2`, '2', 9],
    octets(`${S}.6.1.2`, '硒鼓 Drum Unit'),
    [`${S}.7.1.2`, '2', 7],
    [`${S}.8.1.2`, '2', 290000],
    [`${S}.9.1.2`, '2', 14500],
    // 3: waste toner, 5 of 100 remaining space = 95 % full (near_full)
    [`${S}.4.1.3`, '2', 4],
    [`${S}.5.1.3`, '2', 4],
    octets(`${S}.6.1.3`, '废粉盒 Waste Toner Box'),
    [`${S}.7.1.3`, '2', 19],
    [`${S}.8.1.3`, '2', 100],
    [`${S}.9.1.3`, '2', 5],
    // 4: cyan toner in GBK, level unknown
    [`${S}.4.1.4`, '2', 3],
    [`${S}.5.1.4`, '2', 3],
    octets(`${S}.6.1.4`, '青色碳粉', 'gbk'),
    [`${S}.7.1.4`, '2', 19],
    [`${S}.8.1.4`, '2', 100],
    [`${S}.9.1.4`, '2', -2],
    // 5: padded with NULs and runs of spaces; no restriction (−1 / −1)
    [`${S}.4.1.5`, '2', 3],
    [`${S}.5.1.5`, '2', 3],
    [`${S}.6.1.5`, '4x', Buffer.from('Yellow   Toner\t Cartridge\0\0').toString('hex')],
    [`${S}.7.1.5`, '2', 19],
    [`${S}.8.1.5`, '2', -1],
    [`${S}.9.1.5`, '2', -1],
    // trays: UTF-8 name, empty; a plain one at 8 % (low)
    [`${I}.8.1.1`, '2', 8],
    [`${I}.9.1.1`, '2', 250],
    [`${I}.10.1.1`, '2', 0],
    octets(`${I}.12.1.1`, 'A4 普通纸'),
    octets(`${I}.13.1.1`, '纸盒1'),
    [`${I}.8.1.2`, '2', 8],
    [`${I}.9.1.2`, '2', 500],
    [`${I}.10.1.2`, '2', 40],
    [`${I}.12.1.2`, '4', 'Plain'],
    [`${I}.13.1.2`, '4', 'Tray 2'],
    // alerts: a jam (critical, UTF-8), the front door (warning, GBK), toner almost empty (warning)
    [`${A}.2.1.1`, '2', 3],
    [`${A}.3.1.1`, '2', 3],
    [`${A}.4.1.1`, '2', 13],
    [`${A}.5.1.1`, '2', 1],
    [`${A}.6.1.1`, '2', 8203],
    [`${A}.7.1.1`, '2', 8],
    octets(`${A}.8.1.1`, '卡纸：请打开前盖取出纸张'),
    [`${A}.9.1.1`, '67', 123000],
    [`${A}.2.1.2`, '2', 4],
    [`${A}.3.1.2`, '2', 3],
    [`${A}.4.1.2`, '2', 6],
    [`${A}.5.1.2`, '2', 1],
    [`${A}.6.1.2`, '2', 0],
    [`${A}.7.1.2`, '2', 501],
    octets(`${A}.8.1.2`, '前盖打开', 'gbk'),
    [`${A}.9.1.2`, '67', 123100],
    [`${A}.2.1.3`, '2', 4],
    [`${A}.3.1.3`, '2', 3],
    [`${A}.4.1.3`, '2', 11],
    [`${A}.5.1.3`, '2', 1],
    [`${A}.6.1.3`, '2', 0],
    [`${A}.7.1.3`, '2', 1104],
    [`${A}.8.1.3`, '4', 'Toner low'],
    [`${A}.9.1.3`, '67', 123200],
    // operator panel, two lines
    octets('1.3.6.1.2.1.43.16.5.1.2.1.1', '卡纸 Paper jam'),
    ['1.3.6.1.2.1.43.16.5.1.2.1.2', '4', 'Open front door'],
  ];
  const byOid = new Map(rows.map((r) => [r[0], r] as const));
  for (const [oid, r] of Object.entries(over)) {
    if (r === null) byOid.delete(oid);
    else byOid.set(oid, r);
  }
  return snmprec([...byOid.values()]);
}
