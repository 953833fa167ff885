import type { ParseArgsOptionsConfig } from 'node:util';
import type { Sample } from '../../../protocol/sample.ts';
import { ExitCode, type CheckStatus, type ProbeCli } from '../probe.ts';
import type { PrinterConfig } from './schema.ts';
import { snmpProbe } from '../snmp/probe.ts';
import { ERROR_BITS, fieldName } from './mib.ts';

// `watchpost check printer`: the snmp probe's address and credential options, plus thresholds.
export const printerCliOptions: ParseArgsOptionsConfig = {
  ...snmpProbe.cli!.options,
  'low-pct': { type: 'string' },
  'full-pct': { type: 'string' },
  'receptacle-level': { type: 'string' },
};

type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function printerToConfig(v: CliValues): Record<string, unknown> {
  const cfg = snmpProbe.cli!.toConfig(v) as { devices: Record<string, unknown>[] };
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const out: Record<string, unknown> = { devices: cfg.devices };
  if (s('low-pct') !== undefined) out.low_pct = Number(s('low-pct'));
  if (s('full-pct') !== undefined) out.full_pct = Number(s('full-pct'));
  if (s('receptacle-level') !== undefined) out.receptacle_level = s('receptacle-level');
  return out;
}

const n = (v: unknown): number | null => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const byIndex = (a: Sample, b: Sample) => Number(a.tags.index) - Number(b.tags.index);

/**
 * The `watchpost check printer --json` document, exactly the issue's shape; absent columns are
 * null. Built from one device's samples (the probe puts everything the shape needs in them).
 */
export function printerCheckJson(samples: Sample[]): unknown {
  const p = samples.find((s) => s.measurement === 'printer');
  const f = p?.fields ?? {};
  const hasErrors = f[fieldName(ERROR_BITS[0])] !== undefined;
  const of = (m: string) => samples.filter((s) => s.measurement === m).sort(byIndex);
  return {
    device: {
      sysName: str(f.sys_name) ?? '',
      sysDescr: str(f.sys_descr) ?? '',
      sysObjectID: str(f.sys_object_id) ?? '',
      vendor: p?.tags.vendor ?? 'unknown',
      model: str(f.model),
      serial: str(f.serial),
      uptimeSeconds: n(f.uptime_s),
    },
    status: {
      printer: str(f.status),
      device: str(f.device_status),
      errors: hasErrors ? ERROR_BITS.filter((c) => f[fieldName(c)] === 1n) : null,
    },
    supplies: of('printer_supply').map((s) => ({
      index: Number(s.tags.index),
      class: str(s.fields.class),
      type: s.tags.type ?? null,
      description: str(s.fields.description),
      name: str(s.fields.name),
      unit: str(s.fields.unit),
      max: n(s.fields.max),
      level: n(s.fields.level),
      percent: n(s.fields.percent),
      state: str(s.fields.state),
    })),
    trays: of('printer_tray').map((s) => ({
      index: Number(s.tags.index),
      name: str(s.fields.name),
      media: str(s.fields.media),
      unit: str(s.fields.unit),
      max: n(s.fields.max),
      level: n(s.fields.level),
      percent: n(s.fields.percent),
      state: str(s.fields.state),
    })),
    alerts: of('printer_alert').map((s) => ({
      index: Number(s.tags.index),
      severity: str(s.fields.severity),
      group: str(s.fields.group),
      code: str(s.fields.code),
      description: str(s.fields.description),
      time: typeof s.fields.raised_ms === 'bigint' ? new Date(Number(s.fields.raised_ms)).toISOString() : null,
    })),
    counters: { pages_total: n(f.pages_total) },
  };
}

const CRITICAL_ERRORS = ['noToner', 'jammed', 'doorOpen', 'offline'] as const;
const WARNING_ERRORS = ['lowPaper', 'serviceRequested'] as const;

/**
 * Monitoring Plugins status: UNKNOWN when the device does not answer; CRITICAL for a consumed
 * supply empty, a receptacle full, noToner, jammed, doorOpen or offline; WARNING for a supply
 * low, a receptacle near full, lowPaper or serviceRequested.
 */
export function printerStatus(samples: Sample[]): CheckStatus {
  const printers = samples.filter((s) => s.measurement === 'printer');
  const down = printers.filter((s) => s.fields.up === 0n);
  if (down.length)
    return { code: ExitCode.UNKNOWN, summary: `no answer from ${down.map((s) => `${s.tags.device} (${String(s.fields.error_class)})`).join(', ')}` };
  const crit: string[] = [];
  const warn: string[] = [];
  for (const p of printers) {
    const d = p.tags.device;
    for (const c of CRITICAL_ERRORS) if (p.fields[fieldName(c)] === 1n) crit.push(`${d} ${c}`);
    for (const c of WARNING_ERRORS) if (p.fields[fieldName(c)] === 1n) warn.push(`${d} ${c}`);
  }
  for (const s of samples.filter((x) => x.measurement === 'printer_supply')) {
    const st = s.fields.state;
    const what = `${s.tags.device} ${String(s.fields.name ?? s.fields.description)} ${String(st)}`;
    if (st === 'empty' || st === 'full') crit.push(what);
    else if (st === 'low' || st === 'near_full') warn.push(what);
  }
  const p = printers[0];
  const summary = p
    ? `${String(p.fields.model)}: ${samples.filter((s) => s.measurement === 'printer_supply').length} supplies, ${samples.filter((s) => s.measurement === 'printer_tray').length} trays, ${String(p.fields.alerts_open ?? 0n)} alerts`
    : 'no printer';
  if (crit.length) return { code: ExitCode.CRITICAL, summary: `${[...crit, ...warn].join(', ')}; ${summary}` };
  if (warn.length) return { code: ExitCode.WARNING, summary: `${warn.join(', ')}; ${summary}` };
  return { code: ExitCode.OK, summary };
}

/** `watchpost check printer`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<PrinterConfig> = {
  options: printerCliOptions,
  toConfig: printerToConfig,
  toJson: (samples: Sample[]) => printerCheckJson(samples),
  jsonDocument: true,
  required: ['host'],
  help: {
    'low-pct': 'a consumed supply or a tray is low at or below this % (default 10)',
    'full-pct': 'a waste receptacle is near full at or above this % full (default 90)',
    'receptacle-level': 'remaining (RFC 3805: the level is the space left, the default) or filled (devices that report fullness)',
  },
};
