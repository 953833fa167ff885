import { mapLimit } from '../../../lib/concurrency.ts';
import os from 'node:os';
import { int, type Sample } from '../../../protocol/sample.ts';
import { decodeStdout, systemPlatform, type Platform } from '../platform/platform.ts';
import { ExitCode, type Probe, type ProbeDefinition } from '../probe.ts';
import { failed, parseFpingC, parseIputils, parseWindowsPing, type PingResult } from './parse.ts';
import type { PingConfig } from './schema.ts';
export type { PingConfig } from './schema.ts';
import { cli } from './check.ts';

export interface PingDeps {
  platform: Platform;
  /** Which of fping / ping exist; looked up once per probe. */
  hasCommand(cmd: string): Promise<boolean>;
}

const linuxPath = ['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin', '/usr/local/sbin'];

function defaultDeps(platform: Platform): PingDeps {
  // Looked up once per probe: installing fping later takes an agent restart.
  const found = new Map<string, Promise<boolean>>();
  const lookup = async (cmd: string) => {
    const dirs = (process.env.PATH ?? '').split(':').concat(linuxPath);
    for (const d of dirs) if (d && (await platform.exists(`${d}/${cmd}`))) return true;
    return false;
  };
  return {
    platform,
    hasCommand(cmd) {
      let p = found.get(cmd);
      if (!p) found.set(cmd, (p = lookup(cmd)));
      return p;
    },
  };
}

/** Sweeps the targets once with the best method available; every target gets a result. */
export async function sweep(cfg: PingConfig, deps: PingDeps, signal?: AbortSignal): Promise<{ method: string; results: PingResult[] }> {
  const targets = [...new Set(cfg.targets)];
  const { platform } = deps;
  if (platform.os === 'windows') return { method: 'ping.exe', results: await mapLimit(targets, cfg.concurrency, (t) => windowsPing(cfg, platform, t, signal)) };
  const useFping = cfg.method === 'fping' || (cfg.method === 'auto' && (await deps.hasCommand('fping')));
  if (useFping) {
    const batches: string[][] = [];
    for (let i = 0; i < targets.length; i += cfg.batch_size) batches.push(targets.slice(i, i + cfg.batch_size));
    const res = await mapLimit(batches, 4, (b) => fping(cfg, platform, b, signal));
    return { method: 'fping', results: res.flat() };
  }
  return { method: 'ping', results: await mapLimit(targets, cfg.concurrency, (t) => systemPing(cfg, platform, t, signal)) };
}

/** fping's argument list for one batch; the bench uses the same for its reference run. */
export function fpingArgs(
  cfg: Pick<PingConfig, 'count' | 'packet_interval_ms' | 'send_interval_ms' | 'reply_timeout_ms'>,
  targets: readonly string[],
): string[] {
  return [
    '-C',
    String(cfg.count),
    '-q',
    '-r',
    '0',
    '-p',
    String(cfg.packet_interval_ms),
    '-i',
    String(cfg.send_interval_ms),
    '-t',
    String(cfg.reply_timeout_ms),
    ...targets,
  ];
}

async function fping(cfg: PingConfig, platform: Platform, targets: string[], signal?: AbortSignal): Promise<PingResult[]> {
  const r = await platform.exec('fping', fpingArgs(cfg, targets), { signal });
  if (r.error_class) return targets.map((t) => failed(t, cfg.count, 2, r.error_class === 'not_found' ? 'tool_missing' : r.error_class));
  // fping exits 0 (all answered), 1 (some did not) or 2 (some names unknown); 3/4 are usage/system errors.
  if (r.code !== null && r.code > 2) return targets.map((t) => failed(t, cfg.count, 2, 'tool_failed'));
  return parseFpingC(r.stderr.toString('utf8'), targets, cfg.count);
}

async function systemPing(cfg: PingConfig, platform: Platform, target: string, signal?: AbortSignal): Promise<PingResult> {
  const args = [
    '-n',
    '-c',
    String(cfg.count),
    '-i',
    String(Math.max(0.2, cfg.packet_interval_ms / 1000)),
    '-W',
    String(Math.max(1, Math.ceil(cfg.reply_timeout_ms / 1000))),
    target,
  ];
  const r = await platform.exec('ping', args, { signal, env: { LC_ALL: 'C' } });
  if (r.error_class) return failed(target, cfg.count, 2, r.error_class === 'not_found' ? 'tool_missing' : r.error_class);
  return parseIputils(r.stdout.toString('utf8'), target, cfg.count, r.code);
}

