import { z } from 'zod';

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
export function probeEntry(schemas: Readonly<Record<string, z.ZodType>>) {
  return z.unknown().transform((value, ctx) => {
    const kinds = Object.keys(schemas);
    if (!isRecord(value) || typeof value.kind !== 'string') {
      ctx.addIssue({ code: 'invalid_value', values: kinds, input: isRecord(value) ? value.kind : value, path: ['kind'], message: 'each probe needs a "kind"' });
      return z.NEVER;
    }
    const schema = Object.hasOwn(schemas, value.kind) ? schemas[value.kind] : undefined;
    if (!schema) {
      ctx.addIssue({ code: 'invalid_value', values: kinds, input: value.kind, path: ['kind'], message: `unknown probe kind "${value.kind}"` });
      return z.NEVER;
    }
    const r = schema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, input: undefined } as never);
      return z.NEVER;
    }
    return r.data;
  });
}
