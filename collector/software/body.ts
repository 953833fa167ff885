import { z } from 'zod';

/**
 * The body of a `software` document (agent/probes/software/inventory.ts SoftwareDocument),
 * validated on arrival. Lenient where agents may grow (extra keys in os, licences and
 * office are ignored), strict on what the store keys on.
 */
const str = (max: number) => z.string().max(max);

export const softwareItemSchema = z.object({
  name: str(512).min(1),
  version: str(256),
  publisher: str(512),
  arch: str(64),
  install_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
  install_location: str(2048).default(''),
  source: z.enum(['dpkg', 'rpm', 'uos', 'snap', 'flatpak', 'registry', 'msix']),
  scope: str(256).min(1),
});

export const softwareBodySchema = z.object({
  os: z.object({ name: str(256), version: str(128), edition: str(128), activation: str(64) }),
  software: z.array(softwareItemSchema).max(100_000),
  licenses: z
    .array(z.object({ family: z.enum(['windows', 'office']), name: str(512), description: str(1024), activation: str(64) }))
    .max(1000)
    .default([]),
  office: z
    .array(z.object({ kind: z.enum(['c2r', 'msi', 'wps']), product: str(512), version: str(128), activation: str(64) }))
    .max(1000)
    .default([]),
  errors: z.record(str(64), str(256)).default({}),
  read_scopes: z.record(str(64), z.array(str(256)).max(10_000)).optional(),
});

export type SoftwareBody = z.infer<typeof softwareBodySchema>;
export type SoftwareRow = z.infer<typeof softwareItemSchema>;
