import { mapLimit } from '../../../lib/concurrency.ts';
import { int, type Event, type Sample } from '../../../protocol/sample.ts';
import { errorClass, ExitCode, type Probe, type ProbeContext, type ProbeDefinition } from '../probe.ts';
import { createClient, type SnmpClient, type SnmpTarget } from './client.ts';
import { IF_STATUS, pollDevice, type DeviceReport } from './poll.ts';
import { RateTracker } from './rates.ts';
import type { SnmpDeviceConfig, SnmpConfig } from './schema.ts';
export type { SnmpDeviceConfig, SnmpConfig } from './schema.ts';

export function deviceName(d: SnmpDeviceConfig): string {
  return d.name ?? (d.port === 161 ? d.host : `${d.host}:${d.port}`);
}

export function createSnmpProbe(
  cfg: SnmpConfig,
  ctx: Pick<ProbeContext, 'now' | 'emitEvent' | 'log'>,
  connect: (t: SnmpTarget) => SnmpClient = createClient,
): Probe {
  const rates = new RateTracker();
  const parts = { interfaces: cfg.interfaces, sensors: cfg.sensors, lldp: cfg.lldp };

  const pollOne = async (d: SnmpDeviceConfig, signal: AbortSignal): Promise<Sample[]> => {
    const device = deviceName(d);
    const start = performance.now();
    let client: SnmpClient | undefined;
    const onAbort = () => client?.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let report: DeviceReport;
    try {
      client = connect(d);
      report = { up: true, errorClass: undefined, pollMs: 0, ...(await pollDevice(client, parts)) };
    } catch (e) {
      const cls = signal.aborted ? 'timeout' : snmpErrorClass(e);
      if (cls === 'unsupported' || cls === 'config' || cls === 'internal') ctx.log.error({ device, err: e }, 'snmp poll cannot work for this device');
      report = {
        up: false,
        errorClass: cls,
        pollMs: 0,
        sysName: '',
        sysDescr: '',
        sysObjectID: '',
        vendor: 'unknown',
        uptimeSeconds: null,
        interfaces: [],
        sensors: [],
        neighbors: [],
      };
    } finally {
      signal.removeEventListener('abort', onAbort);
      client?.close();
    }
    report.pollMs = performance.now() - start;
    return toSamples(device, d.tags, report, ctx, rates);
  };

  return {
    async collect(signal) {
      const all = await mapLimit(cfg.devices, cfg.concurrency, (d) => pollOne(d, signal));
      return all.flat().map((s) => ({ ...s, tags: { ...s.tags, ...cfg.tags } }));
    },
  };
}

/** Classifies net-snmp failures by error type (never by message text). */
export function snmpErrorClass(e: unknown): string {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'RequestTimedOutError') return 'timeout';
  if (name === 'RequestFailedError') return 'snmp_error';
  if (name === 'ResponseInvalidError') return 'auth';
  if (name === 'RequestInvalidError') return 'config';
  return errorClass(e);
}

