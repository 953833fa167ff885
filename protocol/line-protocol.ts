import type { FieldValue, Sample } from './sample.ts';

// InfluxDB line protocol: https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/
// Escaping differs per element, and a field value that is NaN or infinite cannot be written at all.
//
// InfluxDB 1.x escapes only the delimiters in names: `\,` and `\ ` in measurements (it also
// unescapes `\=` and `\"` there), `\,`, `\ ` and `\=` in tag keys, tag values and field keys,
// and `\"` in field keys. A backslash before any other character is itself (not doubled: `\\`
// is two backslashes). In names a delimiter counts as escaped whenever the byte before it is a
// backslash, so a name ending in one cannot be written; the fields are scanned differently
// (a backslash skips the next byte), which rules out more. lineProblem() refuses such samples,
// with the influxd test (test/integration/influx-exact.test.ts) as the oracle. A newline in a
// name, which would end the line, is written as a space.

const MEASUREMENT_RE = /[, \n\r]/;
const TAG_RE = /[,= \n\r]/;

function escapeMeasurement(s: string): string {
  return MEASUREMENT_RE.test(s) ? s.replace(/[\n\r]/g, ' ').replace(/([, ])/g, '\\$1') : s;
}

/** Escapes a tag key or value (and a field key) for line protocol. */
export function escapeTag(s: string): string {
  return TAG_RE.test(s) ? s.replace(/[\n\r]/g, ' ').replace(/([,= ])/g, '\\$1') : s;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** InfluxDB's time range in ns (models.MinNanoTime and MaxNanoTime). */
const MAX_NANO = 2n ** 63n - 2n;
/** InfluxDB's limit on a series key (measurement and tags, escaped). */
const MAX_KEY_BYTES = 65535;

function nameProblem(what: string, name: string): string | undefined {
  if (name === '') return `empty ${what}`;
  if (name.endsWith('\\')) return `${what} "${name.slice(0, 60)}" ends in a backslash, which line protocol cannot write`;
  return undefined;
}

/**
 * Why InfluxDB 1.x would refuse this sample, or could not store it exactly as it is, or
 * undefined when it can be written. Checked at ingest for every point from every path, so a
 * point InfluxDB would refuse is refused here, counted, and never acked as written.
 */
export function lineProblem(s: Sample): string | undefined {
  const m = nameProblem('measurement', s.measurement);
  if (m) return m;
  if (s.measurement.startsWith('#')) return `measurement "${s.measurement.slice(0, 60)}" starts with "#": InfluxDB takes the line for a comment`;
  // InfluxDB unescapes `\,`, `\ `, `\=` and `\"` in a measurement, and mangles one escaped
  // after a backslash (its points are listed but cannot be read back).
  if (/\\[,= "]/.test(s.measurement)) return `measurement "${s.measurement.slice(0, 60)}" has a backslash before one of , = " or a space, which InfluxDB does not store as written`;
  if (LEADING_BLANK.test(s.measurement)) return 'measurement starts with a tab: InfluxDB skips it as white space';
  let keyBytes = Buffer.byteLength(escapeMeasurement(s.measurement));
  let bareSpace: string | undefined;
  let quoteInKey = false;
  for (const k in s.tags) {
    const v = s.tags[k]!;
    if (v === '') continue;
    const p = nameProblem('tag key', k) ?? nameProblem(`value of tag "${k}"`, v);
    if (p) return p;
    if (k === 'time') return 'invalid tag key "time"';
    // InfluxDB finds the end of a line skipping a backslash and the byte after it: an odd run
    // of backslashes before a space leaves the escaped space bare there, and from there on it
    // takes quotes for string fields (checked below, once the fields are known).
    for (const m of `${k}=${v}`.matchAll(/\\+(?= )/g)) if (m[0].length % 2) bareSpace ??= k;
    if (k.includes('"') || v.includes('"')) quoteInKey = true;
    keyBytes += 2 + Buffer.byteLength(escapeTag(k)) + Buffer.byteLength(escapeTag(v));
  }
  if (keyBytes > MAX_KEY_BYTES) return `series key of ${keyBytes} bytes (measurement and tags): InfluxDB's limit is ${MAX_KEY_BYTES}`;
  let writableKeys = 0;
  let blankKeys = 0;
  for (const k in s.fields) {
    if (k === '') return 'empty field key';
    // The key ends at an "=" not preceded by a backslash, as a tag does: no trailing one.
    if (k.endsWith('\\')) return `field key "${k.slice(0, 60)}" ends in a backslash, which line protocol cannot write`;
    // But the fields as a whole are scanned (and their values checked) differently: a
    // backslash escapes the byte after it, whatever it is. A run of backslashes before a ",",
    // a space or an "=" must then be even, or the escape written after it pairs wrongly (and
    // InfluxDB refuses the line, or stores a key that swallowed the next field).
    for (const m of k.matchAll(/\\+(?=[,= ])/g)) {
      if (m[0].length % 2) return `field key "${k.slice(0, 60)}" has an odd run of backslashes before "${k[m.index + m[0].length]}", which line protocol cannot write`;
    }
    if (k === 'time') return 'invalid field key "time"';
    const v = s.fields[k]!;
    if (writable(v)) {
      writableKeys++;
      if (LEADING_BLANK.test(k)) blankKeys++;
    }
    if (typeof v === 'bigint' && (v < INT64_MIN || v > INT64_MAX)) return `integer field "${k}" = ${v} is out of InfluxDB's range (64-bit signed)`;
  }
  // The first field key follows white space, which InfluxDB skips: encodeLine puts one first
  // that does not start with a tab, if there is one.
  if (bareSpace !== undefined && (quoteInKey || Object.values(s.fields).some((v) => typeof v === 'string'))) {
    return `tag "${bareSpace.slice(0, 60)}" has an odd run of backslashes before a space, which line protocol cannot write with quotes or string fields in the line`;
  }
  if (writableKeys && blankKeys === writableKeys) return 'every field key starts with a tab: InfluxDB skips the first one\'s as white space';
  if (!Number.isFinite(s.time)) return 'timestamp is not a finite number';
  const ns = BigInt(Math.trunc(s.time)) * 1_000_000n;
  if (ns > MAX_NANO || ns < -MAX_NANO) return `timestamp ${s.time} ms is outside InfluxDB's range`;
  return undefined;
}

function fieldValue(v: FieldValue): string | undefined {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : undefined;
    case 'bigint':
      return `${v}i`;
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
}

/** Escapes a field key: as a tag key, and `"` too (InfluxDB unescapes `\"` in field keys). */
function escapeFieldKey(s: string): string {
  return /[,= \n\r"]/.test(s) ? s.replace(/[\n\r]/g, ' ').replace(/([,= "])/g, '\\$1') : s;
}

/**
 * Escaped tag and field keys by raw key. Keys repeat endlessly (host, cpu, usage_user…), so
 * the collector's hot path looks them up instead of testing and escaping each time; the
 * cache stops growing at 10,000 keys, after which misses are escaped as they come.
 */
const escapedKeys = new Map<string, string>();
const escapedFieldKeys = new Map<string, string>();

function escapeKey(k: string, cache = escapedKeys, escape = escapeTag): string {
  let e = cache.get(k);
  if (e === undefined) {
    e = escape(k);
    if (cache.size < 10_000) cache.set(k, e);
  }
  return e;
}

const writable = (v: FieldValue) => typeof v !== 'number' || Number.isFinite(v);
const LEADING_BLANK = /^[\t\0]/;

/**
 * The field keys in the order they are written: as given, except that a key starting with a
 * tab is not written first, where InfluxDB would skip the tab as white space.
 */
function fieldOrder(fields: Sample['fields']): Iterable<string> {
  for (const k in fields) {
    if (!writable(fields[k]!)) continue;
    if (!LEADING_BLANK.test(k)) return Object.keys(fields);
    const keys = Object.keys(fields);
    const j = keys.findIndex((x) => writable(fields[x]!) && !LEADING_BLANK.test(x));
    if (j > 0) keys.unshift(...keys.splice(j, 1));
    return keys;
  }
  return [];
}

/**
 * Encodes one sample as a line (without the trailing newline), timestamp in milliseconds.
 * Returns undefined when the sample has no writable field (InfluxDB rejects such lines).
 * Tags with empty values are left out: InfluxDB rejects them too. Tags are written sorted
 * by key, as InfluxDB recommends for its own ingest speed.
 */
export function encodeLine(s: Sample): string | undefined {
  let line = escapeMeasurement(s.measurement);
  const tagKeys = Object.keys(s.tags);
  for (let i = 1; i < tagKeys.length; i++) {
    if (tagKeys[i - 1]! > tagKeys[i]!) {
      tagKeys.sort();
      break;
    }
  }
  for (let i = 0; i < tagKeys.length; i++) {
    const k = tagKeys[i]!;
    const v = s.tags[k];
    if (v === undefined || v === '') continue;
    line += ',' + escapeKey(k) + '=' + escapeTag(v);
  }
  let sep = ' ';
  let any = false;
  for (const k of fieldOrder(s.fields)) {
    const v = fieldValue(s.fields[k]!);
    if (v === undefined) continue;
    line += sep + escapeKey(k, escapedFieldKeys, escapeFieldKey) + '=' + v;
    sep = ',';
    any = true;
  }
  if (!any) return undefined;
  return line + ' ' + Math.trunc(s.time);
}

/** Encodes samples as a line-protocol body (ms precision); returns the body and how many lines it holds. */
export function encodeLines(samples: readonly Sample[]): { body: string; count: number } {
  const lines: string[] = [];
  for (const s of samples) {
    const l = encodeLine(s);
    if (l !== undefined) lines.push(l);
  }
  return { body: lines.length ? lines.join('\n') + '\n' : '', count: lines.length };
}

export type Precision = 'n' | 'ns' | 'u' | 'us' | 'ms' | 's' | 'm' | 'h';

/** Nanoseconds per unit of each precision. */
const TO_NS: Record<Precision, bigint> = { n: 1n, ns: 1n, u: 1000n, us: 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

export function isPrecision(p: string): p is Precision {
  return Object.hasOwn(TO_NS, p);
}

export interface LineError {
  line: number;
  message: string;
}

export interface ParseResult {
  samples: Sample[];
  errors: LineError[];
}

class LineSyntaxError extends Error {}

/**
 * Where the line starting at `start` ends, as InfluxDB 1.x's scanLine finds it: at a newline
 * outside a string field value. A backslash skips the byte after it; after the first space
 * (the fields) a quote opens or closes a string when it comes after a field's "=".
 */
function lineEnd(body: string, start: number): number {
  let quoted = false;
  let fields = false;
  let equals = 0;
  let commas = 0;
  let i = start;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '\\' && i + 2 < body.length) {
      i += 2;
      continue;
    }
    if (c === ' ') fields = true;
    if (fields) {
      if (!quoted && c === '=') equals++;
      else if (!quoted && c === ',') commas++;
      else if (c === '"' && equals > commas) quoted = !quoted;
    }
    if (c === '\n' && !quoted) return i;
    i++;
  }
  return body.length;
}

