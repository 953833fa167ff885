import { int, type Sample } from '../../../protocol/sample.ts';
import { ExitCode, lazyProbe, type CheckStatus, type ProbeDefinition } from '../probe.ts';
import type { CameraMemory, CameraResult } from './camera-check.ts';
import type { OnvifConfig } from './schema.ts';
import { cli } from './check.ts';
export type { OnvifConfig } from './schema.ts';

/** The results of the last run by camera sample, so `check --json` can print the full shape. */
const results = new WeakMap<Sample, CameraResult>();

export function cameraSample(name: string, r: CameraResult, mem: CameraMemory, time: number, tags: Record<string, string>): Sample {
  const up = r.reachable && r.auth !== 'failed' && (r.stream.uri === null && r.stream.error === null ? true : r.stream.ok);
  const errorClass = !r.reachable
    ? mem.failure === 'timeout'
      ? 'timeout'
      : 'unreachable'
    : r.auth === 'failed'
      ? 'auth_failed'
      : !up
        ? `stream_${r.stream.error ?? 'failed'}`
        : '';
  const f: Sample['fields'] = {
    up: int(up ? 1 : 0),
    reachable: r.reachable,
    auth: r.auth,
    snapshot_ok: r.snapshot.ok,
  };
  // Absent when the stream was not tried (stream: false, camera unreachable): a check that was
  // not made is not a failed one.
  if (r.stream.uri !== null || r.stream.error !== null) f.stream_ok = r.stream.ok;
  // Absent when no snapshot was tried (camera unreachable, snapshot: false): not "none".
  if (r.snapshot.problem !== null) f.snapshot_problem = r.snapshot.problem;
  if (errorClass) f.error_class = errorClass;
  if (r.clockDriftSeconds !== null) f.clock_drift_s = r.clockDriftSeconds;
  if (r.stream.latencyMs !== null) f.stream_latency_ms = r.stream.latencyMs;
  if (r.snapshot.bytes !== null) f.snapshot_bytes = int(r.snapshot.bytes);
  if (r.firmware) f.firmware = r.firmware;
  if (r.serial) f.serial = r.serial;
  if (mem.ntpServers !== undefined) f.ntp_servers = mem.ntpServers;
  const s: Sample = {
    measurement: 'camera',
    tags: { ...tags, camera: name, ...(r.manufacturer ? { manufacturer: r.manufacturer } : {}), ...(r.model ? { model: r.model } : {}) },
    fields: f,
    time,
  };
  results.set(s, r);
  return s;
}

export function cameraResultOf(s: Sample): CameraResult | undefined {
  return results.get(s);
}

/** Worst of: unreachable/auth/stream/bad picture → CRITICAL; clock drift, odd snapshot URI, uniform picture → WARNING. */
export function onvifStatus(samples: Sample[], cfg: OnvifConfig): CheckStatus {
  let code: CheckStatus['code'] = ExitCode.OK;
  const msgs: string[] = [];
  const raise = (c: CheckStatus['code'], m: string) => {
    if (c > code) code = c;
    msgs.push(m);
  };
  for (const s of samples) {
    const r = cameraResultOf(s);
    if (!r) continue;
    const cam = s.tags.camera;
    if (!r.reachable) raise(ExitCode.CRITICAL, `${cam} unreachable`);
    else if (r.auth === 'failed') raise(ExitCode.CRITICAL, `${cam} auth failed`);
    else {
      if (cfg.stream && !r.stream.ok) raise(ExitCode.CRITICAL, `${cam} stream ${r.stream.error ?? 'failed'}`);
      const p = r.snapshot.problem;
      if (cfg.snapshot && p && p !== 'none')
        raise(
          ['black', 'frozen', 'not_jpeg', 'corrupt_jpeg', 'unreachable', 'timeout'].includes(p) ? ExitCode.CRITICAL : ExitCode.WARNING,
          `${cam} snapshot ${p}`,
        );
      const d = Math.abs(r.clockDriftSeconds ?? 0);
      if (d >= cfg.clock_drift_crit_s) raise(ExitCode.CRITICAL, `${cam} clock off by ${r.clockDriftSeconds} s`);
      else if (d >= cfg.clock_drift_warn_s) raise(ExitCode.WARNING, `${cam} clock off by ${r.clockDriftSeconds} s`);
    }
  }
  return { code, summary: msgs.length ? msgs.join('; ') : `${samples.length} camera(s) OK` };
}

export const onvifProbe: ProbeDefinition<OnvifConfig> = {
  kind: 'onvif',
  description: 'ONVIF cameras: device info, clock drift, profiles, RTSP stream (OPTIONS+DESCRIBE) and snapshot (black/uniform/frozen)',
  // The camera checks (SOAP client, RTSP, HTTP snapshots, JPEG decoding: ~9 MB) load with the first onvif probe.
  create: (cfg, ctx) => lazyProbe(async () => (await import('./cameras.ts')).createOnvifProbe(cfg, ctx)),
  cli,
  status: onvifStatus,
};
