import type { HostConfig } from './schema.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check host`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<HostConfig> = {
  options: { inventory: { type: 'boolean' } },
  // `watchpost check host` skips the inventory (seconds of work) unless --inventory is given.
  toConfig: (v) => (v.inventory ? {} : { inventory_interval_s: 0 }),
};
