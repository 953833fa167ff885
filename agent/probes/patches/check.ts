import type { PatchesConfig } from './schema.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check patches`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<PatchesConfig> = {
  options: {
    method: { type: 'string' },
    online_search: { type: 'boolean' },
    warn_security_pending: { type: 'string' },
    crit_security_pending: { type: 'string' },
    warn_days_since_patch: { type: 'string' },
    crit_days_since_patch: { type: 'string' },
  },
  toConfig(v) {
    const out: Record<string, unknown> = {};
    for (const k of ['warn_security_pending', 'crit_security_pending', 'warn_days_since_patch', 'crit_days_since_patch'])
      if (typeof v[k] === 'string') out[k] = Number(v[k]);
    if (typeof v.method === 'string') out.method = v.method;
    if (v.online_search === true) out.online_search = true;
    return out;
  },
};
