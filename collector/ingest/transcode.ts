import { copyBytes } from '../../lib/bytes.ts';
import { checkWireSample, fromWire } from '../../protocol/frames.ts';
import { encodeLine, escapeTag, lineProblem } from '../../protocol/line-protocol.ts';
import type { Sample } from '../../protocol/sample.ts';
import { TARGET_TAGS } from '../../protocol/targets.ts';
import { FOREIGN, isLocationKey, type Inventory } from './inventory.ts';

/**
 * Agent batch frame bytes → line protocol, without building a JavaScript object per sample.
 *
 * Why: at 100k+ points/s, JSON.parse of a frame (1.7 µs per sample), encodeLine (1.8 µs)
 * and the garbage both leave were two thirds of the collector's CPU per point, on a machine
 * where InfluxDB needs the other core. Most samples are only ever written to InfluxDB, so
 * this scans the frame's bytes once and copies names and values straight into the line,
 * escaping where line protocol needs it. Only samples a listener asked for (alert rules,
 * the uptime ledger) become Sample objects.
 *
 * It accepts exactly what decodeAgentFrame accepts and writes the same points as
 * encodeLine does (a property test holds the two together). Anything it does not handle
 * itself goes the general way: a sample it cannot scan (escapes in names, exponents in
 * integers, duplicate keys, …) is parsed alone with JSON.parse and encoded by encodeLine;
 * a frame that is not in the agents' own layout (`{"type":"batch","seq":N,"samples":[…]}`
 * with no whitespace and no events), or that is invalid anywhere, returns undefined and
 * the caller decodes it whole, which also gives the precise error.
 */


export interface EncodeContext {
  /**
   * The `agent` tag of every sample (agent sources only): set by the collector from the
   * authenticated identity, replacing whatever the sample says, so that one agent cannot
   * write as another (keep another's agent_silent quiet, or fill its series).
   */
  agent: string | undefined;
  /** The source's enrolment tags; where they apply (Inventory.enrich), they replace the sample's own. */
  agentTags: Record<string, string>;
  inventory: Inventory;
  /** Samples stamped later than this are refused (`future`). */
  limitMs: number;
  /** Samples stamped earlier than this are taken but counted (`past`): a clock far behind, or a replay. */
  pastMs?: number | undefined;
  /** Measurements that listeners need as Sample objects. */
  wants: (measurement: string) => boolean;
}

