import { z } from 'zod';
import type { ProbeDefinition } from '../../agent/probes/probe.ts';

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Inventory location tags: where a thing is in the building. */
export const locationShape = {
  site: z.string().optional(),
  building: z.string().optional(),
  floor: z.string().optional(),
  shaft: z.string().optional(),
  room: z.string().optional(),
  role: z.string().optional(),
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A `probes[]` entry validated by the schema of its own kind, so that an unknown key in a
 * probe is reported at its own path (`probes[2].timeout_msec`) with that probe's fix, rather
 * than as a failed union of every probe kind.
 */
export function probeEntry(list: () => readonly ProbeDefinition[]) {
  return z.unknown().transform((value, ctx) => {
    const kinds = list().map((p) => p.kind);
    if (!isRecord(value) || typeof value.kind !== 'string') {
      ctx.addIssue({ code: 'invalid_value', values: kinds, input: isRecord(value) ? value.kind : value, path: ['kind'], message: 'each probe needs a "kind"' });
      return z.NEVER;
    }
    const def = list().find((p) => p.kind === value.kind);
    if (!def) {
      ctx.addIssue({ code: 'invalid_value', values: kinds, input: value.kind, path: ['kind'], message: `unknown probe kind "${value.kind}"` });
      return z.NEVER;
    }
    const r = def.schema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, input: undefined } as never);
      return z.NEVER;
    }
    return r.data;
  });
}
