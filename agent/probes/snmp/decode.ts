import { iconv } from '../platform/iconv.ts';
import type { SnmpValue } from './client.ts';

/** Vendors the poller knows, by sysObjectID enterprise subtree. */
const VENDORS: [prefix: string, vendor: string][] = [
  ['1.3.6.1.4.1.2011.', 'huawei'],
  ['1.3.6.1.4.1.25506.', 'h3c'],
  ['1.3.6.1.4.1.9.', 'cisco'],
  ['1.3.6.1.4.1.4881.', 'ruijie'],
  ['1.3.6.1.4.1.11863.', 'tplink'],
  ['1.3.6.1.4.1.8072.', 'net-snmp'],
];

export function vendorOf(sysObjectID: string): string {
  const oid = sysObjectID.replace(/^\./, '') + '.';
  return VENDORS.find(([p]) => oid.startsWith(p))?.[1] ?? 'unknown';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text from an OCTET STRING. Chinese port aliases arrive as UTF-8 on newer firmware and as
 * GBK on older VRP/Comware; UTF-8 is tried strictly first because GBK decodes almost any
 * byte string. Trailing NULs (some agents count them) go; CRLF (multi-line sysDescr) becomes LF.
 */
export function text(v: SnmpValue | undefined): string {
  if (!v) return '';
  const x = v.value;
  let s: string;
  if (Buffer.isBuffer(x)) {
    let buf = x;
    while (buf.length && buf[buf.length - 1] === 0) buf = buf.subarray(0, buf.length - 1);
    try {
      s = utf8.decode(buf);
    } catch {
      s = iconv().decode(buf, 'gbk');
    }
  } else s = x === null || x === undefined ? '' : String(x);
  return s.replace(/\r\n?/g, '\n').trim();
}

/** Bytes as colon-separated hex (MAC addresses, binary chassis ids). */
export function hex(v: SnmpValue | undefined): string {
  if (!v || !Buffer.isBuffer(v.value)) return text(v);
  return [...v.value].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Whether a byte string is printable text (LLDP ids are sometimes names, sometimes MACs). */
export function printable(v: SnmpValue | undefined): boolean {
  if (!v || !Buffer.isBuffer(v.value)) return true;
  return v.value.length > 0 && [...v.value].every((b) => b >= 0x20 && b < 0x7f);
}

/** Whether bytes are text (strict UTF-8 without control characters) rather than binary, for raw trap varbinds. */
export function isText(v: SnmpValue | undefined): boolean {
  if (!v || !Buffer.isBuffer(v.value)) return true;
  try {
    return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(utf8.decode(v.value));
  } catch {
    return false;
  }
}

/** Any integer type as bigint; Counter64 comes as a big-endian Buffer. */
export function big(v: SnmpValue | undefined): bigint | undefined {
  if (!v) return undefined;
  const x = v.value;
  if (typeof x === 'number') return Number.isFinite(x) ? BigInt(Math.trunc(x)) : undefined;
  if (typeof x === 'bigint') return x;
  if (Buffer.isBuffer(x)) {
    if (x.length === 0) return 0n;
    return BigInt('0x' + x.toString('hex'));
  }
  return undefined;
}

export function num(v: SnmpValue | undefined): number | undefined {
  const b = big(v);
  return b === undefined ? undefined : Number(b);
}

/** JSON-safe integer: a number while exact, else a decimal string. */
export function jsonInt(b: bigint | undefined | null): number | string | null {
  if (b === undefined || b === null) return null;
  return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString();
}
