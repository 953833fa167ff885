/**
 * DNS messages on the wire (RFC 1035), just enough for monitoring queries: one question out,
 * every answer section record back, with name compression followed safely. Written here
 * because node:dns hides the rcode and cannot query over TCP.
 */

export const TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 } as const;
export type RecordType = keyof typeof TYPES;
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k])) as Record<number, RecordType>;

export const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'] as const;

export function rcodeName(n: number): string {
  return RCODES[n] ?? `RCODE${n}`;
}

/** A malformed message from the server (truncated, a pointer loop, a label past the end). */
export class WireError extends Error {
  override name = 'WireError';
}

export interface Answer {
  name: string;
  type: string;
  ttl: number;
  /** Presentation form: an address, a name without the final dot, "10 mx.example.cn" for MX, the joined strings for TXT. */
  value: string;
}

export interface Message {
  id: number;
  rcode: number;
  truncated: boolean;
  authoritative: boolean;
  recursionAvailable: boolean;
  question?: { name: string; type: number };
  answers: Answer[];
}

/** Encodes a query for `name` (RD set, class IN). Throws for a name that cannot be a DNS name. */
export function encodeQuery(id: number, name: string, type: RecordType): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l.length > 0);
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(0x0100, 2);
  head.writeUInt16BE(1, 4);
  parts.push(head);
  let len = 1;
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63 || !/^[\x21-\x7e]+$/.test(l)) throw new WireError(`"${l}" is not a DNS label (1-63 ASCII characters; write IDN names in punycode)`);
    parts.push(Buffer.from([b.length]), b);
    len += b.length + 1;
  }
  if (len > 255) throw new WireError(`${name} is longer than 255 bytes`);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(TYPES[type], 1);
  tail.writeUInt16BE(1, 3);
  parts.push(tail);
  return Buffer.concat(parts);
}

function readName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let off = start;
  let next = -1;
  let jumps = 0;
  for (;;) {
    if (off >= buf.length) throw new WireError('name runs past the end of the message');
    const len = buf[off]!;
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) throw new WireError('truncated compression pointer');
      if (++jumps > 64) throw new WireError('compression pointer loop');
      if (next < 0) next = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1]!;
      continue;
    }
    if (len & 0xc0) throw new WireError('unknown label type');
    if (len === 0) {
      if (next < 0) next = off + 1;
      break;
    }
    if (off + 1 + len > buf.length) throw new WireError('label runs past the end of the message');
    labels.push(buf.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), next };
}

function ipv6(b: Buffer): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function rdata(buf: Buffer, type: number, off: number, len: number): string {
  const end = off + len;
  switch (type) {
    case TYPES.A:
      if (len !== 4) throw new WireError('A record of wrong length');
      return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
    case TYPES.AAAA:
      if (len !== 16) throw new WireError('AAAA record of wrong length');
      return ipv6(buf.subarray(off, end));
    case TYPES.CNAME:
    case TYPES.NS:
    case TYPES.PTR:
      return readName(buf, off).name;
    case TYPES.MX:
      return `${buf.readUInt16BE(off)} ${readName(buf, off + 2).name}`;
    case TYPES.TXT: {
      const strs: string[] = [];
      for (let p = off; p < end; ) {
        const l = buf[p]!;
        if (p + 1 + l > end) throw new WireError('TXT string runs past its record');
        strs.push(buf.toString('utf8', p + 1, p + 1 + l));
        p += 1 + l;
      }
      return strs.join('');
    }
    case TYPES.SOA: {
      const m = readName(buf, off);
      const r = readName(buf, m.next);
      return `${m.name} ${r.name} ${buf.readUInt32BE(r.next)}`;
    }
    case TYPES.SRV:
      return `${buf.readUInt16BE(off)} ${buf.readUInt16BE(off + 2)} ${buf.readUInt16BE(off + 4)} ${readName(buf, off + 6).name}`;
    default:
      return buf.toString('hex', off, end);
  }
}

/** Decodes a response; the answer section only (authority and additional records are not needed). */
export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new WireError('message shorter than a DNS header');
  const flags = buf.readUInt16BE(2);
  if (!(flags & 0x8000)) throw new WireError('not a response');
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  const msg: Message = {
    id: buf.readUInt16BE(0),
    rcode: flags & 0x0f,
    truncated: (flags & 0x0200) !== 0,
    authoritative: (flags & 0x0400) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    answers: [],
  };
  for (let i = 0; i < qd; i++) {
    const n = readName(buf, off);
    if (n.next + 4 > buf.length) throw new WireError('truncated question');
    if (i === 0) msg.question = { name: n.name, type: buf.readUInt16BE(n.next) };
    off = n.next + 4;
  }
  // A truncated UDP answer may end mid-record: keep what is whole and let the caller retry over TCP.
  for (let i = 0; i < an; i++) {
    if (off >= buf.length && msg.truncated) break;
    const n = readName(buf, off);
    if (n.next + 10 > buf.length) throw new WireError('truncated answer');
    const type = buf.readUInt16BE(n.next);
    const ttl = buf.readUInt32BE(n.next + 4);
    const len = buf.readUInt16BE(n.next + 8);
    const start = n.next + 10;
    if (start + len > buf.length) throw new WireError('answer data runs past the end of the message');
    msg.answers.push({ name: n.name, type: TYPE_NAMES[type] ?? `TYPE${type}`, ttl, value: rdata(buf, type, start, len) });
    off = start + len;
  }
  return msg;
}
