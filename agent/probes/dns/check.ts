import type { DnsConfig } from './schema.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check dns`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<DnsConfig> = {
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
};
