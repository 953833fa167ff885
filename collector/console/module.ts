import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { windowSchema } from '../../config/schema/alerts.ts';
import type { InspectionService } from '../inspections/service.ts';
import { InspectionError, type ItemResult } from '../inspections/store.ts';
import type { CollectorContext, CollectorModule } from '../module.ts';
import { LANGS, type Lang } from '../reports/i18n.ts';
import type { ReportService } from '../reports/module.ts';
import { ReportFontError } from '../reports/pdf.ts';
import { localParts, previousMonth } from '../reports/period.ts';
import { HttpError } from '../http/respond.ts';
import { cablingPage } from '../cabling/console.ts';
import type { CablingHandle } from '../cabling/module.ts';
import { type Form, parseCookies, readForm } from '../http/body.ts';
import { redirect, sendFile, sendHtml } from '../http/respond.ts';
import * as pages from './pages.ts';
import { agentsPage } from './agents-page.ts';
import { notificationsPage } from './notifications-page.ts';
import { siteRow, websitesPage } from './websites-page.ts';
import { checkDraft, maintenancePage } from './maintenance-page.ts';
import { inspectionPage, iw } from './inspection-page.ts';
import type { SoftwareService } from '../software/module.ts';
import { isMonth, softwareChanges, softwareMachine, softwareOverview } from '../software/pages.ts';
import * as dp from './device-pages.ts';
import { deviceCharts } from './charts.ts';
import type { Alert, AlertStore } from '../alerts/store.ts';
import type { DeviceService } from '../devices/module.ts';
import { windowCovers, windowIntervals } from '../maintenance/windows.ts';
import type { WindowConfig } from '../../config/schema/alerts.ts';
import type { AlertView, PageCtx, WindowView } from './pages.ts';
import { hasRole, LoginLimiter, type Role, type Session, UserStore } from './users.ts';

/** The parts of the alerts module (AlertsApi) the console uses, looked up at run time. */
interface AlertsLike {
  engine?: { openAlerts(): AlertView[]; get?(id: number): Alert | undefined };
  store?: AlertStore;
  dispatcher?: { recent(limit?: number): Parameters<typeof notificationsPage>[1] };
  acknowledge?(id: number, by: string, via: string, note?: string): unknown;
  smsUsage?(year?: number): Parameters<typeof pages.smsPage>[1];
}
/** The parts of the maintenance module the console uses. */
interface MaintenanceLike {
  windows(): WindowView[];
  store?: { add(w: unknown, actor: string, now: number): number; remove(id: number, actor: string, now: number): boolean };
}

/** jpg or png by the file's magic bytes (never by its name or the browser's content type). */
function photoKind(data: Buffer): 'jpg' | 'png' | undefined {
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return undefined;
}

