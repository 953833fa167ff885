import { mapLimit } from '../../../lib/concurrency.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import type { Probe } from '../probe.ts';
import { secureContextFor } from '../net/dial.ts';
import { x509Sample } from '../tls/x509.ts';
import { domainSample, safeUrl } from '../tls/expiry.ts';
import { decodeBody } from './charset.ts';
import { httpRequest, type HttpResult, type RequestSpec } from './client.ts';
import { holds, parseAssertion } from './json-path.ts';
import type { HttpConfig, HttpTarget } from './schema.ts';

/** Telegraf http_response result codes, plus too_many_redirects (7), which Telegraf lacks. */
export const RESULT = {
  success: 0,
  response_string_mismatch: 1,
  body_read_error: 2,
  connection_failed: 3,
  timeout: 4,
  dns_error: 5,
  response_status_code_mismatch: 6,
  too_many_redirects: 7,
} as const;
type ResultType = keyof typeof RESULT;

/** The request a target describes; reads its PEM files (a missing file is that target's failure, reported by the caller). */
export async function requestSpec(t: HttpTarget): Promise<RequestSpec> {
  const headers: Record<string, string> = { ...t.headers };
  const has = (n: string) => Object.keys(headers).some((k) => k.toLowerCase() === n);
  const u = new URL(t.url);
  // https://user:password@host/ means Basic auth, as browsers and curl take it.
  if (u.username && !t.basic_auth && !t.bearer_token)
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  if (t.basic_auth) headers.Authorization = `Basic ${Buffer.from(`${t.basic_auth.username}:${t.basic_auth.password}`).toString('base64')}`;
  if (t.bearer_token) headers.Authorization = `Bearer ${t.bearer_token}`;
  if (t.body !== undefined && !has('content-type')) headers['Content-Type'] = t.body_content_type;
  return {
    method: t.method,
    headers,
    body: t.body === undefined ? undefined : Buffer.from(t.body, 'utf8'),
    // Also for http:// URLs: a redirect may lead to https.
    secureContext: await secureContextFor(t),
    tlsVerify: t.tls_verify,
    proxy: t.proxy ? new URL(t.proxy) : undefined,
    ipProtocol: t.ip_protocol,
    ipFallback: t.ip_fallback,
    maxRedirects: t.max_redirects,
    maxBodyBytes: t.max_body_bytes,
    timeouts: t.phase_timeouts,
  };
}

function resultOf(r: HttpResult): ResultType | undefined {
  const e = r.error;
  if (!e) return undefined;
  if (e.errorClass === 'timeout') return 'timeout';
  if (e.errorClass === 'dns_error' || e.phase === 'dns') return 'dns_error';
  if (e.errorClass === 'too_many_redirects') return 'too_many_redirects';
  if (e.phase === 'transfer') return 'body_read_error';
  return 'connection_failed';
}

interface Checked {
  result: ResultType;
  failed: string;
  fields: Sample['fields'];
}

/** Status, body and JSON expectations, in that order; the first failing one is the result. */
export function checkResponse(t: HttpTarget, r: HttpResult): Checked {
  const fields: Sample['fields'] = {};
  const status = r.status ?? 0;
  const statusOk = t.expect_status.length ? t.expect_status.includes(status) : status >= 200 && status < 300;
  fields.response_status_code_match = int(statusOk ? 1 : 0);
  const wantsBody = t.keywords.length + t.keywords_absent.length + t.json_assert.length > 0 || t.regex !== undefined || t.regex_absent !== undefined;
  let failed = statusOk ? '' : `status ${status}`;
  let result: ResultType = statusOk ? 'success' : 'response_status_code_mismatch';
  if (wantsBody) {
    const dec = decodeBody(r.body ?? Buffer.alloc(0), r.headers?.['content-type'] as string | undefined, t.default_charset);
    fields.charset = dec.charset;
    const text = dec.text;
    let bodyFail = '';
    const missing = t.keywords.find((k) => !text.includes(k));
    if (missing !== undefined) bodyFail = `keyword missing: ${missing}`;
    const present = t.keywords_absent.find((k) => text.includes(k));
    if (!bodyFail && present !== undefined) bodyFail = `unwanted keyword present: ${present}`;
    if (!bodyFail && t.regex !== undefined && !new RegExp(t.regex, 'u').test(text)) bodyFail = `regex not matched: ${t.regex}`;
    if (!bodyFail && t.regex_absent !== undefined && new RegExp(t.regex_absent, 'u').test(text)) bodyFail = `unwanted regex matched: ${t.regex_absent}`;
    if (t.keywords.length + t.keywords_absent.length > 0 || t.regex !== undefined || t.regex_absent !== undefined)
      fields.response_string_match = int(bodyFail ? 0 : 1);
    if (t.json_assert.length) {
      let doc: unknown;
      let jsonFail = '';
      try {
        doc = JSON.parse(text);
      } catch {
        jsonFail = 'body is not JSON';
      }
      if (!jsonFail) {
        const bad = t.json_assert.find((a) => !holds(parseAssertion(a), doc));
        if (bad !== undefined) jsonFail = `json assertion failed: ${bad}`;
      }
      fields.json_assert_match = int(jsonFail ? 0 : 1);
      bodyFail ||= jsonFail;
    }
    if (bodyFail && statusOk) {
      failed = bodyFail;
      result = 'response_string_mismatch';
    }
  }
  return { result, failed, fields };
}

