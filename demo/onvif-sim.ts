import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { SHARED_FIXTURES as FIXTURES } from './fixtures.ts';
import { BUILT_IN } from './onvif-replies.ts';

/**
 * An ONVIF device simulator for tests, the bench and the demo building: an HTTP SOAP server that answers each
 * action with the recorded reply of a real camera from ../shared/fixtures/onvif, byte for
 * byte, and checks credentials like a camera does (WS-Security UsernameToken digest against
 * its own clock, or HTTP digest — Hikvision-style with two challenges).
 *
 * Which recording answers what (the fixtures hold one camera's reply per action, so the
 * simulated device is a composite): GetSystemDateAndTime — Axis; GetCapabilities,
 * GetStreamUri, GetSnapshotUri — Dahua; GetDeviceInformation — Milesight MS-C8165-PE;
 * GetNTP, GetProfiles — Hikvision; GetServices and anything else — the recorded Dahua-style
 * ter:ActionNotSupported fault; fault mode — the recorded Axis ter:WellFormed fault.
 *
 * Replies that are NOT as recorded, because no recording exists or a test needs a variant:
 *  - GetSystemDateAndTime when `clockSkewS` is set: the Axis reply with its date/time numbers
 *    rewritten to the simulated clock (the recorded one says 2024-07-09);
 *  - the NotAuthorized fault (the only real ones are in issue threads without a licence);
 *  - GetSnapshotUri with `snapshot: 'empty_uri' | 'rtsp_uri'`: the Dahua reply with its Uri
 *    text replaced;
 *  - snapshots: JPEGs generated with jpeg-js (a moving pattern, or black/uniform/frozen).
 *
 * Where ../shared/fixtures is absent (a user's clone running `npm start`), or with
 * `replies: 'built-in'`, every reply comes from demo/onvif-replies.ts instead: minimal
 * replies written from the ONVIF Device and Media WSDLs, not recordings.
 */
export interface OnvifSimOptions {
  user?: string;
  password?: string;
  /** wsse: WS-Security UsernameToken; digest: HTTP digest MD5; digest2: Hikvision's two challenges (MD5 + SHA-256); none. */
  auth?: 'wsse' | 'digest' | 'digest2' | 'none';
  /** undefined: serve the recorded GetSystemDateAndTime (a camera whose clock says 2024-07-09); a number: real time + skew. */
  clockSkewS?: number;
  /** ok; hang: accept and never answer; reset: close the connection; fault: recorded SOAP fault for every action but the clock. */
  mode?: 'ok' | 'hang' | 'reset' | 'fault';
  snapshot?: 'ok' | 'black' | 'uniform' | 'frozen' | 'html404' | 'empty_uri' | 'rtsp_uri';
  /** Snapshot size (a Dahua sub stream is 704×576 or 640×360). */
  width?: number;
  height?: number;
  /** recorded: the shared recordings (the default where they exist); built-in: demo/onvif-replies.ts. */
  replies?: 'recorded' | 'built-in';
  /** The port to listen on (default: a free one). */
  port?: number;
  /** Model and serial the built-in GetDeviceInformation reports. */
  model?: string;
  serial?: string;
}

export interface OnvifSim {
  port: number;
  url: string;
  options: Required<Omit<OnvifSimOptions, 'clockSkewS' | 'replies' | 'port' | 'model' | 'serial'>> & { clockSkewS: number | undefined };
  /** SOAP actions and snapshot GETs received, in order. */
  requests: string[];
  /** Changes the behaviour while running (the demo takes a camera offline and back). */
  setMode(mode: 'ok' | 'hang' | 'reset' | 'fault'): void;
  stop(): Promise<void>;
}

