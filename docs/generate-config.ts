/**
 * `npm run docs`: writes docs/config.md, the configuration reference, from the zod schemas
 * themselves (config/schema/*.ts, and every probe's schema through agent/probes/all/schemas.ts):
 * every key with its type, allowed values, default, whether it is required and the schema's
 * own `.describe()` text. The schema is the documentation; this file only lays it out.
 * Output is deterministic: CI regenerates it and fails on a diff (test/docs/config-md.test.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { probeSchemas } from '../agent/probes/all/schemas.ts';
import { agentConfigSchema } from '../config/schema/agent.ts';
import { collectorConfigSchema } from '../config/schema/collector.ts';

export const OUT_FILE = path.join(import.meta.dirname, 'config.md');

/** The subset of JSON Schema that z.toJSONSchema produces for these schemas. */
interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  $ref?: string;
  $defs?: Record<string, Node>;
}

interface Row {
  key: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

/** Refs being expanded: a recursive schema (a route's `routes`) is expanded once, then named. */
const expanding = new Set<string>();

const toJson = (schema: z.ZodType): Node => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', cycles: 'ref', reused: 'inline' }) as Node;

const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

function range(n: Node): string {
  const lo = n.minimum !== undefined ? `≥ ${n.minimum}` : n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : '';
  const max = n.maximum !== undefined && n.maximum < Number.MAX_SAFE_INTEGER ? n.maximum : undefined;
  const hi = max !== undefined ? `≤ ${max}` : n.exclusiveMaximum !== undefined ? `< ${n.exclusiveMaximum}` : '';
  return [lo, hi].filter(Boolean).join(', ');
}

function lengths(n: Node, unit: string): string {
  const lo = n.minLength ?? n.minItems;
  const hi = n.maxLength ?? n.maxItems;
  if (lo !== undefined && hi !== undefined) return `${lo}–${hi} ${unit}`;
  if (lo === 1) return unit === 'items' ? 'at least one' : 'not empty';
  if (lo !== undefined && lo > 0) return `at least ${lo} ${unit}`;
  if (hi !== undefined) return `at most ${hi} ${unit}`;
  return '';
}

/** A short type text: `integer (≥ 1, ≤ 65535)`, `one of a, b`, `list of string`. */
function typeOf(n: Node, defs: Record<string, Node>): string {
  // Only a recursive reference (a route's `routes`) stays a reference; the first use is expanded.
  if (n.$ref) return expanding.has(n.$ref) ? 'route (the keys of `alerts.route`)' : 'object';
  if (Array.isArray(n.type)) return n.type.join(' or ');
  if (n.const !== undefined) return code(n.const);
  if (n.enum) return `one of ${n.enum.map(code).join(', ')}`;
  const alts = n.anyOf ?? n.oneOf;
  if (alts) {
    const vs = variants(n);
    const d = vs.length > 1 ? discriminator(vs) : undefined;
    if (d) return `object, by \`${d}\`: ${vs.map((v) => code(v.properties![d]!.const)).join(', ')}`;
    const known = alts.filter((a) => Object.keys(a).length > 0);
    return [...new Set(known.map((a) => typeOf(a, defs)))].join(' or ');
  }
  const extra = (parts: string[]) => (parts.filter(Boolean).length ? ` (${parts.filter(Boolean).join('; ')})` : '');
  switch (n.type) {
    case 'string': {
      const fmt =
        n.format === 'uri'
          ? 'URL'
          : n.format === 'date'
            ? 'date YYYY-MM-DD'
            : n.format === 'date-time'
              ? 'date-time with offset (ISO 8601)'
              : n.format === 'email'
                ? 'email address'
                : n.format;
      const pat = !n.format && n.pattern && n.pattern.length <= 48 ? `matching \`${n.pattern}\`` : '';
      return `string${extra([fmt ?? '', pat, lengths(n, 'characters')])}`;
    }
    case 'integer':
    case 'number':
      return `${n.type}${extra([range(n)])}`;
    case 'boolean':
      return 'boolean';
    case 'array':
      return `list of ${n.items ? typeOf(n.items, defs) : 'any'}${extra([lengths(n, 'items')])}`;
    case 'object':
      if (n.properties) return 'object';
      if (n.additionalProperties && typeof n.additionalProperties === 'object') return `map of string to ${typeOf(n.additionalProperties, defs)}`;
      return 'object';
    default:
      return 'any';
  }
}

function defaultOf(n: Node): string {
  if (n.default === undefined) return '';
  return code(n.default);
}

/** The object variants of a node (a discriminated union's members, or the object itself). */
function variants(n: Node): Node[] {
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return alts.filter((a) => a.type === 'object' && a.properties);
  return n.type === 'object' && n.properties ? [n] : [];
}

/** Which property tells the variants of a union apart (`type`, `kind`). */
function discriminator(vs: Node[]): string | undefined {
  const first = vs[0]?.properties;
  if (!first) return undefined;
  return Object.keys(first).find((k) => vs.every((v) => v.properties?.[k]?.const !== undefined));
}

/** Rows for every key under `n`, depth first, in schema order. */
function rows(n: Node, prefix: string, defs: Record<string, Node>, out: Row[]): Row[] {
  for (const [key, child] of Object.entries(n.properties ?? {})) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.push({
      key: p,
      type: typeOf(child, defs),
      required: (n.required ?? []).includes(key),
      default: defaultOf(child),
      description: child.description ?? '',
    });
    descend(child, p, defs, out);
  }
  return out;
}

