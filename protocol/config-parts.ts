import { createHash } from 'node:crypto';

/**
 * How a device configuration travels in a `config_changed` event: the SSH probe splits the
 * normalised text into numbered attrs and hashes it; the collector's configs module joins and
 * checks it. Both sides import this module (the wire format lives in protocol/).
 */

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Event attrs hold strings of at most 8192 characters: a config travels in numbered parts. */
export const PART_CHARS = 8000;
export function splitParts(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0, n = 0; i < text.length || n === 0; i += PART_CHARS, n++) out[`config_${n}`] = text.slice(i, i + PART_CHARS);
  return out;
}
export function joinParts(attrs: Record<string, unknown>): string {
  const n = Number(attrs.parts ?? 0);
  let s = '';
  for (let i = 0; i < n; i++) s += String(attrs[`config_${i}`] ?? '');
  return s;
}
