import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig, redact } from '../../config/load.ts';
import { agentConfigSchema } from '../../config/schema/agent.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

const HELP = `usage: watchpost config validate [--kind agent|collector] [--print] FILE...

Validates config files. The kind is guessed from the content (a file with "probes" or a
collector.url is an agent config) unless --kind is given. --print shows the effective
config with defaults applied and secrets as <secret>. Exit 0 when all are valid, 2 if not.`;

function guessKind(file: string): 'agent' | 'collector' {
  try {
    const doc = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    const c = doc?.collector as Record<string, unknown> | undefined;
    if (doc && ('probes' in doc || (c && 'url' in c))) return 'agent';
  } catch {
    /* the real load reports the error with its position */
  }
  return 'collector';
}

export const command: Command = {
  summary: 'validate config files (`watchpost config validate FILE...`)',
  async run(argv) {
    const { values, positionals } = parse(argv, { kind: { type: 'string' }, print: { type: 'boolean' } });
    const [sub, ...files] = positionals;
    if (values.help || sub !== 'validate') {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    if (!files.length) throw new UsageError('name at least one file to validate');
    if (values.kind && values.kind !== 'agent' && values.kind !== 'collector') throw new UsageError('--kind must be agent or collector');
    let bad = 0;
    for (const f of files) {
      const kind = (values.kind as 'agent' | 'collector' | undefined) ?? guessKind(f);
      try {
        const cfg = kind === 'agent' ? loadConfig(f, agentConfigSchema) : loadConfig(f, collectorConfigSchema);
        console.log(`${f}: OK (${kind} config)`);
        if (values.print) console.log(JSON.stringify(redact(cfg), null, 2));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        bad++;
        console.error(`${f}: INVALID (${kind} config)\n${e.message}`);
      }
    }
    return bad ? 2 : 0;
  },
};
