import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, spawnPeer, stopProcess, waitFor } from './util.ts';

const SCRIPT = path.join(import.meta.dirname, 'rtsp-server.py');
const PYTHON = '/usr/bin/python3';

export interface RtspPeer {
  port: number;
  /** rtsp://127.0.0.1:PORT/MOUNT */
  url: string;
  stop(): Promise<void>;
}

/** Whether GStreamer's RTSP server is usable here (python3-gi + gir1.2-gst-rtsp-server-1.0). */
export function hasRtspServer(): boolean {
  const typelibs = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((a) => `/usr/lib/${a}/girepository-1.0/GstRtspServer-1.0.typelib`);
  return existsSync(PYTHON) && typelibs.some((p) => existsSync(p));
}

/**
 * Starts GStreamer's RTSP server (a real one, from Debian) on a free loopback port, serving a
 * live MJPEG test pattern at `mount`, protected by digest or basic auth. Ready once it prints
 * READY and accepts TCP connections.
 */
export async function startRtspServer(opts: { mount?: string; user?: string; password?: string; auth?: 'digest' | 'basic' | 'none' } = {}): Promise<RtspPeer> {
  const mount = opts.mount ?? '/cam/realmonitor';
  const port = await freePort();
  const peer = spawnPeer(PYTHON, [SCRIPT, String(port), mount, opts.user ?? 'admin', opts.password ?? 'admin', opts.auth ?? 'digest']);
  await waitFor(
    'gst-rtsp-server',
    async () => {
      if (peer.proc.exitCode !== null) return true;
      if (!peer.output().includes('READY')) return false;
      return await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    },
    20_000,
    peer.output,
  );
  if (peer.proc.exitCode !== null) throw new Error(`gst-rtsp-server exited with ${peer.proc.exitCode}\n${peer.output()}`);
  return { port, url: `rtsp://127.0.0.1:${port}${mount}`, stop: () => stopProcess(peer.proc) };
}
