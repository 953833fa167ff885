import { int, type Sample } from '../../../protocol/sample.ts';
import { ExitCode, type ExitCodeValue } from '../probe.ts';

const SECRET_PARAM = /^(access_token|token|key|secret|sign|signature|password|passwd|pwd|p|api_key|apikey)$/i;

/** A URL fit for a tag or a message: no user:password@, secret-looking query values blanked. */
export function safeUrl(u: URL): string {
  if (!u.username && !u.password && ![...u.searchParams.keys()].some((k) => SECRET_PARAM.test(k))) return u.href;
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  for (const k of [...c.searchParams.keys()]) if (SECRET_PARAM.test(k)) c.searchParams.set(k, 'secret');
  return c.href.replace(/=secret(?=&|$|#)/g, '=<secret>');
}

/**
 * A domain's registration expiry from the inventory date (`domain_expires: 2027-05-01`), as
 * x509_cert writes a certificate's: expiry in seconds from now, enddate in Unix seconds. The
 * date is taken as the end of that day in UTC+8, when registrars in China let a name lapse.
 */
export function domainSample(domain: string, date: string, tags: Record<string, string>, now: number): Sample {
  const end = Date.parse(`${date}T23:59:59+08:00`);
  return { measurement: 'domain', tags: { ...tags, domain }, fields: { expiry: int((end - now) / 1000), enddate: int(end / 1000), expires: date }, time: now };
}

function num(v: unknown): number | undefined {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined;
}

/**
 * The `watchpost check` verdict on x509_cert and domain samples: CRITICAL for an invalid
 * certificate or an expiry under the smallest threshold, WARNING under the largest.
 * `verify` false (tls_verify off) turns an invalid certificate into a WARNING.
 */
export function expiryVerdicts(samples: Sample[], thresholdsDays: readonly number[], verify: boolean): { code: ExitCodeValue; msgs: string[] } {
  let code: ExitCodeValue = ExitCode.OK;
  const msgs: string[] = [];
  const crit = Math.min(...thresholdsDays);
  const warn = Math.max(...thresholdsDays);
  const raise = (c: ExitCodeValue, m: string) => {
    if (c > code) code = c;
    msgs.push(m);
  };
  for (const s of samples) {
    if (s.measurement === 'x509_cert') {
      if (num(s.fields.up) === 0) continue;
      const who = s.tags.common_name || s.tags.source;
      if (num(s.fields.verification_code) !== 0)
        raise(verify ? ExitCode.CRITICAL : ExitCode.WARNING, `certificate ${who} invalid (${String(s.fields.verification_error)})`);
      const left = num(s.fields.chain_expiry);
      if (left === undefined) continue;
      const days = Math.floor(left / 86400);
      const whose = s.fields.chain_expiry_common_name !== s.tags.common_name ? ` (chain certificate ${String(s.fields.chain_expiry_common_name)})` : '';
      const end = new Date(Number(num(s.fields.chain_enddate)) * 1000).toISOString().slice(0, 10);
      if (left <= 0) raise(ExitCode.CRITICAL, `certificate ${who}${whose} expired ${end}`);
      else if (days < crit) raise(ExitCode.CRITICAL, `certificate ${who}${whose} expires ${end}, ${days} days left`);
      else if (days < warn) raise(ExitCode.WARNING, `certificate ${who}${whose} expires ${end}, ${days} days left`);
      else msgs.push(`certificate ${days} days left`);
    } else if (s.measurement === 'domain') {
      const left = num(s.fields.expiry) ?? 0;
      const days = Math.floor(left / 86400);
      if (left <= 0) raise(ExitCode.CRITICAL, `domain ${s.tags.domain} expired ${String(s.fields.expires)}`);
      else if (days < crit) raise(ExitCode.CRITICAL, `domain ${s.tags.domain} expires ${String(s.fields.expires)}, ${days} days left`);
      else if (days < warn) raise(ExitCode.WARNING, `domain ${s.tags.domain} expires ${String(s.fields.expires)}, ${days} days left`);
    }
  }
  return { code, msgs };
}