/**
 * Parses a line-protocol body as Telegraf and InfluxDB clients send it. A bad line is
 * reported with its 1-based number and does not stop the good lines around it, as
 * InfluxDB's own /write behaves ("partial write").
 */
export function parseLines(body: string, precision: Precision = 'ns', now = Date.now()): ParseResult {
  const samples: Sample[] = [];
  const errors: LineError[] = [];
  let lineNo = 0;
  let start = 0;
  const toNs = TO_NS[precision];
  let nextNo = 1;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    else if (body.indexOf('"', start) < end && body.indexOf('"', start) >= 0) end = lineEnd(body, start);
    // Numbered by the physical line it starts on (a string field may hold newlines).
    lineNo = nextNo;
    for (let i = body.indexOf('\n', start); i >= 0 && i <= end; i = body.indexOf('\n', i + 1)) nextNo++;
    let line = body.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    // White space before the measurement is skipped, as InfluxDB skips it (spaces, tabs).
    let lead = 0;
    while (line[lead] === ' ' || line[lead] === '\t' || line[lead] === '\0') lead++;
    const trimmed = line.slice(lead);
    if (trimmed === '' || trimmed.startsWith('#')) {
      if (end === body.length) break;
      continue;
    }
    try {
      samples.push(parseLine(trimmed, toNs, now));
    } catch (e) {
      if (!(e instanceof LineSyntaxError)) throw e;
      errors.push({ line: lineNo, message: e.message });
    }
    if (end === body.length) break;
  }
  return { samples, errors };
}

