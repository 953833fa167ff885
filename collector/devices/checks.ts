import type { CollectorConfig } from '../../config/schema/collector.ts';
import type { Sample } from '../../protocol/sample.ts';
import { observation } from '../uptime/module.ts';

/** Why a device is not simply up: which check, what it read, against what, in words. */
export interface Reason {
  check: string;
  value: string | number | boolean | null;
  threshold: string | number | null;
  message: string;
}

/** The measurements the device model reads as samples (kept small: each becomes an object at ingest). */
export const DEVICE_MEASUREMENTS = new Set([
  'camera',
  'snmp_device',
  'ping',
  'printer',
  'http_response',
  'x509_cert',
  'domain',
  'sensor',
  'interface',
  'lldp_neighbor',
  'ssh_check',
]);

/**
 * What one sample says about its device: reachability (the uptime ledger's own observation,
 * so the model and the ledger cannot disagree) and, per health check it carries, the
 * reasons that check currently fails (an empty list clears the check).
 */
export interface Finding {
  reach?: { up: boolean; reason: string };
  /** check key (one per series: `sensor:temperature:CPU`) → failing reasons, [] when it passes. */
  health: Map<string, Reason[]>;
}

const num = (v: unknown): number | undefined => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined);

const SNAPSHOT_WORDS: Record<string, string> = {
  black: 'snapshot is black',
  frozen: 'snapshot is frozen (identical to the last one)',
  uniform: 'snapshot is one uniform colour',
  not_jpeg: 'snapshot is not a JPEG',
  corrupt_jpeg: 'snapshot JPEG is corrupt',
  unreachable: 'snapshot URL does not answer',
  timeout: 'snapshot timed out',
};

/** Printer error conditions (hrPrinterDetectedErrorState) that make a printer that answers degraded. */
const PRINTER_CONDITIONS: [string, string][] = [
  ['jammed', 'paper jam'],
  ['door_open', 'door open'],
  ['offline', 'printer offline'],
  ['no_toner', 'out of toner'],
  ['no_paper', 'out of paper'],
  ['service_requested', 'service requested'],
];

type Health = Map<string, Reason[]>;
type DeviceThresholds = CollectorConfig['devices'];
/** One measurement's health checks: sets each check it carries in health (an empty list clears it). `up` is the ledger's reachability. */
type CheckReader = (s: Sample, cfg: DeviceThresholds, up: boolean | undefined, health: Health) => void;

function cameraChecks(s: Sample, cfg: DeviceThresholds, _up: boolean | undefined, health: Health): void {
  if (s.fields.reachable !== true) return;
  const cam: Reason[] = [];
  const err = s.fields.error_class;
  if (num(s.fields.up) === 0 && typeof err === 'string' && err.startsWith('stream_')) {
    cam.push({ check: 'stream', value: err, threshold: null, message: `RTSP stream failed (${err.slice(7)})` });
  }
  health.set('stream', cam);
  const p = s.fields.snapshot_problem;
  health.set(
    'snapshot',
    typeof p === 'string' && p !== 'none' ? [{ check: 'snapshot', value: p, threshold: 'none', message: SNAPSHOT_WORDS[p] ?? `snapshot: ${p}` }] : [],
  );
  const d = num(s.fields.clock_drift_s);
  if (d !== undefined) {
    health.set(
      'clock_drift',
      Math.abs(d) > cfg.clock_drift_s
        ? [{ check: 'clock_drift', value: d, threshold: cfg.clock_drift_s, message: `clock off by ${Math.round(d)} s (limit ${cfg.clock_drift_s} s)` }]
        : [],
    );
  }
}

function sensorChecks(s: Sample, cfg: DeviceThresholds, _up: boolean | undefined, health: Health): void {
  const key = `sensor:${s.tags.kind ?? ''}:${s.tags.entity ?? ''}`;
  const r: Reason[] = [];
  const st = s.fields.status;
  const v = num(s.fields.value);
  if (st === 'failed' || st === 'critical' || st === 'warning')
    r.push({ check: key, value: String(st), threshold: 'ok', message: `${s.tags.kind ?? 'sensor'} ${s.tags.entity ?? ''} status ${String(st)}` });
  else if (s.tags.kind === 'temperature' && v !== undefined && v > cfg.temperature_max_c)
    r.push({
      check: key,
      value: v,
      threshold: cfg.temperature_max_c,
      message: `${s.tags.entity ?? 'temperature'} ${v} °C (limit ${cfg.temperature_max_c} °C)`,
    });
  else if ((s.tags.kind === 'cpu' || s.tags.kind === 'memory') && v !== undefined && v > cfg.utilisation_max_pct)
    r.push({ check: key, value: v, threshold: cfg.utilisation_max_pct, message: `${s.tags.kind} ${v} % (limit ${cfg.utilisation_max_pct} %)` });
  health.set(key, r);
}

