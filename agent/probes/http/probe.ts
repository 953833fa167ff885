import type { Sample } from '../../../protocol/sample.ts';
import { ExitCode, lazyProbe, type CheckStatus, type ExitCodeValue, type ProbeDefinition } from '../probe.ts';
import { expiryVerdicts } from '../tls/expiry.ts';
import type { HttpConfig, HttpTarget } from './schema.ts';
export type { HttpConfig } from './schema.ts';

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
}

/** Splits a run's samples by target: each target's group starts with its http_response sample. */
export function groupByTarget(samples: Sample[]): Sample[][] {
  const groups: Sample[][] = [];
  for (const s of samples) {
    if (s.measurement === 'http_response' || groups.length === 0) groups.push([s]);
    else groups[groups.length - 1]!.push(s);
  }
  return groups;
}

/** One target's verdict: the request's result, then its certificate and domain, then speed. */
export function targetStatus(group: Sample[], t: HttpTarget): CheckStatus {
  const r = group.find((s) => s.measurement === 'http_response');
  if (!r) return { code: ExitCode.UNKNOWN, summary: `${t.url}: no result` };
  let code: ExitCodeValue = ExitCode.OK;
  const msgs: string[] = [];
  const ms = Math.round(num(r.fields.response_time) * 1000);
  if (num(r.fields.result_code) !== 0) {
    code = ExitCode.CRITICAL;
    msgs.push(String(r.fields.error ?? r.fields.result_type));
  } else msgs.push(`${num(r.fields.http_response_code)} in ${ms} ms${num(r.fields.redirects) ? ` after ${num(r.fields.redirects)} redirects` : ''}`);
  const exp = expiryVerdicts(group, t.expiry_days, t.tls_verify);
  if (exp.code > code) code = exp.code;
  msgs.push(...exp.msgs);
  if (code === ExitCode.OK && t.warn_response_ms > 0 && ms >= t.warn_response_ms) {
    code = ExitCode.WARNING;
    msgs.push(`slow: ${ms} ms >= ${t.warn_response_ms} ms`);
  }
  return { code, summary: `${String(r.tags.server)} ${msgs.join(', ')}` };
}

/** Worst target wins; the summary lists every target's line. */
export function httpStatus(samples: Sample[], cfg: HttpConfig): CheckStatus {
  const groups = groupByTarget(samples);
  let code: ExitCodeValue = ExitCode.OK;
  const lines: string[] = [];
  cfg.targets.forEach((t, i) => {
    const st = targetStatus(groups[i] ?? [], t);
    if (st.code > code) code = st.code;
    lines.push(st.summary);
  });
  return { code, summary: lines.join('; ') };
}

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

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/**
 * Websites and HTTP APIs: status, keyword (after charset decoding), JSON assertions, redirects,
 * blackbox_exporter's phases, and the certificate of every https target (x509_cert). The
 * implementation (node:http, iconv-lite) loads on first run.
 */
export const httpProbe: ProbeDefinition<HttpConfig> = {
  kind: 'http',
  description:
    'websites and HTTP APIs: status, keywords after charset decoding, JSON assertions, redirects, timing phases, certificate (Telegraf http_response + x509_cert)',
  create: (cfg, ctx) => lazyProbe(async () => (await import('./run.ts')).createHttpProbe(cfg, ctx.host, ctx.now)),
  budget: (cfg) => {
    const p = cfg.targets[0]!.phase_timeouts;
    const one = p.dns_ms + p.connect_ms + p.tls_ms + p.processing_ms + p.transfer_ms;
    return { run_ms: Math.min(cfg.timeout_ms, Math.ceil(cfg.targets.length / cfg.concurrency) * one) };
  },
  status: httpStatus,
  cli: {
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
  },
};
