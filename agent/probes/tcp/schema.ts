import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { ipProtocolSchema } from '../http/schema.ts';

export const tcpTargetSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  name: z.string().min(1).max(128).optional(),
  ip_protocol: ipProtocolSchema,
  ip_fallback: z.boolean().default(true),
  dns_ms: z.number().int().positive().max(600_000).default(5_000),
  connect_ms: z.number().int().positive().max(600_000).default(5_000),
  /** Sent after connecting, before reading (for services that speak second). */
  send: z.string().optional(),
  /** Text the banner (what the server sends first, up to 4 KiB) must contain. */
  expect: z.string().min(1).optional(),
  /** How long to wait for the banner. */
  read_ms: z.number().int().positive().max(600_000).default(5_000),
  tags: z.record(z.string(), z.string()).default({}),
});

export const tcpSchema = probeSchema(
  'tcp',
  { interval_s: 60, timeout_ms: 30_000 },
  {
    targets: z.array(tcpTargetSchema).min(1),
    concurrency: z.number().int().min(1).max(1024).default(64),
  },
);

export type TcpConfig = z.infer<typeof tcpSchema>;
export type TcpTarget = z.infer<typeof tcpTargetSchema>;
