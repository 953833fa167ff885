import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const cameraEntry = z.strictObject({
  /** Device service URL, e.g. http://10.3.20.11/onvif/device_service. */
  url: z.url({ protocol: /^https?$/ }),
  /** The `camera` tag; default: the URL's host. */
  name: z.string().min(1).optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  /** Per-camera port forwarding overrides (see rtsp_port / snapshot_port below). */
  rtsp_port: z.number().int().min(1).max(65535).optional(),
  snapshot_port: z.number().int().min(1).max(65535).optional(),
});

export const onvifSchema = probeSchema(
  'onvif',
  { interval_s: 60, timeout_ms: 55_000 },
  {
    /** One camera (as `watchpost check onvif --url` gives it)… */
    url: z.url({ protocol: /^https?$/ }).optional(),
    camera: z.string().min(1).optional(),
    /** …or many, sharing the credentials below unless they set their own. */
    cameras: z.array(cameraEntry).default([]),
    user: z.string().optional(),
    password: z.string().optional(),
    /** Cameras checked at the same time. */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** Per request (SOAP call, RTSP exchange, snapshot GET); the onvif package's own default is 120 s. */
    request_timeout_ms: z.number().int().min(100).max(120_000).default(5000),
    /** Reach stream/snapshot/service URIs at the host we reach the device on, not the address it reports. */
    preserve_address: z.boolean().default(true),
    /** Port for the RTSP stream / HTTP snapshot when it differs from what the camera reports (port forwarding). */
    rtsp_port: z.number().int().min(1).max(65535).optional(),
    snapshot_port: z.number().int().min(1).max(65535).optional(),
    stream: z.boolean().default(true),
    snapshot: z.boolean().default(true),
    /** Media profile token to check; default: the first with a video encoder. */
    profile: z.string().optional(),
    /** Mean luma (0–255) under which a snapshot is black; luma standard deviation under which it is uniform. */
    black_luma: z.number().min(0).max(255).default(20),
    uniform_std: z.number().min(0).max(255).default(6),
    /** Mean block-luma difference to the previous snapshot under which the picture counts as frozen. */
    frozen_diff: z.number().min(0).max(255).default(0.5),
    clock_drift_warn_s: z.number().positive().default(10),
    clock_drift_crit_s: z.number().positive().default(120),
  },
).refine((c) => c.url !== undefined || c.cameras.length > 0, { message: 'give `url` or at least one entry in `cameras`', path: ['url'] });
export type OnvifConfig = z.infer<typeof onvifSchema>;