export interface Encoded {
  body: Buffer;
  lines: number;
  future: number;
  /** Samples not refused as future that are stamped before EncodeContext.pastMs. */
  past: number;
  empty: number;
  /** Samples InfluxDB would refuse or could not store exactly (lineProblem), and the first reason. */
  invalid: number;
  problem?: string | undefined;
  /** Oldest accepted sample time; Infinity when none. */
  oldest: number;
  /** Accepted samples, enriched, whose measurement is wanted. */
  samples: Sample[];
  /** target → agent, for every accepted sample whose target is not the agent itself. */
  targets: Map<string, string>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;
const EQUALS = 0x3d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const FLOAT = 0;
const FLOAT_CONVERT = 1;
const INT = 2;
const STRING = 3;
const BOOL = 4;

const MAX_ITEMS = 32;

// Scratch state of the sample being scanned. One frame is transcoded at a time (the event
// loop is single-threaded and nothing here awaits), so module-level arrays are reused.
let B: Buffer = Buffer.alloc(0);
let mS = 0;
let mE = 0;
let nt = 0;
const tKS = new Int32Array(MAX_ITEMS);
const tKE = new Int32Array(MAX_ITEMS);
const tVS = new Int32Array(MAX_ITEMS);
const tVE = new Int32Array(MAX_ITEMS);
let nf = 0;
const fKS = new Int32Array(MAX_ITEMS);
const fKE = new Int32Array(MAX_ITEMS);
const fVS = new Int32Array(MAX_ITEMS);
const fVE = new Int32Array(MAX_ITEMS);
const fKind = new Uint8Array(MAX_ITEMS);
let tsS = 0;
let tsE = 0;
let ts = 0;
// Set by scanString: 0 no escapes, 1 only \" and \\ (identical in line protocol), 2 others.
let strEscape = 0;
// Set by scanNumber.
let numFrac = false;
let numExp = false;
let numNeg = false;

// Tags of the sample being written: its own first (index i < nt, value read from B at
// tVS/tVE[i]), then the ones enrichment adds (value in tagValues).
const tagKeys: string[] = [];
const tagValues: string[] = [];
const order: number[] = [];
let tagCount = 0;

let OUT = Buffer.allocUnsafe(256 * 1024);
let op = 0;

function ensure(n: number): void {
  if (op + n <= OUT.length) return;
  const next = Buffer.allocUnsafe(Math.max(OUT.length * 2, op + n));
  OUT.copy(next, 0, 0, op);
  OUT = next;
}

/** Index of the closing quote of the string starting at p (B[p] is the opening quote), or -1. */
function scanString(p: number): number {
  strEscape = 0;
  const n = B.length;
  for (let i = p + 1; i < n; i++) {
    const c = B[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      const d = B[i + 1];
      if (d === QUOTE || d === BACKSLASH) {
        if (strEscape === 0) strEscape = 1;
      } else strEscape = 2;
      i++;
    } else if (c < 0x20) return -1;
  }
  return -1;
}

/** End (exclusive) of the JSON number at p, or -1 when there is none there. */
function scanNumber(p: number): number {
  let i = p;
  numNeg = numFrac = numExp = false;
  if (B[i] === MINUS) {
    numNeg = true;
    i++;
  }
  const d0 = B[i];
  if (d0 === undefined || d0 < ZERO || d0 > NINE) return -1;
  i++;
  if (d0 !== ZERO) while (i < B.length && B[i]! >= ZERO && B[i]! <= NINE) i++;
  if (B[i] === DOT) {
    numFrac = true;
    i++;
    const s = i;
    while (i < B.length && B[i]! >= ZERO && B[i]! <= NINE) i++;
    if (i === s) return -1;
  }
  const e = B[i];
  if (e === 0x65 || e === 0x45) {
    numExp = true;
    i++;
    if (B[i] === 0x2b || B[i] === MINUS) i++;
    const s = i;
    while (i < B.length && B[i]! >= ZERO && B[i]! <= NINE) i++;
    if (i === s) return -1;
  }
  return i;
}

/** End (exclusive) of the object starting at p, strings and nesting respected, or -1. */
function skipObject(p: number): number {
  let depth = 0;
  for (let i = p; i < B.length; i++) {
    const c = B[i]!;
    if (c === QUOTE) {
      for (i++; i < B.length && B[i] !== QUOTE; i++) if (B[i] === BACKSLASH) i++;
    } else if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

function sameBytes(aS: number, aE: number, bS: number, bE: number): boolean {
  if (aE - aS !== bE - bS) return false;
  for (let i = 0; i < aE - aS; i++) if (B[aS + i] !== B[bS + i]) return false;
  return true;
}

/**
 * A name key's string (1–256 bytes, no escapes): end index, or -1 to take the general way,
 * which also takes what lineProblem() must judge: "time" (InfluxDB refuses it as a tag or
 * field key) and a leading "#" (a measurement InfluxDB takes for a comment). Backslashes
 * are JSON escapes, so never here.
 */
function scanName(p: number): number {
  if (B[p] !== QUOTE) return -1;
  const e = scanString(p);
  if (e < 0 || strEscape !== 0 || e - p - 1 < 1 || e - p - 1 > 256) return -1;
  if (B[p + 1] === 0x23) return -1;
  if (e - p - 1 === 4 && B[p + 1] === 0x74 && B[p + 2] === 0x69 && B[p + 3] === 0x6d && B[p + 4] === 0x65) return -1;
  return e;
}

/** Scans `{"k":"v",…}` of tags at p; returns the index after it, or -1. */
function scanTags(p: number): number {
  if (B[p] !== LBRACE) return -1;
  p++;
  if (B[p] === RBRACE) return p + 1;
  for (;;) {
    if (nt === MAX_ITEMS) return -1;
    const ke = scanName(p);
    if (ke < 0 || B[ke + 1] !== COLON || B[ke + 2] !== QUOTE) return -1;
    const vs = ke + 2;
    const ve = scanString(vs);
    if (ve < 0 || strEscape !== 0 || ve - vs - 1 > 1024) return -1;
    for (let j = 0; j < nt; j++) if (sameBytes(tKS[j]!, tKE[j]!, p + 1, ke)) return -1;
    tKS[nt] = p + 1;
    tKE[nt] = ke;
    tVS[nt] = vs + 1;
    tVE[nt] = ve;
    nt++;
    p = ve + 1;
    if (B[p] === RBRACE) return p + 1;
    if (B[p] !== COMMA) return -1;
    p++;
  }
}

/** Scans a field object at p (`ints`: the `i` object); returns the index after it, or -1. */
function scanFields(p: number, ints: boolean): number {
  if (B[p] !== LBRACE) return -1;
  p++;
  if (B[p] === RBRACE) return p + 1;
  for (;;) {
    if (nf === MAX_ITEMS) return -1;
    const ks = p + 1;
    const ke = scanName(p);
    if (ke < 0 || B[ke + 1] !== COLON) return -1;
    let vs = ke + 2;
    let ve: number;
    let kind: number;
    const c = B[vs];
    if (c === QUOTE) {
      const end = scanString(vs);
      if (end < 0) return -1;
      if (ints) {
        // Integer as a decimal string: only canonical ones (what BigInt(x).toString() gives back).
        if (strEscape !== 0) return -1;
        vs++;
        ve = end;
        let d = vs;
        if (B[d] === MINUS) d++;
        const digits = ve - d;
        // 19 digits and more may be past int64: the general way checks the range.
        if (digits < 1 || digits > 18 || (B[d] === ZERO && (digits > 1 || d > vs))) return -1;
        for (let i = d; i < ve; i++) if (B[i]! < ZERO || B[i]! > NINE) return -1;
        kind = INT;
        p = end + 1;
      } else {
        if (strEscape === 2 || end - vs - 1 > 65536) return -1;
        vs++;
        ve = end;
        kind = STRING;
        p = end + 1;
      }
    } else if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) {
      ve = scanNumber(vs);
      if (ve < 0) return -1;
      if (ints) {
        const digits = ve - vs - (numNeg ? 1 : 0);
        if (numFrac || numExp || digits > 15 || (numNeg && B[vs + 1] === ZERO)) return -1;
        kind = INT;
      } else kind = numExp || (numNeg && B[vs + 1] === ZERO) ? FLOAT_CONVERT : FLOAT; // 1e400 is not finite; -0 writes as 0
      p = ve;
    } else if (!ints && c === 0x74 && B[vs + 1] === 0x72 && B[vs + 2] === 0x75 && B[vs + 3] === 0x65) {
      ve = vs + 4;
      kind = BOOL;
      p = ve;
    } else if (!ints && c === 0x66 && B[vs + 1] === 0x61 && B[vs + 2] === 0x6c && B[vs + 3] === 0x73 && B[vs + 4] === 0x65) {
      ve = vs + 5;
      kind = BOOL;
      p = ve;
    } else return -1;
    for (let j = 0; j < nf; j++) if (sameBytes(fKS[j]!, fKE[j]!, ks, ke)) return -1;
    fKS[nf] = ks;
    fKE[nf] = ke;
    fVS[nf] = vs;
    fVE[nf] = ve;
    fKind[nf] = kind;
    nf++;
    if (B[p] === RBRACE) return p + 1;
    if (B[p] !== COMMA) return -1;
    p++;
  }
}

/** Scans the sample object at p in the agents' layout; returns the index after it, or -1. */
function scanSample(p: number): number {
  if (B[p] !== LBRACE) return -1;
  nt = nf = 0;
  let seen = 0;
  p++;
  for (;;) {
    if (B[p] !== QUOTE) return -1;
    const k = B[p + 1];
    if (k === 0x74 && B[p + 2] === 0x73 && B[p + 3] === QUOTE && B[p + 4] === COLON) {
      if (seen & 16) return -1;
      seen |= 16;
      tsS = p + 5;
      tsE = scanNumber(tsS);
      if (tsE < 0 || numNeg || numFrac || numExp || tsE - tsS > 15) return -1;
      ts = 0;
      for (let i = tsS; i < tsE; i++) ts = ts * 10 + (B[i]! - ZERO);
      p = tsE;
    } else {
      if (B[p + 2] !== QUOTE || B[p + 3] !== COLON) return -1;
      const v = p + 4;
      if (k === 0x6d) {
        if (seen & 1) return -1;
        seen |= 1;
        mE = scanName(v);
        if (mE < 0) return -1;
        mS = v + 1;
        p = mE + 1;
      } else if (k === 0x74) {
        if (seen & 2) return -1;
        seen |= 2;
        p = scanTags(v);
      } else if (k === 0x66 || k === 0x69) {
        const bit = k === 0x66 ? 4 : 8;
        if (seen & bit) return -1;
        seen |= bit;
        p = scanFields(v, k === 0x69);
      } else return -1;
      if (p < 0) return -1;
    }
    if (B[p] === RBRACE) return (seen & 17) === 17 ? p + 1 : -1;
    if (B[p] !== COMMA) return -1;
    p++;
  }
}

/** Copies B[s, e) escaping the bytes line protocol escapes in tags and keys (`,= `), or in measurements (`, `). */
function copyEscaped(s: number, e: number, measurement: boolean): void {
  ensure(2 * (e - s));
  for (let i = s; i < e; i++) {
    const c = B[i]!;
    if (c === COMMA || c === SPACE || (c === EQUALS && !measurement)) OUT[op++] = BACKSLASH;
    OUT[op++] = c;
  }
}

function copy(s: number, e: number): void {
  ensure(e - s);
  for (let i = s; i < e; i++) OUT[op++] = B[i]!;
}

function writeAscii(s: string): void {
  ensure(s.length);
  for (let i = 0; i < s.length; i++) OUT[op++] = s.charCodeAt(i);
}

const escapedBytes = new Map<string, Buffer>();

/** Tag key or value as escaped line-protocol bytes (enrichment tags repeat: cached, bounded). */
function escaped(s: string): Buffer {
  let b = escapedBytes.get(s);
  if (b === undefined) {
    b = Buffer.from(escapeTag(s));
    if (escapedBytes.size < 10_000) escapedBytes.set(s, b);
  }
  return b;
}

function writeBytes(b: Buffer): void {
  ensure(b.length);
  for (let i = 0; i < b.length; i++) OUT[op++] = b[i]!;
}

function text(s: number, e: number): string {
  for (let i = s; i < e; i++) if (B[i]! >= 0x80) return B.toString('utf8', s, e);
  return B.toString('latin1', s, e);
}

function tagIndex(k: string): number {
  for (let i = 0; i < tagCount; i++) if (tagKeys[i] === k && !(i < nt && skipOwn[i])) return i;
  return -1;
}

/** Whether an ASCII string holds exactly the bytes B[s, e). */
function bytesAre(str: string | undefined, s: number, e: number): boolean {
  if (str === undefined || str.length !== e - s) return false;
  for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) !== B[s + i]) return false;
  return true;
}

