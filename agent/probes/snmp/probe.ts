import { mapLimit } from '../../../lib/concurrency.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import { errorClass, ExitCode, type Probe, type ProbeContext, type ProbeDefinition } from '../probe.ts';
import { createClient, type SnmpClient, type SnmpTarget } from './client.ts';
import { pollDevice, type DeviceReport } from './poll.ts';
import { RateTracker } from './rates.ts';
import type { SnmpDeviceConfig, SnmpConfig } from './schema.ts';
export type { SnmpDeviceConfig, SnmpConfig } from './schema.ts';
import { cli } from './check.ts';

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

export const snmpProbe: ProbeDefinition<SnmpConfig> = {
  kind: 'snmp',
  description: 'Switch SNMP poll (v1/v2c/v3): system, interfaces with rates, sensors, LLDP neighbours',
  create: (cfg, ctx) => createSnmpProbe(cfg, ctx),
  cli,
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
