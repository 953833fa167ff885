import { readFileSync } from 'node:fs';
import { SHARED_FIXTURES } from './fixtures.ts';
import path from 'node:path';
import { parseSnmprec, type Variable } from './snmp-agent.ts';

export { SHARED_FIXTURES };

/**
 * The SNMP variables of a simulated device: the shared recording of a real device when this
 * checkout has ../shared/fixtures, else `fallback()` — a small synthesized device of the same
 * kind, so `npm start` works on any clone.
 */
export function deviceVariables(recording: string, fallback: () => Variable[]): { vars: Variable[]; source: string } {
  if (SHARED_FIXTURES) {
    try {
      return { vars: parseSnmprec(readFileSync(path.join(SHARED_FIXTURES, 'snmprec', recording), 'utf8')), source: `recording ${recording}` };
    } catch {
      /* fall through to the synthesized device */
    }
  }
  return { vars: fallback(), source: 'synthesized' };
}

const S = (oid: string, value: string): Variable => ({ oid, type: 4, value: Buffer.from(value) });
const I = (oid: string, value: number): Variable => ({ oid, type: 2, value });
const G = (oid: string, value: number): Variable => ({ oid, type: 66, value });
const C = (oid: string, value: number): Variable => ({ oid, type: 65, value });
const O = (oid: string, value: string): Variable => ({ oid, type: 6, value });
const TT = (oid: string, value: number): Variable => ({ oid, type: 67, value });
const C64 = (oid: string, value: bigint): Variable => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value);
  return { oid, type: 70, value: b };
};

/** A 24+4-port access switch (system group, IF-MIB, ifXTable) with `up` ports connected. */
export function synthesizedSwitch(o: { descr: string; objectId: string; name: string; up: number[] }): Variable[] {
  const v: Variable[] = [
    S('1.3.6.1.2.1.1.1.0', o.descr),
    O('1.3.6.1.2.1.1.2.0', o.objectId),
    TT('1.3.6.1.2.1.1.3.0', 123_456_00),
    S('1.3.6.1.2.1.1.5.0', o.name),
    S('1.3.6.1.2.1.1.6.0', 'demo building'),
  ];
  const ports = Array.from({ length: 28 }, (_, i) => i + 1);
  v.push(I('1.3.6.1.2.1.2.1.0', ports.length));
  for (const c of [1, 2, 3, 5, 7, 8, 10, 13, 14, 16, 19, 20]) {
    for (const p of ports) {
      const up = o.up.includes(p);
      const name = p <= 24 ? `GigabitEthernet0/0/${p}` : `XGigabitEthernet0/0/${p - 24}`;
      const val: Record<number, Variable> = {
        1: I(`1.3.6.1.2.1.2.2.1.1.${p}`, p),
        2: S(`1.3.6.1.2.1.2.2.1.2.${p}`, name),
        3: I(`1.3.6.1.2.1.2.2.1.3.${p}`, 6),
        5: G(`1.3.6.1.2.1.2.2.1.5.${p}`, p <= 24 ? 1_000_000_000 : 4_294_967_295),
        7: I(`1.3.6.1.2.1.2.2.1.7.${p}`, 1),
        8: I(`1.3.6.1.2.1.2.2.1.8.${p}`, up ? 1 : 2),
        10: C(`1.3.6.1.2.1.2.2.1.10.${p}`, up ? p * 1_000_000 : 0),
        13: C(`1.3.6.1.2.1.2.2.1.13.${p}`, 0),
        14: C(`1.3.6.1.2.1.2.2.1.14.${p}`, 0),
        16: C(`1.3.6.1.2.1.2.2.1.16.${p}`, up ? p * 2_000_000 : 0),
        19: C(`1.3.6.1.2.1.2.2.1.19.${p}`, 0),
        20: C(`1.3.6.1.2.1.2.2.1.20.${p}`, 0),
      };
      v.push(val[c]!);
    }
  }
  for (const p of ports) {
    v.push(S(`1.3.6.1.2.1.31.1.1.1.1.${p}`, p <= 24 ? `GE0/0/${p}` : `XGE0/0/${p - 24}`));
  }
  for (const p of ports) v.push(C64(`1.3.6.1.2.1.31.1.1.1.6.${p}`, o.up.includes(p) ? BigInt(p) * 10_000_000n : 0n));
  for (const p of ports) v.push(C64(`1.3.6.1.2.1.31.1.1.1.10.${p}`, o.up.includes(p) ? BigInt(p) * 20_000_000n : 0n));
  for (const p of ports) v.push(G(`1.3.6.1.2.1.31.1.1.1.15.${p}`, p <= 24 ? 1000 : 10000));
  for (const p of ports) v.push(S(`1.3.6.1.2.1.31.1.1.1.18.${p}`, o.up.includes(p) ? (p > 24 ? 'uplink' : `office socket ${p}`) : ''));
  return v.sort((a, b) => cmpOid(a.oid, b.oid));
}

/** A networked laser printer (HOST-RESOURCES + Printer-MIB: supplies, trays, page count). */
export function synthesizedPrinter(): Variable[] {
  const v: Variable[] = [
    S('1.3.6.1.2.1.1.1.0', 'HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012'),
    O('1.3.6.1.2.1.1.2.0', '1.3.6.1.4.1.11.2.3.9.1'),
    TT('1.3.6.1.2.1.1.3.0', 5_432_100),
    S('1.3.6.1.2.1.1.5.0', 'NPI3F2A1C'),
    I('1.3.6.1.2.1.25.3.2.1.5.1', 2),
    S('1.3.6.1.2.1.25.3.2.1.3.1', 'HP LaserJet Pro M404dn'),
    I('1.3.6.1.2.1.25.3.5.1.1.1', 3),
    { oid: '1.3.6.1.2.1.25.3.5.1.2.1', type: 4, value: Buffer.from([0x00]) },
    S('1.3.6.1.2.1.43.5.1.1.17.1', 'PHBBK12345'),
    { oid: '1.3.6.1.2.1.43.10.2.1.4.1.1', type: 65, value: 48_213 },
  ];
  const supplies: [number, number, number, string, number, number][] = [
    [1, 3, 3, 'Black Cartridge HP CF259A', 3000, 1260],
    [2, 3, 9, 'Imaging Drum', 23000, 21000],
    [3, 4, 4, 'Toner Collection Unit', 100, 35],
  ];
  for (const [i, cls, type, descr, max, level] of supplies) {
    v.push(
      I(`1.3.6.1.2.1.43.11.1.1.4.1.${i}`, cls),
      I(`1.3.6.1.2.1.43.11.1.1.5.1.${i}`, type),
      S(`1.3.6.1.2.1.43.11.1.1.6.1.${i}`, descr),
      I(`1.3.6.1.2.1.43.11.1.1.7.1.${i}`, 7),
      I(`1.3.6.1.2.1.43.11.1.1.8.1.${i}`, max),
      I(`1.3.6.1.2.1.43.11.1.1.9.1.${i}`, level),
    );
  }
  v.push(
    S('1.3.6.1.2.1.43.8.2.1.13.1.1', 'Tray 1'),
    I('1.3.6.1.2.1.43.8.2.1.9.1.1', 250),
    I('1.3.6.1.2.1.43.8.2.1.10.1.1', 180),
    S('1.3.6.1.2.1.43.8.2.1.12.1.1', 'A4'),
  );
  return v.sort((a, b) => cmpOid(a.oid, b.oid));
}

function cmpOid(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
