import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { diffLines } from '../../../lib/line-diff.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import { errorClass, ExitCode, type Probe, type ProbeContext, type ProbeDefinition } from '../probe.ts';
import { sha256, splitParts } from '../../../protocol/config-parts.ts';
import { CONFIG_COMMANDS, normalizeConfig } from './config-text.ts';
import { connectSsh, type SshSession, type SshTarget } from './session.ts';
import type { SshConfig, SshTargetConfig } from './schema.ts';
export type { SshConfig, SshTargetConfig } from './schema.ts';

export function createSshProbe(
  cfg: SshConfig,
  ctx: Pick<ProbeContext, 'now' | 'emitEvent' | 'log' | 'stateDir'>,
  connect: (t: SshTarget) => Promise<SshSession> = connectSsh,
): Probe {
  const stateDir = path.join(ctx.stateDir, 'ssh-configs');

  const runTarget = async (tc: SshTargetConfig, signal: AbortSignal): Promise<Sample[]> => {
    const device = tc.name ?? tc.host;
    const base = { device };
    const out: Sample[] = [];
    let session: SshSession | undefined;
    const onAbort = () => session?.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      session = await connect(tc);
      for (const c of tc.checks) {
        const t0 = performance.now();
        const f: Sample['fields'] = {};
        try {
          const r = await session.exec(c.command, c.timeout_ms);
          f.exit_code = int(r.code ?? -1);
          f.ok = r.code === 0 && (!c.expect || new RegExp(c.expect, 'm').test(r.stdout));
          if (c.value_regex) {
            const m = new RegExp(c.value_regex, 'm').exec(r.stdout);
            const v = m?.[1] !== undefined ? Number(m[1]) : NaN;
            if (Number.isFinite(v)) f.value = v;
          }
        } catch (e) {
          f.ok = false;
          f.error_class = errorClass(e);
          // A timed-out exec leaves the connection closed: reconnect for the next command.
          if (f.error_class === 'timeout') session = await connect(tc);
        }
        f.duration_ms = performance.now() - t0;
        out.push({ measurement: 'ssh_check', tags: { ...base, check: c.name }, fields: f, time: ctx.now() });
      }
      if (tc.config_backup) out.push(await backup(tc, device, session, base));
    } catch (e) {
      // The device itself is unreachable / refuses us: one ssh_check row says so.
      out.push({
        measurement: 'ssh_check',
        tags: { ...base, check: 'connect' },
        fields: { ok: false, error_class: signal.aborted ? 'timeout' : errorClass(e) },
        time: ctx.now(),
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
      session?.close();
    }
    return out;
  };

  const backup = async (tc: SshTargetConfig, device: string, session: SshSession, base: Record<string, string>): Promise<Sample> => {
    const cmd = tc.config_command ?? CONFIG_COMMANDS[tc.vendor ?? 'huawei']!;
    const t0 = performance.now();
    const r = await session.exec(cmd, tc.config_timeout_ms);
    const fields: Sample['fields'] = { exit_code: int(r.code ?? -1), duration_ms: performance.now() - t0 };
    if (r.code !== 0 || !r.stdout.trim()) {
      fields.ok = false;
      fields.error_class = 'command_failed';
      return { measurement: 'ssh_check', tags: { ...base, check: 'config_backup' }, fields, time: ctx.now() };
    }
    const text = normalizeConfig(
      r.stdout,
      tc.volatile_lines.map((s) => new RegExp(s)),
    );
    const hash = sha256(text);
    mkdirSync(stateDir, { recursive: true });
    const file = path.join(stateDir, `${encodeURIComponent(device)}.cfg`);
    let previous: string | undefined;
    try {
      previous = readFileSync(file, 'utf8');
    } catch {
      previous = undefined;
    }
    fields.ok = true;
    fields.value = text.split('\n').length - 1;
    if (previous === text)
      return { measurement: 'ssh_check', tags: { ...base, check: 'config_backup' }, fields: { ...fields, changed: false }, time: ctx.now() };
    const parts = splitParts(text);
    const common = { sha256: hash, command: cmd, lines: text.split('\n').length - 1, parts: Object.keys(parts).length, ...parts };
    if (previous === undefined) {
      ctx.emitEvent({
        kind: 'config_backup',
        target: device,
        severity: 'info',
        message: `first config backup of ${device} (${common.lines} lines)`,
        attrs: common,
        time: ctx.now(),
      });
    } else {
      const d = diffLines(previous, text, { from: `${device} ${sha256(previous).slice(0, 12)}`, to: `${device} ${hash.slice(0, 12)}` });
      ctx.emitEvent({
        kind: 'config_changed',
        target: device,
        severity: 'warning',
        message: `configuration of ${device} changed: +${d.added} -${d.removed} lines`,
        attrs: {
          ...common,
          previous_sha256: sha256(previous),
          added: d.added,
          removed: d.removed,
          diff: d.text.length > 8000 ? d.text.slice(0, 7900) + '\n… (diff truncated)\n' : d.text,
        },
        time: ctx.now(),
      });
    }
    // Written only after the event is queued: a crash in between re-reports the change rather than losing it.
    writeFileSync(file, text);
    return { measurement: 'ssh_check', tags: { ...base, check: 'config_backup' }, fields: { ...fields, changed: true }, time: ctx.now() };
  };

  return {
    async collect(signal) {
      const all: Sample[] = [];
      for (const tc of cfg.targets) all.push(...(await runTarget(tc, signal)));
      return all;
    },
  };
}

/**
 * Agentless checks over SSH (servers and switches) and switch configuration backup. Each
 * target: one connection, the configured commands in order (each with its own timeout), then
 * optionally the running config. A config whose normalised text changed since the last run
 * is sent as a `config_changed` event with the diff (first run: `config_backup`), carrying the
 * text so the collector's configs module can keep every version.
 */
export const sshProbe: ProbeDefinition<SshConfig> = {
  kind: 'ssh',
  description: 'Agentless SSH checks (commands with timeouts, parsed values) and switch config backup with change events',
  create: (cfg, ctx) => createSshProbe(cfg, ctx),
  status(samples) {
    const bad = samples.filter((s) => s.measurement === 'ssh_check' && s.fields.ok === false);
    if (bad.length)
      return {
        code: ExitCode.CRITICAL,
        summary: bad.map((s) => `${s.tags.device} ${s.tags.check} failed${s.fields.error_class ? ` (${String(s.fields.error_class)})` : ''}`).join(', '),
      };
    return { code: ExitCode.OK, summary: `${samples.length} checks ok` };
  },
};
