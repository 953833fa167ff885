import type { TcpConfig } from './schema.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check tcp`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<TcpConfig> = {
  options: { host: { type: 'string' }, port: { type: 'string' }, send: { type: 'string' }, expect: { type: 'string' } },
  help: { port: 'the TCP port to connect to' },
  required: ['host'],
  toConfig(v) {
    const t: Record<string, unknown> = { host: v.host, port: v.port === undefined ? undefined : Number(v.port) };
    if (v.send !== undefined) t.send = String(v.send).replace(/\\r/g, '\r').replace(/\\n/g, '\n');
    if (v.expect !== undefined) t.expect = v.expect;
    return { targets: [t] };
  },
};
