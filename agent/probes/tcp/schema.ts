import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { ipProtocolSchema } from '../net/schema.ts';

export const tcpTargetSchema = z.strictObject({
  host: z.string().min(1).max(253).describe('Host name or address.'),
  port: z.number().int().min(1).max(65535).describe('TCP port.'),
  name: z.string().min(1).max(128).optional().describe('A display name (tag target_name).'),
  ip_protocol: ipProtocolSchema.describe('Address family: ip4, ip6 or any.'),
  ip_fallback: z.boolean().default(true).describe('When the preferred family has no address, use the other one.'),
  dns_ms: z.number().int().positive().max(600_000).default(5_000).describe('Name resolution timeout.'),
  connect_ms: z.number().int().positive().max(600_000).default(5_000).describe('Connect timeout.'),
  /** Sent after connecting, before reading (for services that speak second). */
  send: z.string().optional().describe('Sent after connecting, before reading (for services that speak second).'),
  /** Text the banner (what the server sends first, up to 4 KiB) must contain. */
  expect: z.string().min(1).optional().describe('Text the banner (what the server sends first, up to 4 KiB) must contain.'),
  /** How long to wait for the banner. */
  read_ms: z.number().int().positive().max(600_000).default(5_000).describe('How long to wait for the banner.'),
  tags: z.record(z.string(), z.string()).default({}).describe("Tags added to this target's samples."),
});

export const tcpSchema = probeSchema(
  'tcp',
  { interval_s: 60, timeout_ms: 30_000 },
  {
    targets: z.array(tcpTargetSchema).min(1).describe('The services to connect to.'),
    concurrency: z.number().int().min(1).max(1024).default(64).describe('Targets checked at once.'),
  },
);

export type TcpConfig = z.infer<typeof tcpSchema>;
export type TcpTarget = z.infer<typeof tcpTargetSchema>;
