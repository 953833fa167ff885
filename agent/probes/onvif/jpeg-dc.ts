/**
 * Luma at 1/8 scale straight from a baseline JPEG's entropy-coded data: the DC coefficient of
 * each 8×8 luma block is the block's mean (mean = DC·Q₀₀/8 + 128), so black, uniform and
 * frozen pictures can be told without an IDCT, upsampling or colour conversion. Huffman
 * decoding still walks every coefficient (it is sequential), but that is a fraction of a full
 * decode. Returns undefined for what it does not handle (progressive, arithmetic coding,
 * 12-bit, Y not in the first scan) or when decoding does not end exactly at EOI: the
 * caller falls back to a full decode.
 */
export interface DcImage {
  width: number;
  height: number;
  /** Block columns and rows covering the image. */
  bw: number;
  bh: number;
  /** Mean luma (0–255) of each 8×8 block, row-major, bw×bh. */
  means: Float32Array;
}

interface Huffman {
  maxcode: Int32Array; // by length 1..16, -1 when no code of that length
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
  /** 9-bit fast path: (length << 8 | symbol), 0 when the code is longer. */
  fast: Uint16Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  const fast = new Uint16Array(512);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1]!;
    if (n) {
      valptr[l] = k;
      mincode[l] = code;
      for (let i = 0; i < n; i++, code++, k++) {
        if (l <= 9) {
          const base = code << (9 - l);
          for (let j = 0; j < 1 << (9 - l); j++) fast[base + j] = (l << 8) | values[k]!;
        }
      }
      maxcode[l] = code - 1;
    }
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, values, fast };
}

class Bits {
  private buf: Uint8Array;
  pos: number;
  private acc = 0;
  private n = 0;
  /** Set when a marker other than a restart is met inside the scan (end of data). */
  marker = false;
  /** Zero bytes fed after the data ended; if the decoder used any of them it ran past the end. */
  private zeros = 0;
  private desync = false;

  constructor(buf: Uint8Array, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }

  private fill(): void {
    while (this.n <= 24) {
      let b = 0;
      if (!this.marker && this.pos < this.buf.length) {
        b = this.buf[this.pos]!;
        if (b === 0xff) {
          const nx = this.buf[this.pos + 1];
          if (nx === 0) this.pos += 2;
          else {
            // A marker: feed zeros from here on (the decoder must not read past it).
            this.marker = true;
            b = 0;
            this.zeros++;
          }
        } else this.pos++;
      } else this.zeros++;
      this.acc = ((this.acc << 8) | b) >>> 0;
      this.n += 8;
    }
  }

  peek9(): number {
    if (this.n < 9) this.fill();
    return (this.acc >>> (this.n - 9)) & 0x1ff;
  }

  skip(k: number): void {
    this.n -= k;
    this.acc &= this.n >= 32 ? 0xffffffff : (1 << this.n) - 1;
  }

  bits(k: number): number {
    if (k === 0) return 0;
    if (this.n < k) this.fill();
    const v = (this.acc >>> (this.n - k)) & ((1 << k) - 1);
    this.skip(k);
    return v;
  }

  /**
   * Whether decoding ended in sync with the data: the bits not yet used are fewer than a byte
   * (plus the few bytes read ahead), and the next marker is EOI. Out-of-sync Huffman decoding
   * (a bug, an unusual encoder, damaged data) ends anywhere else.
   */
  endsAtEoi(): boolean {
    if (this.desync || this.zeros * 8 > this.n) return false;
    let p = this.pos;
    if (!this.marker) {
      // Bytes read ahead but not used (whole bytes in the accumulator beyond the padding).
      p -= Math.floor(this.n / 8);
      while (p < this.buf.length && !(this.buf[p] === 0xff && this.buf[p + 1] !== 0)) p++;
      if (p - (this.pos - Math.floor(this.n / 8)) > 1) return false;
    }
    return this.buf[p] === 0xff && this.buf[p + 1] === 0xd9;
  }

  /** Drops the bits left in the current byte and a restart marker after them. */
  restart(): void {
    if (this.zeros * 8 > this.n) this.desync = true;
    this.n = 0;
    this.acc = 0;
    this.marker = false;
    this.zeros = 0;
    while (this.pos + 1 < this.buf.length && !(this.buf[this.pos] === 0xff && this.buf[this.pos + 1]! >= 0xd0 && this.buf[this.pos + 1]! <= 0xd7)) this.pos++;
    this.pos += 2;
  }
}

function decodeSymbol(b: Bits, h: Huffman): number {
  const f = h.fast[b.peek9()]!;
  if (f) {
    b.skip(f >> 8);
    return f & 0xff;
  }
  let code = b.bits(9);
  let l = 9;
  while (code > h.maxcode[l]!) {
    code = (code << 1) | b.bits(1);
    if (++l > 16) throw new Error('bad Huffman code');
  }
  return h.values[h.valptr[l]! + code - h.mincode[l]!]!;
}

const extend = (v: number, t: number) => (t === 0 ? 0 : v < 1 << (t - 1) ? v - (1 << t) + 1 : v);

