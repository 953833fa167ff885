import http from 'node:http';
import path from 'node:path';
import pino from 'pino';
import type { UserStore } from '../../../collector/security/users.ts';
import { startCollector, type RunningCollector } from '../../../collector/main.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';

export const XSS = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
export const PASSWORD = 'correct horse battery';

export interface ConsoleCollector {
  c: RunningCollector;
  url: string;
  users: UserStore;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A real collector (every module: alerts, maintenance, inspections, reports, console) on a
 * free loopback port, with users li (engineer), wang (viewer), root (admin), an inventory
 * whose names carry markup, and an inspection rule that fires for the monthly schedule at once.
 */
export async function consoleCollector(extra: Record<string, unknown> = {}, opts: { now?: () => number } = {}): Promise<ConsoleCollector> {
  const dir = tempDir('console');
  const cfg = collectorConfigSchema.parse({
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'data'), log_level: 'silent' },
    inventory: {
      devices: [
        { name: 'sw-a-3f-01', kind: 'switch', building: 'A', floor: '3', room: XSS },
        { name: 'cam-a-3f-lobby', kind: 'camera', building: 'A', floor: '3' },
      ],
    },
    alerts: { rules: [{ name: 'inspection_due', type: 'inspection', due_within_days: 40, severity: 'warning' }] },
    inspections: {
      schedules: [
        {
          id: 'net-a',
          title: 'Building A network',
          kind: 'network',
          every: 'monthly',
          owner: 'Wang',
          scope: { building: 'A' },
          manual_items: ['Cabling tidy', 'Door locked'],
        },
      ],
    },
    reports: { organisation: 'Test Centre 测试中心', contractor: 'Acme' },
    console: { login_max_failures: 3, login_window_s: 60 },
    ...extra,
  });
  const c = await startCollector(cfg, pino({ level: 'silent' }), opts);
  const users = c.modules.console!.users;
  users.add('test', 'li', PASSWORD, 'engineer');
  users.add('test', 'wang', PASSWORD, 'viewer');
  users.add('test', 'root', PASSWORD, 'admin');
  // The inspections module reports the schedule to the alerts engine on its first tick.
  await waitFor('inspection alert', async () => c.modules.alerts!.engine.openAlerts().length > 0, 10_000);
  return {
    c,
    url: c.url,
    users,
    dir,
    async stop() {
      await c.stop();
      removeDir(dir);
    },
  };
}

/** Like fetch with redirect 'manual', from a chosen loopback source address (node:http). */
function fetchFrom(localAddress: string, url: string, init: { method: string; headers: Record<string, string>; body?: string | undefined }): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method, headers: init.headers, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const x of [v ?? []].flat()) h.append(k, x);
        resolve(new Response(res.statusCode === 204 || res.statusCode === 304 ? null : Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: h }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A cookie jar for fetch: follows no redirects, keeps Set-Cookie values; optionally from another loopback address. */
export class Browserless {
  cookies = new Map<string, string>();
  readonly base: string;
  readonly localAddress: string | undefined;
  constructor(base: string, localAddress?: string) {
    this.base = base;
    this.localAddress = localAddress;
  }
  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async req(
    method: string,
    p: string,
    body?: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string; location: string | null; headers: Headers }> {
    const init = {
      method,
      headers: { cookie: this.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      body: body ? new URLSearchParams(body).toString() : undefined,
    };
    const res = this.localAddress ? await fetchFrom(this.localAddress, this.base + p, init) : await fetch(this.base + p, { ...init, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv!.indexOf('=');
      const k = kv!.slice(0, i);
      const v = kv!.slice(i + 1);
      if (/Max-Age=0/.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return { status: res.status, text: await res.text(), location: res.headers.get('location'), headers: res.headers };
  }
  get = (p: string) => this.req('GET', p);
  post = (p: string, body: Record<string, string>, headers?: Record<string, string>) => this.req('POST', p, body, headers);

  /** The CSRF token in a page's forms. */
  static csrf(page: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(page);
    if (!m) throw new Error('no CSRF field on the page');
    return m[1]!;
  }

  async login(user: string, password = PASSWORD): Promise<{ status: number; text: string; location: string | null; headers: Headers }> {
    const page = await this.get('/console/login');
    return this.post('/console/login', { _csrf: Browserless.csrf(page.text), username: user, password });
  }
}
