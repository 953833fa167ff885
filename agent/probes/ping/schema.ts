import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const pingSchema = probeSchema(
  'ping',
  { interval_s: 60, timeout_ms: 30_000 },
  {
    targets: z.array(z.string().min(1).max(253).regex(/^[^\s-][^\s]*$/, 'a host name or address, no spaces, not starting with -')).min(1).describe('Host names or addresses to ping.'),
    /** Echo requests per target. */
    count: z.number().int().min(1).max(100).default(3).describe('Echo requests per target.'),
    /** Time between two echo requests to the same target (fping -p, ping -i). */
    packet_interval_ms: z.number().int().min(10).max(60_000).default(200).describe('Time between two echo requests to the same target (fping -p, ping -i).'),
    /** Time between any two echo requests sent by fping (-i): 1000 targets × count at this pace. */
    send_interval_ms: z.number().int().min(1).max(1000).default(1).describe('Time between any two echo requests sent by fping (-i): 1000 targets × count at this pace.'),
    /** How long to wait for each reply (fping -t, ping -W, ping.exe -w). */
    reply_timeout_ms: z.number().int().min(10).max(60_000).default(1000).describe('How long to wait for each reply (fping -t, ping -W, ping.exe -w).'),
    /** Targets per fping process. */
    batch_size: z.number().int().min(1).max(10_000).default(500).describe('Targets per fping process.'),
    /** Concurrent ping processes when fping is not used (Windows, or no fping). */
    concurrency: z.number().int().min(1).max(256).default(16).describe('Concurrent ping processes when fping is not used (Windows, or no fping).'),
    method: z.enum(['auto', 'fping', 'ping']).default('auto').describe('fping, the system ping, or auto (fping when installed; ping.exe on Windows).'),
    /** Packet loss (%) at or above which `watchpost check ping` warns / goes critical. */
    warn_loss_pct: z.number().min(0).max(100).default(20).describe('Packet loss (%) at or above which `watchpost check ping` warns / goes critical.'),
    crit_loss_pct: z.number().min(0).max(100).default(100).describe('Packet loss (%) at or above which the check goes critical.'),
    /** Average RTT (ms) at or above which the check warns / goes critical; 0 disables. */
    warn_rtt_ms: z.number().min(0).default(0).describe('Average RTT (ms) at or above which the check warns / goes critical; 0 disables.'),
    crit_rtt_ms: z.number().min(0).default(0).describe('Average RTT (ms) at or above which the check goes critical; 0 disables.'),
  },
);
export type PingConfig = z.infer<typeof pingSchema>;