/**
 * A tag value as the inventory lookup sees it: the sample's own tags and the agent tag it
 * is given, not the enrolment tags added after (as Inventory.enrich does it). tagKeys[j]
 * for j < nt are the sample's own keys here (writeScanned refreshed them).
 */
function locTagValue(k: string): string | undefined {
  if (k === 'agent' && ctx.agent !== undefined) return ctx.agent;
  for (let j = 0; j < nt; j++) if (tagKeys[j] === k) return text(tVS[j]!, tVE[j]!);
  return undefined;
}

function addTag(k: string, v: string): void {
  if (tagIndex(k) >= 0) return;
  tagKeys[tagCount] = k;
  tagValues[tagCount] = v;
  tagCount++;
}

let ctx: EncodeContext;
let result: Encoded;

// The tag plan: the merged, sorted tag list of the last sample written. Samples of a batch
// mostly share their tag keys, so the next one reuses it when its keys (same strings, same
// order), the location found for it and the context are the same.
let planValid = false;
let planNt = -1;
let planCtx: EncodeContext | undefined;
let planLoc: Readonly<Record<string, string>> | undefined;
const addedKey: Buffer[] = [];
// Own tags of the sample the plan leaves out: location tags of a sample about an inventory
// device, which the inventory's replace (Inventory.enrich does the same).
const skipOwn = new Uint8Array(MAX_ITEMS);
const addedValue: Buffer[] = [];
const targetIndex = new Int32Array(TARGET_TAGS.length);
let agentIndex = -1;
// The last target noted in this frame, so a run of samples about one target notes it once.
let lastTarget: string | undefined;
let lastAgent: string | undefined;
// The last measurement seen in this frame and whether listeners want it.
let lastMeasurement: string | undefined;
let lastWanted = false;

