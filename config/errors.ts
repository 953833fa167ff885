// Apart from load.ts (yaml, zod), so that code which only reports config errors or holds an
// already validated config (the running agent) loads neither.

/** One problem in a config file, located and with a suggested fix. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Path in the document, e.g. `probes[2].timeout_ms`. */
  path: string;
  message: string;
  fix: string;
}

/** Thrown by loadConfig; `problems` lists every problem found, not only the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config_invalid';
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path || '(top level)'}: ${p.message}\n    fix: ${p.fix}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Config objects are frozen once validated: nothing may change them while running. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
