import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, deepFreeze, formatPath } from './errors.ts';

export { ConfigError, deepFreeze, formatPath, formatProblem, type ConfigProblem } from './errors.ts';

function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[], keyOnly = false): { line: number; column: number } {
  if (keyOnly && path.length) {
    // An unknown key is reported where the key is written, not where its value starts.
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as unknown[], true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === path[path.length - 1]);
      if (pair && isNode(pair.key) && pair.key.range) {
        const pos = lc.linePos(pair.key.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
  }
  // Walk down as far as the path exists: a missing key is reported at its parent mapping.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** What a value of zod's expected type is called in YAML terms. */
function typeName(expected: string): string {
  switch (expected) {
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping (key: value lines)';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'a whole number';
    default:
      return `${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
  }
}

/** `present`: whether the path exists in the document (zod's issues do not carry the input). */
function fixFor(issue: z.core.$ZodIssue, path: string, present: boolean): string {
  const key = path.split('.').pop() || '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((k) => `"${k}"`).join(', ')} or check the spelling against config/*.example.yaml`;
    case 'invalid_type':
      return present ? `"${key}" must be ${typeName(issue.expected)}` : `add "${key}" (required, ${typeName(issue.expected)})`;
    case 'too_small':
      return `use a value of at least ${String(issue.minimum)}`;
    case 'too_big':
      return `use a value of at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      return 'check this entry against the examples in config/';
    }
    case 'invalid_format':
      // A `regex` issue is a value that does not match the schema's pattern, not a bad regex.
      return issue.format === 'regex' ? `write "${key}" to match ${issue.pattern ?? 'the documented form'} (see config/*.example.yaml)` : `use a valid ${issue.format}`;
    case 'custom': {
      // A refinement may carry its own fix: ctx.addIssue({ code: 'custom', message, params: { fix } }).
      const fix = (issue.params as { fix?: unknown } | undefined)?.fix;
      return typeof fix === 'string' ? fix : 'see the documented options in config/*.example.yaml';
    }
    default:
      return 'see the documented options in config/*.example.yaml';
  }
}

/**
 * Parses YAML text and validates it against a zod schema. Every YAML syntax error and every
 * schema problem is collected into one ConfigError naming file, line/column, path and fix.
 * The result has the schema's defaults applied and is deeply frozen.
 */
export function parseConfig<T>(text: string, file: string, schema: z.ZodType<T>): T {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          path: '',
          message: `YAML syntax error: ${e.message.split('\n')[0]}`,
          fix: 'fix the YAML syntax (indentation with spaces, quote values that contain ": " or start with special characters)',
        };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    // An unresolved alias (`<<: *a` with no &a) or an alias bomb over maxAliasCount is only
    // found while converting; it must be a ConfigError like every other problem, not a crash.
    throw new ConfigError([
      { file, line: 1, column: 1, path: '', message: `YAML error: ${(e as Error).message.split('\n')[0]}`, fix: 'define every &anchor before its *alias and do not nest aliases deeply' },
    ]);
  }
  const r = schema.safeParse(data);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((issue) => {
        let path = issue.path;
        let message = issue.message;
        const unknownKey = issue.code === 'unrecognized_keys' && issue.keys.length === 1;
        if (unknownKey) {
          path = [...path, issue.keys[0]!];
          message = `unknown key "${issue.keys[0]}"`;
        }
        const p = formatPath(path);
        return { file, ...locate(doc, lc, path, unknownKey), path: p, message, fix: fixFor(issue, p, doc.hasIn(issue.path as unknown[])) };
      }),
    );
  }
  return deepFreeze(r.data);
}

/** Reads and validates a config file; a missing or unreadable file is a ConfigError too. */
export function loadConfig<T>(file: string, schema: z.ZodType<T>): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError([
      { file, line: 0, column: 0, path: '', message: `cannot read file (${err.code ?? err.message})`, fix: 'check the path given with --config' },
    ]);
  }
  return parseConfig(text, file, schema);
}

const SECRET_KEY = /(^|[_-])(tokens?|passwords?|passwd|secrets?|community|communities|auth_key|priv_key|api_key|access_key_secret|secret_key|signing_key|authorization|cookie)$/i;

/** Query parameters that carry credentials in webhook URLs (DingTalk/WeCom robots, signed links). */
const SECRET_PARAM = /^(access_token|token|key|secret|sign|signature|password|p)$/i;

/** Blanks credentials inside a URL string: user:password@ and secret query parameters. */
function redactUrl(v: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return v;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return v;
  }
  let changed = false;
  if (u.password) {
    u.password = 'secret';
    changed = true;
  }
  for (const k of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(k)) {
      u.searchParams.set(k, 'secret');
      changed = true;
    }
  }
  return changed ? u.toString().replace(/=secret\b/g, '=<secret>').replace(/:secret@/, ':<secret>@') : v;
}

/** Returns a copy of a config (or any object) with every secret-named value replaced by `<secret>`. */
export function redact(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'object') return '<secret>';
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, k);
    return out;
  }
  return value;
}
