import type { HttpConfig } from './schema.ts';

import type { ProbeCli } from '../probe.ts';

/** `--header 'K: V'` pairs as a headers record; a pair without a colon keeps its text as the name so validation names it. */
export function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i < 0) out[h] = '';
    else out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** `watchpost check http`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<HttpConfig> = {
  options: {
    url: { type: 'string', multiple: true },
    method: { type: 'string' },
    header: { type: 'string', multiple: true },
    body: { type: 'string' },
    keyword: { type: 'string', multiple: true },
    'keyword-absent': { type: 'string', multiple: true },
    regex: { type: 'string' },
    'json-assert': { type: 'string', multiple: true },
    'expect-status': { type: 'string', multiple: true },
    ca: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    insecure: { type: 'boolean' },
    proxy: { type: 'string' },
    ip: { type: 'string' },
    'max-redirects': { type: 'string' },
    'expiry-days': { type: 'string', multiple: true },
    'domain-expires': { type: 'string' },
    'warn-response-ms': { type: 'string' },
  },
  help: { url: 'the page or API to check (repeatable)', method: 'GET (default), HEAD, POST, PUT…' },
  required: ['url'],
  toConfig(v) {
    const target: Record<string, unknown> = {};
    const set = (k: string, val: unknown) => {
      if (val !== undefined) target[k] = val;
    };
    set('method', typeof v.method === 'string' ? v.method.toUpperCase() : undefined);
    if (v.header) target.headers = parseHeaders(strs(v.header));
    set('body', v.body);
    if (v.keyword) target.keywords = strs(v.keyword);
    if (v['keyword-absent']) target.keywords_absent = strs(v['keyword-absent']);
    set('regex', v.regex);
    if (v['json-assert']) target.json_assert = strs(v['json-assert']);
    if (v['expect-status'])
      target.expect_status = strs(v['expect-status'])
        .flatMap((s) => s.split(','))
        .map(Number);
    set('ca_file', v.ca);
    set('cert_file', v.cert);
    set('key_file', v.key);
    if (v.insecure) target.tls_verify = false;
    set('proxy', v.proxy);
    set('ip_protocol', v.ip === '4' ? 'ip4' : v.ip === '6' ? 'ip6' : v.ip);
    if (v['max-redirects'] !== undefined) target.max_redirects = Number(v['max-redirects']);
    if (v['expiry-days'])
      target.expiry_days = strs(v['expiry-days'])
        .flatMap((s) => s.split(','))
        .map(Number);
    set('domain_expires', v['domain-expires']);
    if (v['warn-response-ms'] !== undefined) target.warn_response_ms = Number(v['warn-response-ms']);
    return { targets: strs(v.url).map((url) => ({ url, ...target })) };
  },
};
