/**
 * A small JSONPath-style assertion language for API checks, evaluated without eval:
 *
 *   $.code == 0          $.data.items[0].name != "offline"       $['key with space'] >= 3
 *   $.ok                 $.items.length > 0                       $.msg =~ "^成功"
 *
 * A path is `$` followed by `.name`, `[index]` or `['name']` steps (`length` of an array or
 * string when it has no such key). Operators: == != < <= > >= and =~ (regex). Literals: numbers,
 * single- or double-quoted strings, true, false, null. Without an operator the assertion holds
 * when the value exists and is not null or false. Comparison is strict: 0 and "0" differ.
 */
export type Literal = number | string | boolean | null;
export type Step = string | number;
export interface Assertion {
  source: string;
  path: Step[];
  op?: '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~';
  value?: Literal;
  regex?: RegExp;
}

/** A malformed assertion; the message says where (config validation shows it at the option). */
export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

export function parseAssertion(src: string): Assertion {
  let i = 0;
  const s = src.trim();
  const fail = (what: string): never => {
    throw new JsonPathError(`${what} at position ${i + 1} of "${s}"`);
  };
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const str = (): string => {
    const q = s[i];
    i++;
    let out = '';
    while (i < s.length && s[i] !== q) {
      if (s[i] === '\\' && i + 1 < s.length) {
        const n = s[i + 1]!;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
        i += 2;
      } else out += s[i++];
    }
    if (s[i] !== q) fail('unterminated string');
    i++;
    return out;
  };
  ws();
  if (s[i] !== '$') fail('an assertion starts with $');
  i++;
  const path: Step[] = [];
  for (;;) {
    if (s[i] === '.') {
      i++;
      const m = /^[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff-]*/.exec(s.slice(i));
      if (!m) fail('expected a key name after "."');
      path.push(m![0]);
      i += m![0].length;
    } else if (s[i] === '[') {
      i++;
      ws();
      if (s[i] === '"' || s[i] === "'") path.push(str());
      else {
        const m = /^\d+/.exec(s.slice(i));
        if (!m) fail('expected an index or a quoted key inside [ ]');
        path.push(Number(m![0]));
        i += m![0].length;
      }
      ws();
      if (s[i] !== ']') fail('expected ]');
      i++;
    } else break;
  }
  ws();
  if (i === s.length) return { source: s, path };
  const op = /^(==|!=|<=|>=|=~|<|>)/.exec(s.slice(i))?.[1] as Assertion['op'];
  if (!op) fail('expected an operator (== != < <= > >= =~)');
  i += op!.length;
  ws();
  let value: Literal;
  if (s[i] === '"' || s[i] === "'") value = str();
  else {
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i));
    if (!m) fail('expected a number, a quoted string, true, false or null');
    i += m![0].length;
    value = m![0] === 'true' ? true : m![0] === 'false' ? false : m![0] === 'null' ? null : Number(m![0]);
  }
  ws();
  if (i !== s.length) fail('unexpected text after the value');
  const a: Assertion = { source: s, path, op: op!, value };
  if (op === '=~') {
    if (typeof value !== 'string') fail('=~ takes a quoted regular expression');
    try {
      a.regex = new RegExp(value as string, 'u');
    } catch (e) {
      throw new JsonPathError(`bad regular expression in "${s}": ${(e as Error).message}`);
    }
  }
  if ((op === '<' || op === '<=' || op === '>' || op === '>=') && typeof value !== 'number') fail(`${op} compares with a number`);
  return a;
}

/** The value at a path, or undefined when a step is missing. Only own properties are followed. */
export function select(doc: unknown, path: Step[]): unknown {
  let v: unknown = doc;
  for (const step of path) {
    if (v === null || v === undefined) return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[step];
    } else if (typeof v === 'object' && Object.hasOwn(v as object, step)) {
      v = (v as Record<string, unknown>)[step];
    } else if (step === 'length' && (Array.isArray(v) || typeof v === 'string')) {
      v = v.length;
    } else return undefined;
  }
  return v;
}

/** Whether the assertion holds for a parsed JSON document. */
export function holds(a: Assertion, doc: unknown): boolean {
  const v = select(doc, a.path);
  switch (a.op) {
    case undefined:
      return v !== undefined && v !== null && v !== false;
    case '==':
      return v === a.value;
    case '!=':
      return v !== a.value;
    case '=~':
      return typeof v === 'string' && a.regex!.test(v);
    default: {
      if (typeof v !== 'number') return false;
      const n = a.value as number;
      return a.op === '<' ? v < n : a.op === '<=' ? v <= n : a.op === '>' ? v > n : v >= n;
    }
  }
}
