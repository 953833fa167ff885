// bench:onvif — a full check (clock, capabilities, device info, NTP, profiles, stream URI +
// RTSP DESCRIBE, snapshot + JPEG analysis) of N simulated cameras with a concurrency cap, side
// by side with the same exchanges done bare (reference) in the same run.
//   npm run bench:onvif                 (defaults: 500 cameras, concurrency 32)
//   CAMERAS=1000 CONCURRENCY=64 npm run bench:onvif
// Target (issue 5): 500 cameras in ≤ 30 s within 300 MB.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startRtspServer } from '../test/peers/rtsp.ts';
import { cpuSeconds, table } from './lib.ts';

const CAMERAS = Number(process.env.CAMERAS ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const here = import.meta.dirname;

function child(args: string[], env: Record<string, string> = {}): Promise<{ line: string; pid: number; proc: ReturnType<typeof spawn> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ line: out.slice(0, nl), pid: proc.pid!, proc });
    });
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

// Every real camera has its own RTSP server; one GStreamer server for 500 would measure
// GStreamer's single main loop, so the cameras are spread over RTSP_SERVERS of them.
const RTSP_SERVERS = Number(process.env.RTSP_SERVERS ?? 8);
const rtsps = await Promise.all(Array.from({ length: RTSP_SERVERS }, () => startRtspServer({ user: 'admin', password: 'Cam#2026', auth: 'digest' })));
const sims = await child([path.join(here, 'onvif-sims.ts'), String(CAMERAS)]);
const urls = sims.line;
const rows: Record<string, string | number>[] = [];
const results: Record<string, { wallMs: number; cpuS: number; maxRssMiB: number; ok: number; failed: number; simCpuS: number }> = {};
for (const mode of ['reference', 'probe']) {
  const simCpu0 = cpuSeconds(sims.pid);
  const r = JSON.parse(
    (await child([path.join(here, 'onvif-run.ts'), mode], { URLS: urls, RTSP_PORTS: rtsps.map((r) => r.port).join(','), CONCURRENCY: String(CONCURRENCY) }))
      .line,
  );
  results[mode] = { ...r, simCpuS: cpuSeconds(sims.pid) - simCpu0 };
}
sims.proc.removeAllListeners('exit');
sims.proc.kill();
await Promise.all(rtsps.map((r) => r.stop()));
for (const [mode, r] of Object.entries(results)) {
  rows.push({
    run: mode === 'probe' ? 'watchpost onvif probe' : 'reference (bare exchanges)',
    cameras: CAMERAS,
    concurrency: CONCURRENCY,
    ok: r.ok,
    failed: r.failed,
    'wall s': r.wallMs / 1000,
    'cameras/s': CAMERAS / (r.wallMs / 1000),
    'cpu s': r.cpuS,
    'peak rss MiB': r.maxRssMiB,
    'simulator cpu s': r.simCpuS,
  });
}
const p = results.probe!;
const ref = results.reference!;
console.log(table(rows));
console.log(
  `\nratio probe/reference: wall ×${(p.wallMs / ref.wallMs).toFixed(2)}, cpu ×${(p.cpuS / ref.cpuS).toFixed(2)}, peak rss ×${(p.maxRssMiB / ref.maxRssMiB).toFixed(2)}`,
);
console.log(
  `target: ${CAMERAS} cameras ≤ 30 s within 300 MB → wall ${(p.wallMs / 1000).toFixed(1)} s, peak rss ${p.maxRssMiB.toFixed(0)} MiB: ${p.wallMs <= 30_000 && p.maxRssMiB <= 300 && p.failed === 0 ? 'met' : 'NOT met'}`,
);
process.exit(0);
