import { windowSchema } from '../../../config/schema/alerts.ts';
import { HttpError, redirect, sendHtml } from '../../http/respond.ts';
import { checkDraft, maintenancePage } from '../pages/maintenance-page.ts';
import type { ConsoleEnv, ConsolePages, ConsoleRequest } from './request.ts';
import { t } from '../ui/layout.ts';

/** Maintenance windows: the list and form, adding one, deleting one. */
export function registerMaintenancePages(r: ConsolePages, env: ConsoleEnv): void {
  const { ctx, deps } = env;
  r.add('GET', '/console/maintenance', ({ p, res, headers }) =>
    sendHtml(res, 200, maintenancePage(p, deps.maintenance?.windows(), ctx.inventory.devices, ctx.now()), headers()),
  );
  r.add('POST', '/console/maintenance', (c) => addWindow(env, c));
  r.add('POST', '/console/maintenance/delete', ({ res, headers, need, actor, intField }) => {
    need('engineer');
    const m = deps.maintenance;
    const id = intField('id');
    if (!m?.store.remove(id, actor, ctx.now())) throw new HttpError(404, `no maintenance window ${id}`);
    ctx.audit.append(actor, 'maintenance.delete', `maintenance:${id}`, { via: 'console' });
    return redirect(res, '/console/maintenance?msg=saved', headers());
  });
}

function addWindow({ ctx, deps }: ConsoleEnv, { p, res, headers, need, actor, field, form }: ConsoleRequest) {
  need('engineer');
  const m = deps.maintenance;
  if (!m) throw new HttpError(404, t(p, 'maint_off'));
  const draft = {
    name: field('name'),
    // A multiple select sends targets once per device; scripts may send one comma list.
    targets: (form?.lists?.get('targets') ?? [field('targets')])
      .flatMap((v) => v.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
    all: field('all') === '1',
    start: field('start'),
    end: field('end'),
    reason: field('reason'),
  };
  const checked = checkDraft(p, draft, ctx.inventory.devices);
  // An error goes back to the form with what was typed, in the page's language.
  if (!checked.ok) return sendHtml(res, 400, maintenancePage(p, m.windows(), ctx.inventory.devices, ctx.now(), draft, checked.errors), headers());
  const w = windowSchema.safeParse(checked.window);
  if (!w.success) throw new HttpError(400, w.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const id = m.store.add(w.data, actor, ctx.now());
  ctx.audit.append(actor, 'maintenance.create', `maintenance:${id}`, { ...w.data, via: 'console' });
  return redirect(res, '/console/maintenance?msg=saved', headers());
}
