import { spawnSync } from 'node:child_process';

/** The text of a PDF by poppler's pdftotext (-layout unless other args are given). Throws when it fails. */
export function pdftotext(file: string, ...args: string[]): string {
  const r = spawnSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout;
}

/** pdftotext collapses runs of spaces in -layout mode differently per page: compare on single spaces. */
export const squash = (s: string) => s.replace(/[ \t]+/g, ' ');

/** The text between each heading and the next (headings on a line of their own, in the order the report prints them). */
export function sections(text: string, headings: string[]): Record<string, string> {
  let from = 0;
  const at = headings.map((h) => {
    const re = new RegExp(`(^|[\\n\\f]) ?${h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ?\\n`, 'g');
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) throw new Error(`heading "${h}" not found`);
    from = m.index + m[0].length;
    return m.index;
  });
  return Object.fromEntries(headings.map((h, i) => [h, text.slice(at[i]!, at[i + 1] ?? text.length)]));
}
