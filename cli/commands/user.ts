import { randomBytes } from 'node:crypto';
import { ROLES, type Role, UserStore } from '../../collector/security/users.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { cliActor, openState } from '../state.ts';

const HELP = `usage: watchpost user add NAME [--role viewer|engineer|admin] [--password-stdin]
       watchpost user passwd NAME [--password-stdin]
       watchpost user disable NAME
       watchpost user list
       (each with [--config collector.yaml | --data-dir DIR])

Console users. Without --password-stdin a random password is generated and printed once.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export const command: Command = {
  summary: 'manage web console users (`user add NAME --role engineer`, passwd, disable, list)',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    });
    const [sub, name] = positionals;
    if (values.help || !sub) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const st = openState(values.config, values['data-dir']);
    try {
      const users = new UserStore(st.db, st.audit);
      const password = async () => (values['password-stdin'] ? await readStdin() : randomBytes(12).toString('base64url'));
      if (sub === 'list') {
        for (const u of users.list()) console.log(`${u.username}\t${u.role}\t${new Date(u.created_ms).toISOString()}${u.disabled_ms ? '\tdisabled' : ''}`);
        return 0;
      }
      if (!name) throw new UsageError(`user ${sub} needs a NAME`);
      try {
        if (sub === 'add') {
          const role = (values.role ?? 'engineer') as Role;
          if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
          const pw = await password();
          users.add(cliActor(), name, pw, role);
          console.error(`user ${name} added (${role})`);
          if (!values['password-stdin']) console.log(pw);
          return 0;
        }
        if (sub === 'passwd') {
          const pw = await password();
          users.setPassword(cliActor(), name, pw);
          if (!values['password-stdin']) console.log(pw);
          return 0;
        }
        if (sub === 'disable') {
          users.disable(cliActor(), name);
          return 0;
        }
      } catch (e) {
        if (e instanceof UsageError) throw e;
        console.error(`watchpost user: ${(e as Error).message}`);
        return 1;
      }
      throw new UsageError(`unknown subcommand "${sub}"`);
    } finally {
      st.db.close();
    }
  },
};
