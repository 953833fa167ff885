import { mapLimit } from '../../../lib/concurrency.ts';
import { PORTMAP_DOCUMENT, type PortmapSnapshot } from '../../../lib/portmap-snapshot.ts';
import type { Sample } from '../../../protocol/sample.ts';
import { ExitCode, type Probe, type ProbeContext, type ProbeDefinition } from '../probe.ts';
import { createClient, type SnmpClient, type SnmpTarget } from '../snmp/client.ts';
import { snmpErrorClass } from '../snmp/probe.ts';
import { inferEdges } from './infer.ts';
import { bridgeEntries, readTables, VLAN_COLUMNS, type DeviceTables } from './read.ts';
import type { PortmapConfig, PortmapDeviceConfig } from './schema.ts';
export type { PortmapConfig } from './schema.ts';
import { cli } from './check.ts';

/** The document kind the probe hands to `ctx.emitDocument` (one PortmapSnapshot per device per run). */
export { PORTMAP_DOCUMENT };

const deviceName = (d: PortmapDeviceConfig) => d.name ?? (d.port === 161 ? d.host : `${d.host}:${d.port}`);

interface Read {
  d: PortmapDeviceConfig;
  tables: DeviceTables | null;
  errorClass: string | null;
  vlanErrors: { vlan: number; errorClass: string }[];
  pollMs: number;
}

/**
 * Cisco answers the forwarding table of one VLAN per community `community@vlan` (v1/v2c) or
 * context `vlan-N` (v3), each with its own bridge-port numbering. A device that stops answering
 * those (indexing disabled, an ACL) would cost a timeout per VLAN, so the walk stops at the
 * first failure and says which VLAN failed; the default context's entries then stand (VLAN unknown).
 */
async function perVlan(
  d: PortmapDeviceConfig,
  t: DeviceTables,
  connect: (t: SnmpTarget) => SnmpClient,
  signal: AbortSignal,
): Promise<{ vlanErrors: Read['vlanErrors'] }> {
  const vlanErrors: Read['vlanErrors'] = [];
  if (d.per_vlan === 'off' || t.ciscoVlans.length === 0) return { vlanErrors };
  const got: typeof t.entries = [];
  let walked = 0;
  for (const vlan of t.ciscoVlans) {
    if (signal.aborted) break;
    const target: SnmpTarget = d.version === '3' ? { ...d, context: `vlan-${vlan}` } : { ...d, community: `${d.community}@${vlan}` };
    let c: SnmpClient | undefined;
    try {
      c = connect(target);
      const cols = await c.walkColumns(VLAN_COLUMNS);
      const bp = new Map<number, number>();
      for (const [k, v] of cols.get(VLAN_COLUMNS[2]!) ?? []) if (typeof v.value === 'number' && v.value > 0) bp.set(Number(k), v.value);
      for (const e of bridgeEntries(cols, vlan)) {
        const ifIndex = bp.get(e.bridgePort!) ?? t.bridgePorts.get(e.bridgePort!);
        if (ifIndex !== undefined) got.push({ ...e, ifIndex });
      }
      walked++;
    } catch (e) {
      vlanErrors.push({ vlan, errorClass: snmpErrorClass(e) });
      break;
    } finally {
      c?.close();
    }
  }
  // The default context is VLAN 1's table on Cisco: with per-VLAN tables read it only repeats them.
  if (walked > 0) t.entries = t.entries.filter((e) => e.source !== 'bridge').concat(got);
  return { vlanErrors };
}

