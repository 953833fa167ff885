import type { Sample } from '../../../protocol/sample.ts';
import { ExitCode, lazyProbe, type CheckStatus, type ExitCodeValue, type ProbeDefinition } from '../probe.ts';
import { expiryVerdicts } from '../tls/expiry.ts';
import type { HttpConfig, HttpTarget } from './schema.ts';
export type { HttpConfig } from './schema.ts';
import { cli } from './check.ts';

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
  cli,
};
