import { mapLimit } from '../../../lib/concurrency.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import { ExitCode, type CheckStatus, type ExitCodeValue, type Probe, type ProbeDefinition } from '../probe.ts';
import { connectTcp, phase, PhaseError, resolveHost } from '../net/dial.ts';
import type { TcpConfig, TcpTarget } from './schema.ts';
export type { TcpConfig } from './schema.ts';
import { cli } from './check.ts';

/** Telegraf net_response result codes. */
const RESULT = { success: 0, timeout: 1, connection_failed: 2, read_failed: 3, string_mismatch: 4 } as const;

function readBanner(sock: import('node:net').Socket, want: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return phase('read', timeoutMs, signal, (onCancel) => {
    onCancel(() => sock.destroy());
    return new Promise<string>((resolve, reject) => {
      let buf = '';
      sock.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        if (buf.includes(want) || buf.length >= 4096) resolve(buf);
      });
      sock.once('end', () => resolve(buf));
      sock.once('error', reject);
    });
  });
}

/** One port: connect time, and the banner when an expectation is set (Telegraf net_response, with up and error_class). */
export async function probeTcpTarget(t: TcpTarget, base: Record<string, string>, signal: AbortSignal, now: () => number): Promise<Sample> {
  const tags: Record<string, string> = {
    ...base,
    ...t.tags,
    ...(t.name ? { target_name: t.name } : {}),
    server: t.host,
    port: String(t.port),
    protocol: 'tcp',
  };
  const fields: Sample['fields'] = {};
  let result: keyof typeof RESULT = 'success';
  let sock: import('node:net').Socket | undefined;
  try {
    const addr = await resolveHost(t.host, t.ip_protocol, t.ip_fallback, t.dns_ms, signal);
    const t0 = performance.now();
    sock = await connectTcp(addr.address, t.port, t.connect_ms, signal);
    fields.response_time = (performance.now() - t0) / 1000;
    if (t.expect !== undefined) {
      if (t.send !== undefined) sock.write(t.send);
      try {
        const banner = await readBanner(sock, t.expect, t.read_ms, signal);
        fields.string_found = banner.includes(t.expect);
        fields.banner = banner.slice(0, 200).trim();
        if (!fields.string_found) {
          result = 'string_mismatch';
          fields.error = `banner lacks "${t.expect}"`;
        }
      } catch (e) {
        result = e instanceof PhaseError && e.errorClass === 'timeout' ? 'timeout' : 'read_failed';
        fields.string_found = false;
        fields.error = (e as Error).message;
      }
    }
  } catch (e) {
    const pe = e instanceof PhaseError ? e : new PhaseError('connect', 'internal', String(e));
    result = pe.errorClass === 'timeout' ? 'timeout' : 'connection_failed';
    fields.error_class = pe.errorClass;
    fields.failed_phase = pe.phase;
    fields.error = pe.message;
  } finally {
    sock?.destroy();
  }
  if (result !== 'success' && fields.error_class === undefined) fields.error_class = result;
  tags.result = result;
  fields.result_type = result;
  fields.result_code = int(RESULT[result]);
  fields.up = int(result === 'success' ? 1 : 0);
  return { measurement: 'net_response', tags, fields, time: now() };
}

export function tcpStatus(samples: Sample[]): CheckStatus {
  let code: ExitCodeValue = ExitCode.OK;
  const lines: string[] = [];
  for (const s of samples) {
    const where = `${s.tags.server}:${s.tags.port}`;
    if (Number(s.fields.up) !== 1) {
      code = ExitCode.CRITICAL;
      lines.push(`${where} ${String(s.fields.error ?? s.fields.result_type)}`);
    } else lines.push(`${where} open in ${(Number(s.fields.response_time) * 1000).toFixed(1)} ms`);
  }
  return { code, summary: lines.join('; ') };
}

export function createTcpProbe(cfg: TcpConfig, host: string | undefined, now = () => Date.now()): Probe {
  const base = { ...(host ? { host } : {}), ...cfg.tags };
  return {
    async collect(signal) {
      return mapLimit(cfg.targets, cfg.concurrency, (t) => probeTcpTarget(t, base, signal, now));
    },
  };
}

export const tcpProbe: ProbeDefinition<TcpConfig> = {
  kind: 'tcp',
  description: 'TCP ports: open or not, connect time, optional banner expectation (Telegraf net_response)',
  create: (cfg, ctx) => createTcpProbe(cfg, ctx.host, ctx.now),
  budget: (cfg) => ({
    run_ms: Math.min(
      cfg.timeout_ms,
      Math.ceil(cfg.targets.length / cfg.concurrency) * Math.max(...cfg.targets.map((t) => t.dns_ms + t.connect_ms + t.read_ms)),
    ),
  }),
  status: tcpStatus,
  cli,
};
