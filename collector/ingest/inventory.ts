import type { DeviceConfig } from '../../config/schema/collector.ts';
import type { Sample } from '../../protocol/sample.ts';

const LOCATION_KEYS = ['site', 'building', 'floor', 'shaft', 'room', 'role'] as const;

/**
 * Tags samples are matched on, in order: the first one naming a known device wins. The
 * target tags (device, camera, url) come before host: a ping sample's host is the pinging
 * PC, its url the device pinged, and the location belongs to the device.
 */
const DEVICE_TAGS = ['device', 'camera', 'url', 'host', 'agent'] as const;

/**
 * Enriches samples with where their device is (site, building, floor, shaft, room, role),
 * from the inventory in the collector config and the tags an agent was enrolled with.
 * Tags a sample already has are never overwritten.
 */
export class Inventory {
  private byName = new Map<string, Record<string, string>>();
  readonly devices: readonly DeviceConfig[];

  constructor(devices: readonly DeviceConfig[]) {
    this.devices = devices;
    for (const d of devices) {
      const tags: Record<string, string> = { device_kind: d.kind };
      for (const k of LOCATION_KEYS) if (d[k]) tags[k] = d[k]!;
      this.byName.set(d.name, tags);
      if (d.address) this.byName.set(d.address, tags);
    }
  }

  device(name: string): DeviceConfig | undefined {
    return this.devices.find((d) => d.name === name || d.address === name);
  }

  /**
   * Location tags of the device a sample names: the first of its device, camera, url, host
   * and agent tags whose value is a known device (`tagOf` reads the sample's tags).
   */
  locate(tagOf: (k: string) => string | undefined): Readonly<Record<string, string>> | undefined {
    if (!this.byName.size) return undefined;
    for (const k of DEVICE_TAGS) {
      const v = tagOf(k);
      let loc;
      if (v !== undefined && (loc = this.byName.get(v))) return loc;
    }
    return undefined;
  }

  enrich(s: Sample, agentTags: Record<string, string>): void {
    const loc = this.byName.size ? this.locate((k) => s.tags[k]) : undefined;
    if (loc) for (const k in loc) s.tags[k] ??= loc[k]!;
    for (const k in agentTags) s.tags[k] ??= agentTags[k]!;
  }
}
