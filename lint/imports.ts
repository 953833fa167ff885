/**
 * `npm run lint`'s import rules, over the static imports of non-test TypeScript files: the
 * collector never imports the agent, and folders (a file's directory) import each other
 * without cycles, so each folder can be read, tested and moved after the ones it uses.
 */
import path from 'node:path';

export interface SourceFile {
  name: string;
  text: string;
}

export interface Import {
  from: string;
  to: string;
  line: number;
}

const WHY_AGENT = 'the collector runs without the agent: share code through protocol/ or lib/, never by importing agent/';
const WHY_CYCLE = 'folders import each other without cycles: move what both sides need to a folder below them';

const IMPORT =
  /(?:^|\n)[ \t]*(?:import|export)\b(?:[^;'"]|'[^']*'|"[^"]*")*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|\n)[ \t]*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;

const isSource = (name: string) => name.endsWith('.ts') && !name.startsWith('test/') && !name.endsWith('.test.ts');

/** Every relative static import (`import … from`, `export … from`, bare `import '…'`) of a file, resolved to a repository path. */
export function importsOf(f: SourceFile): Import[] {
  const out: Import[] = [];
  for (const m of f.text.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2]) as string;
    const at = (m.index ?? 0) + m[0].lastIndexOf(spec);
    out.push({ from: f.name, to: path.posix.normalize(path.posix.join(path.posix.dirname(f.name), spec)), line: f.text.slice(0, at).split('\n').length });
  }
  return out;
}

/** Strongly connected components of more than one folder, each with the edges inside it. */
export function folderCycles(imports: Import[]): { folders: string[]; edges: Import[] }[] {
  const edges = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const a = path.posix.dirname(i.from);
    const b = path.posix.dirname(i.to);
    if (a === b) continue;
    const out = edges.get(a) ?? new Map<string, Import>();
    edges.set(a, out);
    if (!out.has(b)) out.set(b, i);
  }
  // Tarjan's algorithm; folders number in the dozens, so recursion depth is no concern.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) visit(w);
      if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      scc.push(w);
      if (w === v) break;
    }
    if (scc.length > 1) sccs.push(scc.sort());
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return sccs.map((folders) => ({
    folders,
    edges: folders.flatMap((a) => [...(edges.get(a)?.values() ?? [])].filter((i) => folders.includes(path.posix.dirname(i.to)))),
  }));
}

/** The import rules' problems, in check()'s format: `file:line: rule: why` and the offending import. */
export function checkImports(files: SourceFile[]): string[] {
  const sources = files.filter((f) => isSource(f.name));
  const imports = sources.flatMap(importsOf);
  const out: string[] = [];
  for (const i of imports)
    if (i.from.startsWith('collector/') && i.to.startsWith('agent/'))
      out.push(`${i.from}:${i.line}: no-collector-imports-agent: ${WHY_AGENT}\n    imports ${i.to}`);
  for (const c of folderCycles(imports)) {
    // The edge that closes the cycle: the last one found from the folder that sorts first.
    const closing = c.edges.find((e) => path.posix.dirname(e.to) === c.folders[0]) ?? (c.edges[0] as Import);
    out.push(`${closing.from}:${closing.line}: no-folder-cycle: ${WHY_CYCLE}\n    cycle among ${c.folders.join(', ')}; this import of ${closing.to} closes it`);
  }
  return out;
}
