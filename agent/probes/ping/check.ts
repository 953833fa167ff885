import type { PingConfig } from './schema.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check ping`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<PingConfig> = {
  options: {
    target: { type: 'string', multiple: true },
    count: { type: 'string' },
    method: { type: 'string' },
    reply_timeout_ms: { type: 'string' },
    warn_loss_pct: { type: 'string' },
    crit_loss_pct: { type: 'string' },
    warn_rtt_ms: { type: 'string' },
    crit_rtt_ms: { type: 'string' },
  },
  toConfig(v) {
    const out: Record<string, unknown> = { targets: v.target ?? [] };
    for (const k of ['count', 'reply_timeout_ms', 'warn_loss_pct', 'crit_loss_pct', 'warn_rtt_ms', 'crit_rtt_ms']) {
      if (typeof v[k] === 'string') out[k] = Number(v[k]);
    }
    if (typeof v.method === 'string') out.method = v.method;
    return out;
  },
  required: ['target'],
};
