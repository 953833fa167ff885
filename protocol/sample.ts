/**
 * A sample is one measurement at one instant, as a probe produces it and as the collector
 * writes it: Telegraf's metric model (measurement, tags, fields, time).
 *
 * Integer fields are bigint so that 64-bit counters (ifHCInOctets) survive intact and are
 * written as InfluxDB integers (`123i`), matching what Telegraf writes for the same field;
 * a float for a field InfluxDB already holds as an integer is a type conflict there.
 */
export type FieldValue = number | bigint | string | boolean;

export interface Sample {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Milliseconds since the Unix epoch. */
  time: number;
}

/** Integer field helper: rounds a number towards zero and makes it an InfluxDB integer. */
export function int(value: number): bigint {
  return BigInt(Math.trunc(value));
}

/** An event is something that happened (trap received, reboot detected, config changed). */
export interface Event {
  kind: string;
  /** What the event is about: a device, a port, a camera (for dedup and alert targets). */
  target: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  attrs: Record<string, string | number | boolean>;
  time: number;
}
