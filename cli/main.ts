import { ConfigError } from '../config/errors.ts';
import { VERSION } from '../lib/version.ts';
import { UsageError } from './args.ts';

/** A subcommand: gets its own argv (after the subcommand name) and returns the exit code. */
export type Command = { summary: string; run(argv: string[]): Promise<number> };

/**
 * The subcommands of `watchpost`, loaded lazily so that `watchpost check` does not load the
 * collector. Adding one: a file in cli/commands/ exporting `command`, and one line here.
 */
const commands: Record<string, () => Promise<{ command: Command }>> = {
  agent: () => import('./commands/agent.ts'),
  collector: () => import('./commands/collector.ts'),
  check: () => import('./commands/check.ts'),
  config: () => import('./commands/config.ts'),
  demo: () => import('./commands/demo.ts'),
  enroll: () => import('./commands/enroll.ts'),
  token: () => import('./commands/token.ts'),
  audit: () => import('./commands/audit.ts'),
  ack: () => import('./commands/ack.ts'),
  discover: () => import('./commands/discover.ts'),
  report: () => import('./commands/report.ts'),
  user: () => import('./commands/user.ts'),
  certs: () => import('./commands/certs.ts'),
};

async function usage(): Promise<string> {
  const lines = [`watchpost ${VERSION} — monitoring agent and collector`, '', 'usage: watchpost <command> [options]', ''];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${(await load()).command.summary}`);
  lines.push('', 'Run `watchpost <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    console.log(VERSION);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`watchpost: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  try {
    return await (await load()).command.run(rest);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`watchpost ${name}: invalid configuration\n${e.message}`);
      return 2;
    }
    if (e instanceof UsageError) {
      console.error(`watchpost ${name}: ${e.message}`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
      const where = err.port !== undefined ? `${err.address ?? ''}:${err.port}` : 'the configured address';
      console.error(
        err.code === 'EADDRINUSE'
          ? `watchpost ${name}: ${where} is already in use (another collector or demo, or another service). Stop it, or choose another port: WATCHPOST_PORT=9090 npm start, --port, or collector.listen_port.`
          : `watchpost ${name}: not allowed to listen on ${where} (ports below 1024 need privileges): choose a port above 1024.`,
      );
      return 2;
    }
    throw e;
  }
}
