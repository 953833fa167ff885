import type { FieldValue, Sample } from './sample.ts';

// InfluxDB line protocol: https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/
// Escaping differs per element, and a field value that is NaN or infinite cannot be written at all.

const MEASUREMENT_RE = /[, \n\r\\]/;
const TAG_RE = /[,= \n\r\\]/;

function escapeMeasurement(s: string): string {
  return MEASUREMENT_RE.test(s) ? s.replace(/\\/g, '\\\\').replace(/[\n\r]/g, ' ').replace(/([, ])/g, '\\$1') : s;
}

/** Escapes a tag key or value (and a field key) for line protocol. */
export function escapeTag(s: string): string {
  return TAG_RE.test(s) ? s.replace(/\\/g, '\\\\').replace(/[\n\r]/g, ' ').replace(/([,= ])/g, '\\$1') : s;
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

/**
 * Escaped tag and field keys by raw key. Keys repeat endlessly (host, cpu, usage_user…), so
 * the collector's hot path looks them up instead of testing and escaping each time; the
 * cache stops growing at 10,000 keys, after which misses are escaped as they come.
 */
const escapedKeys = new Map<string, string>();

function escapeKey(k: string): string {
  let e = escapedKeys.get(k);
  if (e === undefined) {
    e = escapeTag(k);
    if (escapedKeys.size < 10_000) escapedKeys.set(k, e);
  }
  return e;
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
  for (const k in s.fields) {
    const v = fieldValue(s.fields[k]!);
    if (v === undefined) continue;
    line += sep + escapeKey(k) + '=' + v;
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

const TO_MS: Record<Precision, (digits: string) => number> = {
  n: (d) => Number(BigInt(d) / 1_000_000n),
  ns: (d) => Number(BigInt(d) / 1_000_000n),
  u: (d) => Number(BigInt(d) / 1000n),
  us: (d) => Number(BigInt(d) / 1000n),
  ms: (d) => Number(d),
  s: (d) => Number(d) * 1000,
  m: (d) => Number(d) * 60_000,
  h: (d) => Number(d) * 3_600_000,
};

export function isPrecision(p: string): p is Precision {
  return Object.hasOwn(TO_MS, p);
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
 * Parses a line-protocol body as Telegraf and InfluxDB clients send it. A bad line is
 * reported with its 1-based number and does not stop the good lines around it, as
 * InfluxDB's own /write behaves ("partial write").
 */
export function parseLines(body: string, precision: Precision = 'ns', now = Date.now()): ParseResult {
  const samples: Sample[] = [];
  const errors: LineError[] = [];
  let lineNo = 0;
  let start = 0;
  const toMs = TO_MS[precision];
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    lineNo++;
    let line = body.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      if (end === body.length) break;
      continue;
    }
    try {
      samples.push(parseLine(trimmed, toMs, now));
    } catch (e) {
      if (!(e instanceof LineSyntaxError)) throw e;
      errors.push({ line: lineNo, message: e.message });
    }
    if (end === body.length) break;
  }
  return { samples, errors };
}

/** Reads an escaped token up to one of the stop characters; returns [value, index of stop char]. */
function readToken(line: string, i: number, stops: string): [string, number] {
  let out = '';
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      const n = line[i + 1]!;
      if (stops.includes(n) || n === '\\' || n === ',' || n === ' ' || n === '=') {
        out += n;
        i += 2;
        continue;
      }
    }
    if (stops.includes(c)) return [out, i];
    out += c;
    i++;
  }
  return [out, i];
}

function parseLine(line: string, toMs: (d: string) => number, now: number): Sample {
  let [measurement, i] = readToken(line, 0, ', ');
  if (measurement === '') throw new LineSyntaxError('missing measurement');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    const [k, j] = readToken(line, i + 1, '=, ');
    if (line[j] !== '=' || k === '') throw new LineSyntaxError(`bad tag near column ${i + 1}: expected key=value`);
    const [v, l] = readToken(line, j + 1, ', ');
    if (v === '') throw new LineSyntaxError(`empty value for tag "${k}"`);
    tags[k] = v;
    i = l;
  }
  if (line[i] !== ' ') throw new LineSyntaxError('missing fields: expected a space after the tags');
  while (line[i] === ' ') i++;
  const fields: Record<string, FieldValue> = {};
  let nfields = 0;
  for (;;) {
    const [k, j] = readToken(line, i, '=, ');
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
  while (line[i] === ' ') i++;
  let time = now;
  if (i < line.length) {
    const ts = line.slice(i).trimEnd();
    if (!/^-?\d+$/.test(ts)) throw new LineSyntaxError(`bad timestamp "${ts.slice(0, 40)}"`);
    time = toMs(ts);
  }
  return { measurement, tags, fields, time };
}

function parseScalar(raw: string, key: string): FieldValue {
  if (raw === '') throw new LineSyntaxError(`empty value for field "${key}"`);
  const last = raw[raw.length - 1];
  if ((last === 'i' || last === 'u') && /^-?\d+[iu]$/.test(raw)) return BigInt(raw.slice(0, -1));
  switch (raw) {
    case 't': case 'T': case 'true': case 'True': case 'TRUE':
      return true;
    case 'f': case 'F': case 'false': case 'False': case 'FALSE':
      return false;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new LineSyntaxError(`bad value for field "${key}": ${raw.slice(0, 40)}`);
  return Number(raw);
}
