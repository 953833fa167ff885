import { RECORD_FIELDS, type PortRecord } from './register.ts';

// The engineers' cabling spreadsheets, as CSV: one row per switch port. The zh export has
// Chinese headers; import accepts either language's headers (and a UTF-8 BOM, which Excel writes).
const COLUMNS = ['switch', 'port', ...RECORD_FIELDS] as const;
const HEADERS: Record<'en' | 'zh', Record<(typeof COLUMNS)[number], string>> = {
  en: { switch: 'switch', port: 'port', patch_panel: 'patch panel', cable_label: 'cable label', wall_socket: 'wall socket', room: 'room', note: 'note' },
  zh: { switch: '交换机', port: '端口', patch_panel: '配线架位置', cable_label: '线缆标签', wall_socket: '墙面信息点', room: '房间', note: '备注' },
};

const cell = (s: string) => {
  // A leading = + - @ would run as a formula when the file is opened in Excel.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** CSV text of the records (CRLF, UTF-8 BOM so Excel opens the Chinese right). */
export function recordsToCsv(records: readonly PortRecord[], lang: 'en' | 'zh'): string {
  const h = HEADERS[lang];
  const lines = [COLUMNS.map((c) => cell(h[c])).join(',')];
  for (const r of records) lines.push(COLUMNS.map((c) => cell(r[c])).join(','));
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** RFC 4180 rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let quoted = false;
  const s = text.replace(/^\ufeff/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (f += '"'), i++;
      else if (ch === '"') quoted = false;
      else f += ch;
    } else if (ch === '"' && f === '') quoted = true;
    else if (ch === ',') row.push(f), (f = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(f);
      rows.push(row);
      (row = []), (f = '');
    } else f += ch;
  }
  if (f !== '' || row.length) row.push(f), rows.push(row);
  return rows.filter((r) => r.some((c) => c !== ''));
}

/** A sheet that cannot be imported; the message names the line and the fix. */
export class CsvError extends Error {
  override name = 'CsvError';
}

/** Records from CSV text; throws CsvError naming the line and the fix. */
export function csvToRecords(text: string): PortRecord[] {
  const [head, ...rows] = parseCsv(text);
  if (!head) throw new CsvError('empty CSV: the first line must be the header (switch,port,… or 交换机,端口,…)');
  const names = new Map<string, (typeof COLUMNS)[number]>();
  for (const lang of ['en', 'zh'] as const) for (const c of COLUMNS) names.set(HEADERS[lang][c], c);
  const cols = head.map((h) => names.get(h.trim()));
  const unknown = head.filter((_, i) => cols[i] === undefined);
  if (unknown.length)
    throw new CsvError(
      `line 1: unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}; expected ${COLUMNS.map((c) => HEADERS.en[c]).join(', ')} (or ${COLUMNS.map((c) => HEADERS.zh[c]).join('、')})`,
    );
  if (!cols.includes('switch') || !cols.includes('port')) throw new CsvError('line 1: the switch and port columns are required');
  return rows.map((r, i) => {
    const rec: PortRecord = { switch: '', port: '', patch_panel: '', cable_label: '', wall_socket: '', room: '', note: '' };
    cols.forEach((c, j) => {
      const v = (r[j] ?? '').trim();
      rec[c!] = /^'[=+\-@]/.test(v) ? v.slice(1) : v;
    });
    if (!rec.switch || !rec.port) throw new CsvError(`line ${i + 2}: switch and port must not be empty`);
    return rec;
  });
}
