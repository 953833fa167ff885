import type { DeviceConfig } from '../../config/schema/collector.ts';
import type { Sample } from '../../protocol/sample.ts';

/** The location tags the inventory owns for its devices (plus device_kind). */
export const LOCATION_KEYS = ['site', 'building', 'floor', 'shaft', 'room', 'role'] as const;
const OWNED = new Set<string>([...LOCATION_KEYS, 'device_kind']);

/** Whether a tag key is one the inventory sets for its devices (location or device_kind). */
export function isLocationKey(k: string): boolean {
  return OWNED.has(k);
}

/** Every address an inventory entry lists (`address:` is one string or a list). */
export function addressesOf(d: Pick<DeviceConfig, 'address'>): string[] {
  return d.address === undefined ? [] : typeof d.address === 'string' ? [d.address] : [...d.address];
}

/**
 * Returned by locate() for a sample about another target (a pinged IP, a camera, a polled
 * switch) that the inventory does not know: it has no location, and the polling agent's own
 * location must not be given to it.
 */
export const FOREIGN: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The host part of a target tag value: `10.3.1.21`, `http://10.3.1.21:8080/x` → `10.3.1.21`,
 * `[::1]:80` → `::1`. Values that are plain names come back as they are.
 */
export function hostOf(v: string): string {
  const i = v.indexOf('://');
  let h = i >= 0 ? v.slice(i + 3) : v;
  const at = h.lastIndexOf('@', h.search(/[/?#]|$/));
  if (i >= 0 && at >= 0) h = h.slice(at + 1);
  const end = h.search(/[/?#]/);
  if (end >= 0) h = h.slice(0, end);
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  if (i >= 0 || /^[^:]+:\d+$/.test(h)) h = h.replace(/:\d+$/, '');
  return h;
}

/**
 * The devices the collector knows (the config's `inventory.devices`), matched by name, then
 * by address, and the one rule of what a sample is about:
 *
 * - its `camera`, `target_name`, `url`, `target`, `server` or `source` tag (a camera, a named
 *   check, a pinged address, a checked site or TLS service), else
 * - its `device` tag when it has no `host` tag (SNMP samples; a host's disk samples carry
 *   `device: sda1` next to `host`), else
 * - its `host` tag, else its `agent` tag: the agent's own host.
 *
 * A sample about an inventory device carries exactly that device's location (site, building,
 * floor, shaft, room, role, device_kind): the agent's tags never replace or complete it. The
 * agent's own tags apply only to samples about the agent's own host.
 */
export class Inventory {
  private byName = new Map<string, DeviceConfig>();
  private locByName = new Map<DeviceConfig, Readonly<Record<string, string>>>();
  /** target tag value → device (null: none), for values that needed hostOf. */
  private resolved = new Map<string, DeviceConfig | null>();
  readonly devices: readonly DeviceConfig[];

  constructor(devices: readonly DeviceConfig[]) {
    this.devices = devices;
    for (const d of devices) {
      const tags: Record<string, string> = { device_kind: d.kind };
      for (const k of LOCATION_KEYS) if (d[k]) tags[k] = d[k]!;
      this.locByName.set(d, Object.freeze(tags));
      if (!this.byName.has(d.name)) this.byName.set(d.name, d);
    }
    // Names first: an address never shadows a device's name.
    for (const d of devices) for (const a of addressesOf(d)) if (!this.byName.has(a)) this.byName.set(a, d);
  }

  /** The inventory device a target names: by name, by address, or by the host in a URL. */
  device(target: string | undefined): DeviceConfig | undefined {
    if (!target) return undefined;
    const d = this.byName.get(target);
    if (d) return d;
    let r = this.resolved.get(target);
    if (r === undefined) {
      const h = hostOf(target);
      r = (h !== target ? this.byName.get(h) : undefined) ?? null;
      if (this.resolved.size < 50_000) this.resolved.set(target, r);
    }
    return r ?? undefined;
  }

  /** The name to show and key state by: the inventory name, or the target as seen. */
  nameOf(target: string): string {
    return this.device(target)?.name ?? target;
  }

  /** Location tags (and device_kind) of an inventory device. */
  locationOf(d: DeviceConfig): Readonly<Record<string, string>> {
    return this.locByName.get(d)!;
  }

  /**
   * What a sample is about (see the class comment): the raw target, the inventory device it
   * resolves to, and whether it is the agent's own host (`self`). `tagOf` reads its tags.
   */
  subject(tagOf: (k: string) => string | undefined): { target: string; device: DeviceConfig | undefined; self: boolean } | undefined {
    // target_name/server/source: the web, TLS, DNS and TCP checks (their `host` is the agent's).
    let v = tagOf('camera') || tagOf('target_name') || tagOf('url') || tagOf('target') || tagOf('server') || tagOf('source');
    let self = false;
    if (!v) {
      const host = tagOf('host');
      v = host ? undefined : tagOf('device');
      if (!v) {
        v = host || tagOf('agent');
        self = true;
      }
    }
    if (!v) return undefined;
    return { target: v, device: this.device(v), self };
  }

  /**
   * Location of the device a sample is about: its inventory tags, FOREIGN for another target
   * the inventory does not know, or undefined for the agent's own host when the inventory
   * does not know it (the agent's tags then apply).
   */
  locate(tagOf: (k: string) => string | undefined): Readonly<Record<string, string>> | undefined {
    const s = this.subject(tagOf);
    if (!s) return undefined;
    if (s.device) return this.locByName.get(s.device);
    return s.self ? undefined : FOREIGN;
  }

  /**
   * Applies the location rule to a sample (the general path; transcode.ts does the same on
   * bytes). `agentTags` (the source's enrolment tags) replace the sample's tags of the same
   * keys where they apply.
   */
  enrich(s: Sample, agentTags: Record<string, string>): void {
    const loc = this.locate((k) => s.tags[k]);
    if (loc && loc !== FOREIGN) {
      for (const k in s.tags) if (OWNED.has(k)) delete s.tags[k];
      for (const k in loc) s.tags[k] = loc[k]!;
    }
    // The enrolment tags are the collector's word, not the sample's: they replace its own.
    for (const k in agentTags) if (!loc || !OWNED.has(k)) s.tags[k] = agentTags[k]!;
  }
}
