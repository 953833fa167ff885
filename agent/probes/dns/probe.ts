import { ExitCode, lazyProbe, type CheckStatus, type ExitCodeValue, type ProbeDefinition } from '../probe.ts';
import type { Sample } from '../../../protocol/sample.ts';
import type { DnsConfig } from './schema.ts';
export type { DnsConfig } from './schema.ts';
import { cli } from './check.ts';

/** CRITICAL for a timeout, an error, an unexpected rcode or missing expected answers. */
export function dnsStatus(samples: Sample[]): CheckStatus {
  let code: ExitCodeValue = ExitCode.OK;
  const lines: string[] = [];
  for (const s of samples) {
    if (s.measurement !== 'dns_query') continue;
    const q = `${s.tags.domain} ${s.tags.record_type} @${s.tags.server}/${s.tags.protocol}`;
    if (Number(s.fields.up) !== 1) {
      code = ExitCode.CRITICAL;
      lines.push(`${q}: ${String(s.fields.error)}`);
    } else lines.push(`${q}: ${s.tags.rcode} ${String(s.fields.answers) || '(no answers)'} in ${Number(s.fields.query_time_ms).toFixed(1)} ms`);
  }
  return { code, summary: lines.join('; ') };
}

export const dnsProbe: ProbeDefinition<DnsConfig> = {
  kind: 'dns',
  description: 'A/AAAA/CNAME/MX/TXT queries to a given server over UDP or TCP: rcode, answers, expected values, response time (Telegraf dns_query)',
  create: (cfg, ctx) => lazyProbe(async () => (await import('./run.ts')).createDnsProbe(cfg, ctx.host, ctx.now)),
  budget: (cfg) => ({
    run_ms: Math.min(cfg.timeout_ms, Math.ceil(cfg.targets.length / cfg.concurrency) * 2 * Math.max(...cfg.targets.map((t) => t.timeout_ms))),
  }),
  status: dnsStatus,
  cli,
};
