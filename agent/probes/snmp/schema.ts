import { z } from 'zod';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS } from './client.ts';
import { probeSchema } from '../probe-schema.ts';

export const deviceSchema = z.strictObject({
  host: z.string().min(1).describe('The device\'s address or host name.'),
  port: z.number().int().min(1).max(65535).default(161).describe('SNMP port.'),
  /** The `device` tag; defaults to host (host:port when the port is not 161). */
  name: z.string().min(1).optional().describe('The `device` tag; defaults to host (host:port when the port is not 161).'),
  version: z.enum(['1', '2c', '3']).default('2c').describe('SNMP version.'),
  community: z.string().default('public').describe('Community (v1/v2c).'),
  user: z.string().optional().describe('SNMPv3 user.'),
  auth_protocol: z.enum(AUTH_PROTOCOLS).optional().describe('SNMPv3 authentication protocol.'),
  auth_key: z.string().min(8).optional().describe('SNMPv3 authentication key (printed as <secret>).'),
  priv_protocol: z.enum(PRIV_PROTOCOLS).optional().describe('SNMPv3 privacy protocol (des needs NODE_OPTIONS=--openssl-legacy-provider).'),
  priv_key: z.string().min(8).optional().describe('SNMPv3 privacy key (printed as <secret>).'),
  context: z.string().optional().describe('SNMPv3 context name.'),
  request_timeout_ms: z.number().int().positive().max(60_000).default(2000).describe('Timeout of one request.'),
  retries: z.number().int().min(0).max(10).default(1).describe('Retries of a request that timed out.'),
  max_repetitions: z.number().int().min(1).max(200).default(20).describe('Rows asked for per GETBULK.'),
  tags: z.record(z.string(), z.string()).default({}).describe('Tags added to this device\'s samples.'),
});
export type SnmpDeviceConfig = z.infer<typeof deviceSchema>;

export const snmpSchema = probeSchema(
  'snmp',
  { interval_s: 60, timeout_ms: 50_000 },
  {
    devices: z.array(deviceSchema).min(1).describe('The switches and routers to poll.'),
    /** Devices polled at the same time (each is one UDP session). */
    concurrency: z.number().int().min(1).max(1000).default(32).describe('Devices polled at the same time (each is one UDP session).'),
    interfaces: z.boolean().default(true).describe('Read IF-MIB interfaces (the interface measurement).'),
    sensors: z.boolean().default(true).describe('Read environment sensors (the sensor measurement).'),
    lldp: z.boolean().default(true).describe('Read LLDP neighbours (lldp_neighbor).'),
  },
);
export type SnmpConfig = z.infer<typeof snmpSchema>;