/**
 * Reads a name up to the first of `stops` not preceded by a backslash, as InfluxDB 1.x scans
 * it; returns [name unescaped, index of the stop]. `escapes`: the delimiters a backslash escapes
 * in this element (others keep their backslash).
 */
function readToken(line: string, i: number, stops: string, escapes: string, pairs = false): [string, number] {
  const start = i;
  if (pairs) {
    // In the fields InfluxDB skips a backslash and the byte after it, whatever that is; the
    // key's "=" also counts as escaped when a backslash (even a skipped one) precedes it.
    while (i < line.length) {
      const c = line[i]!;
      if (c === '\\' && i + 1 < line.length) i += 2;
      else if (stops.includes(c) && !(c === '=' && line[i - 1] === '\\')) break;
      else i++;
    }
    i = Math.min(i, line.length);
  } else while (i < line.length && !(stops.includes(line[i]!) && line[i - 1] !== '\\')) i++;
  const raw = line.slice(start, i);
  if (!raw.includes('\\')) return [raw, i];
  let out = '';
  for (let j = 0; j < raw.length; j++) {
    if (raw[j] === '\\' && j + 1 < raw.length && escapes.includes(raw[j + 1]!)) j++;
    out += raw[j];
  }
  return [out, i];
}

function parseLine(line: string, toNs: bigint, now: number): Sample {
  let [measurement, i] = readToken(line, 0, ', ', ', ="');
  if (measurement === '') throw new LineSyntaxError('missing measurement');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    const [k, j] = readToken(line, i + 1, '=, ', ',= ');
    if (line[j] !== '=' || k === '') throw new LineSyntaxError(`bad tag near column ${i + 1}: expected key=value`);
    const [v, l] = readToken(line, j + 1, '=, ', ',= ');
    if (line[l] === '=') throw new LineSyntaxError(`unescaped "=" in the value of tag "${k}"`);
    if (v === '') throw new LineSyntaxError(`empty value for tag "${k}"`);
    if (Object.hasOwn(tags, k)) throw new LineSyntaxError(`duplicate tag "${k}"`);
    tags[k] = v;
    i = l;
  }
  if (line[i] !== ' ') throw new LineSyntaxError('missing fields: expected a space after the tags');
  while (line[i] === ' ' || line[i] === '\t' || line[i] === '\0') i++;
  const fields: Record<string, FieldValue> = {};
  let nfields = 0;
  for (;;) {
    const [k, j] = readToken(line, i, '=, ', ',= "', true);
    if (line[j] !== '=' || k === '') throw new LineSyntaxError(`bad field near column ${i + 1}: expected key=value`);
    i = j + 1;
    if (line[i] === '"') {
      let v = '';
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          v += line[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        v += c;
        i++;
      }
      if (!closed) throw new LineSyntaxError(`unterminated string in field "${k}"`);
      fields[k] = v;
    } else {
      let j2 = i;
      while (j2 < line.length && line[j2] !== ',' && line[j2] !== ' ') j2++;
      const raw = line.slice(i, j2);
      fields[k] = parseScalar(raw, k);
      i = j2;
    }
    nfields++;
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  if (nfields === 0) throw new LineSyntaxError('no fields');
  while (line[i] === ' ' || line[i] === '\t' || line[i] === '\0') i++;
  let time = now;
  if (i < line.length) {
    const ts = line.slice(i).trimEnd();
    if (!/^-?\d+$/.test(ts)) throw new LineSyntaxError(`bad timestamp "${ts.slice(0, 40)}"`);
    const ns = BigInt(ts) * toNs;
    if (ns > MAX_NANO || ns < -MAX_NANO) throw new LineSyntaxError(`timestamp ${ts.slice(0, 40)} is outside InfluxDB's range`);
    time = Number(ns / 1_000_000n);
  }
  const sample = { measurement, tags, fields, time };
  const problem = lineProblem(sample);
  if (problem) throw new LineSyntaxError(problem);
  return sample;
}

function parseScalar(raw: string, key: string): FieldValue {
  if (raw === '') throw new LineSyntaxError(`empty value for field "${key}"`);
  if (raw[raw.length - 1] === 'i' && /^-?\d+i$/.test(raw)) {
    const v = BigInt(raw.slice(0, -1));
    if (v < INT64_MIN || v > INT64_MAX) throw new LineSyntaxError(`integer field "${key}" = ${raw} is out of range (64-bit signed)`);
    return v;
  }
  switch (raw) {
    case 't': case 'T': case 'true': case 'True': case 'TRUE':
      return true;
    case 'f': case 'F': case 'false': case 'False': case 'FALSE':
      return false;
  }
  // InfluxDB 1.x: no leading "+", no unsigned ("5u"), no NaN or infinity.
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new LineSyntaxError(`bad value for field "${key}": ${raw.slice(0, 40)}`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new LineSyntaxError(`float field "${key}" = ${raw.slice(0, 40)} is out of range`);
  return v;
}
