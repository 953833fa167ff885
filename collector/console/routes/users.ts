import { HttpError, redirect, sendHtml } from '../../http/respond.ts';
import * as pages from '../pages/pages.ts';
import type { ConsoleEnv, ConsolePages } from './request.ts';
import type { Role } from '../../security/users.ts';

/** Console users (admins only): the list and adding one. */
export function registerUserPages(r: ConsolePages, env: ConsoleEnv): void {
  const { users } = env.deps;
  r.add('GET', '/console/users', ({ p, res, headers, need }) => {
    need('admin');
    return sendHtml(res, 200, pages.usersPage(p, users.list()), headers());
  });
  r.add('POST', '/console/users', ({ res, headers, need, actor, field }) => {
    need('admin');
    try {
      users.add(actor, field('username').trim(), field('password'), field('role') as Role);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
    return redirect(res, '/console/users?msg=saved', headers());
  });
}
