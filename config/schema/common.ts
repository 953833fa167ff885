import { z } from 'zod';

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Inventory location tags: where a thing is in the building. */
export const locationShape = {
  site: z.string().optional().describe('Site (location tag).'),
  building: z.string().optional().describe('Building (location tag).'),
  floor: z.string().optional().describe('Floor (location tag).'),
  shaft: z.string().optional().describe('Riser shaft (location tag).'),
  room: z.string().optional().describe('Room (location tag).'),
  role: z.string().optional().describe('Role (location tag: core, access, lobby…).'),
};
