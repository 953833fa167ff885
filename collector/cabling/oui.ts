import { createRequire } from 'node:module';

let table: Record<string, string> | undefined;

/**
 * The IEEE registrant of a MAC's prefix (MA-S, MA-M, then MA-L, longest first), from the
 * oui-data package (the IEEE registry as JSON, pinned in package.json; its version dates the
 * data). Loaded on first use: 5.6 MB that only the collector's register needs. '' when the
 * prefix is not registered or the MAC is locally administered (randomised phone MACs).
 */
export function ouiVendor(mac: string): string {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length < 6) return '';
  if (parseInt(hex[1]!, 16) & 0x2) return '';
  table ??= createRequire(import.meta.url)('oui-data') as Record<string, string>;
  const v = table[hex.slice(0, 9)] ?? table[hex.slice(0, 7)] ?? table[hex.slice(0, 6)];
  return v ? v.split('\n')[0]!.trim() : '';
}
