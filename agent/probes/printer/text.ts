import { iconv } from '../platform/iconv.ts';
import type { SnmpValue } from '../snmp/client.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX_LINE = /^\s*[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2})* ?\s*$/;

/**
 * A Printer-MIB text (supply and alert descriptions, tray names, panel text) as people read it.
 * Bytes are UTF-8 when they decode strictly as UTF-8, else GBK (Chinese printers use either).
 * HP JetDirect descriptions arrive split over lines: a first line of text, then the rest of the
 * bytes as hex pairs ("Black Cartridge \n38 32 37 41 …00"); those lines are decoded and joined.
 * NUL bytes go and whitespace runs become one space; nothing else is changed.
 */
export function printerText(v: SnmpValue | undefined): string {
  if (!v) return '';
  const x = v.value;
  let bytes: Buffer;
  if (Buffer.isBuffer(x)) bytes = x;
  else if (x === null || x === undefined) return '';
  else bytes = Buffer.from(String(x), 'utf8');
  const lines = bytes.toString('latin1').split('\n');
  if (lines.length > 1 && lines.slice(1).every((l) => l.trim() === '' || HEX_LINE.test(l)) && lines.slice(1).some((l) => l.trim() !== '')) {
    const head = bytes.subarray(0, lines[0]!.length);
    const tail = Buffer.from(lines.slice(1).join(' ').replace(/\s+/g, ''), 'hex');
    bytes = Buffer.concat([head, tail]);
  }
  bytes = Buffer.from(bytes.filter((b) => b !== 0));
  let s: string;
  try {
    s = utf8.decode(bytes);
  } catch {
    s = iconv().decode(bytes, 'gbk');
  }
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * A supply's description without part and serial numbers: Xerox's ", PN 106R03745;SN …",
 * "S/N: …", and HP's trailing order code ("Black Cartridge 827A HP CF300A" → "Black Cartridge 827A").
 */
export function tidyName(description: string): string {
  let s = description;
  s = s.replace(/[,;]?\s*\b(?:PN|P\/N|Part ?(?:No\.?|Number))\s*[:#]?\s*[\w-]+/gi, '');
  s = s.replace(/[,;]?\s*\b(?:SN|S\/N|Serial ?(?:No\.?|Number)?)\s*[:#]?\s*[\w-]*/gi, '');
  // HP: "<name> HP <order code>", the code mixing letters and digits (or "None" when the part has none).
  s = s.replace(/\s+HP\s+(?=[^\s]*\d[^\s]*|None\b).*$/i, '');
  s = s.replace(/[\s,;:]+$/, '').trim();
  return s || description;
}

export type Colour = 'black' | 'cyan' | 'magenta' | 'yellow' | '其它';

// First match in the text wins, so "Black Toner for Cyan printers" (never seen) would be black.
const COLOUR_WORDS: [RegExp, Colour][] = [
  [/\b(?:photo |matte )?black\b|\bblk\b|\[K\]|\(K\)|黑/i, 'black'],
  [/\bcyan\b|\[C\]|\(C\)|青|蓝/i, 'cyan'],
  [/\bmagenta\b|\[M\]|\(M\)|品红|洋红|红/i, 'magenta'],
  [/\byellow\b|\[Y\]|\(Y\)|黄/i, 'yellow'],
];

/** The colour named in a supply description (English or Chinese words); `其它` when none is. */
export function colourOf(description: string): Colour {
  let best: { at: number; c: Colour } | undefined;
  for (const [re, c] of COLOUR_WORDS) {
    const m = re.exec(description);
    if (m && (!best || m.index < best.at)) best = { at: m.index, c };
  }
  if (best) return best.c;
  // No colour word: Kyocera (TK-5240K), Konica Minolta (TN-512K) and Brother (TN-213C) order
  // codes end in the colour's letter.
  const code = /\b[A-Z]{1,3}-?\d{3,5}([KCMY])\b/.exec(description);
  return code ? ({ K: 'black', C: 'cyan', M: 'magenta', Y: 'yellow' } as const)[code[1] as 'K' | 'C' | 'M' | 'Y'] : '其它';
}

const COLOUR_ZH: Record<Colour, string> = { black: '黑色', cyan: '青色', magenta: '品红色', yellow: '黄色', 其它: '' };
const TYPE_ZH: Record<string, string> = {
  toner: '碳粉',
  tonerCartridge: '碳粉',
  matteToner: '碳粉',
  wasteToner: '废粉盒',
  ink: '墨水',
  inkCartridge: '墨盒',
  matteInk: '墨水',
  inkRibbon: '色带',
  wasteInk: '废墨仓',
  opc: '硒鼓',
  developer: '显影器',
  fuser: '定影器',
  fuserOil: '定影油',
  transferUnit: '转印组件',
  cleanerUnit: '清洁组件',
  fuserCleaningPad: '定影清洁垫',
  coronaWire: '电晕丝',
  staples: '订书钉',
  solidWax: '固体墨',
  wasteWax: '废蜡仓',
  wasteWater: '废水',
  wastePaper: '废纸仓',
};

/** The supply in words for messages: colour and kind in Chinese ("黑色碳粉"), else its tidied name. */
export function supplyWords(type: string | null, colour: Colour, name: string): string {
  const kind = type ? TYPE_ZH[type] : undefined;
  if (!kind) return name;
  const c = COLOUR_ZH[colour];
  return type === 'wasteToner' || type === 'wasteInk' ? kind : c + kind;
}