const DIR = FIXTURES ? path.join(FIXTURES, 'onvif') : undefined;
const files = new Map<string, Buffer>();
/** A recording, byte for byte; with `builtIn`, or without the recordings, the built-in reply of that name. */
export function recording(name: string, builtIn = !DIR): Buffer {
  if (builtIn) {
    const b = BUILT_IN[name];
    if (!b) throw new Error(`no built-in ONVIF reply for ${name}`);
    return Buffer.from(b());
  }
  if (!DIR) throw new Error('../shared/fixtures is absent: the ONVIF simulator needs its recordings');
  let b = files.get(name);
  if (!b) files.set(name, (b = readFileSync(path.join(DIR, name))));
  return b;
}

const ACTIONS: Record<string, string> = {
  GetSystemDateAndTime: 'hammeraj-onvif__get_system_date_and_time.xml',
  GetCapabilities: 'go2rtc__dahua_GetCapabilitiesResponse.xml',
  GetDeviceInformation: 'ex_onvif__get_device_information.xml',
  GetNTP: 'hammeraj-onvif__get_ntp_response.xml',
  GetProfiles: 'SharpOnvif__hikvision_GetProfilesResponse.xml',
  GetStreamUri: 'go2rtc__dahua_GetStreamUriResponse.xml',
  GetSnapshotUri: 'go2rtc__dahua_GetSnapshotUriResponse.xml',
};
const NOT_SUPPORTED = 'hammeraj-onvif__invalid_get_ntp_response.xml';
const FAULT = 'hammeraj-onvif__invalid_system_date_and_time_response.xml';
/** The recorded Axis clock: 2024-07-09 19:49:06 UTC. */
export const RECORDED_CLOCK_MS = Date.UTC(2024, 6, 9, 19, 49, 6);
export const SNAPSHOT_PATH = '/onvifsnapshot/media_service/snapshot';

// Synthesized (see above): a SOAP 1.2 fault as cameras send for a bad UsernameToken.
const NOT_AUTHORIZED = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">Sender not Authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;

function clockReply(ms: number, builtIn: boolean): Buffer {
  const d = new Date(ms);
  const local = new Date(ms - 3 * 3600_000); // the recording's TZ is BRT3 (UTC−3)
  const fill = (block: string, t: Date) =>
    block
      .replace(/(<tt:Hour>)\d+/, `$1${t.getUTCHours()}`)
      .replace(/(<tt:Minute>)\d+/, `$1${t.getUTCMinutes()}`)
      .replace(/(<tt:Second>)\d+/, `$1${t.getUTCSeconds()}`)
      .replace(/(<tt:Year>)\d+/, `$1${t.getUTCFullYear()}`)
      .replace(/(<tt:Month>)\d+/, `$1${t.getUTCMonth() + 1}`)
      .replace(/(<tt:Day>)\d+/, `$1${t.getUTCDate()}`);
  const xml = recording(ACTIONS.GetSystemDateAndTime!, builtIn)
    .toString('utf8')
    .replace(/<tt:UTCDateTime>[\s\S]*?<\/tt:UTCDateTime>/, (b) => fill(b, d))
    .replace(/<tt:LocalDateTime>[\s\S]*?<\/tt:LocalDateTime>/, (b) => fill(b, local));
  return Buffer.from(xml);
}

// Generated once per size and shared by every simulated camera (the bench runs 500).
const frameCache = new Map<string, Buffer[]>();
/** JPEG frames: `ok` is a moving gradient with texture, the others what a failing camera sends. */
export function snapshotFrames(kind: 'ok' | 'black' | 'uniform', width: number, height: number): Buffer[] {
  const key = `${kind}:${width}x${height}`;
  let frames = frameCache.get(key);
  if (frames) return frames;
  frames = [];
  const n = kind === 'ok' ? 4 : 1;
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 5) - 2;
  for (let f = 0; f < n; f++) {
    const data = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        let v: number;
        if (kind === 'black') v = 3 + noise();
        else if (kind === 'uniform') v = 128 + noise();
        else v = ((x + f * 40) % width) * (200 / width) + (((x >> 4) + (y >> 4)) & 1 ? 40 : 0);
        data[i] = data[i + 1] = data[i + 2] = Math.max(0, Math.min(255, v));
        data[i + 3] = 255;
      }
    frames.push(jpeg.encode({ data, width, height }, 80).data);
  }
  frameCache.set(key, frames);
  return frames;
}

