import { parse } from '../args.ts';
import type { Command } from '../main.ts';
import { openState } from '../state.ts';

export const command: Command = {
  summary: 'show (`audit list`) or verify (`audit verify`) the tamper-evident audit log',
  async run(argv) {
    const { values, positionals } = parse(argv, { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' }, limit: { type: 'string' } });
    const sub = positionals[0];
    if (values.help || (sub !== 'verify' && sub !== 'list')) {
      console.log('usage: watchpost audit verify|list [--config collector.yaml | --data-dir DIR] [--limit N]');
      return values.help ? 0 : 2;
    }
    const st = openState(values.config, values['data-dir']);
    try {
      if (sub === 'list') {
        for (const e of st.audit.list(Number(values.limit ?? 50)).reverse()) {
          console.log(`${e.seq}\t${new Date(e.time_ms).toISOString()}\t${e.actor}\t${e.action}\t${e.target}\t${e.details}`);
        }
        return 0;
      }
      const r = st.audit.verify();
      if (r.ok) {
        console.log(`audit log OK: ${r.entries} entries, hash chain intact`);
        return 0;
      }
      console.log(`audit log BROKEN at entry ${r.seq}: ${r.reason}`);
      return 2;
    } finally {
      st.db.close();
    }
  },
};
