import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const hostSchema = probeSchema(
  'host',
  { interval_s: 10, timeout_ms: 8000 },
  {
    /** Mount points to skip (pseudo and container file systems are skipped by type anyway). */
    ignore_mounts: z.array(z.string()).default([]).describe('Mount points to skip (pseudo and container file systems are skipped by type anyway).'),
    /** File system types to skip, as Telegraf's inputs.disk ignore_fs. */
    ignore_fs: z
      .array(z.string())
      .default(['tmpfs', 'devtmpfs', 'devfs', 'iso9660', 'overlay', 'aufs', 'squashfs', 'proc', 'sysfs', 'cgroup', 'cgroup2']).describe('File system types to skip, as Telegraf\'s inputs.disk ignore_fs.'),
    /** Network interfaces to report (exact names); empty means all but loopback. */
    interfaces: z.array(z.string()).default([]).describe('Network interfaces to report (exact names); empty means all but loopback.'),
    /** Disk used_percent at or above which `watchpost check host` warns / goes critical. */
    disk_warn_pct: z.number().min(0).max(100).default(90).describe('Disk used_percent at or above which `watchpost check host` warns / goes critical.'),
    disk_crit_pct: z.number().min(0).max(100).default(95).describe('Disk used_percent at or above which `watchpost check host` goes critical.'),
    /** How often the static inventory (host_inventory) is re-read; 0 disables it. */
    inventory_interval_s: z.number().min(0).max(86400 * 7).default(21600).describe('How often the static inventory (host_inventory) is re-read; 0 disables it.'),
  },
);
export type HostConfig = z.infer<typeof hostSchema>;
