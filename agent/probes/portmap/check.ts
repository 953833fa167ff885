import { PORTMAP_DOCUMENT, type PortmapSnapshot } from '../../../lib/portmap-snapshot.ts';
import type { Event, Sample } from '../../../protocol/sample.ts';
import type { PortmapConfig } from './schema.ts';

import type { ProbeCli } from '../probe.ts';

type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The `watchpost check portmap --json` document (the exact shape), from the one device's snapshot. */
export function portmapCheckJson(docs: { kind: string; body: unknown }[]): unknown {
  const s = docs.find((d) => d.kind === PORTMAP_DOCUMENT)?.body as PortmapSnapshot | undefined;
  return {
    device: { sysName: s?.sysName ?? '', vendor: s?.vendor ?? 'unknown' },
    entries: (s?.entries ?? []).map((e) => ({
      mac: e.mac,
      vlan: e.vlan,
      ifIndex: e.ifIndex,
      ifName: e.ifName,
      bridgePort: e.bridgePort,
      source: e.source,
      edge: e.edge,
    })),
    arp: (s?.arp ?? []).map((a) => ({ ip: a.ip, mac: a.mac, ifIndex: a.ifIndex })),
    uplinks: s?.uplinks ?? [],
  };
}

export const opt = (v: CliValues, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/** `watchpost check portmap`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<PortmapConfig> = {
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
    'max-macs-edge': { type: 'string' },
    'per-vlan': { type: 'string' },
  },
  toConfig(v) {
    const d: Record<string, unknown> = { host: opt(v, 'host') ?? '127.0.0.1' };
    const n = (k: string) => (opt(v, k) === undefined ? undefined : Number(opt(v, k)));
    const map: [string, unknown][] = [
      ['port', n('port')],
      ['community', opt(v, 'community')],
      ['version', opt(v, 'snmp-version') ?? (opt(v, 'user') !== undefined ? '3' : undefined)],
      ['user', opt(v, 'user')],
      ['auth_protocol', opt(v, 'auth-protocol')?.toLowerCase()],
      ['auth_key', opt(v, 'auth-key')],
      ['priv_protocol', opt(v, 'priv-protocol')?.toLowerCase()],
      ['priv_key', opt(v, 'priv-key')],
      ['context', opt(v, 'context')],
      ['max_repetitions', n('max-repetitions')],
      ['request_timeout_ms', n('request-timeout-ms')],
      ['retries', n('retries')],
      ['per_vlan', opt(v, 'per-vlan')],
    ];
    for (const [k, x] of map) if (x !== undefined) d[k] = x;
    const out: Record<string, unknown> = { devices: [d] };
    if (n('max-macs-edge') !== undefined) out.max_macs_edge = n('max-macs-edge');
    return out;
  },
  toJson: (_samples: Sample[], _events: Event[], extra) => portmapCheckJson(extra.list),
  jsonDocument: true,
  required: ['host'],
  help: {
    'max-macs-edge': 'a port with more MACs than this is not an edge port (default 4; the count is shown)',
    'per-vlan': 'Cisco: walk the forwarding table once per VLAN (community@vlan, or context vlan-N for v3): auto (the default) or off',
  },
};
