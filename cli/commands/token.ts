import { hashToken, newToken } from '../../collector/store/agents.ts';
import { parse } from '../args.ts';
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'make a token (`token new`) or print the SHA-256 of one for config files (`token hash TOKEN`)',
  async run(argv) {
    const { positionals } = parse(argv, {});
    const [sub, token] = positionals;
    if (sub === 'new') {
      const t = newToken();
      console.log(t);
      console.error(`token_sha256: ${hashToken(t)}`);
      return 0;
    }
    if (sub === 'hash' && token) {
      console.log(hashToken(token));
      return 0;
    }
    console.log('usage: watchpost token new | watchpost token hash TOKEN');
    return 2;
  },
};
