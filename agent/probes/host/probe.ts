import os from 'node:os';
import type si from 'systeminformation';
import { int, type Sample } from '../../../protocol/sample.ts';
import { linuxFsSize } from './disks.ts';
import { cpuLoadReader, linuxMem, linuxNetworkStats } from './proc.ts';
import { loadSi } from './si.ts';
import { inventorySample, readInventory, readInventoryInChild, systemInventorySource, type Inventory, type InventorySource } from './inventory.ts';
import { systemPlatform, type Platform } from '../platform/platform.ts';
import { abortable, ExitCode, type Probe, type ProbeDefinition } from '../probe.ts';
import type { HostConfig } from './schema.ts';
export type { HostConfig } from './schema.ts';
import { cli } from './check.ts';

/** The slice of systeminformation the probe uses, so tests can pass recorded values. */
export interface HostSource {
  currentLoad(): Promise<si.Systeminformation.CurrentLoadData>;
  mem(): Promise<si.Systeminformation.MemData>;
  fsSize(): Promise<si.Systeminformation.FsSizeData[]>;
  networkStats(): Promise<si.Systeminformation.NetworkStatsData[]>;
  loadavg(): number[];
  uptime(): number;
  cpuCount(): number;
  hostname(): string;
}

const noFs = new Set<string>();
const linux = process.platform === 'linux';
const linuxCpuLoad = cpuLoadReader();
/** On Linux every loop call reads /proc or calls statfs: no child processes (see host/proc.ts). */
export const systemHostSource: HostSource = {
  currentLoad: async () => (linux ? linuxCpuLoad() : (await loadSi()).currentLoad()),
  mem: async () => (linux ? linuxMem() : (await loadSi()).mem()),
  fsSize: async () => (linux ? linuxFsSize(systemPlatform(), noFs) : (await loadSi()).fsSize()),
  networkStats: async () => (linux ? linuxNetworkStats() : (await loadSi()).networkStats('*')),
  loadavg: () => os.loadavg(),
  uptime: () => os.uptime(),
  cpuCount: () => os.availableParallelism(),
  hostname: () => os.hostname(),
};

/** How the host probe reads its inventory; tests pass recorded values and a recorded platform. */
export interface HostInventoryDeps {
  inventory: InventorySource;
  platform: Platform;
  /** Reads the inventory some other way than readInventory(inventory, platform) here (readInventoryInChild). */
  read?(signal: AbortSignal): Promise<Inventory>;
  /** Windows: start/stop systeminformation's persistent PowerShell session. */
  powerShellStart?(): void | Promise<void>;
  powerShellRelease?(): void | Promise<void>;
}

const systemInventoryDeps = (): HostInventoryDeps => {
  const platform = systemPlatform();
  return {
    inventory: systemInventorySource,
    platform,
    read: linux ? (signal) => readInventoryInChild(platform, signal) : undefined,
    powerShellStart: async () => (await loadSi()).powerShellStart(),
    powerShellRelease: async () => (await loadSi()).powerShellRelease(),
  };
};