function buildPlan(loc: Readonly<Record<string, string>> | undefined): void {
  tagCount = nt;
  const replace = loc !== undefined && loc !== FOREIGN;
  for (let j = 0; j < nt; j++) {
    const k = tagKeys[j]!;
    // The collector's own tags win: the inventory's location, the agent's identity and, where
    // they apply, its enrolment tags (the same rule as Inventory.enrich).
    skipOwn[j] = (replace && isLocationKey(k)) || (ctx.agent !== undefined && (k === 'agent' || (Object.hasOwn(ctx.agentTags, k) && (loc === undefined || !isLocationKey(k))))) ? 1 : 0;
  }
  if (ctx.agent !== undefined) addTag('agent', ctx.agent);
  if (replace) for (const k in loc) addTag(k, loc[k]!);
  for (const k in ctx.agentTags) if (loc === undefined || !isLocationKey(k)) addTag(k, ctx.agentTags[k]!);
  order.length = tagCount;
  for (let i = 0; i < tagCount; i++) {
    // Insertion sort: a handful of tags, mostly in order already.
    let j = i;
    const k = tagKeys[i]!;
    while (j > 0 && tagKeys[order[j - 1]!]! > k) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = i;
  }
  for (let i = nt; i < tagCount; i++) {
    addedKey[i] = escaped(tagKeys[i]!);
    addedValue[i] = escaped(tagValues[i]!);
  }
  for (let t = 0; t < TARGET_TAGS.length; t++) targetIndex[t] = tagIndex(TARGET_TAGS[t]!);
  agentIndex = tagIndex('agent');
  planValid = true;
  planNt = nt;
  planCtx = ctx;
  planLoc = loc;
}