function wsseValid(body: string, user: string, password: string, clockMs: number): boolean {
  const get = (tag: string) => new RegExp(`<(?:[\\w-]+:)?${tag}\\b[^>]*>([^<]*)</(?:[\\w-]+:)?${tag}>`).exec(body)?.[1]?.trim();
  const name = get('Username');
  const digest = get('Password');
  const nonce = get('Nonce');
  const created = get('Created');
  if (name !== user || !digest || !nonce || !created) return false;
  const t = Date.parse(created);
  // Replay protection as Axis and Hikvision do it: Created must be near the camera's own clock.
  if (!Number.isFinite(t) || Math.abs(t - clockMs) > 5 * 60_000) return false;
  const expect = createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(password)]))
    .digest('base64');
  return expect === digest;
}

function digestValid(header: string | undefined, method: string, user: string, password: string, nonces: Set<string>): boolean {
  if (!header?.startsWith('Digest ')) return false;
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/gi)) p[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  if (p.username !== user || !p.nonce || !nonces.has(p.nonce)) return false;
  const alg = (p.algorithm ?? 'MD5').toUpperCase() === 'SHA-256' ? 'sha256' : 'md5';
  const h = (s: string) => createHash(alg).update(s).digest('hex');
  const ha1 = h(`${user}:${p.realm}:${password}`);
  const ha2 = h(`${method}:${p.uri}`);
  const expect = p.qop ? h(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : h(`${ha1}:${p.nonce}:${ha2}`);
  return expect === p.response;
}

function challenge(res: http.ServerResponse, nonces: Set<string>, double: boolean): void {
  const nonce = randomBytes(16).toString('hex');
  nonces.add(nonce);
  const c = [`Digest realm="IP Camera(C2183)", qop="auth", nonce="${nonce}", stale="FALSE"`];
  if (double) c.push(`Digest realm="IP Camera(C2183)", qop="auth", nonce="${nonce}", algorithm="SHA-256", stale="FALSE"`);
  res.writeHead(401, { 'www-authenticate': c, 'content-type': 'text/html' });
  res.end('<!DOCTYPE html><html><head><title>Document Error: Unauthorized</title></head><body><h2>Access Error: 401 -- Unauthorized</h2></body></html>');
}

function soap(res: http.ServerResponse, status: number, body: Buffer | string): void {
  res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
  res.end(body);
}

/** What one simulated camera's handlers share: its options (mutable: setMode), replies, clock and what it was asked. */
interface SimState {
  o: OnvifSim['options'];
  builtIn: boolean;
  rec(name: string): Buffer;
  clock(): number;
  nonces: Set<string>;
  requests: string[];
  frame: number;
}

function answerSnapshot(st: SimState, req: http.IncomingMessage, res: http.ServerResponse): void {
  const o = st.o;
  st.requests.push('snapshot');
  if (o.auth !== 'none' && !digestValid(req.headers.authorization, 'GET', o.user, o.password, st.nonces)) {
    challenge(res, st.nonces, o.auth === 'digest2');
    return;
  }
  if (o.snapshot === 'html404') {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>');
    return;
  }
  const kind = o.snapshot === 'black' || o.snapshot === 'uniform' ? o.snapshot : 'ok';
  const frames = snapshotFrames(kind, o.width, o.height);
  const jpg = o.snapshot === 'frozen' ? frames[0]! : frames[st.frame++ % frames.length]!;
  res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpg.length });
  res.end(jpg);
}

/** False when the request was refused (the answer is sent). */
function authorised(st: SimState, req: http.IncomingMessage, res: http.ServerResponse, body: string): boolean {
  const o = st.o;
  if (o.auth === 'wsse' && !wsseValid(body, o.user, o.password, st.clock())) {
    soap(res, 400, NOT_AUTHORIZED);
    return false;
  }
  if ((o.auth === 'digest' || o.auth === 'digest2') && !digestValid(req.headers.authorization, 'POST', o.user, o.password, st.nonces)) {
    if (req.headers.authorization) {
      res.writeHead(401, { 'content-type': 'text/html' });
      res.end('<html><body>401 Unauthorized</body></html>');
    } else challenge(res, st.nonces, o.auth === 'digest2');
    return false;
  }
  return true;
}

