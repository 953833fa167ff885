import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { didYouMean as closest } from '../lib/did-you-mean.ts';

/** A wrong command line: reported as one line and exit code 2, without a stack trace. */
export class UsageError extends Error {}

const kebab = (s: string) => s.replaceAll('_', '-');
const snake = (s: string) => s.replaceAll('-', '_');

/** The known option closest to `name` (either spelling), when it is close enough to be a typo. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  return closest(name, known, (s) => kebab(s).toLowerCase());
}

/**
 * Rewrites each `--opt` of argv to the spelling `options` declares, so every command takes
 * both `--timeout-ms` (the documented style) and `--timeout_ms` (the older spelling, kept as
 * an alias so existing scripts go on working).
 */
export function normalizeSpelling(argv: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!a.startsWith('--') || a.length < 3) {
      out.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const rest = eq < 0 ? '' : a.slice(eq);
    if (Object.hasOwn(options, name)) out.push(a);
    else if (Object.hasOwn(options, kebab(name))) out.push(`--${kebab(name)}${rest}`);
    else if (Object.hasOwn(options, snake(name))) out.push(`--${snake(name)}${rest}`);
    else out.push(a);
  }
  return out;
}

/**
 * parseArgs with strict checking, turning its errors into UsageError: both option spellings
 * (kebab and snake case) are accepted, and an unknown option gets "did you mean".
 */
export function parse<O extends ParseArgsOptionsConfig>(argv: string[], options: O, allowPositionals = true) {
  const all = { help: { type: 'boolean', short: 'h' }, ...options } as const;
  try {
    return parseArgs({ args: normalizeSpelling(argv, all), options: all, allowPositionals, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const m = /'(-{1,2}[^']+)'/.exec(err.message);
      const given = m?.[1] ?? '';
      const guess = didYouMean(given.replace(/^-+/, '').replace(/=.*/, ''), Object.keys(all));
      throw new UsageError(`unknown option ${given || '(?)'}${guess ? ` — did you mean --${kebab(guess)}?` : ''} (see --help)`);
    }
    throw new UsageError(err.message);
  }
}