function toSamples(
  device: string,
  devTags: Record<string, string>,
  r: DeviceReport,
  ctx: Pick<ProbeContext, 'now' | 'emitEvent'>,
  rates: RateTracker,
): Sample[] {
  const t = ctx.now();
  const base = { device, ...devTags };
  if (!r.up) {
    rates.forget(device);
    return [
      {
        measurement: 'snmp_device',
        tags: { ...base, vendor: 'unknown' },
        fields: { up: 0n, poll_ms: r.pollMs, error_class: r.errorClass ?? 'internal', result_code: 1n },
        time: t,
      },
    ];
  }
  const reboot = rates.rebooted(device, t, r.uptimeSeconds);
  const rs = rates.update(device, t, r.uptimeSeconds, r.interfaces);
  if (reboot) {
    ctx.emitEvent({
      kind: 'snmp_reboot',
      target: device,
      severity: 'warning',
      message: `${device} rebooted (uptime now ${r.uptimeSeconds} s)`,
      attrs: { uptime_s: r.uptimeSeconds ?? -1, vendor: r.vendor },
      time: t,
    });
  }
  const out: Sample[] = [];
  const dev: Sample['fields'] = {
    up: 1n,
    result_code: 0n,
    sys_name: r.sysName,
    sys_descr: r.sysDescr,
    sys_object_id: r.sysObjectID,
    reboot: reboot ? 1n : 0n,
    poll_ms: r.pollMs,
  };
  if (r.uptimeSeconds !== null) dev.uptime_s = int(r.uptimeSeconds);
  out.push({ measurement: 'snmp_device', tags: { ...base, vendor: r.vendor }, fields: dev, time: t });
  for (const i of r.interfaces) {
    const f: Sample['fields'] = { ifDescr: i.descr, ifAlias: i.alias, admin_status: BigInt(i.adminStatus), oper_status: BigInt(i.operStatus) };
    if (i.speedMbps !== null) f.speed_mbps = i.speedMbps;
    const counters = {
      in_octets: i.inOctets,
      out_octets: i.outOctets,
      in_errors: i.inErrors,
      out_errors: i.outErrors,
      in_discards: i.inDiscards,
      out_discards: i.outDiscards,
    };
    for (const [k, v] of Object.entries(counters)) if (v !== undefined) f[k] = v;
    const rt = rs.get(i.ifIndex);
    if (rt) {
      const nums = {
        in_bps: rt.inBps,
        out_bps: rt.outBps,
        in_util_pct: rt.inUtilPct,
        out_util_pct: rt.outUtilPct,
        in_errors_per_s: rt.inErrorsPerS,
        out_errors_per_s: rt.outErrorsPerS,
      };
      for (const [k, v] of Object.entries(nums)) if (v !== null) f[k] = v;
      f.flaps = BigInt(rt.flaps);
    }
    out.push({ measurement: 'interface', tags: { ...base, ifName: i.name, ifIndex: String(i.ifIndex) }, fields: f, time: t });
  }
  for (const s of r.sensors) {
    const f: Sample['fields'] = { unit: s.unit, status: s.status };
    if (s.value !== null) f.value = s.value;
    out.push({ measurement: 'sensor', tags: { ...base, kind: s.kind, entity: s.entity }, fields: f, time: t });
  }
  for (const n of r.neighbors) {
    out.push({
      measurement: 'lldp_neighbor',
      tags: { ...base, local_port: n.localPort },
      fields: { remote_sys_name: n.remoteSysName, remote_port: n.remotePort, remote_chassis_id: n.remoteChassisId },
      time: t,
    });
  }
  return out;
}

