import { iconv } from './iconv.ts';

/**
 * Decodes what a Windows console program wrote. Windows tools write in the console's OEM code
 * page (936/GBK on Simplified Chinese, 950/Big5 on Traditional, 932/Shift-JIS on Japanese,
 * 437 on en-US), and `wmic` writes UTF-16LE when redirected. A UTF-16 BOM or a NUL in every
 * other byte means UTF-16LE; a UTF-8 BOM or valid UTF-8 means UTF-8; otherwise the code page.
 */
export function decodeConsole(buf: Buffer, codepage = 65001): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (looksUtf16le(buf)) return buf.toString('utf16le');
  if (codepage === 65001 || isValidUtf8(buf)) return buf.toString('utf8');
  const enc = codepageEncoding(codepage);
  return iconv().encodingExists(enc) ? iconv().decode(buf, enc) : buf.toString('latin1');
}

/** iconv-lite's name for a Windows code page number. */
export function codepageEncoding(codepage: number): string {
  switch (codepage) {
    case 936:
      return 'gbk';
    case 54936:
      return 'gb18030';
    case 950:
      return 'big5';
    case 932:
      return 'shift_jis';
    case 949:
      return 'cp949';
    case 65001:
      return 'utf8';
    default:
      return `cp${codepage}`;
  }
}

/** Parses `chcp` output ("Active code page: 936", "活动代码页: 936"): the only number in it. */
export function parseChcp(text: string): number | undefined {
  const m = /(\d{3,5})\s*\.?\s*$/.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

function looksUtf16le(buf: Buffer): boolean {
  if (buf.length < 4 || buf.length % 2 !== 0) return false;
  // ASCII-heavy UTF-16LE text has a NUL in most odd positions; sample the first 256 bytes.
  let zeros = 0;
  let pairs = 0;
  for (let i = 1; i < Math.min(buf.length, 256); i += 2) {
    pairs++;
    if (buf[i] === 0) zeros++;
  }
  return zeros / pairs > 0.6;
}

function isValidUtf8(buf: Buffer): boolean {
  // TextDecoder with fatal:true throws on the first invalid sequence.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}
