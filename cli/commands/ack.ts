import { loadConfig } from '../../config/load.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { cliActor } from '../state.ts';

const HELP = `usage: watchpost ack <alert-id> [--collector URL | --config collector.yaml] [--token TOKEN] [--by NAME]

Acknowledges an open alert through the collector's API (POST /api/alerts/<id>/ack): stops
escalation and repeats, records who and when in the audit log. The token is one of
alerts.api_tokens (or WATCHPOST_API_TOKEN); the URL defaults to collector.public_url, or
listen_host:listen_port of --config. Prints the result as JSON.`;

export const command: Command = {
  summary: 'acknowledge an alert (stops escalation; audit-logged)',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      collector: { type: 'string' },
      config: { type: 'string', short: 'c' },
      token: { type: 'string' },
      by: { type: 'string' },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const id = positionals[0];
    if (!id || !/^\d+$/.test(id)) throw new UsageError('give the numeric alert id: watchpost ack <id>');
    let base = values.collector ?? process.env.WATCHPOST_COLLECTOR_URL;
    if (!base && values.config) {
      const c = loadConfig(values.config, collectorConfigSchema);
      base =
        c.collector.public_url ??
        `${c.tls ? 'https' : 'http'}://${c.collector.listen_host === '0.0.0.0' ? '127.0.0.1' : c.collector.listen_host}:${c.collector.listen_port}`;
    }
    if (!base) throw new UsageError('say which collector: --collector URL or --config collector.yaml');
    const token = values.token ?? process.env.WATCHPOST_API_TOKEN;
    if (!token) throw new UsageError('an API token is needed: --token or WATCHPOST_API_TOKEN (one of alerts.api_tokens)');
    const res = await fetch(new URL(`/api/alerts/${id}/ack`, base), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: values.by ?? cliActor(), via: 'cli' }),
    });
    const body = await res.text();
    if (res.ok) {
      console.log(body);
      return 0;
    }
    console.error(`watchpost ack: ${res.status} ${body}`);
    return res.status === 404 || res.status === 409 ? 1 : 2;
  },
};
