import { readFile } from 'node:fs/promises';
import type si from 'systeminformation';

/**
 * Linux loop metrics straight from /proc. systeminformation's currentLoad runs
 * `sh -c 'cat /proc/stat | grep cpu'` and networkStats runs `cat` per interface on every call:
 * three to ten processes per loop, which was most of the agent's CPU at a 10 s interval.
 */

type Read = (path: string) => Promise<string>;
const read: Read = (p) => readFile(p, 'utf8');

interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guest_nice: number;
}

export function parseProcStatCpu(text: string): CpuTicks | undefined {
  const m = /^cpu\s+(.*)$/m.exec(text);
  if (!m) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0, guest = 0, guest_nice = 0] = m[1]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return { user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice };
}

/** CPU usage in % since the previous call (since boot on the first), with si's CurrentLoadData field names. */
export function cpuLoadReader(readText: Read = read): () => Promise<si.Systeminformation.CurrentLoadData> {
  let prev: CpuTicks | undefined;
  return async () => {
    const cur = parseProcStatCpu(await readText('/proc/stat'));
    if (!cur) throw new Error('/proc/stat has no cpu line');
    const base = prev;
    prev = cur;
    const d = (k: keyof CpuTicks) => cur[k] - (base?.[k] ?? 0);
    // user and nice include guest time in /proc/stat (Telegraf subtracts it the same way).
    const user = d('user') - d('guest');
    const nice = d('nice') - d('guest_nice');
    const total = user + nice + d('system') + d('idle') + d('iowait') + d('irq') + d('softirq') + d('steal') + d('guest') + d('guest_nice');
    const pct = (v: number) => (total > 0 ? (v / total) * 100 : 0);
    const idle = pct(d('idle') + d('iowait'));
    return {
      avgLoad: 0,
      currentLoad: 100 - idle,
      currentLoadUser: pct(user),
      currentLoadSystem: pct(d('system')),
      currentLoadNice: pct(nice),
      currentLoadIdle: idle,
      currentLoadIrq: pct(d('irq') + d('softirq')),
      currentLoadSteal: pct(d('steal')),
      currentLoadGuest: pct(d('guest') + d('guest_nice')),
      rawCurrentLoad: 0,
      rawCurrentLoadUser: 0,
      rawCurrentLoadSystem: 0,
      rawCurrentLoadNice: 0,
      rawCurrentLoadIdle: 0,
      rawCurrentLoadIrq: 0,
      rawCurrentLoadSteal: 0,
      rawCurrentLoadGuest: 0,
      cpus: [],
    };
  };
}

/** Interface counters from /proc/net/dev (the fields the host probe writes; rates are left to queries). */
export function parseProcNetDev(text: string): si.Systeminformation.NetworkStatsData[] {
  const out: si.Systeminformation.NetworkStatsData[] = [];
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    out.push({
      iface: m[1]!,
      operstate: 'unknown',
      rx_bytes: v[0] ?? 0,
      rx_errors: v[2] ?? 0,
      rx_dropped: v[3] ?? 0,
      tx_bytes: v[8] ?? 0,
      tx_errors: v[10] ?? 0,
      tx_dropped: v[11] ?? 0,
      rx_sec: 0,
      tx_sec: 0,
      ms: 0,
    });
  }
  return out;
}

export async function linuxNetworkStats(readText: Read = read): Promise<si.Systeminformation.NetworkStatsData[]> {
  return parseProcNetDev(await readText('/proc/net/dev'));
}

/**
 * Memory from /proc/meminfo with systeminformation's MemData semantics (active = total −
 * available, buffcache = buffers + cached + slab), so the Linux loop does not load
 * systeminformation at all.
 */
export function parseProcMeminfo(text: string): si.Systeminformation.MemData {
  const kb = new Map<string, number>();
  for (const m of text.matchAll(/^([\w()]+):\s+(\d+)/gm)) kb.set(m[1]!.toLowerCase(), Number(m[2]) * 1024);
  const v = (k: string) => kb.get(k) ?? 0;
  const total = v('memtotal');
  const free = v('memfree');
  const buffers = v('buffers');
  const cached = v('cached');
  const slab = v('slab');
  const buffcache = buffers + cached + slab;
  const available = kb.get('memavailable') ?? free + buffcache;
  const swaptotal = v('swaptotal');
  const swapfree = v('swapfree');
  return {
    total,
    free,
    used: total - free,
    active: total - available,
    available,
    buffcache,
    buffers,
    cached,
    slab,
    reclaimable: v('sreclaimable'),
    swaptotal,
    swapused: swaptotal - swapfree,
    swapfree,
    writeback: v('writeback'),
    dirty: v('dirty'),
  };
}

export async function linuxMem(readText: Read = read): Promise<si.Systeminformation.MemData> {
  return parseProcMeminfo(await readText('/proc/meminfo'));
}
