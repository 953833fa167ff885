import { createRequire } from 'node:module';
import url from 'node:url';

const require = createRequire(import.meta.url);

/** Why an ONVIF call failed: a stable class, never derived from message text. */
export type OnvifFailure = 'auth' | 'unreachable' | 'timeout' | 'fault' | 'bad_response';

export class OnvifError extends Error {
  readonly kind: OnvifFailure;
  /** SOAP fault subcode (e.g. "ter:ActionNotSupported") when kind is fault or auth. */
  readonly faultCode: string | undefined;
  constructor(kind: OnvifFailure, message: string, faultCode?: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
    this.faultCode = faultCode;
  }
}

export interface DeviceInfo {
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
  hardwareId: string;
}

export interface ProfileInfo {
  token: string;
  name: string;
  encoding: string | null;
  width: number | null;
  height: number | null;
}

export interface NtpInfo {
  fromDhcp: boolean | null;
  servers: string[];
}

/**
 * The slice of ONVIF the camera probe uses. The real one wraps the `onvif` package; tests of
 * the probe's logic may pass a fake, and integration tests use the real one against the
 * simulator. Every method rejects with an OnvifError.
 */
export interface OnvifClient {
  /** GetSystemDateAndTime (unauthenticated first, as the spec allows); the camera's UTC clock. */
  systemTime(): Promise<Date>;
  /** GetCapabilities: learns the media service address; when it fails, media calls go to the device path. */
  capabilities(): Promise<void>;
  deviceInformation(): Promise<DeviceInfo>;
  ntp(): Promise<NtpInfo>;
  profiles(): Promise<ProfileInfo[]>;
  streamUri(profileToken: string): Promise<string>;
  snapshotUri(profileToken: string): Promise<string>;
}

// The parts of onvif's Cam we call. Its own typings are loose, so only these are declared.
interface Cam {
  uri?: Record<string, url.UrlWithStringQuery>;
  on(ev: 'rawResponse', f: (xml: string, status: number) => void): void;
  _request(o: { service?: string; body: string; action?: string }, cb: (err: Error | null, data: unknown, xml?: string) => void): void;
  _envelopeHeader(): string;
  _envelopeFooter(): string;
  getSystemDateAndTime(cb: (err: Error | null, d: Date) => void): void;
  getCapabilities(cb: (err: Error | null) => void): void;
  getDeviceInformation(cb: (err: Error | null, d: Record<string, unknown>) => void): void;
  getProfiles(cb: (err: Error | null, p: unknown[]) => void): void;
  getStreamUri(o: { protocol: string; profileToken: string }, cb: (err: Error | null, d: { uri?: unknown }) => void): void;
  getSnapshotUri(o: { profileToken: string }, cb: (err: Error | null, d: { uri?: unknown }) => void): void;
}

// The onvif package (with xml2js) is required on first use: agents without ONVIF probes never load it.
let onvifLib: { Cam: new (o: Record<string, unknown>) => Cam; linerase(x: unknown): Record<string, unknown> } | undefined;
function onvif() {
  return (onvifLib ??= {
    Cam: (require('onvif') as { Cam: new (o: Record<string, unknown>) => Cam }).Cam,
    linerase: (require('onvif/lib/utils') as { linerase(x: unknown): Record<string, unknown> }).linerase,
  });
}

/** The innermost SOAP fault subcode value in a response, e.g. "ter:NotAuthorized". */
export function faultCode(xml: string | undefined): string | undefined {
  if (!xml || !/:Fault[\s>]/.test(xml)) return undefined;
  const values = [...xml.matchAll(/<(?:[\w-]+:)?Value>\s*([^<\s]+)\s*<\/(?:[\w-]+:)?Value>/g)].map((m) => m[1]!);
  return values[values.length - 1];
}

const AUTH_FAULTS = /:(NotAuthorized|FailedAuthentication|InvalidSecurity|FailedCheck)$/;

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? String((v as { _?: unknown })._ ?? '') : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Profiles as the library parsed them, tolerating profiles without an encoder or a resolution. */
export function toProfiles(raw: unknown[]): ProfileInfo[] {
  return raw.map((p) => {
    const o = (p ?? {}) as Record<string, unknown>;
    const enc = (o.videoEncoderConfiguration ?? {}) as Record<string, unknown>;
    const res = (enc.resolution ?? {}) as Record<string, unknown>;
    return {
      token: str((o.$ as Record<string, unknown> | undefined)?.token),
      name: str(o.name),
      encoding: enc.encoding === undefined ? null : str(enc.encoding),
      width: num(res.width),
      height: num(res.height),
    };
  });
}

/**
 * An OnvifClient over the `onvif` package with explicit timeouts (its default is 120 s) and
 * failure classes: the last raw response's HTTP status and SOAP fault tell auth failures
 * apart from other faults; a rejected HTTP digest answer (no body) is an auth failure too.
 * With preserveAddress the service addresses a camera reports (often its LAN address
 * behind NAT) are replaced by the host and port we reached it on.
 */