async function windowsPing(cfg: PingConfig, platform: Platform, target: string, signal?: AbortSignal): Promise<PingResult> {
  const r = await platform.exec('ping.exe', ['-n', String(cfg.count), '-w', String(cfg.reply_timeout_ms), target], { signal });
  if (r.error_class) return failed(target, cfg.count, 2, r.error_class === 'not_found' ? 'tool_missing' : r.error_class);
  return parseWindowsPing(await decodeStdout(platform, r), target, cfg.count);
}

/**
 * What a sweep should take: fping batches (4 at a time) each last count × packet interval plus
 * the reply timeout plus their send pacing; one-process-per-target methods run `concurrency`
 * targets at a time (ping.exe waits ~1 s between packets). Plus 500 ms for process starts.
 */
export function pingBudget(cfg: PingConfig): { run_ms: number } {
  const n = new Set(cfg.targets).size;
  const batch = Math.min(n, cfg.batch_size);
  const fping =
    Math.ceil(Math.ceil(n / cfg.batch_size) / 4) * (cfg.count * cfg.packet_interval_ms + cfg.reply_timeout_ms + batch * cfg.count * cfg.send_interval_ms);
  const each = Math.ceil(n / cfg.concurrency) * (cfg.count * Math.max(1000, cfg.packet_interval_ms) + cfg.reply_timeout_ms);
  const perTarget = process.platform === 'win32' || cfg.method === 'ping';
  return { run_ms: (perTarget ? each : fping) + 500 };
}

export function toSample(r: PingResult, host: string, tags: Record<string, string>, time: number): Sample {
  const fields: Sample['fields'] = {
    packets_transmitted: int(r.transmitted),
    packets_received: int(r.received),
    percent_packet_loss: r.transmitted > 0 ? ((r.transmitted - r.received) / r.transmitted) * 100 : 100,
    result_code: int(r.result_code),
    error_class: r.error_class,
  };
  if (r.rtts.length > 0) {
    const avg = r.rtts.reduce((a, b) => a + b, 0) / r.rtts.length;
    fields.minimum_response_ms = Math.min(...r.rtts);
    fields.average_response_ms = avg;
    fields.maximum_response_ms = Math.max(...r.rtts);
    fields.standard_deviation_ms = Math.sqrt(r.rtts.reduce((a, b) => a + (b - avg) ** 2, 0) / r.rtts.length);
  }
  if (r.ttl !== undefined) fields.ttl = int(r.ttl);
  return { measurement: 'ping', tags: { ...tags, url: r.target, host }, fields, time };
}

export function createPingProbe(cfg: PingConfig, deps: PingDeps = defaultDeps(systemPlatform()), host = os.hostname()): Probe {
  return {
    async collect(signal) {
      const { results } = await sweep(cfg, deps, signal);
      const t = deps.platform.now();
      return results.map((r) => toSample(r, host, cfg.tags, t));
    },
  };
}

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
}

export const pingProbe: ProbeDefinition<PingConfig> = {
  kind: 'ping',
  description: 'reachability, packet loss and min/avg/max RTT per target (Telegraf ping; fping sweeps on Linux, ping.exe on Windows)',
  create: (cfg, ctx) => createPingProbe(cfg, defaultDeps(systemPlatform()), ctx.host ?? os.hostname()),
  budget: pingBudget,
  cli,
  status(samples, cfg) {
    let code: 0 | 1 | 2 = ExitCode.OK;
    const bad: string[] = [];
    let ok = 0;
    for (const s of samples) {
      if (s.measurement !== 'ping') continue;
      const loss = num(s.fields.percent_packet_loss);
      const rtt = num(s.fields.average_response_ms);
      const rc = num(s.fields.result_code);
      let c: 0 | 1 | 2 = ExitCode.OK;
      if (rc === 1 || loss >= cfg.crit_loss_pct || (cfg.crit_rtt_ms > 0 && rtt >= cfg.crit_rtt_ms)) c = ExitCode.CRITICAL;
      else if (loss >= cfg.warn_loss_pct || (cfg.warn_rtt_ms > 0 && rtt >= cfg.warn_rtt_ms)) c = ExitCode.WARNING;
      if (c > code) code = c;
      if (c === ExitCode.OK) ok++;
      else bad.push(rc === 1 ? `${s.tags.url} unknown host` : `${s.tags.url} loss ${loss.toFixed(0)}%${rtt ? ` rtt ${rtt.toFixed(1)} ms` : ''}`);
    }
    const shown = bad.slice(0, 10).join(', ') + (bad.length > 10 ? `, … ${bad.length - 10} more` : '');
    return { code, summary: bad.length ? `${ok} ok, ${bad.length} failing: ${shown}` : `${ok} of ${ok} targets ok` };
  },
};
