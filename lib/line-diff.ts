/**
 * Unified line diff (diff -u style) of two texts, for config versions. Common head and tail
 * are trimmed first (config edits are usually a few lines), then an LCS table over the middle;
 * a middle beyond `maxCells` is shown as all-removed/all-added rather than spending seconds.
 */
export interface LineDiff {
  added: number;
  removed: number;
  /** Unified diff text with `context` lines around changes; '' when the texts are equal. */
  text: string;
}

type Op = [' ' | '-' | '+', string];

export function diffLines(before: string, after: string, opts: { context?: number; from?: string; to?: string; maxCells?: number } = {}): LineDiff {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const context = opts.context ?? 3;
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((l) => [' ', l] as Op);
  if (am.length * bm.length > (opts.maxCells ?? 16_000_000)) {
    ops.push(...am.map((l) => ['-', l] as Op), ...bm.map((l) => ['+', l] as Op));
  } else {
    // lcs[i][j] = LCS length of am[i..] and bm[j..], in one flat array.
    const w = bm.length + 1;
    const lcs = new Uint32Array((am.length + 1) * w);
    for (let i = am.length - 1; i >= 0; i--)
      for (let j = bm.length - 1; j >= 0; j--)
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < am.length || j < bm.length) {
      if (i < am.length && j < bm.length && am[i] === bm[j]) {
        ops.push([' ', am[i]!]);
        i++;
        j++;
      } else if (j < bm.length && (i >= am.length || lcs[i * w + j + 1]! > lcs[(i + 1) * w + j]!)) ops.push(['+', bm[j++]!]);
      else ops.push(['-', am[i++]!]);
    }
  }
  ops.push(...a.slice(a.length - tail).map((l) => [' ', l] as Op));
  const added = ops.filter((o) => o[0] === '+').length;
  const removed = ops.filter((o) => o[0] === '-').length;
  if (!added && !removed) return { added, removed, text: '' };

  // Hunks: runs of changes with `context` lines around, merged when they touch.
  const out = [`--- ${opts.from ?? 'before'}`, `+++ ${opts.to ?? 'after'}`];
  const changed = ops.map((o, k) => (o[0] !== ' ' ? k : -1)).filter((k) => k >= 0);
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]!;
    while (k + 1 < changed.length && changed[k + 1]! - end <= 2 * context) end = changed[++k]!;
    end = Math.min(ops.length - 1, end + context);
    k++;
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) {
      if (ops[x]![0] !== '+') aLine++;
      if (ops[x]![0] !== '-') bLine++;
    }
    const slice = ops.slice(start, end + 1);
    const aLen = slice.filter((o) => o[0] !== '+').length;
    const bLen = slice.filter((o) => o[0] !== '-').length;
    out.push(`@@ -${aLen ? aLine : aLine - 1},${aLen} +${bLen ? bLine : bLine - 1},${bLen} @@`);
    for (const [op, l] of slice) out.push(op + l);
  }
  return { added, removed, text: out.join('\n') + '\n' };
}
