import type { CameraResult } from './camera-check.ts';
import type { OnvifConfig } from './schema.ts';
import { cameraResultOf } from './probe.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check onvif`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<OnvifConfig> = {
  options: {
    url: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    camera: { type: 'string' },
    profile: { type: 'string' },
    request_timeout_ms: { type: 'string' },
    rtsp_port: { type: 'string' },
    snapshot_port: { type: 'string' },
    no_stream: { type: 'boolean' },
    no_snapshot: { type: 'boolean' },
  },
  toConfig(v) {
    const n = (x: unknown) => (x === undefined ? undefined : Number(x));
    const raw: Record<string, unknown> = {
      url: v.url,
      user: v.user,
      password: v.password,
      camera: v.camera,
      profile: v.profile,
      request_timeout_ms: n(v.request_timeout_ms),
      rtsp_port: n(v.rtsp_port),
      snapshot_port: n(v.snapshot_port),
    };
    if (v.no_stream) raw.stream = false;
    if (v.no_snapshot) raw.snapshot = false;
    return Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined));
  },
  toJson(samples) {
    const rs = samples.map(cameraResultOf).filter((r): r is CameraResult => r !== undefined);
    return rs.length === 1 ? rs[0] : rs;
  },
  jsonDocument: true,
  required: ['url'],
};
