/**
 * bench:ping — sweep 1,000 loopback targets with 3 packets each through the ping probe, and
 * the same list with plain fping (same flags) in the same run. Prints wall time and CPU
 * seconds side by side with the ratio. Target: the probe within 1.3× of fping's wall time.
 * WATCHPOST_BENCH_PING_TARGETS overrides the target count, WATCHPOST_BENCH_ROUNDS the rounds.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createPingProbe, fpingArgs } from '../agent/probes/ping/probe.ts';
import { pingSchema } from '../agent/probes/ping/schema.ts';

const N = Number(process.env.WATCHPOST_BENCH_PING_TARGETS ?? 1000);
const ROUNDS = Number(process.env.WATCHPOST_BENCH_ROUNDS ?? 3);
// 127.0.1.1 … : 254 per /24, all of 127.0.0.0/8 answers on Linux.
const targets = Array.from({ length: N }, (_, i) => `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`);
const cfg = pingSchema.parse({ kind: 'ping', targets, count: 3, method: 'fping', batch_size: 1000, timeout_ms: 120_000 });

/** CPU seconds of this process and of its reaped children, from /proc/self/stat (clock ticks). */
function cpu(): { self: number; children: number } {
  const f = readFileSync('/proc/self/stat', 'utf8')
    .slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2)
    .split(' ');
  const tick = 100;
  return { self: (Number(f[11]) + Number(f[12])) / tick, children: (Number(f[13]) + Number(f[14])) / tick };
}

function runFping(): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('fping', fpingArgs(cfg, targets), { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr.resume();
    p.on('error', reject);
    p.on('close', () => resolve());
  });
}

const probe = createPingProbe(cfg);
const rows: { name: string; wall: number[]; cpu: number[] }[] = [
  { name: 'plain fping', wall: [], cpu: [] },
  { name: 'watchpost ping probe', wall: [], cpu: [] },
];
let answered = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const row of rows) {
    const c0 = cpu();
    const t0 = performance.now();
    if (row.name === 'plain fping') await runFping();
    else {
      const s = await probe.collect(AbortSignal.timeout(120_000));
      answered = s.filter((x) => x.fields.result_code === 0n).length;
    }
    const wall = (performance.now() - t0) / 1000;
    const c1 = cpu();
    row.wall.push(wall);
    // The probe's CPU is node's own plus fping's; plain fping's is fping's alone.
    row.cpu.push(c1.children - c0.children + (row.name === 'plain fping' ? 0 : c1.self - c0.self));
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
console.log(`bench:ping — ${N} loopback targets × 3 packets, fping ${fpingArgs(cfg, []).join(' ')}, ${ROUNDS} rounds (median), ${os.cpus().length} CPUs`);
console.log(`probe: ${answered}/${N} targets answered in the last round`);
console.log('run                     wall s   cpu s');
for (const row of rows) console.log(`${row.name.padEnd(22)} ${med(row.wall).toFixed(3).padStart(7)} ${med(row.cpu).toFixed(3).padStart(7)}`);
const ratio = med(rows[1]!.wall) / med(rows[0]!.wall);
console.log(
  `ratio probe/fping: wall ${ratio.toFixed(2)}×, cpu ${(med(rows[1]!.cpu) / Math.max(0.001, med(rows[0]!.cpu))).toFixed(2)}× (target wall ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'NOT met'})`,
);
