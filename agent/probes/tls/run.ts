import os from 'node:os';
import { mapLimit } from '../../../lib/concurrency.ts';
import type { Sample } from '../../../protocol/sample.ts';
import type { Probe } from '../probe.ts';
import { connectTcp, handshake, PhaseError, resolveHost, secureContextFor, trustAnchorsOf } from '../net/dial.ts';
import { domainSample } from './expiry.ts';
import type { TlsConfig, TlsTarget } from './schema.ts';
import { startTls } from './starttls.ts';
import { inspectTls, x509Failed, x509Sample } from './x509.ts';

/** The source tag, as Telegraf's x509_cert writes it: scheme://host:port. */
export function tlsSource(t: TlsTarget): string {
  const h = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.starttls === 'none' ? 'tcp' : t.starttls}://${h}:${t.port}`;
}

/** One TLS service: dial, optional STARTTLS, handshake, then the x509_cert sample (up=0 with error_class when it failed). */
export async function probeTlsTarget(t: TlsTarget, base: Record<string, string>, signal: AbortSignal, now: () => number): Promise<Sample[]> {
  const tags = { ...base, ...t.tags, ...(t.name ? { target_name: t.name } : {}) };
  const source = tlsSource(t);
  const name = t.server_name ?? t.host;
  const times = { connect: 0, starttls: 0, tls: 0 };
  let sock: import('node:net').Socket | undefined;
  const out: Sample[] = [];
  try {
    const secureContext = await secureContextFor(t).catch((e: NodeJS.ErrnoException) => {
      throw new PhaseError('config', 'config', `${e.code ?? 'error'} loading ca_file/cert_file/key_file`);
    });
    const addr = await resolveHost(t.host, t.ip_protocol, t.ip_fallback, t.dns_ms, signal);
    let t0 = performance.now();
    sock = await connectTcp(addr.address, t.port, t.connect_ms, signal);
    times.connect = performance.now() - t0;
    let banner = '';
    if (t.starttls !== 'none') {
      t0 = performance.now();
      banner = await startTls(sock, t.starttls, os.hostname(), t.starttls_ms, signal);
      times.starttls = performance.now() - t0;
    }
    t0 = performance.now();
    const s = await handshake(sock, { servername: name, secureContext }, t.tls_ms, signal);
    sock = s;
    times.tls = performance.now() - t0;
    const sample = x509Sample(inspectTls(s, name, trustAnchorsOf(s)), source, tags, now());
    sample.fields.connect_time_s = times.connect / 1000;
    sample.fields.tls_time_s = times.tls / 1000;
    if (t.starttls !== 'none') {
      sample.fields.starttls_time_s = times.starttls / 1000;
      sample.fields.banner = banner.slice(0, 200);
    }
    out.push(sample);
  } catch (e) {
    const pe = e instanceof PhaseError ? e : new PhaseError('tls', 'internal', String(e));
    const f = x509Failed(source, tags, pe.errorClass, now());
    f.fields.failed_phase = pe.phase;
    f.fields.error = pe.message;
    out.push(f);
  } finally {
    sock?.destroy();
  }
  if (t.domain_expires) out.push(domainSample(name, t.domain_expires, tags, now()));
  // The target's own thresholds travel with the samples, for the collector's expiry rules.
  for (const s of out) if (Number(s.fields.up ?? 1) === 1) s.fields.expiry_thresholds_days = t.expiry_days.join(',');
  return out;
}

export function createTlsProbe(cfg: TlsConfig, host: string | undefined, now = () => Date.now()): Probe {
  const base = { ...(host ? { host } : {}), ...cfg.tags };
  return {
    async collect(signal) {
      return (await mapLimit(cfg.targets, cfg.concurrency, (t) => probeTlsTarget(t, base, signal, now))).flat();
    },
  };
}