function descend(child: Node, p: string, defs: Record<string, Node>, out: Row[]): void {
  if (child.$ref) {
    const def = defs[child.$ref.replace('#/$defs/', '')];
    if (!def || expanding.has(child.$ref)) return;
    expanding.add(child.$ref);
    try {
      descend(def, p, defs, out);
    } finally {
      expanding.delete(child.$ref);
    }
    return;
  }
  const map = child.type === 'object' && !child.properties && typeof child.additionalProperties === 'object' ? child.additionalProperties : undefined;
  const inner = child.type === 'array' && child.items ? child.items : (map ?? child);
  const at = inner === child ? p : map ? `${p}.<name>` : `${p}[]`;
  const vs = variants(inner);
  if (vs.length === 1) rows(vs[0]!, at, defs, out);
  else if (vs.length > 1) {
    const d = discriminator(vs);
    const base = at.endsWith('[]') ? at.slice(0, -2) : at;
    vs.forEach((v, i) => rows(v, `${base}[${d ? `${d}=${String(v.properties![d]!.const)}` : `variant ${i + 1}`}]`, defs, out));
  }
}

/** One table cell: one line, pipes escaped, and `<` outside code spans escaped so `<secret>` is not taken for HTML. */
const cell = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '\\<')))
    .join('`')
    .trim();

function table(rs: Row[]): string {
  const lines = ['| key | type | required | default | description |', '|---|---|---|---|---|'];
  for (const r of rs) lines.push(`| \`${r.key}\` | ${cell(r.type)} | ${r.required ? 'yes' : ''} | ${cell(r.default)} | ${cell(r.description)} |`);
  return lines.join('\n');
}

/** One `###` section per top-level key of a config file. */
function sections(schema: Node, skip: (key: string) => string | undefined): { text: string; rows: Row[] } {
  const defs = schema.$defs ?? {};
  const parts: string[] = [];
  const all: Row[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const required = (schema.required ?? []).includes(key);
    const instead = skip(key);
    const type = instead ? 'list of probes' : typeOf(child, defs);
    const head = `### \`${key}\`\n\n${type}${required ? ', required' : ''}${child.default !== undefined ? `, default ${defaultOf(child)}` : ''}.${child.description ? ` ${cell(child.description)}` : ''}`;
    all.push({ key, type, required, default: defaultOf(child), description: child.description ?? '' });
    if (instead) {
      parts.push(`${head}\n\n${instead}`);
      continue;
    }
    const rs: Row[] = [];
    descend(child, key, defs, rs);
    all.push(...rs);
    parts.push(rs.length ? `${head}\n\n${table(rs)}` : head);
  }
  return { text: parts.join('\n\n'), rows: all };
}

/** The reference as Markdown, and every documented key (for the count of keys without a description). */
export function renderConfig(): { text: string; rows: Row[] } {
  const collector = sections(toJson(collectorConfigSchema), () => undefined);
  const agent = sections(toJson(agentConfigSchema), (key) =>
    key === 'probes' ? 'Each entry is one probe; its `kind` chooses the schema. The kinds and their keys are under [Probes](#probes).' : undefined,
  );
  const probes = Object.entries(probeSchemas).map(([kind, schema]) => {
    const rs = rows(toJson(schema), '', {}, []);
    return { text: `### \`${kind}\`\n\n${table(rs)}`, rows: rs.map((r) => ({ ...r, key: `${kind}.${r.key}` })) };
  });
  const text = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs` (docs/generate-config.ts) from the zod schemas; do not edit. -->',
    '',
    'Every key of `collector.yaml`, `agent.yaml` and each probe, generated from the schemas that validate',
    "them (config/schema/*.ts, agent/probes/*/schema.ts): a description here is the schema's own",
    '`.describe()` text, so change it there and run `npm run docs`. Unknown keys are errors everywhere.',
    '`watchpost config validate FILE` checks a file; complete examples: config/collector.example.yaml and',
    'config/agent.example.yaml. A key under an optional section is required only when the section is given.',
    '`a[]` is each entry of the list `a`, `a[type=threshold]` an entry whose `type` is `threshold`, and `a.<name>` each',
    'entry of the map `a`.',
    'Rule files (`alerts.rules_files`) hold `rules:` in the form of `alerts.rules`; a policy file for',
    '`watchpost check software --policy` has the form of `software.policy`.',
    '',
    '## Collector (`collector.yaml`)',
    '',
    collector.text,
    '',
    '## Agent (`agent.yaml`)',
    '',
    agent.text,
    '',
    '## Probes',
    '',
    'The entries of `probes:` in agent.yaml, by `kind`. Every probe has `kind`, `name`, `interval_s`, `timeout_ms`,',
    "`jitter_pct` and `tags`; the defaults of `interval_s` and `timeout_ms` are the probe's own.",
    '',
    probes.map((p) => p.text).join('\n\n'),
    '',
  ].join('\n');
  return { text, rows: [...collector.rows, ...agent.rows, ...probes.flatMap((p) => p.rows)] };
}

if (import.meta.main) {
  const { text, rows: all } = renderConfig();
  writeFileSync(OUT_FILE, text);
  const missing = all.filter((r) => !r.description);
  console.log(`docs: wrote ${path.relative(process.cwd(), OUT_FILE) || OUT_FILE} (${all.length} keys, ${missing.length} without a description)`);
  if (process.env.DOCS_LIST_MISSING) for (const r of missing) console.log(`  ${r.key}`);
}
