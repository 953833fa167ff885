import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { deviceSchema } from '../snmp/schema.ts';

const thresholds = {
  /** Consumed supplies and trays are `low` at or below this percentage. */
  low_pct: z.number().min(0).max(100).optional().describe('Consumed supplies and trays are `low` at or below this percentage.'),
  /** Receptacles (waste toner) are `near_full` at or above this fill percentage. */
  full_pct: z.number().min(0).max(100).optional().describe('Receptacles (waste toner) are `near_full` at or above this fill percentage.'),
  /** `remaining` (RFC 3805: a receptacle's level is its remaining space) or `filled` for devices that report fullness. */
  receptacle_level: z.enum(['remaining', 'filled']).optional().describe('`remaining` (RFC 3805: a receptacle\'s level is its remaining space) or `filled` for devices that report fullness.'),
};

/** One printer, copier or scanner: the snmp probe's device (address, v1/v2c/v3 credentials, timing) plus thresholds. */
export const printerDeviceSchema = deviceSchema.extend(thresholds);
export type PrinterDeviceConfig = z.infer<typeof printerDeviceSchema>;

export const printerSchema = probeSchema(
  'printer',
  { interval_s: 300, timeout_ms: 60_000 },
  {
    devices: z.array(printerDeviceSchema).min(1).describe('The printers, copiers and MFPs.'),
    /** Devices polled at the same time (each is one UDP session). */
    concurrency: z.number().int().min(1).max(1000).default(32).describe('Devices polled at the same time (each is one UDP session).'),
    low_pct: z.number().min(0).max(100).default(10).describe('Consumed supplies and trays are `low` at or below this percentage (per device: low_pct there).'),
    full_pct: z.number().min(0).max(100).default(90).describe('Receptacles (waste toner) are `near_full` at or above this fill percentage.'),
    receptacle_level: z.enum(['remaining', 'filled']).default('remaining').describe('`remaining` (RFC 3805: a receptacle\'s level is its remaining space) or `filled` for devices that report fullness.'),
  },
);
export type PrinterConfig = z.infer<typeof printerSchema>;