const SESSION = 'wp_session';
const LOGIN_CSRF = 'wp_lcsrf';
const LANG = 'wp_lang';
const PHOTO_RE = /^[a-f0-9]{32}\.(jpg|png)$/;

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The engineer's web console under /console/: server-rendered pages, no script. */
export function startConsole(ctx: CollectorContext): { users: UserStore } {
  const cfg = ctx.config;
  const cc = cfg.console;
  const users = new UserStore(ctx.db, ctx.audit, ctx.now);
  // Per user name, and (looser, since an office shares one NAT address) per client address.
  const byUser = new LoginLimiter(cc.login_max_failures, cc.login_window_s * 1000, ctx.now);
  const byAddr = new LoginLimiter(cc.login_max_failures * 4, cc.login_window_s * 1000, ctx.now);
  const secure = cc.secure_cookies ?? Boolean(cfg.tls);
  const cookie = (name: string, value: string, maxAgeS?: number) =>
    `${name}=${encodeURIComponent(value)}; Path=/console; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}${maxAgeS !== undefined ? `; Max-Age=${maxAgeS}` : ''}`;
  const dataDir = cfg.collector.data_dir === ':memory:' ? '.' : cfg.collector.data_dir;
  const photoDir = cfg.inspections.photo_dir ?? path.join(dataDir, 'inspection-photos');
  const tz = cfg.reports.timezone;
  const log = ctx.log.child({ component: 'console' });

  const inspections = () => ctx.modules.get('inspections') as InspectionService | undefined;
  const reports = () => ctx.modules.get('reports') as ReportService | undefined;
  const alerts = () => ctx.modules.get('alerts') as AlertsLike | undefined;
  const maintenance = () => ctx.modules.get('maintenance') as MaintenanceLike | undefined;
  const devices = () => ctx.modules.get('devices') as DeviceService | undefined;

  function pageCtx(req: http.IncomingMessage, url: URL, s: Session | undefined, extra: string[]): PageCtx {
    const cookies = parseCookies(req.headers.cookie);
    let lang = (cookies[LANG] as Lang | undefined) ?? cc.default_lang;
    const q = url.searchParams.get('lang') as Lang | null;
    if (q && LANGS.includes(q)) {
      lang = q;
      extra.push(cookie(LANG, q, 365 * 86400));
    }
    if (!LANGS.includes(lang)) lang = cc.default_lang;
    const msg = url.searchParams.get('msg') === 'saved' ? pages.t({ lang } as PageCtx, 'saved') : undefined;
    return { lang, tz, user: s?.user, csrf: s?.csrf, path: url.pathname, msg, canEdit: s ? hasRole(s.user.role, 'engineer') : false };
  }

  function checkOrigin(req: http.IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin && origin !== 'null') {
      let host = '';
      try {
        host = new URL(origin).host;
      } catch {
        /* refused below */
      }
      if (host !== req.headers.host) throw new HttpError(403, 'cross-origin form refused');
    } else if (origin === 'null') throw new HttpError(403, 'cross-origin form refused');
  }

  /** The current local month (the software changes page's default), as YYYY-MM. */
  const thisMonth = (now: number) => {
    const lp = localParts(now, tz);
    return `${lp.y}-${String(lp.m).padStart(2, '0')}`;
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const headers: string[] = [];
    const cookies = parseCookies(req.headers.cookie);
    const sid = cookies[SESSION];
    const session = users.session(sid);
    const p = pageCtx(req, url, session, headers);
    const h = (): Record<string, string | string[]> => (headers.length ? { 'set-cookie': headers } : {});
    const route = url.pathname;
    const post = req.method === 'POST';
    const addr = req.socket.remoteAddress ?? '';
    try {
      if (post) checkOrigin(req);
      if (route === '/console/login') {
        if (!post) {
          const t = randomBytes(24).toString('base64url');
          headers.push(cookie(LOGIN_CSRF, t, 3600));
          return sendHtml(res, 200, pages.loginPage(p, t), h());
        }
        const form = await readForm(req, 16 * 1024);
        if (!sameToken(form.fields.get('_csrf'), cookies[LOGIN_CSRF])) throw new HttpError(403, 'invalid or missing CSRF token: reload the login page');
        const username = (form.fields.get('username') ?? '').trim();
        const userKey = username.toLowerCase();
        const wait = Math.max(byUser.blockedFor(userKey), byAddr.blockedFor(addr));
        const retry = (error: string, status: number) => {
          const t = randomBytes(24).toString('base64url');
          headers.push(cookie(LOGIN_CSRF, t, 3600));
          sendHtml(res, status, pages.loginPage(p, t, error), { ...h(), ...(status === 429 ? { 'retry-after': String(wait) } : {}) });
        };
        if (wait > 0) {
          ctx.audit.append(username || '(empty)', 'console.login_blocked', `user/${username}`, { addr });
          return retry(pages.t(p, 'locked', { s: wait }), 429);
        }
        const user = users.check(username, form.fields.get('password') ?? '');
        if (!user) {
          byUser.fail(userKey);
          byAddr.fail(addr);
          ctx.audit.append(username || '(empty)', 'console.login_failed', `user/${username}`, { addr });
          return retry(pages.t(p, 'bad_login'), 401);
        }
        byUser.reset(userKey);
        const s = users.createSession(user.username, cc.session_ttl_h * 3600_000, addr);
        ctx.audit.append(user.username, 'console.login', `user/${user.username}`, { addr });
        headers.push(cookie(SESSION, s.id, Math.round(cc.session_ttl_h * 3600)), cookie(LOGIN_CSRF, '', 0));
        return redirect(res, '/console/', h());
      }
      if (!session) {
        if (post) throw new HttpError(401, 'not logged in');
        return redirect(res, `/console/login`, h());
      }
      const actor = session.user.username;
      let form: Form | undefined;
      if (post) {
        form = await readForm(req, cfg.inspections.max_photo_bytes + 64 * 1024);
        if (!sameToken(form.fields.get('_csrf'), session.csrf)) throw new HttpError(403, 'invalid or missing CSRF token');
      }
      const need = (r: Role) => {
        if (!hasRole(session.user.role, r)) throw new HttpError(403, pages.t(p, 'forbidden'));
      };
      const field = (k: string) => form?.fields.get(k) ?? '';
      const intField = (k: string) => {
        const n = Number(field(k));
        if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${k} must be a positive integer`);
        return n;
      };

      if (route === '/console/logout' && post) {
        if (sid) users.endSession(sid);
        ctx.audit.append(actor, 'console.logout', `user/${actor}`, {});
        headers.push(cookie(SESSION, '', 0));
        return redirect(res, '/console/login', h());
      }
      if (route === '/console/' && !post) {
        const connected = new Set(ctx.server.connectedAgents());
        const agents = ctx.agents.overview(connected);
        const dev = devices();
        if (!dev) {
          const byTarget = new Map<string, AlertView[]>();
          for (const a of alerts()?.engine?.openAlerts() ?? []) byTarget.set(a.target, [...(byTarget.get(a.target) ?? []), a]);
          return sendHtml(res, 200, pages.overviewPage(p, agents, ctx.inventory.devices, byTarget), h());
        }
        const q = url.searchParams;
        const all = dev.list();
        const shown = dev.list({ status: q.get('status'), kind: q.get('kind'), building: q.get('building'), floor: q.get('floor'), shaft: q.get('shaft'), q: q.get('q') });
        if (q.get('partial') === '1') return sendHtml(res, 200, dp.overviewLive(p, all, shown, ctx.now()).s, h());
        return sendHtml(res, 200, dp.devicesOverviewPage(p, all, shown, q, ctx.now(), pages.t(p, 'overview'), pages.agentsTable(p, agents)), { ...h(), 'content-security-policy': dp.LIVE_CSP });
      }
      const dm = /^\/console\/devices\/(.+)$/.exec(route);
      if (dm && !post) {
        const dev = devices();
        let name = '';
        try {
          name = decodeURIComponent(dm[1]!);
        } catch {
          throw new HttpError(400, 'bad device name');
        }
        const d = dev?.detail(name);
        if (!d) throw new HttpError(404, `no device "${name}"`);
        const g = cc.grafana_url?.replace(/\/$/, '');
        const board = d.kind === 'camera' ? ['cctv', 'camera'] : d.kind === 'switch' || d.kind === 'router' ? ['network', 'switch'] : ['office', 'host'];
        const lang = p.lang === 'en' ? 'en' : 'zh';
        const grafana = g ? `${g}/d/watchpost-${board[0]}-${lang}?var-${board[1]}=${encodeURIComponent(d.name)}${d.building ? `&var-building=${encodeURIComponent(d.building)}` : ''}` : undefined;
        return sendHtml(res, 200, dp.devicePage(p, d, ctx.now(), await deviceCharts(cfg.influxdb, d), grafana), h());
      }
      if (route === '/console/websites' && !post) {
        const dev = devices();
        const rows = (dev?.list() ?? []).map((v) => dev!.detail(v.name)).flatMap((d) => (d ? (siteRow(d) ?? []) : []));
        return sendHtml(res, 200, websitesPage(p, rows), h());
      }
      if (route === '/console/notifications' && !post) {
        return sendHtml(res, 200, notificationsPage(p, alerts()?.dispatcher?.recent(200), url.searchParams.get('channel') || undefined), h());
      }
      if (route === '/console/agents' && !post) {
        return sendHtml(res, 200, agentsPage(p, ctx.agents.overview(new Set(ctx.server.connectedAgents()))), h());
      }
      if (route.startsWith('/console/software') && !post) {
        const sw = ctx.modules.get('software') as SoftwareService | undefined;
        if (route === '/console/software') return sendHtml(res, 200, softwareOverview(p, sw, (url.searchParams.get('q') ?? '').trim().slice(0, 200), ctx.now()), h());
        if (route === '/console/software/machine') return sendHtml(res, 200, softwareMachine(p, sw, url.searchParams.get('agent') ?? ''), h());
        if (route === '/console/software/changes') {
          const m = url.searchParams.get('month');
          return sendHtml(res, 200, softwareChanges(p, sw, isMonth(m) ? m : thisMonth(ctx.now())), h());
        }
      }
      if (route === '/console/alerts' && !post) {
        const a = alerts();
        const open = a?.engine?.openAlerts() as (AlertView & Partial<Alert>)[] | undefined;
        const q = url.searchParams;
        const days = Math.min(366, Math.max(1, Number(q.get('days') ?? 7) || 7));
        const windows = (maintenance()?.windows() ?? []) as unknown as WindowConfig[];
        const row = (x: Alert): dp.AlertRow => {
          const sup = x.suppressed_by !== undefined ? a?.engine?.get?.(x.suppressed_by) : undefined;
          // Silenced: name the maintenance window that covers it now.
          const w = x.silenced && x.state !== 'resolved' ? windows.find((w) => windowCovers(w, x.target, x.labels) && windowIntervals(w, ctx.now(), ctx.now() + 1, cfg.alerts.timezone).length > 0) : undefined;
          return { ...x, suppressor: sup?.target, window: w?.name };
        };
        const resolved = a?.store ? a.store.list({ state: 'resolved', q: q.get('q') || undefined, severity: q.get('severity') || undefined, from: ctx.now() - days * 86_400_000, limit: 200 }) : [];
        const list = open?.map((x) => row(x as Alert)).sort((x, y) => (y.fired_ms ?? y.started_ms) - (x.fired_ms ?? x.started_ms));
        return sendHtml(res, 200, dp.alertListPage(p, list, resolved.map(row), q, ctx.now(), cfg.alerts.sla.resolve_within_s * 1000, pages.t(p, 'alerts')), h());
      }
      if (route === '/console/alerts/ack' && post) {
        need('engineer');
        const a = alerts();
        if (typeof a?.acknowledge !== 'function') throw new HttpError(404, pages.t(p, 'alerts_off'));
        if (!a.acknowledge(intField('id'), actor, 'console', field('note'))) throw new HttpError(409, `alert ${field('id')} is not open`);
        return redirect(res, '/console/alerts?msg=saved', h());
      }
      if (route === '/console/maintenance') {
        const m = maintenance();
        if (!post) return sendHtml(res, 200, maintenancePage(p, m?.windows(), ctx.inventory.devices, ctx.now()), h());
        need('engineer');
        if (!m?.store) throw new HttpError(404, pages.t(p, 'maint_off'));
        const draft = {
          name: field('name'),
          // A multiple select sends targets once per device; scripts may send one comma list.
          targets: (form?.lists?.get('targets') ?? [field('targets')]).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean),
          all: field('all') === '1',
          start: field('start'),
          end: field('end'),
          reason: field('reason'),
        };
        const checked = checkDraft(p, draft, ctx.inventory.devices);
        // An error goes back to the form with what was typed, in the page's language.
        if (!checked.ok) return sendHtml(res, 400, maintenancePage(p, m.windows(), ctx.inventory.devices, ctx.now(), draft, checked.errors), h());
        const w = windowSchema.safeParse(checked.window);
        if (!w.success) throw new HttpError(400, w.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const id = m.store.add(w.data, actor, ctx.now());
        ctx.audit.append(actor, 'maintenance.create', `maintenance:${id}`, { ...w.data, via: 'console' });
        return redirect(res, '/console/maintenance?msg=saved', h());
      }
      if (route === '/console/maintenance/delete' && post) {
        need('engineer');
        const m = maintenance();
        const id = intField('id');
        if (!m?.store?.remove(id, actor, ctx.now())) throw new HttpError(404, `no maintenance window ${id}`);
        ctx.audit.append(actor, 'maintenance.delete', `maintenance:${id}`, { via: 'console' });
        return redirect(res, '/console/maintenance?msg=saved', h());
      }
      const svc = inspections();
      if (route === '/console/inspections' && !post) {
        return sendHtml(res, 200, pages.inspectionsPage(p, svc?.statuses() ?? [], svc?.store.list(50) ?? []), h());
      }
      if (route === '/console/inspections/start' && post) {
        need('engineer');
        if (!svc) throw new HttpError(404, 'inspections are not running');
        const id = await svc.start(actor, field('schedule'));
        return redirect(res, `/console/inspections/${id}`, h());
      }
      const im = /^\/console\/inspections\/(\d+)(?:\/(item|items|sign))?$/.exec(route);
      if (im && svc) {
        const id = Number(im[1]);
        if (!post && !im[2]) {
          const r = svc.store.get(id);
          if (!r) throw new HttpError(404, `no inspection ${id}`);
          return sendHtml(res, 200, inspectionPage(p, r), h());
        }
        if (post && im[2] === 'items') {
          // The whole checklist in one submit: record what changed, then sign if asked.
          need('engineer');
          const r = svc.store.get(id);
          if (!r) throw new HttpError(404, `no inspection ${id}`);
          const manual = r.items.filter((i) => i.mode === 'manual');
          const drafts = new Map(manual.map((i) => [i.seq, { result: field(`result-${i.seq}`), note: field(`note-${i.seq}`).slice(0, 2000) }]));
          const summary = field('summary').slice(0, 4000);
          const again = (status: number, opts: { error: string; missing?: Set<number> }) => sendHtml(res, status, inspectionPage(p, svc.store.get(id) ?? r, { ...opts, drafts, summary }), h());
          const photos = new Map<number, string>();
          for (const i of manual) {
            const f = form?.files.get(`photo-${i.seq}`);
            if (!f) continue;
            const kind = photoKind(f.data);
            if (!kind) return again(415, { error: iw(p, 'bad_photo', { item: i.label }) });
            photos.set(i.seq, kind);
          }
          for (const i of manual) {
            const d = drafts.get(i.seq)!;
            const kind = photos.get(i.seq);
            if (d.result === '' && !kind) continue;
            if (d.result !== '' && !['pass', 'warn', 'fail', 'na'].includes(d.result)) throw new HttpError(400, `result-${i.seq} must be pass, warn, fail or na`);
            const result = (d.result || i.result) as ItemResult | null;
            if (!result) continue; // a photo for an item not checked yet waits for its result
            let photo: string | null = i.photo;
            if (kind) {
              mkdirSync(photoDir, { recursive: true });
              photo = `${randomBytes(16).toString('hex')}.${kind}`;
              writeFileSync(path.join(photoDir, photo), form!.files.get(`photo-${i.seq}`)!.data);
            }
            if (result === i.result && d.note === i.note && photo === i.photo) continue;
            svc.record(actor, id, i.seq, { result, note: d.note, photo });
          }
          if (field('action') === 'sign') {
            const now = svc.store.get(id)!;
            const miss = new Set(now.items.filter((i) => i.mode === 'manual' && i.result === null).map((i) => i.seq));
            if (miss.size) return again(400, { error: iw(p, 'missing', { items: now.items.filter((i) => miss.has(i.seq)).map((i) => i.label).join(p.lang === 'en' ? ', ' : '、') }), missing: miss });
            svc.sign(actor, id, summary);
          }
          return redirect(res, `/console/inspections/${id}?msg=saved`, h());
        }
        if (post && im[2] === 'item') {
          need('engineer');
          const result = field('result') as ItemResult;
          if (!['pass', 'warn', 'fail', 'na'].includes(result)) throw new HttpError(400, 'result must be pass, warn, fail or na');
          let photo: string | null = null;
          const f = form?.files.get('photo');
          if (f) {
            const kind = photoKind(f.data);
            if (!kind) throw new HttpError(415, 'photos must be JPEG or PNG');
            mkdirSync(photoDir, { recursive: true });
            photo = `${randomBytes(16).toString('hex')}.${kind}`;
            writeFileSync(path.join(photoDir, photo), f.data);
          }
          svc.record(actor, id, intField('seq'), { result, note: field('note').slice(0, 2000), photo });
          return redirect(res, `/console/inspections/${id}?msg=saved`, h());
        }
        if (post && im[2] === 'sign') {
          need('engineer');
          svc.sign(actor, id, field('summary').slice(0, 4000));
          return redirect(res, `/console/inspections/${id}?msg=saved`, h());
        }
      }
      const ph = /^\/console\/photos\/([^/]+)$/.exec(route);
      if (ph && !post) {
        if (!PHOTO_RE.test(ph[1]!) || !existsSync(path.join(photoDir, ph[1]!))) throw new HttpError(404, 'no such photo');
        return sendFile(res, readFileSync(path.join(photoDir, ph[1]!)), ph[1]!.endsWith('.png') ? 'image/png' : 'image/jpeg');
      }
      if (route === '/console/problems' && !post) return sendHtml(res, 200, pages.problemsPage(p, svc?.store.problems() ?? []), h());
      if (route === '/console/problems/close' && post) {
        need('engineer');
        if (!svc) throw new HttpError(404, 'inspections are not running');
        svc.store.closeProblem(actor, intField('id'), field('resolution').slice(0, 2000));
        return redirect(res, '/console/problems?msg=saved', h());
      }
      if (route === '/console/reports' && !post) {
        return sendHtml(res, 200, pages.reportsPage(p, previousMonth(ctx.now(), tz), reports()?.runs() ?? []), h());
      }
      if (route === '/console/reports/download' && !post) {
        const month = url.searchParams.get('month') ?? '';
        const lang = (url.searchParams.get('lang') ?? p.lang) as Lang;
        if (!LANGS.includes(lang)) throw new HttpError(400, 'lang must be zh-CN or en');
        const svcR = reports();
        if (!svcR) throw new HttpError(404, 'reports are not running');
        const stored = svcR.runs().find((r) => r.month === month && r.lang === lang);
        let pdf: Buffer;
        try {
          pdf = stored && existsSync(stored.file) ? readFileSync(stored.file) : await svcR.render(month, lang);
        } catch (e) {
          if (e instanceof RangeError || e instanceof ReportFontError) throw new HttpError(400, e.message);
          throw e;
        }
        return sendFile(res, pdf, 'application/pdf', `watchpost-report-${month}-${lang}.pdf`);
      }
      if (route === '/console/sms' && !post) {
        const a = alerts();
        return sendHtml(res, 200, pages.smsPage(p, typeof a?.smsUsage === 'function' ? a.smsUsage() : undefined), h());
      }
      if (route === '/console/users') {
        need('admin');
        if (post) {
          try {
            users.add(actor, field('username').trim(), field('password'), field('role') as Role);
          } catch (e) {
            throw new HttpError(400, (e as Error).message);
          }
          return redirect(res, '/console/users?msg=saved', h());
        }
        return sendHtml(res, 200, pages.usersPage(p, users.list()), h());
      }
      if (route.startsWith('/console/cabling')) {
        const register = (ctx.modules.get('cabling') as CablingHandle | undefined)?.register;
        if (await cablingPage({ route, post, url, res, p, form, actor, need, headers: h, register, audit: ctx.audit, now: ctx.now })) return;
      }
      throw new HttpError(404, `no page ${route}`);
    } catch (e) {
      let status = 500;
      if (e instanceof HttpError) status = e.status;
      else if (e instanceof InspectionError) status = e.code === 'not_found' ? 404 : e.code === 'signed' ? 409 : 400;
      if (status === 500) log.error({ err: (e as Error).stack, path: route }, 'console request failed');
      if (res.headersSent) return void res.destroy();
      const message = status === 500 ? 'internal error' : (e as Error).message;
      // Drain an unread body so the client sees the answer.
      if (!req.complete) req.resume();
      sendHtml(res, status, pages.errorPage(p, status, message), h());
    }
  };
  ctx.server.route('GET', '/console', (_req, res) => redirect(res, '/console/'));
  // A newcomer opens the bare address first: that is the console.
  ctx.server.route('GET', '/', (_req, res) => redirect(res, '/console/'));
  ctx.server.route('GET', '/console/*path', handler);
  ctx.server.route('POST', '/console/*path', handler);
  return { users };
}

/** The console (ctx.modules.get('console') is `{ users }`). Disabled with console.enabled: false. */
export const consoleModule: CollectorModule = {
  name: 'console',
  start(ctx) {
    if (!ctx.config.console.enabled) return undefined;
    return startConsole(ctx);
  },
};
