import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const cameraEntry = z.strictObject({
  /** Device service URL, e.g. http://10.3.20.11/onvif/device_service. */
  url: z.url({ protocol: /^https?$/ }).describe('Device service URL, e.g. http://10.3.20.11/onvif/device_service.'),
  /** The `camera` tag; default: the URL's host. */
  name: z.string().min(1).optional().describe('The `camera` tag; default: the URL\'s host.'),
  user: z.string().optional().describe('This camera\'s user (default: the probe\'s).'),
  password: z.string().optional().describe('This camera\'s password (default: the probe\'s).'),
  /** Per-camera port forwarding overrides (see rtsp_port / snapshot_port below). */
  rtsp_port: z.number().int().min(1).max(65535).optional().describe('Per-camera port forwarding overrides (see rtsp_port / snapshot_port below).'),
  snapshot_port: z.number().int().min(1).max(65535).optional().describe('Port of the HTTP snapshot for this camera.'),
});

export const onvifSchema = probeSchema(
  'onvif',
  { interval_s: 60, timeout_ms: 55_000 },
  {
    /** One camera (as `watchpost check onvif --url` gives it)… */
    url: z.url({ protocol: /^https?$/ }).optional().describe('One camera (as `watchpost check onvif --url` gives it)…'),
    camera: z.string().min(1).optional().describe('The `camera` tag for url; default: the URL\'s host.'),
    /** …or many, sharing the credentials below unless they set their own. */
    cameras: z.array(cameraEntry).default([]).describe('…or many, sharing the credentials below unless they set their own.'),
    user: z.string().optional().describe('User for every camera (WS-Security, RTSP and snapshot digest).'),
    password: z.string().optional().describe('Password for every camera.'),
    /** Cameras checked at the same time. */
    concurrency: z.number().int().min(1).max(256).default(16).describe('Cameras checked at the same time.'),
    /** Per request (SOAP call, RTSP exchange, snapshot GET); the onvif package's own default is 120 s. */
    request_timeout_ms: z.number().int().min(100).max(120_000).default(5000).describe('Per request (SOAP call, RTSP exchange, snapshot GET); the onvif package\'s own default is 120 s.'),
    /** Reach stream/snapshot/service URIs at the host we reach the device on, not the address it reports. */
    preserve_address: z.boolean().default(true).describe('Reach stream/snapshot/service URIs at the host we reach the device on, not the address it reports.'),
    /** Port for the RTSP stream / HTTP snapshot when it differs from what the camera reports (port forwarding). */
    rtsp_port: z.number().int().min(1).max(65535).optional().describe('Port for the RTSP stream / HTTP snapshot when it differs from what the camera reports (port forwarding).'),
    snapshot_port: z.number().int().min(1).max(65535).optional().describe('Port for the HTTP snapshot when it differs from what the camera reports.'),
    stream: z.boolean().default(true).describe('Check the RTSP stream (OPTIONS and DESCRIBE with a video track).'),
    snapshot: z.boolean().default(true).describe('Fetch and judge a snapshot (black, uniform, frozen).'),
    /** Media profile token to check; default: the first with a video encoder. */
    profile: z.string().optional().describe('Media profile token to check; default: the first with a video encoder.'),
    /** Mean luma (0–255) under which a snapshot is black; luma standard deviation under which it is uniform. */
    black_luma: z.number().min(0).max(255).default(20).describe('Mean luma (0–255) under which a snapshot is black; luma standard deviation under which it is uniform.'),
    uniform_std: z.number().min(0).max(255).default(6).describe('Luma standard deviation under which a snapshot is uniform.'),
    /** Mean block-luma difference to the previous snapshot under which the picture counts as frozen. */
    frozen_diff: z.number().min(0).max(255).default(0.5).describe('Mean block-luma difference to the previous snapshot under which the picture counts as frozen.'),
    clock_drift_warn_s: z.number().positive().default(10).describe('Clock drift at which `watchpost check onvif` warns.'),
    clock_drift_crit_s: z.number().positive().default(120).describe('Clock drift at which the check goes critical.'),
  },
).refine((c) => c.url !== undefined || c.cameras.length > 0, { message: 'give `url` or at least one entry in `cameras`', path: ['url'] });
export type OnvifConfig = z.infer<typeof onvifSchema>;