function pingChecks(s: Sample, cfg: DeviceThresholds, up: boolean | undefined, health: Health): void {
  const loss = num(s.fields.percent_packet_loss);
  if (!up || loss === undefined) return;
  health.set(
    'ping_loss',
    loss > cfg.loss_max_pct
      ? [
          {
            check: 'ping_loss',
            value: Math.round(loss * 10) / 10,
            threshold: cfg.loss_max_pct,
            message: `${Math.round(loss)} % of pings lost (limit ${cfg.loss_max_pct} %)`,
          },
        ]
      : [],
  );
}

function printerChecks(s: Sample, _cfg: DeviceThresholds, up: boolean | undefined, health: Health): void {
  if (!up) return;
  // Conditions the printer reports (absent fields: not reported, which is not a pass either — left as they were).
  for (const [field, words] of PRINTER_CONDITIONS) {
    const v = num(s.fields[field]);
    if (v !== undefined) health.set(`printer:${field}`, v === 1 ? [{ check: field, value: 1, threshold: 0, message: words }] : []);
  }
  // The probe lists what ran out (supplies_empty) and what is full (waste_full), in words.
  for (const [key, what] of [
    ['supplies_empty', 'supply empty'],
    ['waste_full', 'waste container full'],
  ] as const) {
    const v = s.fields[key];
    if (typeof v !== 'string') continue;
    health.set(
      `printer:${key}`,
      v
        ? [
            {
              check: key === 'supplies_empty' ? 'supply' : 'waste',
              value: v,
              threshold: key === 'supplies_empty' ? 'not empty' : 'not full',
              message: `${what}: ${v}`,
            },
          ]
        : [],
    );
  }
}

function httpChecks(s: Sample, _cfg: DeviceThresholds, up: boolean | undefined, health: Health): void {
  if (!up) return;
  health.set(
    'content',
    s.fields.result_type === 'response_string_mismatch'
      ? [
          {
            check: 'content',
            value: 'mismatch',
            threshold: 'match',
            message: 'the page does not have the expected content (keyword, pattern or JSON check): a defacement or error page?',
          },
        ]
      : [],
  );
}

function certificateChecks(s: Sample, cfg: DeviceThresholds, _up: boolean | undefined, health: Health): void {
  const left = num(s.fields.chain_expiry) ?? num(s.fields.expiry);
  const r: Reason[] = [];
  if (typeof s.fields.verification === 'string' && s.fields.verification !== 'valid')
    r.push({
      check: 'certificate',
      value: s.fields.verification,
      threshold: 'valid',
      message: `certificate ${s.fields.verification}${typeof s.fields.verification_error === 'string' ? `: ${s.fields.verification_error}` : ''}`,
    });
  else if (left !== undefined && left < cfg.certificate_min_days * 86_400)
    r.push({
      check: 'certificate',
      value: Math.floor(left / 86_400),
      threshold: cfg.certificate_min_days,
      message: left <= 0 ? 'certificate expired' : `certificate expires in ${Math.floor(left / 86_400)} days (limit ${cfg.certificate_min_days})`,
    });
  if (num(s.fields.up) !== 0) health.set('certificate', r);
}

function sshChecks(s: Sample, _cfg: DeviceThresholds, _up: boolean | undefined, health: Health): void {
  if (!s.tags.check) return;
  const key = `ssh:${s.tags.check}`;
  health.set(
    key,
    s.fields.ok === false
      ? [
          {
            check: key,
            value: typeof s.fields.error_class === 'string' ? s.fields.error_class : false,
            threshold: 'ok',
            message: `SSH check ${s.tags.check} failed`,
          },
        ]
      : [],
  );
}

/** The measurements that carry health checks; the others (snmp_device, interface…) say only whether the device answers. */
const CHECKS: Partial<Record<string, CheckReader>> = {
  camera: cameraChecks,
  sensor: sensorChecks,
  ping: pingChecks,
  printer: printerChecks,
  http_response: httpChecks,
  x509_cert: certificateChecks,
  ssh_check: sshChecks,
};

/** Reads one sample (DEVICE_MEASUREMENTS) with the thresholds of the config's `devices:`. */
export function findings(s: Sample, cfg: DeviceThresholds): Finding {
  const health: Health = new Map();
  const o = observation(s);
  // The model says which failure it was (timeout, auth…); the ledger keeps its own coarse reason.
  const why = o && !o.up && typeof s.fields.error_class === 'string' && s.fields.error_class ? s.fields.error_class : o?.reason;
  const f: Finding = { health, ...(o ? { reach: { up: o.up, reason: why! } } : {}) };
  CHECKS[s.measurement]?.(s, cfg, o?.up, health);
  return f;
}