export function createHostProbe(
  cfg: HostConfig,
  source: HostSource = systemHostSource,
  now = () => Date.now(),
  inv: HostInventoryDeps = systemInventoryDeps(),
): Probe & { inventory?: Inventory } {
  const ignoreFs = new Set(cfg.ignore_fs);
  const ignoreMounts = new Set(cfg.ignore_mounts);
  const ifaces = new Set(cfg.interfaces);
  let invAt = -Infinity;
  let psStarted = false;
  const probe: Probe & { inventory?: Inventory } = {
    async start() {
      if (inv.platform.os === 'windows' && inv.powerShellStart) {
        await inv.powerShellStart();
        psStarted = true;
      }
    },
    async close() {
      if (psStarted) await inv.powerShellRelease?.();
      psStarted = false;
    },
    async collect(signal) {
      const [load, mem, fs, net] = await abortable(Promise.all([source.currentLoad(), source.mem(), source.fsSize(), source.networkStats()]), signal);
      const t = now();
      const host = source.hostname();
      const base = { host, ...cfg.tags };
      const out: Sample[] = [];
      out.push({
        measurement: 'cpu',
        tags: { ...base, cpu: 'cpu-total' },
        fields: {
          usage_user: load.currentLoadUser,
          usage_system: load.currentLoadSystem,
          usage_idle: load.currentLoadIdle,
          usage_nice: load.currentLoadNice,
          usage_irq: load.currentLoadIrq,
          usage_steal: load.currentLoadSteal,
          usage_guest: load.currentLoadGuest,
        },
        time: t,
      });
      const used = mem.total - mem.available;
      out.push({
        measurement: 'mem',
        tags: base,
        fields: {
          total: int(mem.total),
          available: int(mem.available),
          used: int(used),
          free: int(mem.free),
          active: int(mem.active),
          buffered: int(mem.buffers),
          cached: int(mem.cached),
          slab: int(mem.slab),
          swap_total: int(mem.swaptotal),
          swap_free: int(mem.swapfree),
          used_percent: mem.total ? (used / mem.total) * 100 : 0,
          available_percent: mem.total ? (mem.available / mem.total) * 100 : 0,
        },
        time: t,
      });
      for (const d of fs) {
        if (ignoreFs.has(d.type) || ignoreMounts.has(d.mount) || d.size <= 0) continue;
        const total = d.size;
        const usedB = d.used;
        const free = d.available;
        out.push({
          measurement: 'disk',
          tags: { ...base, path: d.mount, device: d.fs.replace(/^\/dev\//, ''), fstype: d.type, mode: d.rw === false ? 'ro' : 'rw' },
          fields: {
            total: int(total),
            used: int(usedB),
            free: int(free),
            // Telegraf's definition: used / (used + free), which excludes root-reserved blocks.
            used_percent: usedB + free > 0 ? (usedB / (usedB + free)) * 100 : 0,
          },
          time: t,
        });
      }
      const [l1 = 0, l5 = 0, l15 = 0] = source.loadavg();
      out.push({
        measurement: 'system',
        tags: base,
        fields: { load1: l1, load5: l5, load15: l15, n_cpus: int(source.cpuCount()), uptime: int(source.uptime()) },
        time: t,
      });
      for (const n of net) {
        if (ifaces.size ? !ifaces.has(n.iface) : n.iface === 'lo') continue;
        out.push({
          measurement: 'net',
          tags: { ...base, interface: n.iface },
          fields: {
            bytes_recv: int(n.rx_bytes),
            bytes_sent: int(n.tx_bytes),
            err_in: int(n.rx_errors),
            err_out: int(n.tx_errors),
            drop_in: int(n.rx_dropped),
            drop_out: int(n.tx_dropped),
          },
          time: t,
        });
      }
      if (cfg.inventory_interval_s > 0 && t - invAt >= cfg.inventory_interval_s * 1000) {
        probe.inventory = await abortable(inv.read ? inv.read(signal) : readInventory(inv.inventory, inv.platform, signal), signal);
        invAt = t;
        out.push(inventorySample(probe.inventory, host, cfg.tags, t));
      }
      return out;
    },
  };
  return probe;
}

export const hostProbe: ProbeDefinition<HostConfig> = {
  kind: 'host',
  description: 'CPU, memory, disks, network counters, load and uptime (Telegraf cpu/mem/disk/system/net)',
  create: (cfg, ctx) => createHostProbe(cfg, ctx.host ? { ...systemHostSource, hostname: () => ctx.host! } : systemHostSource),
  // Loop runs take a few ms on Linux; the run that reads the inventory (every 6 h) ~0.5–1.5 s.
  budget: () => ({ run_ms: 2000 }),
  cli,
  status(samples, cfg) {
    let code: 0 | 1 | 2 = ExitCode.OK;
    const full: string[] = [];
    for (const s of samples) {
      if (s.measurement !== 'disk') continue;
      const pct = s.fields.used_percent as number;
      if (pct >= cfg.disk_crit_pct) code = ExitCode.CRITICAL;
      else if (pct >= cfg.disk_warn_pct && code < ExitCode.WARNING) code = ExitCode.WARNING;
      if (pct >= cfg.disk_warn_pct) full.push(`${s.tags.path} ${pct.toFixed(1)}%`);
    }
    const mem = samples.find((s) => s.measurement === 'mem');
    const memPct = mem ? (mem.fields.used_percent as number).toFixed(1) : '?';
    return { code, summary: full.length ? `disk usage high: ${full.join(', ')}` : `mem ${memPct}% used, disks below ${cfg.disk_warn_pct}%` };
  },
};
