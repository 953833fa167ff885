import { createRequire } from 'node:module';

type Iconv = { encodingExists(e: string): boolean; decode(b: Buffer, e: string): string };
let lib: Iconv | undefined;
// Loaded on first use: config validation (which checks charset labels) and agents without
// web checks never load iconv-lite's tables.
const iconv = (): Iconv => (lib ??= createRequire(import.meta.url)('iconv-lite') as Iconv);

/**
 * WHATWG encoding labels that matter on Chinese sites, mapped to the decoder that reads them.
 * gb2312 and gbk pages are decoded as GB18030, a superset: the Encoding Standard does the
 * same, because pages labelled gb2312 routinely contain GBK-only characters.
 */
const LABELS: Record<string, string> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'unicode-1-1-utf-8': 'utf8',
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  chinese: 'gb18030',
  csgb2312: 'gb18030',
  'iso-ir-58': 'gb18030',
  gb_2312: 'gb18030',
  'gb_2312-80': 'gb18030',
  cp936: 'gb18030',
  'windows-936': 'gb18030',
  gb18030: 'gb18030',
  big5: 'big5hkscs',
  'big5-hkscs': 'big5hkscs',
  'cn-big5': 'big5hkscs',
  csbig5: 'big5hkscs',
  'x-x-big5': 'big5hkscs',
  'utf-16le': 'utf16le',
  'utf-16': 'utf16le',
  'utf-16be': 'utf16be',
  'iso-8859-1': 'win1252',
  latin1: 'win1252',
  'us-ascii': 'win1252',
  ascii: 'win1252',
  'windows-1252': 'win1252',
  shift_jis: 'shiftjis',
  sjis: 'shiftjis',
  'euc-jp': 'eucjp',
  'euc-kr': 'euckr',
};

/** The decoder for a charset label, or undefined when it is unknown to us and to iconv-lite. */
export function decoderFor(label: string): string | undefined {
  const l = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  const m = LABELS[l];
  if (m) return m;
  return l && iconv().encodingExists(l) ? l : undefined;
}

/** The charset parameter of a Content-Type header value. */
export function charsetOfContentType(ct: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(ct ?? '');
  return m?.[2];
}

/**
 * The charset a page declares in its first 1024 bytes (the HTML prescan window):
 * `<meta charset=...>` or `<meta http-equiv="Content-Type" content="...; charset=...">`.
 * The bytes are read as latin1 so a multi-byte page cannot break the scan.
 */
export function charsetOfMeta(body: Buffer): string | undefined {
  const head = body.subarray(0, 1024).toString('latin1');
  for (const m of head.matchAll(/<meta\b[^>]*>/gi)) {
    const tag = m[0];
    const direct = /\bcharset\s*=\s*["']?([^"'\s/>;]+)/i.exec(tag);
    if (direct && !/http-equiv/i.test(tag)) return direct[1];
    if (/http-equiv\s*=\s*["']?content-type/i.test(tag)) {
      const c = /\bcontent\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
      const cs = charsetOfContentType(`x;${(c?.[2] ?? c?.[3] ?? c?.[4] ?? '').split(';').slice(1).join(';')}`);
      if (cs) return cs;
    }
  }
  return undefined;
}

export interface Decoded {
  text: string;
  /** The decoder used, and where the charset came from. */
  charset: string;
  source: 'bom' | 'header' | 'meta' | 'default';
}

/**
 * Decodes a response body the way a browser picks its encoding: a BOM wins, then the
 * Content-Type charset, then (for HTML) a meta declaration, then `fallback`. Uptime Kuma
 * matched keywords against the bytes read as UTF-8, which is why a GBK page never matched.
 */
export function decodeBody(body: Buffer, contentType: string | undefined, fallback = 'utf-8'): Decoded {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
    return { text: body.subarray(3).toString('utf8'), charset: 'utf8', source: 'bom' };
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { text: iconv().decode(body.subarray(2), 'utf16le'), charset: 'utf16le', source: 'bom' };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { text: iconv().decode(body.subarray(2), 'utf16be'), charset: 'utf16be', source: 'bom' };
  const fromHeader = charsetOfContentType(contentType);
  const h = fromHeader ? decoderFor(fromHeader) : undefined;
  if (h) return { text: iconv().decode(body, h), charset: h, source: 'header' };
  const isHtml = !contentType || /html|xml/i.test(contentType);
  const fromMeta = isHtml ? charsetOfMeta(body) : undefined;
  const m = fromMeta ? decoderFor(fromMeta) : undefined;
  if (m) return { text: iconv().decode(body, m), charset: m, source: 'meta' };
  const d = decoderFor(fallback) ?? 'utf8';
  return { text: iconv().decode(body, d), charset: d, source: 'default' };
}
