import { z } from 'zod';
import { probeByKind, probes } from '../../agent/probes/index.ts';
import { schemaOf } from '../../agent/probes/schemas.ts';
import { abortable, ExitCode, errorClass, timeoutSignal, type CheckExtra, type ProbeBaseConfig, type ProbeDefinition } from '../../agent/probes/probe.ts';
import { ConfigError, formatPath } from '../../config/load.ts';
import { createLogger } from '../../lib/log.ts';
import { encodeLine } from '../../protocol/line-protocol.ts';
import type { Event, Sample } from '../../protocol/sample.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import os from 'node:os';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';

const STATUS = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** JSON-safe copy of samples: integers that do not fit a double become strings. */
export function samplesToJson(samples: Sample[]): unknown[] {
  return samples.map((s) => ({
    measurement: s.measurement,
    tags: s.tags,
    fields: Object.fromEntries(
      Object.entries(s.fields).map(([k, v]) => [k, typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v]),
    ),
    time: s.time,
  }));
}

/**
 * Runs one probe once and prints its samples, like `telegraf --test`: line protocol by
 * default, JSON with --json. The exit code follows the Monitoring Plugins convention, so
 * the command also serves as a Nagios/Zabbix external check.
 */
export async function runCheck(def: ProbeDefinition, raw: Record<string, unknown>, format: 'line' | 'json', prepared?: unknown): Promise<number> {
  const parsed = schemaOf(def.kind)!.safeParse({ kind: def.kind, ...raw });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ file: 'command line', line: 0, column: 0, path: formatPath(i.path), message: i.message, fix: `see \`watchpost check ${def.kind} --help\`` })),
    );
  }
  const cfg = parsed.data as ProbeBaseConfig;
  const log = createLogger(process.env.WATCHPOST_LOG_LEVEL ?? 'warn', `check-${def.kind}`);
  const events: Event[] = [];
  const extra: Sample[] = [];
  const documents = new Map<string, unknown>();
  const checkExtra: CheckExtra = { documents, prepared: prepared };
  const probe = def.create(cfg, {
    log,
    now: Date.now,
    emitEvent: (e) => events.push(e),
    emitSamples: (s) => extra.push(...s),
    stateDir: process.env.WATCHPOST_STATE_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'watchpost-check-')),
    emitDocument(kind, body) {
      documents.set(kind, body);
      return { hash: '', queued: false };
    },
  });
  let samples: Sample[] = [];
  let status: { code: 0 | 1 | 2 | 3; summary: string };
  const timeout = timeoutSignal(cfg.timeout_ms);
  try {
    samples = await abortable(probe.collect(timeout.signal), timeout.signal);
    samples.push(...extra);
    status = def.status ? def.status(samples, cfg, checkExtra) : { code: ExitCode.OK, summary: `${samples.length} samples` };
  } catch (e) {
    status = { code: ExitCode.UNKNOWN, summary: `${errorClass(e)}: ${(e as Error).message}` };
  } finally {
    timeout.clear();
    await probe.close?.();
  }
  if (format === 'json') {
    // A run that produced its inventory document prints it in the probe's shape even when the
    // status is UNKNOWN (a source failed): the shape is the interface, the exit code the verdict.
    const shaped = status.code !== ExitCode.UNKNOWN || documents.size > 0;
    const body = def.cli?.toJson && shaped ? def.cli.toJson(samples, events, checkExtra) : { samples: samplesToJson(samples), events };
    const whole = def.cli?.jsonDocument && def.cli.toJson && shaped;
    const out = whole ? body : { status: STATUS[status.code], summary: status.summary, ...(body as object) };
    console.log(JSON.stringify(out, null, 2));
  } else {
    for (const s of samples) {
      const l = encodeLine(s);
      if (l) console.log(l);
    }
    console.error(`${def.kind.toUpperCase()} ${STATUS[status.code]} - ${status.summary}`);
  }
  return status.code;
}

export const command: Command = {
  summary: 'run one probe once and print its samples (Monitoring Plugins exit codes)',
  async run(argv) {
    const kind = argv[0];
    if (!kind || kind.startsWith('-')) {
      console.log(`usage: watchpost check <${probes.map((p) => p.kind).join('|')}> [--json|--format line|json] [probe options]`);
      return kind === '--help' || kind === '-h' ? 0 : 2;
    }
    const def = probeByKind(kind);
    if (!def) throw new UsageError(`unknown probe "${kind}"; known: ${probes.map((p) => p.kind).join(', ')}`);
    const cliOpts = def.cli?.options ?? {};
    const { values } = parse(argv.slice(1), {
      format: { type: 'string' },
      json: { type: 'boolean' },
      timeout_ms: { type: 'string' },
      ...cliOpts,
    }, false);
    if (values.help) {
      const lines = [`usage: watchpost check ${kind} [--json|--format line|json] [--timeout_ms N]`, `  ${def.description}`];
      for (const [k, o] of Object.entries(cliOpts)) lines.push(`  --${k}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' (repeatable)' : ''}`);
      console.log(lines.join('\n'));
      return 0;
    }
    const format = values.json ? 'json' : (values.format ?? 'line');
    if (format !== 'line' && format !== 'json') throw new UsageError(`--format must be line or json, not "${String(format)}"`);
    const raw: Record<string, unknown> = def.cli ? def.cli.toConfig(values as never) : {};
    if (values.timeout_ms !== undefined) raw.timeout_ms = z.coerce.number().parse(values.timeout_ms);
    return runCheck(def, raw, format, await def.cli?.prepare?.(values as never));
  },
};
