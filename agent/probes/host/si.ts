import type si from 'systeminformation';

let loaded: Promise<typeof si> | undefined;

/**
 * systeminformation, imported on first use. On Linux the host probe's loop reads /proc and
 * never needs it; the inventory (every few hours) and the Windows/macOS loop load it then.
 */
export function loadSi(): Promise<typeof si> {
  return (loaded ??= import('systeminformation').then((m) => m.default));
}
