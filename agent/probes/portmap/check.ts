import { PORTMAP_DOCUMENT, type PortmapSnapshot } from '../../../lib/portmap-snapshot.ts';
import type { Event, Sample } from '../../../protocol/sample.ts';
import type { PortmapConfig } from './schema.ts';

import type { ProbeCli } from '../probe.ts';
import { cli as snmpCli, opt } from '../snmp/check.ts';

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

/** `watchpost check portmap`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<PortmapConfig> = {
  // The snmp check's address and credential options, plus the port map's own.
  options: { ...snmpCli.options, 'max-macs-edge': { type: 'string' }, 'per-vlan': { type: 'string' } },
  toConfig(v) {
    const d = (snmpCli.toConfig(v) as { devices: Record<string, unknown>[] }).devices[0]!;
    d.host ??= '127.0.0.1';
    if (d.version === undefined && opt(v, 'user') !== undefined) d.version = '3';
    if (opt(v, 'per-vlan') !== undefined) d.per_vlan = opt(v, 'per-vlan');
    const out: Record<string, unknown> = { devices: [d] };
    if (opt(v, 'max-macs-edge') !== undefined) out.max_macs_edge = Number(opt(v, 'max-macs-edge'));
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
