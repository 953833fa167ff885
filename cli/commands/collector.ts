import { loadConfig, redact } from '../../config/load.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { createLogger } from '../../lib/log.ts';
import { startCollector } from '../../collector/main.ts';
import { parse } from '../args.ts';
import type { Command } from '../main.ts';
import { onShutdown } from '../shutdown.ts';

const HELP = `usage: watchpost collector --config collector.yaml [--check-config]

Runs the collector: agent WebSocket endpoint, line-protocol /write, spool, InfluxDB writer,
/healthz and /metrics.`;

export const command: Command = {
  summary: 'run the collector (agents → spool → InfluxDB, state, alerts)',
  async run(argv) {
    const { values } = parse(argv, { config: { type: 'string', short: 'c' }, 'check-config': { type: 'boolean' } }, false);
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const file = values.config ?? process.env.WATCHPOST_COLLECTOR_CONFIG ?? 'config/collector.example.yaml';
    const cfg = loadConfig(file, collectorConfigSchema);
    if (values['check-config']) {
      console.log(JSON.stringify(redact(cfg), null, 2));
      console.error(`${file}: OK`);
      return 0;
    }
    const log = createLogger(cfg.collector.log_level, 'watchpost-collector');
    const c = await startCollector(cfg, log);
    return onShutdown(log, () => c.stop({ flushMs: 5000 }));
  },
};