function tagText(i: number): string {
  return i < nt ? text(tVS[i]!, tVE[i]!) : tagValues[i]!;
}

/** Notes target → agent for the sample just written (see IngestListener.onTargets). */
function noteScannedTarget(): void {
  if (agentIndex < 0) return;
  const agent = tagText(agentIndex);
  if (!agent) return;
  for (let t = 0; t < TARGET_TAGS.length; t++) {
    const i = targetIndex[t]!;
    if (i < 0) continue;
    if (i < nt) {
      if (tVE[i] === tVS[i]) continue;
      if (agent === lastAgent && bytesAre(lastTarget, tVS[i]!, tVE[i]!)) return;
      const target = text(tVS[i]!, tVE[i]!);
      if (target !== agent) result.targets.set(target, agent);
      lastTarget = target;
      lastAgent = agent;
      return;
    }
    const v = tagValues[i]!;
    if (v === '') continue;
    if (v !== agent) result.targets.set(v, agent);
    return;
  }
}

function noteTarget(agentTag: string | undefined, get: (k: string) => string | undefined): void {
  if (!agentTag) return;
  for (const k of TARGET_TAGS) {
    const v = get(k);
    if (v) {
      if (v !== agentTag) result.targets.set(v, agentTag);
      return;
    }
  }
}

