import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const patchesSchema = probeSchema(
  'patches',
  { interval_s: 3600, timeout_ms: 180_000 },
  {
    /** Security updates pending at or above which `watchpost check patches` warns / goes critical. */
    warn_security_pending: z.number().int().min(1).default(1).describe('Security updates pending at or above which `watchpost check patches` warns / goes critical.'),
    crit_security_pending: z.number().int().min(1).default(10).describe('Security updates pending at or above which the check goes critical.'),
    /** Days since the last installed patch at or above which the check warns / goes critical. */
    warn_days_since_patch: z.number().min(1).default(35).describe('Days since the last installed patch at or above which the check warns / goes critical.'),
    crit_days_since_patch: z.number().min(1).default(60).describe('Days since the last installed patch at or above which the check goes critical.'),
    /** Windows: search Windows Update / WSUS online instead of the last scan's cache (slow: minutes). */
    online_search: z.boolean().default(false).describe('Windows: search Windows Update / WSUS online instead of the last scan\'s cache (slow: minutes).'),
    /** Force a method instead of detecting the OS family. */
    method: z.enum(['auto', 'apt', 'dnf', 'windows']).default('auto').describe('Force a method instead of detecting the OS family.'),
    /**
     * Linux: the longest a result is reused while the package state files are unchanged; the
     * package manager runs again after it anyway. 0 runs it on every run. Windows runs every time.
     */
    max_age_s: z.number().min(0).max(86400 * 7).default(14400).describe('Linux: the longest a result is reused while the package state files are unchanged; the package manager runs again after it anyway. 0 runs it on every run. Windows runs every time.'),
  },
);
export type PatchesConfig = z.infer<typeof patchesSchema>;
