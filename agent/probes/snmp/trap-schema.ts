import { z } from 'zod';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS } from './client.ts';
import { probeSchema } from '../probe-schema.ts';

export const snmpTrapSchema = probeSchema(
  'snmp_trap',
  { interval_s: 60, timeout_ms: 5000 },
  {
    port: z.number().int().min(1).max(65535).default(162),
    address: z.string().default('0.0.0.0'),
    /** v1/v2c communities accepted; notifications with other communities are dropped and counted. */
    communities: z.array(z.string().min(1)).default(['public']),
    /** v3 users accepted (security level follows from the keys given). */
    users: z
      .array(
        z.strictObject({
          user: z.string().min(1),
          auth_protocol: z.enum(AUTH_PROTOCOLS).default('sha'),
          auth_key: z.string().min(8).optional(),
          priv_protocol: z.enum(PRIV_PROTOCOLS).default('aes'),
          priv_key: z.string().min(8).optional(),
        }),
      )
      .default([]),
    /** Source address → device name, so events carry the same `device` as the poller's samples. */
    devices: z.record(z.string(), z.string()).default({}),
  },
);
export type SnmpTrapConfig = z.infer<typeof snmpTrapSchema>;
