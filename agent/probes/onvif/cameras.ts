import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Sample } from '../../../protocol/sample.ts';
import type { Probe, ProbeContext } from '../probe.ts';
import { checkCamera, type CameraMemory, type CheckOptions } from './camera-check.ts';
import { onvifClient, type OnvifClient } from './client.ts';
import { cameraSample, type OnvifConfig } from './probe.ts';

/**
 * The onvif probe's implementation: checks each camera (bounded concurrency) and remembers its
 * last snapshot. Loaded by onvifProbe.create through lazyProbe, so agents without cameras do
 * not load the SOAP client, RTSP and JPEG code.
 */

/** Remembers the last snapshot per camera on disk, so a frozen picture is seen across restarts and one-shot checks. */
function memoryStore(dir: string) {
  const file = (camera: string) => path.join(dir, `onvif-${createHash('sha1').update(camera).digest('hex').slice(0, 16)}.json`);
  const cache = new Map<string, CameraMemory>();
  return {
    get(camera: string): CameraMemory {
      let m = cache.get(camera);
      if (!m) {
        try {
          m = JSON.parse(readFileSync(file(camera), 'utf8')) as CameraMemory;
        } catch {
          m = {};
        }
        cache.set(camera, m);
      }
      return m;
    },
    save(camera: string, m: CameraMemory) {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file(camera), JSON.stringify({ lastFrame: m.lastFrame }));
      } catch {
        /* a read-only state dir costs frozen detection across restarts only */
      }
    },
  };
}

export type ClientFactory = (o: {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
  preserveAddress: boolean;
}) => OnvifClient;

export function createOnvifProbe(cfg: OnvifConfig, ctx: ProbeContext, makeClient: ClientFactory = onvifClient): Probe {
  const targets = [
    ...(cfg.url ? [{ url: cfg.url, name: cfg.camera, user: cfg.user, password: cfg.password }] : []),
    ...cfg.cameras.map((c) => ({
      url: c.url,
      name: c.name,
      user: c.user ?? cfg.user,
      password: c.password ?? cfg.password,
      rtsp_port: c.rtsp_port,
      snapshot_port: c.snapshot_port,
    })),
  ].map((t) => ({ ...t, name: t.name ?? new URL(t.url).hostname }));
  const opts: CheckOptions = {
    requestTimeoutMs: cfg.request_timeout_ms,
    preserveAddress: cfg.preserve_address,
    rtspPort: cfg.rtsp_port,
    snapshotPort: cfg.snapshot_port,
    stream: cfg.stream,
    snapshot: cfg.snapshot,
    profile: cfg.profile,
    thresholds: { blackMean: cfg.black_luma, uniformStd: cfg.uniform_std, frozenDiff: cfg.frozen_diff },
  };
  const store = memoryStore(ctx.stateDir);
  return {
    async collect(signal) {
      const out: Sample[] = new Array(targets.length);
      let next = 0;
      const worker = async () => {
        while (next < targets.length && !signal.aborted) {
          const i = next++;
          const t = targets[i]!;
          const mem = store.get(t.name);
          const client = makeClient({
            url: t.url,
            user: t.user,
            password: t.password,
            timeoutMs: cfg.request_timeout_ms,
            preserveAddress: cfg.preserve_address,
          });
          const own = 'rtsp_port' in t ? { ...opts, rtspPort: t.rtsp_port ?? opts.rtspPort, snapshotPort: t.snapshot_port ?? opts.snapshotPort } : opts;
          const r = await checkCamera(client, t, own, mem, ctx.now, signal);
          store.save(t.name, mem);
          if (r.auth === 'failed') ctx.log.warn({ camera: t.name, errors: r.errors }, 'camera refused the credentials');
          out[i] = cameraSample(t.name, r, mem, ctx.now(), cfg.tags);
        }
      };
      await Promise.all(Array.from({ length: Math.min(cfg.concurrency, targets.length) }, worker));
      return out.filter(Boolean);
    },
  };
}