/** Writes the scanned sample; false when it has no writable field. */
function writeScanned(): boolean {
  const lineStart = op;
  copyEscaped(mS, mE, true);
  let same = planValid && nt === planNt && ctx === planCtx;
  for (let j = 0; j < nt; j++) {
    if (!bytesAre(tagKeys[j], tKS[j]!, tKE[j]!)) {
      tagKeys[j] = text(tKS[j]!, tKE[j]!);
      same = false;
    }
  }
  const loc = ctx.inventory.locate(locTagValue);
  if (!same || loc !== planLoc) buildPlan(loc);
  for (let n = 0; n < tagCount; n++) {
    const i = order[n]!;
    if (i < nt) {
      if (tVE[i] === tVS[i] || skipOwn[i]) continue;
      ensure(1);
      OUT[op++] = COMMA;
      copyEscaped(tKS[i]!, tKE[i]!, false);
      ensure(1);
      OUT[op++] = EQUALS;
      copyEscaped(tVS[i]!, tVE[i]!, false);
    } else {
      const v = addedValue[i]!;
      if (v.length === 0) continue;
      ensure(1);
      OUT[op++] = COMMA;
      writeBytes(addedKey[i]!);
      ensure(1);
      OUT[op++] = EQUALS;
      writeBytes(v);
    }
  }
  let sep = SPACE;
  for (let j = 0; j < nf; j++) {
    const kind = fKind[j]!;
    let converted = '';
    if (kind === FLOAT_CONVERT) {
      const v = Number(B.toString('latin1', fVS[j]!, fVE[j]!));
      if (!Number.isFinite(v)) continue;
      converted = String(v);
    }
    ensure(1);
    OUT[op++] = sep;
    sep = COMMA;
    copyEscaped(fKS[j]!, fKE[j]!, false);
    ensure(2);
    OUT[op++] = EQUALS;
    if (kind === FLOAT || kind === BOOL) copy(fVS[j]!, fVE[j]!);
    else if (kind === FLOAT_CONVERT) writeAscii(converted);
    else if (kind === INT) {
      copy(fVS[j]!, fVE[j]!);
      ensure(1);
      OUT[op++] = 0x69;
    } else {
      OUT[op++] = QUOTE;
      copy(fVS[j]!, fVE[j]!);
      ensure(1);
      OUT[op++] = QUOTE;
    }
  }
  if (sep === SPACE) {
    op = lineStart;
    return false;
  }
  ensure(1);
  OUT[op++] = SPACE;
  copy(tsS, tsE);
  ensure(1);
  OUT[op++] = 0x0a;
  noteScannedTarget();
  return true;
}

/** The general way for one sample (already checked): as Ingest always did it. */
function writeSample(s: Sample): void {
  if (s.time > ctx.limitMs) {
    result.future++;
    return;
  }
  if (s.time < (ctx.pastMs ?? -Infinity)) {
    result.past++;
  }
  if (ctx.agent !== undefined) s.tags.agent = ctx.agent;
  ctx.inventory.enrich(s, ctx.agentTags);
  const problem = lineProblem(s);
  if (problem) {
    result.invalid++;
    result.problem ??= problem;
    return;
  }
  if (s.time < result.oldest) result.oldest = s.time;
  const line = encodeLine(s);
  if (line === undefined) {
    result.empty++;
    return;
  }
  ensure(line.length * 3 + 1);
  op += OUT.write(line, op);
  OUT[op++] = 0x0a;
  result.lines++;
  if (ctx.wants(s.measurement)) result.samples.push(s);
  noteTarget(s.tags.agent, (k) => s.tags[k]);
}

