import type { AntivirusConfig } from './schema.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check antivirus`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<AntivirusConfig> = {
  options: { max_signature_age_days: { type: 'string' } },
  toConfig: (v) => (typeof v.max_signature_age_days === 'string' ? { max_signature_age_days: Number(v.max_signature_age_days) } : {}),
};
