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
