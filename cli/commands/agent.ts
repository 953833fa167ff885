import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { deepFreeze } from '../../config/errors.ts';
import type { AgentConfig } from '../../config/schema/agent.ts';
import { createLogger } from '../../lib/log.ts';
import { nodeChildArgs } from '../../lib/node-child.ts';
// Imported up front even by --check-config: the service's pre-start run then fills the compile
// cache for every module the agent will run (deploy/systemd/watchpost-agent.service).
import { startAgent } from '../../agent/main.ts';
import { parse } from '../args.ts';
import type { Command } from '../main.ts';
import { onShutdown } from '../shutdown.ts';

const HELP = `usage: watchpost agent --config agent.yaml [--check-config]

Runs the agent: probes on their schedules, batches into the on-disk outbox, pushed to the
collector. --check-config validates the file, prints the effective config (secrets as
<secret>) and exits.`;

const CLI = path.resolve(import.meta.dirname, '../watchpost.ts');

/** Validates the file with the schemas (yaml, zod: loaded here, in a process that exits). */
async function loadAgentConfig(file: string): Promise<AgentConfig> {
  const { loadConfig } = await import('../../config/load.ts');
  const { agentConfigSchema } = await import('../../config/schema/agent.ts');
  return loadConfig(file, agentConfigSchema);
}

/**
 * The long-running agent gets its config validated by a child process (this command with
 * --emit-config), so that the YAML parser, zod and every probe's schema, ~6 MiB of the
 * agent's resident memory (docs/measurements.md), are never loaded into it. Problems are
 * reported exactly as --check-config reports them: the child's message and exit code.
 */
function validatedInChild(file: string): AgentConfig | number {
  const r = spawnSync(process.execPath, nodeChildArgs(CLI, 'agent', '--config', file, '--emit-config'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    windowsHide: true,
  });
  if (r.error) throw new Error(`cannot validate ${file}: starting ${process.execPath} failed (${r.error.message})`);
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    return r.status ?? 2;
  }
  if (r.stderr) process.stderr.write(r.stderr);
  try {
    return deepFreeze(JSON.parse(r.stdout) as AgentConfig);
  } catch {
    throw new Error(`cannot validate ${file}: the validating process (${process.execPath} … --emit-config) printed no config`);
  }
}

export const command: Command = {
  summary: 'run the agent (probes → outbox → collector)',
  async run(argv) {
    const { values } = parse(argv, { config: { type: 'string', short: 'c' }, 'check-config': { type: 'boolean' }, 'emit-config': { type: 'boolean' } }, false);
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const file = values.config ?? process.env.WATCHPOST_AGENT_CONFIG ?? 'config/agent.example.yaml';
    if (values['check-config']) {
      const cfg = await loadAgentConfig(file);
      const { redact } = await import('../../config/load.ts');
      console.log(JSON.stringify(redact(cfg), null, 2));
      console.error(`${file}: OK`);
      return 0;
    }
    if (values['emit-config']) {
      // Internal: the validated config, secrets included, for the agent process that started
      // this one (validatedInChild). It goes to that process over a pipe, never to a log.
      process.stdout.write(JSON.stringify(await loadAgentConfig(file)));
      return 0;
    }
    const cfg = validatedInChild(file);
    if (typeof cfg === 'number') return cfg;
    const log = createLogger(cfg.agent.log_level, 'watchpost-agent');
    const agent = await startAgent(cfg, log);
    return onShutdown(log, () => agent.stop(10_000));
  },
};