const jsonNum = (v: unknown): number | string | null =>
  typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : typeof v === 'number' ? v : null;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The `watchpost check snmp --json` document (the issue's shape), built from one device's samples. */
export function snmpCheckJson(samples: Sample[]): unknown {
  const dev = samples.find((s) => s.measurement === 'snmp_device');
  const f = dev?.fields ?? {};
  return {
    device: {
      sysName: str(f.sys_name),
      sysDescr: str(f.sys_descr),
      sysObjectID: str(f.sys_object_id),
      vendor: dev?.tags.vendor ?? 'unknown',
      uptimeSeconds: jsonNum(f.uptime_s),
    },
    interfaces: samples
      .filter((s) => s.measurement === 'interface')
      .map((s) => ({
        ifIndex: Number(s.tags.ifIndex),
        name: s.tags.ifName,
        descr: str(s.fields.ifDescr),
        alias: str(s.fields.ifAlias),
        adminStatus: IF_STATUS[Number(s.fields.admin_status)] ?? String(s.fields.admin_status),
        operStatus: IF_STATUS[Number(s.fields.oper_status)] ?? String(s.fields.oper_status),
        speedMbps: jsonNum(s.fields.speed_mbps),
        inOctets: jsonNum(s.fields.in_octets),
        outOctets: jsonNum(s.fields.out_octets),
        inErrors: jsonNum(s.fields.in_errors),
        outErrors: jsonNum(s.fields.out_errors),
        inDiscards: jsonNum(s.fields.in_discards),
        outDiscards: jsonNum(s.fields.out_discards),
      })),
    sensors: samples
      .filter((s) => s.measurement === 'sensor')
      .map((s) => ({ kind: s.tags.kind, entity: s.tags.entity, value: jsonNum(s.fields.value), unit: str(s.fields.unit), status: str(s.fields.status) })),
    neighbors: samples
      .filter((s) => s.measurement === 'lldp_neighbor')
      .map((s) => ({
        localPort: s.tags.local_port,
        remoteSysName: str(s.fields.remote_sys_name),
        remotePort: str(s.fields.remote_port),
        remoteChassisId: str(s.fields.remote_chassis_id),
      })),
  };
}

type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
const opt = (v: CliValues, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/**
 * Switch poller: system group, IF-MIB with rates, environment sensors and LLDP neighbours for
 * a list of devices, with one session per device and a cap on devices polled at once. A
 * device that does not answer is `snmp_device up=0` with its error class, never a failed run.
 */
export const snmpProbe: ProbeDefinition<SnmpConfig> = {
  kind: 'snmp',
  description: 'Switch SNMP poll (v1/v2c/v3): system, interfaces with rates, sensors, LLDP neighbours',
  create: (cfg, ctx) => createSnmpProbe(cfg, ctx),
  cli: {
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      community: { type: 'string' },
      'snmp-version': { type: 'string' },
      user: { type: 'string' },
      'auth-protocol': { type: 'string' },
      'auth-key': { type: 'string' },
      'priv-protocol': { type: 'string' },
      'priv-key': { type: 'string' },
      context: { type: 'string' },
      'max-repetitions': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      retries: { type: 'string' },
    },
    toConfig(v) {
      const d: Record<string, unknown> = { host: opt(v, 'host') };
      const n = (k: string) => (opt(v, k) === undefined ? undefined : Number(opt(v, k)));
      const map: [string, unknown][] = [
        ['port', n('port')],
        ['community', opt(v, 'community')],
        ['version', opt(v, 'snmp-version')],
        ['user', opt(v, 'user')],
        ['auth_protocol', opt(v, 'auth-protocol')?.toLowerCase()],
        ['auth_key', opt(v, 'auth-key')],
        ['priv_protocol', opt(v, 'priv-protocol')?.toLowerCase()],
        ['priv_key', opt(v, 'priv-key')],
        ['context', opt(v, 'context')],
        ['max_repetitions', n('max-repetitions')],
        ['request_timeout_ms', n('request-timeout-ms')],
        ['retries', n('retries')],
      ];
      for (const [k, x] of map) if (x !== undefined) d[k] = x;
      return { devices: [d] };
    },
    toJson: (samples: Sample[], _events: Event[]) => snmpCheckJson(samples),
    jsonDocument: true,
    required: ['host'],
  },
  status(samples) {
    const down = samples.filter((s) => s.measurement === 'snmp_device' && s.fields.up === 0n);
    if (down.length)
      return { code: ExitCode.CRITICAL, summary: `no answer from ${down.map((s) => `${s.tags.device} (${String(s.fields.error_class)})`).join(', ')}` };
    const bad = samples.filter((s) => s.measurement === 'sensor' && (s.fields.status === 'failed' || s.fields.status === 'critical'));
    const warn = samples.filter((s) => s.measurement === 'sensor' && s.fields.status === 'warning');
    const ifs = samples.filter((s) => s.measurement === 'interface');
    const upIfs = ifs.filter((s) => s.fields.oper_status === 1n).length;
    const summary = `${ifs.length} interfaces (${upIfs} up), ${samples.filter((s) => s.measurement === 'sensor').length} sensors, ${samples.filter((s) => s.measurement === 'lldp_neighbor').length} neighbours`;
    if (bad.length) return { code: ExitCode.CRITICAL, summary: `${bad.map((s) => `${s.tags.entity} ${String(s.fields.status)}`).join(', ')}; ${summary}` };
    if (warn.length) return { code: ExitCode.WARNING, summary: `${warn.map((s) => `${s.tags.entity} warning`).join(', ')}; ${summary}` };
    return { code: ExitCode.OK, summary };
  },
};
