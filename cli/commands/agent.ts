import { loadConfig, redact } from '../../config/load.ts';
import { agentConfigSchema } from '../../config/schema/agent.ts';
import { createLogger } from '../../lib/log.ts';
import { startAgent } from '../../agent/main.ts';
import { parse } from '../args.ts';
import type { Command } from '../main.ts';
import { onShutdown } from '../shutdown.ts';

const HELP = `usage: watchpost agent --config agent.yaml [--check-config]

Runs the agent: probes on their schedules, batches into the on-disk outbox, pushed to the
collector. --check-config validates the file, prints the effective config (secrets as
<secret>) and exits.`;

export const command: Command = {
  summary: 'run the agent (probes → outbox → collector)',
  async run(argv) {
    const { values } = parse(argv, { config: { type: 'string', short: 'c' }, 'check-config': { type: 'boolean' } }, false);
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const file = values.config ?? process.env.WATCHPOST_AGENT_CONFIG ?? 'config/agent.example.yaml';
    const cfg = loadConfig(file, agentConfigSchema);
    if (values['check-config']) {
      console.log(JSON.stringify(redact(cfg), null, 2));
      console.error(`${file}: OK`);
      return 0;
    }
    const log = createLogger(cfg.agent.log_level, 'watchpost-agent');
    const agent = await startAgent(cfg, log);
    return onShutdown(log, () => agent.stop(10_000));
  },
};