function begin(c: EncodeContext): void {
  ctx = c;
  op = 0;
  planValid = false;
  lastTarget = lastAgent = lastMeasurement = undefined;
  result = { body: OUT, lines: 0, future: 0, past: 0, empty: 0, invalid: 0, oldest: Infinity, samples: [], targets: new Map() };
}

function finish(): Encoded {
  result.body = copyBytes(OUT, 0, op);
  if (OUT.length > 4 * 1024 * 1024) OUT = Buffer.allocUnsafe(256 * 1024);
  B = Buffer.alloc(0);
  return result;
}

/** Samples (already validated) as line protocol, enriched; the general path. */
export function encodeSamples(samples: readonly Sample[], c: EncodeContext): Encoded {
  begin(c);
  for (const s of samples) writeSample(s);
  return finish();
}

const PREFIX = Buffer.from('{"type":"batch","seq":');
const SAMPLES = Buffer.from(',"samples":[');

/**
 * Transcodes a batch frame; returns its seq and the encoded samples, or undefined when the
 * frame must be decoded the general way (decodeAgentFrame), which then accepts or rejects it.
 */
export function transcodeBatch(frame: Buffer, c: EncodeContext): { seq: number; encoded: Encoded } | undefined {
  if (frame.length < PREFIX.length + SAMPLES.length + 3 || frame.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) return undefined;
  B = frame;
  let p = PREFIX.length;
  const seqEnd = scanNumber(p);
  if (seqEnd < 0 || numNeg || numFrac || numExp || seqEnd - p > 15) return reset();
  let seq = 0;
  for (let i = p; i < seqEnd; i++) seq = seq * 10 + (B[i]! - ZERO);
  p = seqEnd;
  if (frame.compare(SAMPLES, 0, SAMPLES.length, p, p + SAMPLES.length) !== 0) return reset();
  p += SAMPLES.length;
  begin(c);
  const pastMs = c.pastMs ?? -Infinity;
  let count = 0;
  if (B[p] === RBRACKET) p++;
  else
    for (;;) {
      if (++count > 100_000) return reset();
      const start = p;
      const end = scanSample(p);
      if (end >= 0) {
        if (ts > c.limitMs) result.future++;
        else {
          if (ts < result.oldest) result.oldest = ts;
          if (ts < pastMs) result.past++;
          if (!writeScanned()) result.empty++;
          else {
            result.lines++;
            if (!bytesAre(lastMeasurement, mS, mE)) {
              lastMeasurement = text(mS, mE);
              lastWanted = c.wants(lastMeasurement);
            }
            if (lastWanted) {
              const s = parseOne(start, end);
              if (!s) return reset();
              if (c.agent !== undefined) s.tags.agent = c.agent;
              c.inventory.enrich(s, c.agentTags);
              result.samples.push(s);
            }
          }
        }
        p = end;
      } else {
        const e = skipObject(start);
        if (e < 0) return reset();
        const s = parseOne(start, e);
        if (!s) return reset();
        writeSample(s);
        p = e;
      }
      if (B[p] === COMMA) {
        p++;
        continue;
      }
      if (B[p] === RBRACKET) {
        p++;
        break;
      }
      return reset();
    }
  if (p !== B.length - 1 || B[p] !== RBRACE) return reset();
  return { seq, encoded: finish() };
}

function reset(): undefined {
  B = Buffer.alloc(0);
  op = 0;
  return undefined;
}

/** One sample parsed and checked the general way; undefined if it is not valid. */
function parseOne(s: number, e: number): Sample | undefined {
  let w: unknown;
  try {
    w = JSON.parse(B.toString('utf8', s, e));
    checkWireSample(w, 'sample');
  } catch {
    return undefined;
  }
  return fromWire(w);
}
