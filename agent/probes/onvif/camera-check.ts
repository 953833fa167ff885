import { checkRtsp } from './rtsp.ts';
import { OnvifError, type OnvifClient, type ProfileInfo } from './client.ts';
import { analyseJpeg, frameProblem, httpGet, type FrameStats, type FrameThresholds } from './snapshot.ts';

/**
 * The result of one full camera check, in the shape `watchpost check onvif --json` prints
 * (the issue spells it out; keep it exactly).
 */
export interface CameraResult {
  reachable: boolean;
  /** ok; failed (wrong user/password, or WS-Security refused — e.g. the camera's clock is far off); none (no credentials needed); unknown (unreachable). */
  auth: 'ok' | 'failed' | 'none' | 'unknown';
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  hardwareId: string | null;
  /** Camera clock minus agent clock, seconds (positive: the camera is ahead). */
  clockDriftSeconds: number | null;
  profiles: ProfileInfo[];
  stream: { uri: string | null; ok: boolean; latencyMs: number | null; error: string | null };
  snapshot: { uri: string | null; ok: boolean; bytes: number | null; width: number | null; height: number | null; problem: string | null };
  errors: string[];
}

export interface CameraTarget {
  url: string;
  user: string | undefined;
  password: string | undefined;
}

export interface CheckOptions {
  requestTimeoutMs: number;
  preserveAddress: boolean;
  rtspPort: number | undefined;
  snapshotPort: number | undefined;
  stream: boolean;
  snapshot: boolean;
  profile: string | undefined;
  thresholds: FrameThresholds;
}

/** What the check remembers between runs for one camera (frozen-frame detection). */
export interface CameraMemory {
  lastFrame?: Pick<FrameStats, 'grid' | 'sha1'> | undefined;
  /** ntp settings seen in this run, for the sample (not part of the JSON shape). */
  ntpServers?: string | undefined;
  /** Class of the failure that ended this run's check early (unreachable, timeout, auth_failed…). */
  failure?: string | undefined;
}

/**
 * Replaces the host of a URI the camera reported with the host we reach it on (cameras
 * behind NAT or with a second interface report their own LAN address), and the port with
 * the configured one when given, else the device URL's port for an http URI without one.
 */
export function rewriteUri(uri: string, deviceUrl: string, preserve: boolean, port: number | undefined): string {
  if (!preserve) return uri;
  const u = new URL(uri);
  const d = new URL(deviceUrl);
  const explicit = /^[a-z]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^/:]*):\d+/i.test(uri);
  u.hostname = d.hostname;
  if (port !== undefined) u.port = String(port);
  else if (!explicit && u.protocol === d.protocol) u.port = d.port;
  return u.toString();
}

