import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const antivirusSchema = probeSchema(
  'antivirus',
  { interval_s: 900, timeout_ms: 60_000 },
  {
    /** Signatures older than this many days count as out of date (where the age is known). */
    max_signature_age_days: z.number().min(0).default(3).describe('Signatures older than this many days count as out of date (where the age is known).'),
  },
);
export type AntivirusConfig = z.infer<typeof antivirusSchema>;
