import type { Sample } from '../../protocol/sample.ts';
import type { DeviceConfig } from '../../config/schema/collector.ts';
import { addressesOf } from '../ingest/inventory.ts';

/**
 * What each target is reached through: the inventory's `parent`, LLDP neighbours seen by a
 * switch (a neighbour that is not itself a switch/router hangs off that switch), and the
 * agent that polls it. Used to suppress alerts behind a device that is down.
 */
export class Topology {
  private readonly inv = new Map<string, DeviceConfig>();
  private readonly lldp = new Map<string, string>();
  private readonly agentOf = new Map<string, string>();

  constructor(devices: readonly DeviceConfig[]) {
    for (const d of devices) {
      this.inv.set(d.name, d);
      for (const a of addressesOf(d)) if (!this.inv.has(a)) this.inv.set(a, d);
    }
  }

  /**
   * Remembers that `agent` reports `target` (an agent that goes down explains its targets'
   * silence). Ingest reports this for every sample (IngestListener.onTargets).
   */
  observeAgent(target: string, agent: string): void {
    if (agent !== target && this.agentOf.get(target) !== agent) this.agentOf.set(target, agent);
  }

  /** Learns from an lldp_neighbor sample which switch a non-switch neighbour hangs off. */
  observeLldp(s: Sample): void {
    const sw = s.tags.device;
    const remote = s.fields.remote_sys_name;
    if (sw && typeof remote === 'string' && remote && remote !== sw) {
      const k = this.inv.get(remote)?.kind;
      if (k !== 'switch' && k !== 'router') this.lldp.set(remote, sw);
    }
  }

  parent(target: string): string | undefined {
    const d = this.inv.get(target);
    return d?.parent ?? this.lldp.get(target) ?? this.lldp.get(d?.name ?? '');
  }

  /** Every target this one depends on, nearest first (cycle-safe). */
  ancestors(target: string): string[] {
    const out: string[] = [];
    const seen = new Set([target]);
    let cur: string | undefined = target;
    while (cur && (cur = this.parent(cur)) && !seen.has(cur)) {
      out.push(cur);
      seen.add(cur);
    }
    for (const t of [target, ...out]) {
      const a = this.agentOf.get(t);
      if (a && !seen.has(a)) {
        out.push(a);
        seen.add(a);
      }
    }
    return out;
  }

  location(target: string): Record<string, string> {
    const d = this.inv.get(target);
    if (!d) return {};
    const out: Record<string, string> = { device_kind: d.kind };
    for (const k of ['site', 'building', 'floor', 'shaft', 'room', 'role'] as const) if (d[k]) out[k] = d[k]!;
    return out;
  }
}