export function decodeDc(buf: Uint8Array): DcImage | undefined {
  if (buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  const dc = new Map<number, Huffman>();
  const ac = new Map<number, Huffman>();
  const quant = new Map<number, number>();
  let frame: { width: number; height: number; comps: { id: number; h: number; v: number; tq: number }[] } | undefined;
  let restartInterval = 0;
  let p = 2;
  while (p + 4 <= buf.length) {
    if (buf[p] !== 0xff) return undefined;
    const m = buf[p + 1]!;
    if (m === 0xff) {
      p++;
      continue;
    }
    const len = (buf[p + 2]! << 8) | buf[p + 3]!;
    const seg = p + 4;
    const end = p + 2 + len;
    if (m === 0xc0 || m === 0xc1) {
      if (buf[seg] !== 8) return undefined;
      const height = (buf[seg + 1]! << 8) | buf[seg + 2]!;
      const width = (buf[seg + 3]! << 8) | buf[seg + 4]!;
      const comps = [];
      for (let i = 0; i < buf[seg + 5]!; i++) {
        const o = seg + 6 + i * 3;
        comps.push({ id: buf[o]!, h: buf[o + 1]! >> 4, v: buf[o + 1]! & 15, tq: buf[o + 2]! });
      }
      if (!width || !height || !comps.length) return undefined;
      frame = { width, height, comps };
    } else if ((m >= 0xc2 && m <= 0xc3) || (m >= 0xc5 && m <= 0xcf && m !== 0xc8 && m !== 0xcc)) {
      return undefined; // progressive, lossless, hierarchical, arithmetic
    } else if (m === 0xc4) {
      let o = seg;
      while (o < end) {
        const tc = buf[o]! >> 4;
        const th = buf[o]! & 15;
        const counts = buf.subarray(o + 1, o + 17);
        const total = counts.reduce((a, b) => a + b, 0);
        const h = buildHuffman(counts, buf.subarray(o + 17, o + 17 + total));
        (tc === 0 ? dc : ac).set(th, h);
        o += 17 + total;
      }
    } else if (m === 0xdb) {
      let o = seg;
      while (o < end) {
        const pq = buf[o]! >> 4;
        const tq = buf[o]! & 15;
        quant.set(tq, pq ? (buf[o + 1]! << 8) | buf[o + 2]! : buf[o + 1]!);
        o += 1 + (pq ? 128 : 64);
      }
    } else if (m === 0xdd) {
      restartInterval = (buf[seg]! << 8) | buf[seg + 1]!;
    } else if (m === 0xda) {
      if (!frame) return undefined;
      return scan(buf, seg, end, frame, dc, ac, quant, restartInterval);
    } else if (m === 0xd9) return undefined;
    p = end;
  }
  return undefined;
}

function scan(
  buf: Uint8Array,
  seg: number,
  end: number,
  frame: { width: number; height: number; comps: { id: number; h: number; v: number; tq: number }[] },
  dcT: Map<number, Huffman>,
  acT: Map<number, Huffman>,
  quant: Map<number, number>,
  restartInterval: number,
): DcImage | undefined {
  const ns = buf[seg]!;
  const sc: { comp: (typeof frame.comps)[number]; dc: Huffman; ac: Huffman }[] = [];
  for (let i = 0; i < ns; i++) {
    const id = buf[seg + 1 + i * 2]!;
    const t = buf[seg + 2 + i * 2]!;
    const comp = frame.comps.find((c) => c.id === id);
    const d = dcT.get(t >> 4);
    const a = acT.get(t & 15);
    if (!comp || !d || !a) return undefined;
    sc.push({ comp, dc: d, ac: a });
  }
  const y = frame.comps[0]!;
  if (sc[0]?.comp !== y) return undefined;
  const q = quant.get(y.tq);
  if (q === undefined) return undefined;
  const hmax = Math.max(...frame.comps.map((c) => c.h));
  const vmax = Math.max(...frame.comps.map((c) => c.v));
  const bw = Math.ceil(Math.ceil((frame.width * y.h) / hmax) / 8);
  const bh = Math.ceil(Math.ceil((frame.height * y.v) / vmax) / 8);
  const means = new Float32Array(bw * bh);
  const bits = new Bits(buf, end);
  const preds = new Int32Array(ns);
  // One component alone is not interleaved: its blocks go row by row. Several: MCU by MCU.
  const single = ns === 1;
  const mcuX = single ? bw : Math.ceil(frame.width / (8 * hmax));
  const mcuY = single ? bh : Math.ceil(frame.height / (8 * vmax));
  const total = mcuX * mcuY;
  const block = (s: (typeof sc)[number], k: number): number => {
    const t = decodeSymbol(bits, s.dc);
    const diff = extend(bits.bits(t), t);
    preds[k]! += diff;
    const v = preds[k]!;
    for (let i = 1; i < 64; ) {
      const rs = decodeSymbol(bits, s.ac);
      const size = rs & 15;
      const run = rs >> 4;
      if (size === 0) {
        if (run === 15) {
          i += 16;
          continue;
        }
        break;
      }
      i += run;
      bits.bits(size);
      i++;
    }
    return v;
  };
  for (let n = 0; n < total; n++) {
    if (restartInterval && n > 0 && n % restartInterval === 0) {
      bits.restart();
      preds.fill(0);
    }
    const mx = n % mcuX;
    const my = (n / mcuX) | 0;
    for (let k = 0; k < ns; k++) {
      const s = sc[k]!;
      const hh = single ? 1 : s.comp.h;
      const vv = single ? 1 : s.comp.v;
      for (let by = 0; by < vv; by++)
        for (let bx = 0; bx < hh; bx++) {
          const v = block(s, k);
          if (k !== 0) continue;
          const X = mx * hh + bx;
          const Y = my * vv + by;
          if (X < bw && Y < bh) means[Y * bw + X] = Math.max(0, Math.min(255, (v * q) / 8 + 128));
        }
    }
  }
  if (!bits.endsAtEoi()) return undefined;
  return { width: frame.width, height: frame.height, bw, bh, means };
}
