import type http from 'node:http';
import type { Logger } from 'pino';
import { HttpError, sendJson } from './respond.ts';

/** Path parameters by name: `:id` (one segment, or `:id(\d+)` for a pattern) and `*rest` (the rest of the path). */
export type Params = Record<string, string>;

export interface RouteOptions {
  logPath?: (pathname: string) => string;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, params: Params) => void | Promise<void>;

const escapeRe = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/api/alerts/:id(\d+)/ack` → a regex with named groups; undefined for a literal path. */
export function compilePattern(pattern: string): RegExp | undefined {
  const tok = /:(\w+)(?:\(([^)]*)\))?|\*(\w+)/g;
  let src = '';
  let last = 0;
  let any = false;
  for (const m of pattern.matchAll(tok)) {
    any = true;
    src += escapeRe(pattern.slice(last, m.index));
    src += m[3] ? `(?<${m[3]}>.*)` : `(?<${m[1]}>${m[2] ?? '[^/]+'})`;
    last = m.index + m[0].length;
  }
  if (!any) return undefined;
  return new RegExp(`^${src}${escapeRe(pattern.slice(last))}$`);
}

/**
 * Routes by method and path: literal paths first, then patterns in the order they were
 * added. Generic over what a route holds, so the console keeps its own page handlers in one.
 */
export class RouteTable<H> {
  private readonly exact = new Map<string, H>();
  private readonly patterns: { method: string; re: RegExp; h: H }[] = [];

  add(method: string, pattern: string, h: H): void {
    const re = compilePattern(pattern);
    if (re) this.patterns.push({ method, re, h });
    else this.exact.set(`${method} ${pattern}`, h);
  }

  match(method: string, path: string): { h: H; params: Params } | undefined {
    const h = this.exact.get(`${method} ${path}`);
    if (h) return { h, params: {} };
    for (const r of this.patterns) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (m) return { h: r.h, params: { ...m.groups } };
    }
    return undefined;
  }
}

/**
 * The collector's HTTP router: modules register handlers (`route`), the server hands every
 * request to `handle`. A handler throws HttpError for a 4xx; anything else is logged and
 * answered 500. `gate` runs after a route matched and before its handler (the API rate limit);
 * it answers the request itself and returns false to stop it.
 */
export class Router {
  private readonly table = new RouteTable<Handler>();
  private readonly logPaths = new Map<Handler, (pathname: string) => string>();
  private readonly log: Logger;
  private readonly gate: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean;

  private readonly hsts: string | undefined;

  /** `hsts`: the Strict-Transport-Security value sent on every answer (set when serving TLS). */
  constructor(o: { log: Logger; gate?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean; hsts?: string | undefined }) {
    this.log = o.log;
    this.gate = o.gate ?? (() => true);
    this.hsts = o.hsts;
  }

  /**
   * `logPath` rewrites the path before it reaches a log line, for routes that carry a secret
   * in the path itself (the SMS uplink's callback token): it should put `<secret>` there.
   */
  route(method: string, pattern: string, h: Handler, opts: RouteOptions = {}): void {
    this.table.add(method, pattern, h);
    if (opts.logPath) this.logPaths.set(h, opts.logPath);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Set before any route writes its head, so every answer carries it (writeHead merges).
    if (this.hsts) res.setHeader('strict-transport-security', this.hsts);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collector');
    } catch {
      sendJson(res, 400, { error: 'bad request URL' });
      return;
    }
    const found = this.table.match(req.method ?? '', url.pathname);
    if (!found) {
      sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
      return;
    }
    if (!this.gate(req, res, url)) return;
    try {
      await found.h(req, res, url, found.params);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) this.log.error({ err: (e as Error).stack, path: this.logPaths.get(found.h)?.(url.pathname) ?? url.pathname }, 'request handler failed');
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error' : (e as Error).message });
      else res.destroy();
    }
  }
}
