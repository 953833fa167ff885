import type { TlsConfig } from './schema.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check tls`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<TlsConfig> = {
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    starttls: { type: 'string' },
    'server-name': { type: 'string' },
    ca: { type: 'string' },
    'expiry-days': { type: 'string', multiple: true },
    'domain-expires': { type: 'string' },
  },
  help: { port: "the TCP port (default 443, or the STARTTLS protocol's)" },
  required: ['host'],
  toConfig(v) {
    const t: Record<string, unknown> = { host: v.host, port: v.port === undefined ? undefined : Number(v.port) };
    if (v.starttls !== undefined) t.starttls = v.starttls;
    if (v['server-name'] !== undefined) t.server_name = v['server-name'];
    if (v.ca !== undefined) t.ca_file = v.ca;
    if (v['expiry-days']) t.expiry_days = (v['expiry-days'] as string[]).flatMap((s) => s.split(',')).map(Number);
    if (v['domain-expires'] !== undefined) t.domain_expires = v['domain-expires'];
    return { targets: [t] };
  },
};
