import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const softwareSchema = probeSchema(
  'software',
  { interval_s: 43_200, timeout_ms: 180_000 },
  {
    /** Windows: also list entries marked SystemComponent=1 and built-in (system-signed) MSIX packages. */
    include_system_components: z.boolean().default(false).describe('Windows: also list entries marked SystemComponent=1 and built-in (system-signed) MSIX packages.'),
    /** Windows: also list updates (entries with ParentKeyName or a ReleaseType such as "Security Update"). */
    include_updates: z.boolean().default(false).describe('Windows: also list updates (entries with ParentKeyName or a ReleaseType such as "Security Update").'),
    /**
     * The list is sent again, unchanged, after this long (default once a day), so a collector
     * that lost it (restored from backup, new) gets it back without waiting for a change.
     */
    resend_s: z.number().int().min(600).max(86_400 * 7).default(86_400).describe('The list is sent again, unchanged, after this long (default once a day), so a collector that lost it (restored from backup, new) gets it back without waiting for a change.'),
    /** Linux: where UOS/Deepin app-store apps live (one folder per app id with an `info` JSON). */
    uos_apps_dir: z.string().min(1).default('/opt/apps').describe('Linux: where UOS/Deepin app-store apps live (one folder per app id with an `info` JSON).'),
  },
);
export type SoftwareConfig = z.infer<typeof softwareSchema>;
