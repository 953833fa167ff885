import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { cliActor, openState } from '../state.ts';

const HELP = `usage: watchpost enroll NAME [--tag k=v ...] [--config collector.yaml | --data-dir DIR]
       watchpost enroll --rotate NAME | --revoke NAME | --list

Creates an agent identity and prints its token once (the collector keeps only its SHA-256).
Put the token in the agent's config (collector.token or token_file). --rotate issues a new
token and invalidates the old one; --revoke disconnects the agent for good. Every operation
is audit-logged.`;

export const command: Command = {
  summary: 'enrol agents: issue, rotate, revoke and list agent tokens',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      rotate: { type: 'string' },
      revoke: { type: 'string' },
      list: { type: 'boolean' },
      tag: { type: 'string', multiple: true },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const st = openState(values.config, values['data-dir']);
    try {
      if (values.list) {
        for (const a of st.agents.list()) {
          const seen = a.last_seen_ms ? new Date(a.last_seen_ms).toISOString() : 'never';
          console.log(`${a.name}\t${a.revoked_ms ? 'revoked' : 'active'}\tlast seen ${seen}\t${a.hostname ?? ''}\t${a.version ?? ''}`);
        }
        return 0;
      }
      if (values.rotate) {
        console.log(st.agents.rotate(values.rotate, cliActor()));
        return 0;
      }
      if (values.revoke) {
        st.agents.revoke(values.revoke, cliActor());
        console.error(`agent ${values.revoke} revoked`);
        return 0;
      }
      const name = positionals[0];
      if (!name) throw new UsageError('name the agent to enrol (watchpost enroll NAME)');
      const tags: Record<string, string> = {};
      for (const t of values.tag ?? []) {
        const i = t.indexOf('=');
        if (i <= 0) throw new UsageError(`--tag takes key=value, not "${t}"`);
        tags[t.slice(0, i)] = t.slice(i + 1);
      }
      const r = st.agents.enroll(name, cliActor(), tags);
      console.log(r.token);
      console.error(`agent ${name} enrolled; the token above is shown only once`);
      return 0;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      console.error(`watchpost enroll: ${(e as Error).message}`);
      return 1;
    } finally {
      st.db.close();
    }
  },
};