export function createPortmapProbe(
  cfg: PortmapConfig,
  ctx: Pick<ProbeContext, 'now' | 'log' | 'emitDocument'>,
  connect: (t: SnmpTarget) => SnmpClient = createClient,
): Probe {
  const readOne = async (d: PortmapDeviceConfig, signal: AbortSignal): Promise<Read> => {
    const start = performance.now();
    let client: SnmpClient | undefined;
    const onAbort = () => client?.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      client = connect(d);
      const tables = await readTables(client, cfg.arp);
      client.close();
      const { vlanErrors } = await perVlan(d, tables, connect, signal);
      return { d, tables, errorClass: null, vlanErrors, pollMs: performance.now() - start };
    } catch (e) {
      const cls = signal.aborted ? 'timeout' : snmpErrorClass(e);
      if (cls === 'unsupported' || cls === 'config' || cls === 'internal')
        ctx.log.error({ device: deviceName(d), err: e }, 'portmap poll cannot work for this device');
      return { d, tables: null, errorClass: cls, vlanErrors: [], pollMs: performance.now() - start };
    } finally {
      signal.removeEventListener('abort', onAbort);
      client?.close();
    }
  };

  return {
    async collect(signal) {
      const reads = await mapLimit(cfg.devices, cfg.concurrency, (d) => readOne(d, signal));
      const time = ctx.now();
      // A switch is recognised by its bridge address, by configured MACs, and by what LLDP says a neighbour's chassis is.
      const known = new Set<string>(cfg.switch_macs);
      for (const r of reads) {
        if (r.tables?.bridgeMac) known.add(r.tables.bridgeMac);
        for (const ns of r.tables?.neighbors.values() ?? [])
          for (const n of ns) if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(n.remoteChassisId)) known.add(n.remoteChassisId);
      }
      const samples: Sample[] = [];
      for (const r of reads) {
        const snap = snapshotOf(r, known, cfg.max_macs_edge, time);
        // Every run: the register needs each poll's last-seen times, not only changes.
        ctx.emitDocument?.(PORTMAP_DOCUMENT, snap, { resendMs: 0 });
        samples.push(sampleOf(snap, r.pollMs, { ...r.d.tags, ...cfg.tags }));
      }
      return samples;
    },
  };
}

function snapshotOf(r: Read, known: ReadonlySet<string>, maxMacsEdge: number, time: number): PortmapSnapshot {
  const base = { version: 1 as const, device: deviceName(r.d), host: r.d.host, time, vlanErrors: r.vlanErrors };
  if (!r.tables)
    return { ...base, up: false, errorClass: r.errorClass, sysName: '', vendor: 'unknown', bridgeMac: null, ports: [], entries: [], arp: [], uplinks: [] };
  const inf = inferEdges(r.tables, known, maxMacsEdge);
  inf.entries.sort((a, b) => a.ifIndex - b.ifIndex || (a.vlan ?? 0) - (b.vlan ?? 0) || (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
  return {
    ...base,
    up: true,
    errorClass: null,
    sysName: r.tables.sysName,
    vendor: r.tables.vendor,
    bridgeMac: r.tables.bridgeMac,
    ports: inf.ports,
    entries: inf.entries,
    arp: r.tables.arp,
    uplinks: inf.uplinks,
  };
}

function sampleOf(s: PortmapSnapshot, pollMs: number, tags: Record<string, string>): Sample {
  const t = { device: s.device, vendor: s.vendor, ...tags };
  if (!s.up)
    return { measurement: 'portmap', tags: t, fields: { up: 0n, result_code: 1n, error_class: s.errorClass ?? 'internal', poll_ms: pollMs }, time: s.time };
  return {
    measurement: 'portmap',
    tags: t,
    fields: {
      up: 1n,
      result_code: 0n,
      poll_ms: pollMs,
      entries: BigInt(s.entries.length),
      edge_entries: BigInt(s.entries.filter((e) => e.edge).length),
      edge_ports: BigInt(s.ports.filter((p) => p.edge && p.macCount > 0).length),
      uplinks: BigInt(s.uplinks.length),
      arp_entries: BigInt(s.arp.length),
      vlan_errors: BigInt(s.vlanErrors.length),
    },
    time: s.time,
  };
}

export const portmapProbe: ProbeDefinition<PortmapConfig> = {
  kind: 'portmap',
  description: 'Switch port map (SNMP): forwarding tables, ARP, LLDP/CDP, edge-port inference',
  create: (cfg, ctx) => createPortmapProbe(cfg, ctx),
  cli,
  status(samples) {
    const down = samples.filter((s) => s.fields.up === 0n);
    if (down.length)
      return { code: ExitCode.CRITICAL, summary: `no answer from ${down.map((s) => `${s.tags.device} (${String(s.fields.error_class)})`).join(', ')}` };
    const s = samples[0];
    const f = s?.fields ?? {};
    const summary = `${String(f.entries)} forwarding entries (${String(f.edge_entries)} on ${String(f.edge_ports)} edge ports), ${String(f.uplinks)} uplinks, ${String(f.arp_entries)} ARP entries`;
    if (f.vlan_errors && f.vlan_errors !== 0n) return { code: ExitCode.WARNING, summary: `per-VLAN tables unreadable; ${summary}` };
    return { code: ExitCode.OK, summary };
  },
};
