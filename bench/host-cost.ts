/**
 * bench:host-cost — what each systeminformation function the host probe could call costs on
 * this machine: wall ms and CPU ms (this process + the programs it spawns) per call, median of
 * WATCHPOST_BENCH_ROUNDS (default 5) calls after one warm-up. The host probe calls only the
 * cheap ones every loop and the expensive ones once per inventory period (README, Office machines).
 */
import { readFileSync } from 'node:fs';
import si from 'systeminformation';
import { table } from './lib.ts';

const ROUNDS = Number(process.env.WATCHPOST_BENCH_ROUNDS ?? 5);
function cpuMs(): number {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}
const fns: [string, () => Promise<unknown>][] = [
  ['currentLoad', () => si.currentLoad()],
  ['mem', () => si.mem()],
  ['fsSize', () => si.fsSize()],
  ['networkStats', () => si.networkStats('*')],
  ['osInfo', () => si.osInfo()],
  ['system', () => si.system()],
  ['cpu', () => si.cpu()],
  ['diskLayout', () => si.diskLayout()],
  ['blockDevices', () => si.blockDevices()],
  ['networkInterfaces', () => si.networkInterfaces()],
  ['services(sshd)', () => si.services('sshd')],
  ['users', () => si.users()],
  ['cpuTemperature', () => si.cpuTemperature()],
  ['bios', () => si.bios()],
  ['versions', () => si.versions()],
];
const rows = [];
for (const [name, fn] of fns) {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  rows.push({ function: name, 'wall ms': med(wall), 'cpu ms': med(cpu) });
}
console.log(
  `bench:host-cost — systeminformation ${(await import('systeminformation/package.json', { with: { type: 'json' } })).default.version} on ${process.platform}, median of ${ROUNDS} calls (CPU at 10 ms resolution)`,
);
console.log(table(rows));
