/**
 * `npm run lint`'s own rules: what this repository promises that a compiler cannot check.
 * Each rule names the file and line and says why it is a rule. Run over every tracked
 * TypeScript, shell and YAML file (git ls-files), so CI sees exactly what is committed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkImports } from './imports.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface Rule {
  id: string;
  /** Which files it applies to. */
  files: RegExp;
  /** A line that breaks it. */
  bad: RegExp;
  why: string;
}

export const RULES: Rule[] = [
  {
    id: 'no-eval',
    files: /\.ts$/,
    bad: /(^|[^.\w])(eval\s*\(|new\s+Function\s*\()/,
    why: 'config strings and network data are never evaluated as code (SECURITY.md)',
  },
  {
    id: 'no-kill-by-name',
    files: /\.(ts|sh|ya?ml)$|(^|\/)run$/,
    bad: /\b(pkill|killall)\b/,
    why: 'stop only what you started, by PID or process group — never by name',
  },
  { id: 'no-only', files: /^test\/.*\.ts$/, bad: /\bt\.only\(|\{\s*only:\s*true/, why: 'a focused test hides every other test of the file' },
  {
    id: 'no-todo-skip',
    files: /^test\/.*\.ts$/,
    bad: /\{\s*(skip|todo):\s*true\s*\}/,
    why: 'no skipped tests left behind: a skip says why, in words, and only for a missing fixture or root',
  },
  {
    id: 'no-outside-traffic',
    files: /^(test|bench)\/.*\.ts$/,
    bad: /\b(fetch|request|get|connect|createConnection)\(\s*['"`](https?|wss?):\/\/(?!127\.|localhost[:/]|\[::1\])/,
    why: 'tests and benches never send traffic outside 127.0.0.0/8',
  },
];

export function check(files: { name: string; text: string }[], rules = RULES): string[] {
  const out: string[] = [];
  for (const f of files) {
    const applicable = rules.filter((r) => r.files.test(f.name));
    if (!applicable.length) continue;
    f.text.split('\n').forEach((line, i) => {
      if (/lint-allow:/.test(line)) return;
      for (const r of applicable) if (r.bad.test(line)) out.push(`${f.name}:${i + 1}: ${r.id}: ${r.why}\n    ${line.trim().slice(0, 160)}`);
    });
  }
  return out;
}

if (import.meta.main) {
  const names = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .stdout.split('\0')
    .filter((n) => n && n !== 'lint/rules.ts' && !n.startsWith('test/lint/'));
  const files = names.flatMap((name) => {
    try {
      return [{ name, text: readFileSync(path.join(ROOT, name), 'utf8') }];
    } catch {
      return [];
    }
  });
  const problems = [...check(files), ...checkImports(files)];
  for (const p of problems) console.error(p);
  console.error(problems.length ? `lint: ${problems.length} problem(s)` : `lint: ${files.length} files, no problems`);
  process.exit(problems.length ? 1 : 0);
}
