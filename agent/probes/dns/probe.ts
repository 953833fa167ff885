import { ExitCode, lazyProbe, type CheckStatus, type ExitCodeValue, type ProbeDefinition } from '../probe.ts';
import type { Sample } from '../../../protocol/sample.ts';
import type { DnsConfig } from './schema.ts';
export type { DnsConfig } from './schema.ts';

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

/** DNS answers from a given server over UDP or TCP (Telegraf dns_query), with expected values and rcode. */
export const dnsProbe: ProbeDefinition<DnsConfig> = {
  kind: 'dns',
  description: 'A/AAAA/CNAME/MX/TXT queries to a given server over UDP or TCP: rcode, answers, expected values, response time (Telegraf dns_query)',
  create: (cfg, ctx) => lazyProbe(async () => (await import('./run.ts')).createDnsProbe(cfg, ctx.host, ctx.now)),
  budget: (cfg) => ({
    run_ms: Math.min(cfg.timeout_ms, Math.ceil(cfg.targets.length / cfg.concurrency) * 2 * Math.max(...cfg.targets.map((t) => t.timeout_ms))),
  }),
  status: dnsStatus,
  cli: {
    options: {
      server: { type: 'string' },
      port: { type: 'string' },
      domain: { type: 'string' },
      type: { type: 'string' },
      tcp: { type: 'boolean' },
      expect: { type: 'string', multiple: true },
      'expect-rcode': { type: 'string' },
    },
    help: { port: 'the DNS server port (default 53)' },
    required: ['server', 'domain'],
    toConfig(v) {
      const t: Record<string, unknown> = { server: v.server, domain: v.domain };
      if (v.port !== undefined) t.port = Number(v.port);
      if (typeof v.type === 'string') t.record_type = v.type.toUpperCase();
      if (v.tcp) t.transport = 'tcp';
      if (v.expect) t.expect = v.expect;
      if (typeof v['expect-rcode'] === 'string') t.expect_rcode = v['expect-rcode'].toUpperCase();
      return { targets: [t] };
    },
  },
};
