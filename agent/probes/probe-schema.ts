import { z } from 'zod';

// Config schemas live apart from the probes' code (each probe's schema.ts), so the running
// agent, which gets its config already validated (cli/commands/agent.ts), never loads zod.

/**
 * Builds a probe's strict config schema: the common keys every probe has (with this probe's
 * defaults) plus its own. Unknown keys are errors.
 */
export function probeSchema<K extends string, S extends z.ZodRawShape>(
  kind: K,
  defaults: { interval_s: number; timeout_ms: number },
  shape: S,
) {
  return z.strictObject({
    kind: z.literal(kind).describe('The probe kind.'),
    name: z.string().min(1).max(128).optional().describe('The probe\'s name in logs and watchpost_probe (default: its kind); unique per agent.'),
    interval_s: z.number().positive().max(86400 * 31).default(defaults.interval_s).describe('How often the probe runs.'),
    timeout_ms: z.number().int().positive().max(3_600_000).default(defaults.timeout_ms).describe('How long one run may take.'),
    jitter_pct: z.number().min(0).max(50).default(10).describe('Spread of run times (% of the interval): the first run comes after a random part of it, later runs ± half of it.'),
    tags: z.record(z.string(), z.string()).default({}).describe('Tags added to every sample of this probe.'),
    ...shape,
  });
}
