import { ExitCode, lazyProbe, type CheckStatus, type ExitCodeValue, type ProbeDefinition } from '../probe.ts';
import type { Sample } from '../../../protocol/sample.ts';
import { expiryVerdicts } from './expiry.ts';
import type { TlsConfig } from './schema.ts';
export type { TlsConfig } from './schema.ts';
import { cli } from './check.ts';

/** Per target: a failed handshake is CRITICAL, then the certificate's validity and expiry (expiry.ts). */
export function tlsStatus(samples: Sample[], cfg: TlsConfig): CheckStatus {
  let code: ExitCodeValue = ExitCode.OK;
  const lines: string[] = [];
  let i = 0;
  for (const t of cfg.targets) {
    // Each target wrote its x509_cert sample, then a domain sample when it has a date.
    const group = [samples[i++]!];
    if (t.domain_expires) group.push(samples[i++]!);
    const x = group[0]!;
    if (!x) continue;
    if (Number(x.fields.up) === 0) {
      code = ExitCode.CRITICAL;
      lines.push(`${x.tags.source} ${String(x.fields.error)}`);
      continue;
    }
    const v = expiryVerdicts(group, t.expiry_days, true);
    if (v.code > code) code = v.code;
    lines.push(`${x.tags.source} ${String(x.fields.tls_version)} ${String(x.fields.cipher)}, ${v.msgs.join(', ')}`);
  }
  return { code, summary: lines.join('; ') };
}

export const tlsProbe: ProbeDefinition<TlsConfig> = {
  kind: 'tls',
  description:
    'certificates of TLS services (direct TLS or SMTP/IMAP/POP3 STARTTLS): expiry, chain and host name verification, TLS version and cipher (Telegraf x509_cert)',
  create: (cfg, ctx) => lazyProbe(async () => (await import('./run.ts')).createTlsProbe(cfg, ctx.host, ctx.now)),
  budget: (cfg) => {
    const t = cfg.targets[0]!;
    return { run_ms: Math.min(cfg.timeout_ms, Math.ceil(cfg.targets.length / cfg.concurrency) * (t.dns_ms + t.connect_ms + t.starttls_ms + t.tls_ms)) };
  },
  status: tlsStatus,
  cli,
};