export function onvifClient(o: {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
  preserveAddress: boolean;
}): OnvifClient {
  const u = new URL(o.url);
  const cam = new (onvif().Cam)({
    hostname: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    path: u.pathname,
    useSecure: u.protocol === 'https:',
    username: o.user,
    password: o.password,
    // The library's own timer fires after ours: ours classifies, its one frees the socket.
    timeout: o.timeoutMs + 1000,
    autoconnect: false,
    preserveAddress: o.preserveAddress,
  });
  // The library parses every outgoing body with xml2js only to find the SOAP action name;
  // give it the action (the body element's namespace + name) and skip that parse.
  const request = cam._request.bind(cam);
  cam._request = (opts, cb) => {
    const m = /<(?:[\w-]+:)?Body\b[^>]*>\s*<(\w+)\s+xmlns="([^"]+)"/.exec(opts.body);
    if (m && opts.action === undefined) opts.action = `${m[2]}/${m[1]}`;
    request(opts, cb);
  };
  let last: { xml: string; status: number } | undefined;
  cam.on('rawResponse', (xml, status) => {
    last = { xml, status };
  });

  function call<T>(what: string, run: (done: (err: Error | null, v?: T, xml?: string) => void) => void, parse?: (xml: string | undefined) => T): Promise<T> {
    last = undefined;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new OnvifError('timeout', `${what}: no answer in ${o.timeoutMs} ms`)), o.timeoutMs);
      run((err, v, xml) => {
        clearTimeout(timer);
        if (!err) {
          try {
            resolve(parse ? parse(xml) : (v as T));
          } catch (e) {
            reject(new OnvifError('bad_response', `${what}: unexpected response`, undefined, { cause: e }));
          }
          return;
        }
        const code = (err as NodeJS.ErrnoException).code;
        if (code) {
          reject(new OnvifError(code === 'ETIMEDOUT' ? 'timeout' : 'unreachable', `${what}: ${code}`, undefined, { cause: err }));
          return;
        }
        const fc = faultCode(last?.xml ?? xml);
        if (last?.status === 401 || (fc && AUTH_FAULTS.test(fc))) reject(new OnvifError('auth', `${what}: not authorized`, fc, { cause: err }));
        else if (fc) reject(new OnvifError('fault', `${what}: SOAP fault ${fc}`, fc, { cause: err }));
        else if (!last) reject(new OnvifError('auth', `${what}: HTTP digest answer rejected`, undefined, { cause: err }));
        else reject(new OnvifError('bad_response', `${what}: HTTP ${last.status}, not a SOAP answer`, undefined, { cause: err }));
      });
    });
  }

  return {
    systemTime: () => call<Date>('GetSystemDateAndTime', (d) => cam.getSystemDateAndTime((e, v) => d(e, v))),
    async capabilities() {
      try {
        await call<void>('GetCapabilities', (d) => cam.getCapabilities((e) => d(e)));
      } finally {
        // Cameras without GetCapabilities serve media at the device path.
        cam.uri ??= {};
        cam.uri.media ??= url.parse(o.url);
      }
    },
    deviceInformation: () =>
      call('GetDeviceInformation', (d) => cam.getDeviceInformation((e, v) => d(e, v)), undefined).then((v) => {
        const r = (v ?? {}) as Record<string, unknown>;
        return {
          manufacturer: str(r.manufacturer),
          model: str(r.model),
          firmware: str(r.firmwareVersion),
          serial: str(r.serialNumber),
          hardwareId: str(r.hardwareId),
        };
      }),
    ntp: () =>
      call<unknown>('GetNTP', (d) =>
        cam._request(
          { service: 'device', body: cam._envelopeHeader() + '<GetNTP xmlns="http://www.onvif.org/ver10/device/wsdl"/>' + cam._envelopeFooter() },
          (e, data, xml) => d(e, data, xml),
        ),
      ).then((data) => {
        // data is xml2js output: [ { getNTPResponse: [ { NTPInformation: [ … ] } ] } ]
        const resp = (data as { getNTPResponse?: { NTPInformation?: unknown[] }[] }[])[0]?.getNTPResponse?.[0]?.NTPInformation;
        if (!resp) throw new OnvifError('bad_response', 'GetNTP: no NTPInformation');
        const info = onvif().linerase(resp);
        const manual = ([] as unknown[]).concat(info.NTPManual ?? [], info.NTPFromDHCP ?? []);
        const servers = manual
          .map((m) => {
            const x = m as Record<string, unknown>;
            return str(x.DNSname ?? x.IPv4Address ?? x.IPv6Address);
          })
          .filter(Boolean);
        return { fromDhcp: typeof info.fromDHCP === 'boolean' ? info.fromDHCP : null, servers };
      }),
    profiles: () => call<unknown[]>('GetProfiles', (d) => cam.getProfiles((e, p) => d(e, p))).then((p) => toProfiles(p ?? [])),
    streamUri: (token) =>
      call<{ uri?: unknown }>('GetStreamUri', (d) => cam.getStreamUri({ protocol: 'RTSP', profileToken: token }, (e, v) => d(e, v))).then((v) => str(v?.uri)),
    snapshotUri: (token) =>
      call<{ uri?: unknown }>('GetSnapshotUri', (d) => cam.getSnapshotUri({ profileToken: token }, (e, v) => d(e, v))).then((v) => str(v?.uri)),
  };
}