const isJpeg = (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

function failureClass(e: unknown): string {
  if (e instanceof OnvifError) return e.kind === 'auth' ? 'auth_failed' : e.kind;
  return 'internal';
}

/**
 * Runs the full check of one camera: clock, capabilities, device information, NTP, profiles,
 * stream (RTSP OPTIONS + DESCRIBE) and snapshot (HTTP + JPEG analysis). Never throws for a
 * failing camera: failures are in the result. `now` is the agent's clock.
 */
export async function checkCamera(
  client: OnvifClient,
  target: CameraTarget,
  o: CheckOptions,
  mem: CameraMemory,
  now: () => number,
  signal?: AbortSignal,
): Promise<CameraResult> {
  const r: CameraResult = {
    reachable: false,
    auth: 'unknown',
    manufacturer: null,
    model: null,
    firmware: null,
    serial: null,
    hardwareId: null,
    clockDriftSeconds: null,
    profiles: [],
    stream: { uri: null, ok: false, latencyMs: null, error: null },
    snapshot: { uri: null, ok: false, bytes: null, width: null, height: null, problem: null },
    errors: [],
  };
  const credentials = Boolean(target.user);
  const note = (what: string, e: unknown) => r.errors.push(`${what}: ${failureClass(e)}${e instanceof OnvifError && e.faultCode ? ` (${e.faultCode})` : ''}`);
  /** Handles a failed step; returns true when the check cannot go on. */
  mem.failure = undefined;
  const fatal = (what: string, e: unknown): boolean => {
    note(what, e);
    mem.failure = failureClass(e);
    if (!(e instanceof OnvifError)) return true;
    // A camera checks credentials before anything else: any other fault means they passed.
    if (e.kind === 'fault' && r.auth === 'unknown' && what !== 'GetSystemDateAndTime') r.auth = credentials ? 'ok' : 'none';
    if (e.kind === 'auth') {
      r.reachable = true;
      r.auth = 'failed';
      return true;
    }
    return e.kind === 'unreachable' || e.kind === 'timeout';
  };

  const t0 = now();
  try {
    const cam = await client.systemTime();
    const t1 = now();
    r.reachable = true;
    // The reply's clock has 1 s resolution; compare with the middle of the round trip.
    r.clockDriftSeconds = Math.round((cam.getTime() - (t0 + t1) / 2) / 100) / 10;
  } catch (e) {
    if (fatal('GetSystemDateAndTime', e)) return r;
    r.reachable = true;
  }
  if (signal?.aborted) return r;
  try {
    await client.capabilities();
  } catch (e) {
    if (fatal('GetCapabilities', e)) return r;
  }
  try {
    const d = await client.deviceInformation();
    r.auth = credentials ? 'ok' : 'none';
    r.manufacturer = d.manufacturer || null;
    r.model = d.model || null;
    r.firmware = d.firmware || null;
    r.serial = d.serial || null;
    r.hardwareId = d.hardwareId || null;
  } catch (e) {
    if (fatal('GetDeviceInformation', e)) return r;
  }
  try {
    const n = await client.ntp();
    mem.ntpServers = n.fromDhcp ? 'dhcp' : n.servers.join(',');
  } catch {
    // GetNTP is optional in ONVIF; many cameras answer ActionNotSupported.
    mem.ntpServers = undefined;
  }
  try {
    r.profiles = await client.profiles();
    if (r.auth === 'unknown') r.auth = credentials ? 'ok' : 'none';
  } catch (e) {
    if (fatal('GetProfiles', e)) return r;
  }
  const profile = (o.profile ? r.profiles.find((p) => p.token === o.profile) : undefined) ?? r.profiles.find((p) => p.encoding) ?? r.profiles[0];
  if (!profile) {
    r.errors.push('no media profile');
    r.stream.error = 'no_profile';
    r.snapshot.problem = 'no_profile';
    return r;
  }
  if (o.stream && !signal?.aborted) {
    try {
      const raw = await client.streamUri(profile.token);
      r.stream.uri = raw ? rewriteUri(raw, target.url, o.preserveAddress, o.rtspPort) : null;
      if (!r.stream.uri) r.stream.error = 'no_uri';
      else {
        const s = await checkRtsp(r.stream.uri, target.user, target.password, o.requestTimeoutMs, signal);
        r.stream.ok = s.ok;
        r.stream.latencyMs = s.latencyMs;
        r.stream.error = s.error;
        if (s.error === 'auth_failed') r.errors.push('RTSP DESCRIBE: auth_failed');
      }
    } catch (e) {
      note('GetStreamUri', e);
      r.stream.error = failureClass(e);
    }
  }
  if (o.snapshot && !signal?.aborted) {
    try {
      const raw = await client.snapshotUri(profile.token);
      await snapshot(r, raw, target, o, mem);
    } catch (e) {
      note('GetSnapshotUri', e);
      r.snapshot.problem = failureClass(e);
    }
  }
  return r;
}

async function snapshot(r: CameraResult, raw: string, target: CameraTarget, o: CheckOptions, mem: CameraMemory): Promise<void> {
  const s = r.snapshot;
  if (!raw.trim()) {
    s.problem = 'no_uri';
    return;
  }
  if (/^rtsp:/i.test(raw)) {
    // Some firmwares hand out the stream URI here; a still cannot be fetched over HTTP.
    s.uri = raw;
    s.problem = 'rtsp_uri';
    return;
  }
  let uri: string;
  try {
    uri = rewriteUri(raw, target.url, o.preserveAddress, o.snapshotPort);
  } catch {
    s.uri = raw;
    s.problem = 'bad_uri';
    return;
  }
  s.uri = uri;
  let got;
  try {
    got = await httpGet(uri, target.user, target.password, o.requestTimeoutMs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    s.problem = code === 'ETIMEDOUT' ? 'timeout' : code === 'EMSGSIZE' ? 'too_large' : 'unreachable';
    return;
  }
  if (got.status === 401) s.problem = 'auth_failed';
  else if (got.status === 404) s.problem = 'http_404';
  else if (got.status !== 200) s.problem = `http_${got.status}`;
  else if (!isJpeg(got.body)) s.problem = 'not_jpeg';
  if (s.problem) return;
  s.bytes = got.body.length;
  let stats: FrameStats;
  try {
    stats = analyseJpeg(got.body);
  } catch {
    s.problem = 'corrupt_jpeg';
    return;
  }
  s.width = stats.width;
  s.height = stats.height;
  s.problem = frameProblem(stats, mem.lastFrame, o.thresholds);
  s.ok = s.problem === 'none';
  mem.lastFrame = { grid: stats.grid.map((v) => Math.round(v * 100) / 100), sha1: stats.sha1 };
}
