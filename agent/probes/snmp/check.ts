import { IF_STATUS } from './poll.ts';
import type { Event, Sample } from '../../../protocol/sample.ts';
import type { SnmpConfig } from './schema.ts';

import type { ProbeCli } from '../probe.ts';

const jsonNum = (v: unknown): number | string | null =>
  typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : typeof v === 'number' ? v : null;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The `watchpost check snmp --json` document (the shape), built from one device's samples. */
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

/** A string option's value, or undefined (also for a flag given without one). */
export const opt = (v: CliValues, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/** `watchpost check snmp`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<SnmpConfig> = {
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
};