/** One target's samples: http_response, x509_cert for https, and domain when an expiry date is known. */
export async function probeTarget(t: HttpTarget, base: Record<string, string>, signal: AbortSignal, now: () => number): Promise<Sample[]> {
  const url = new URL(t.url);
  const server = safeUrl(url);
  const tags: Record<string, string> = { ...base, ...t.tags, ...(t.name ? { target_name: t.name } : {}) };
  let r: HttpResult;
  let configError = '';
  const started = performance.now();
  try {
    r = await httpRequest(url, await requestSpec(t), signal);
  } catch (e) {
    // Only loading the target's PEM files can throw here: the request itself reports, never throws.
    configError = `${(e as NodeJS.ErrnoException).code ?? 'error'} loading ca_file/cert_file/key_file`;
    r = { finalUrl: url, redirects: 0, wireBytes: 0, phases: { dns: 0, connect: 0, tls: 0, processing: 0, transfer: 0 } };
  }
  const elapsed = (performance.now() - started) / 1000;
  const time = now();
  const fields: Sample['fields'] = {
    response_time: elapsed,
    dns_time_s: r.phases.dns / 1000,
    connect_time_s: r.phases.connect / 1000,
    tls_time_s: r.phases.tls / 1000,
    processing_time_s: r.phases.processing / 1000,
    transfer_time_s: r.phases.transfer / 1000,
    redirects: int(r.redirects),
    final_url: safeUrl(r.finalUrl),
  };
  let result: ResultType;
  let failed = '';
  let errorClass = '';
  if (configError) {
    result = 'connection_failed';
    failed = configError;
    errorClass = 'config';
  } else if (r.error && r.error.errorClass !== 'too_many_redirects') {
    result = resultOf(r)!;
    failed = r.error.message;
    errorClass = r.error.errorClass;
    fields.failed_phase = r.error.phase;
  } else if (r.error) {
    result = 'too_many_redirects';
    failed = r.error.message;
    errorClass = 'too_many_redirects';
  } else {
    const c = checkResponse(t, r);
    Object.assign(fields, c.fields);
    result = c.result;
    failed = c.failed;
    errorClass = c.result === 'success' ? '' : c.result;
  }
  if (r.status !== undefined) {
    fields.http_response_code = int(r.status);
    fields.content_length = int(r.wireBytes);
  }
  fields.result_type = result;
  fields.result_code = int(RESULT[result]);
  fields.up = int(result === 'success' ? 1 : 0);
  if (errorClass) fields.error_class = errorClass;
  if (failed) fields.error = failed;
  const out: Sample[] = [
    {
      measurement: 'http_response',
      tags: { ...tags, server, method: t.method, result: result, ...(r.status !== undefined ? { status_code: String(r.status) } : {}) },
      fields,
      time,
    },
  ];
  if (r.tls) out.push(x509Sample(r.tls, r.tlsSource!, tags, time));
  if (t.domain_expires) out.push(domainSample(url.hostname, t.domain_expires, tags, time));
  // The target's own thresholds travel with the samples, for the collector's expiry rules.
  for (const s of out.slice(1)) s.fields.expiry_thresholds_days = t.expiry_days.join(',');
  return out;
}

export function createHttpProbe(cfg: HttpConfig, host: string | undefined, now = () => Date.now()): Probe {
  const base = { ...(host ? { host } : {}), ...cfg.tags };
  return {
    async collect(signal) {
      const per = await mapLimit(cfg.targets, cfg.concurrency, (t) => probeTarget(t, base, signal, now));
      return per.flat();
    },
  };
}
