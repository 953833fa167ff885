import { z } from 'zod';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS } from './client.ts';
import { probeSchema } from '../probe-schema.ts';

export const snmpTrapSchema = probeSchema(
  'snmp_trap',
  { interval_s: 60, timeout_ms: 5000 },
  {
    port: z.number().int().min(1).max(65535).default(162).describe('UDP port to listen on (162 needs a capability or a redirect: docs/switches.md).'),
    address: z.string().default('0.0.0.0').describe('Address to listen on.'),
    /** v1/v2c communities accepted; notifications with other communities are dropped and counted. */
    communities: z.array(z.string().min(1)).default(['public']).describe('v1/v2c communities accepted; notifications with other communities are dropped and counted.'),
    /** v3 users accepted (security level follows from the keys given). */
    users: z
      .array(
        z.strictObject({
          user: z.string().min(1).describe('SNMPv3 user.'),
          auth_protocol: z.enum(AUTH_PROTOCOLS).default('sha').describe('Its authentication protocol.'),
          auth_key: z.string().min(8).optional().describe('Its authentication key.'),
          priv_protocol: z.enum(PRIV_PROTOCOLS).default('aes').describe('Its privacy protocol.'),
          priv_key: z.string().min(8).optional().describe('Its privacy key.'),
        }),
      )
      .default([]).describe('v3 users accepted (security level follows from the keys given).'),
    /** Source address → device name, so events carry the same `device` as the poller's samples. */
    devices: z.record(z.string(), z.string()).default({}).describe('Source address → device name, so events carry the same `device` as the poller\'s samples.'),
  },
);
export type SnmpTrapConfig = z.infer<typeof snmpTrapSchema>;
