/** Options the web, TLS and TCP checks share. */
import { z } from 'zod';

/** Days before expiry at which a certificate or domain warns; the smallest is critical. Alert rules notify once per threshold crossed. */
export const expiryThresholdsSchema = z
  .array(z.number().int().min(0).max(3650))
  .min(1)
  .max(8)
  .default([30, 14, 7])
  .transform((a) => [...new Set(a)].sort((x, y) => y - x));

export const ipProtocolSchema = z.enum(['any', 'ip4', 'ip6']).default('any');
