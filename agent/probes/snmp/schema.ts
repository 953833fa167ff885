import { z } from 'zod';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS } from './client.ts';
import { probeSchema } from '../probe-schema.ts';

export const deviceSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(161),
  /** The `device` tag; defaults to host (host:port when the port is not 161). */
  name: z.string().min(1).optional(),
  version: z.enum(['1', '2c', '3']).default('2c'),
  community: z.string().default('public'),
  user: z.string().optional(),
  auth_protocol: z.enum(AUTH_PROTOCOLS).optional(),
  auth_key: z.string().min(8).optional(),
  priv_protocol: z.enum(PRIV_PROTOCOLS).optional(),
  priv_key: z.string().min(8).optional(),
  context: z.string().optional(),
  request_timeout_ms: z.number().int().positive().max(60_000).default(2000),
  retries: z.number().int().min(0).max(10).default(1),
  max_repetitions: z.number().int().min(1).max(200).default(20),
  tags: z.record(z.string(), z.string()).default({}),
});
export type SnmpDeviceConfig = z.infer<typeof deviceSchema>;

export const snmpSchema = probeSchema(
  'snmp',
  { interval_s: 60, timeout_ms: 50_000 },
  {
    devices: z.array(deviceSchema).min(1),
    /** Devices polled at the same time (each is one UDP session). */
    concurrency: z.number().int().min(1).max(1000).default(32),
    interfaces: z.boolean().default(true),
    sensors: z.boolean().default(true),
    lldp: z.boolean().default(true),
  },
);
export type SnmpConfig = z.infer<typeof snmpSchema>;