function answerSoap(st: SimState, req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  const o = st.o;
  const action = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(body)?.[1] ?? '';
  st.requests.push(action);
  if (action !== 'GetSystemDateAndTime') {
    if (!authorised(st, req, res, body)) return;
    if (o.mode === 'fault') {
      soap(res, 400, st.rec(FAULT));
      return;
    }
  }
  if (action === 'GetSystemDateAndTime' && o.clockSkewS !== undefined) {
    soap(res, 200, clockReply(st.clock(), st.builtIn));
    return;
  }
  if (action === 'GetSnapshotUri' && (o.snapshot === 'empty_uri' || o.snapshot === 'rtsp_uri')) {
    const uri = o.snapshot === 'empty_uri' ? '' : 'rtsp://192.168.1.123:554/cam/realmonitor?channel=1&amp;subtype=1';
    soap(
      res,
      200,
      st
        .rec(ACTIONS.GetSnapshotUri!)
        .toString('utf8')
        .replace(/<tt:Uri>[^<]*<\/tt:Uri>/, `<tt:Uri>${uri}</tt:Uri>`),
    );
    return;
  }
  const file = ACTIONS[action];
  if (!file) {
    soap(res, 400, st.rec(NOT_SUPPORTED));
    return;
  }
  soap(res, 200, st.rec(file));
}

function answer(st: SimState, req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  if (st.o.mode === 'reset') {
    req.socket.destroy();
    return;
  }
  // hang: the request is read and never answered; stop() destroys the socket.
  if (st.o.mode === 'hang') return;
  const url = new URL(req.url ?? '/', 'http://sim');
  if (req.method === 'GET' && url.pathname === SNAPSHOT_PATH) {
    answerSnapshot(st, req, res);
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>404</body></html>');
    return;
  }
  answerSoap(st, req, res, body);
}

/** Starts a simulated camera on 127.0.0.1 at a free port. */
export async function startOnvifSim(opts: OnvifSimOptions = {}): Promise<OnvifSim> {
  const o: OnvifSim['options'] = {
    user: opts.user ?? 'admin',
    password: opts.password ?? 'Cam#2026',
    auth: opts.auth ?? 'wsse',
    clockSkewS: opts.clockSkewS,
    mode: opts.mode ?? 'ok',
    snapshot: opts.snapshot ?? 'ok',
    width: opts.width ?? 640,
    height: opts.height ?? 360,
  };
  const builtIn = opts.replies === 'built-in' || !DIR;
  const rec = (name: string) => {
    const b = recording(name, builtIn);
    return builtIn && name === ACTIONS.GetDeviceInformation
      ? Buffer.from(
          b
            .toString('utf8')
            .replace('DEMO-MODEL', opts.model ?? 'DS-2CD2T47G2-L')
            .replace('DEMO-SERIAL', opts.serial ?? 'DS-2CD2T47G2-L20231102AAWRAB1234567'),
        )
      : b;
  };
  // Encode the JPEGs before listening: encoding on the first request would stall the client's timers.
  snapshotFrames(o.snapshot === 'black' || o.snapshot === 'uniform' ? o.snapshot : 'ok', o.width, o.height);
  const started = Date.now();
  const clock = () => (o.clockSkewS === undefined ? RECORDED_CLOCK_MS + (Date.now() - started) : Date.now() + o.clockSkewS * 1000);
  const st: SimState = { o, builtIn, rec, clock, nonces: new Set(), requests: [], frame: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(st, req, res, Buffer.concat(chunks).toString('utf8')));
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/onvif/device_service`,
    options: o,
    requests: st.requests,
    setMode(mode) {
      o.mode = mode;
      if (mode !== 'ok') for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
