import { cablingPage } from '../../cabling/console.ts';
import { HttpError } from '../../http/respond.ts';
import type { ConsoleEnv, ConsolePages, ConsoleRequest } from './request.ts';

/** The cabling register's pages (collector/cabling/console.ts): everything under /console/cabling. */
export function registerCablingPages(r: ConsolePages, env: ConsoleEnv): void {
  const page = async (c: ConsoleRequest) => {
    const route = c.url.pathname;
    const a = { route, post: c.req.method === 'POST', url: c.url, res: c.res, p: c.p, form: c.form, actor: c.actor, need: c.need, headers: c.headers };
    if (await cablingPage({ ...a, register: env.deps.cabling?.register, audit: env.ctx.audit, now: env.ctx.now })) return;
    throw new HttpError(404, `no page ${route}`);
  };
  r.add('GET', '/console/cabling*rest', page);
  r.add('POST', '/console/cabling*rest', page);
}
