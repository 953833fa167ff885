import type { DeviceConfig } from '../../config/schema/collector.ts';

/** The report section a device is printed in. */
export type Section = 'network' | 'cctv' | 'pcs';

/** Inventory kinds by section; anything not listed (switch, router, ups, other) is network equipment. */
const SECTION_OF: Record<string, Section> = { camera: 'cctv', nvr: 'cctv', pc: 'pcs', printer: 'pcs', server: 'pcs' };

export function sectionOf(kind: string): Section {
  return SECTION_OF[kind] ?? 'network';
}

/** An inventory entry as the report needs it; `address` may be one string or a list. */
export type InventoryDevice = Omit<DeviceConfig, 'address'> & { address?: string | readonly string[] | undefined };

/** Where a device is, as the report prints it. */
export interface Place {
  building: string;
  floor: string;
  shaft: string;
  room: string;
}

export function addressesOf(d: InventoryDevice): string[] {
  const a = d.address;
  return a === undefined ? [] : typeof a === 'string' ? [a] : [...a];
}

/**
 * Target → inventory device, by name first and then by address (IP or host name, case
 * insensitive), so a ping of 10.3.1.21 is pc-0301. A target that matches
 * nothing is unregistered: it keeps its own name and has no location.
 */
export class DeviceIndex {
  private readonly byName = new Map<string, InventoryDevice>();
  private readonly byAddress = new Map<string, InventoryDevice>();
  private readonly byLowerName = new Map<string, InventoryDevice>();
  readonly devices: readonly InventoryDevice[];

  constructor(devices: readonly InventoryDevice[]) {
    this.devices = devices;
    for (const d of devices) this.byName.set(d.name, d);
    // Windows agents report their host name in capitals (PC-0301) where the inventory has pc-0301.
    for (const d of devices) if (!this.byLowerName.has(d.name.toLowerCase())) this.byLowerName.set(d.name.toLowerCase(), d);
    for (const d of devices) for (const a of addressesOf(d)) if (!this.byAddress.has(a.toLowerCase())) this.byAddress.set(a.toLowerCase(), d);
  }

  /** The inventory device a sample's target (device/camera/url/host tag) names, if any. */
  resolve(target: string): InventoryDevice | undefined {
    return this.byName.get(target) ?? this.byAddress.get(target.toLowerCase()) ?? this.byLowerName.get(target.toLowerCase());
  }

  /** The name a target is reported under: its inventory name, else the target itself. */
  nameOf(target: string): string {
    return this.resolve(target)?.name ?? target;
  }

  place(name: string): Place {
    const d = this.byName.get(name);
    return { building: d?.building ?? '', floor: d?.floor ?? '', shaft: d?.shaft ?? '', room: d?.room ?? '' };
  }

  /** Local midnight of the device's monitored_since day in tz, or undefined when not set. */
  monitoredSince(name: string, midnight: (y: number, m: number, d: number) => number): number | undefined {
    const s = this.byName.get(name)?.monitored_since;
    if (!s) return undefined;
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return midnight(y, m, d);
  }
}
