import os from 'node:os';
import si from 'systeminformation';
import { z } from 'zod';
import { int, type Sample } from '../../protocol/sample.ts';
import { abortable, ExitCode, probeSchema, type Probe, type ProbeDefinition } from './probe.ts';

/**
 * Host health with Telegraf's measurement and field names (cpu, mem, disk, system, net), so
 * dashboards built for Telegraf's inputs work unchanged. Each loop uses only cheap calls:
 * currentLoad/mem/fsSize/networkStats read /proc on Linux; os.loadavg/uptime are syscalls.
 */
export const hostSchema = probeSchema(
  'host',
  { interval_s: 10, timeout_ms: 8000 },
  {
    /** Mount points to skip (pseudo and container file systems are skipped by type anyway). */
    ignore_mounts: z.array(z.string()).default([]),
    /** File system types to skip, as Telegraf's inputs.disk ignore_fs. */
    ignore_fs: z
      .array(z.string())
      .default(['tmpfs', 'devtmpfs', 'devfs', 'iso9660', 'overlay', 'aufs', 'squashfs', 'proc', 'sysfs', 'cgroup', 'cgroup2']),
    /** Network interfaces to report (exact names); empty means all but loopback. */
    interfaces: z.array(z.string()).default([]),
    /** Disk used_percent at or above which `watchpost check host` warns / goes critical. */
    disk_warn_pct: z.number().min(0).max(100).default(90),
    disk_crit_pct: z.number().min(0).max(100).default(95),
  },
);
export type HostConfig = z.infer<typeof hostSchema>;

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

export const systemHostSource: HostSource = {
  currentLoad: () => si.currentLoad(),
  mem: () => si.mem(),
  fsSize: () => si.fsSize(),
  networkStats: () => si.networkStats('*'),
  loadavg: () => os.loadavg(),
  uptime: () => os.uptime(),
  cpuCount: () => os.availableParallelism(),
  hostname: () => os.hostname(),
};

export function createHostProbe(cfg: HostConfig, source: HostSource = systemHostSource, now = () => Date.now()): Probe {
  const ignoreFs = new Set(cfg.ignore_fs);
  const ignoreMounts = new Set(cfg.ignore_mounts);
  const ifaces = new Set(cfg.interfaces);
  return {
    async collect(signal) {
      const [load, mem, fs, net] = await abortable(
        Promise.all([source.currentLoad(), source.mem(), source.fsSize(), source.networkStats()]),
        signal,
      );
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
      return out;
    },
  };
}

export const hostProbe: ProbeDefinition<HostConfig> = {
  kind: 'host',
  description: 'CPU, memory, disks, network counters, load and uptime (Telegraf cpu/mem/disk/system/net)',
  schema: hostSchema,
  create: (cfg) => createHostProbe(cfg),
  cli: { options: {}, toConfig: () => ({}) },
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
