import path from 'node:path';
import type si from 'systeminformation';
import { nodeChildArgs } from '../../../lib/node-child.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import { decodeConsole } from '../platform/decode.ts';
import type { Platform } from '../platform/platform.ts';
import { loadSi } from './si.ts';

/** Static facts about a machine: they change on reinstall or upgrade, so they are read every few hours. */
export interface Inventory {
  os_family: string;
  os_name: string;
  os_version: string;
  os_build: string;
  manufacturer: string;
  model: string;
  serial: string;
  cpu_model: string;
  cpu_cores: number;
  mem_total: number;
  disks: number;
  disks_smart_failed: number;
}

/** The systeminformation calls the inventory makes (each costs 100–500 ms: bench:host-cost). */
export interface InventorySource {
  osInfo(): Promise<Pick<si.Systeminformation.OsData, 'platform' | 'distro' | 'release' | 'build' | 'codename'>>;
  system(): Promise<Pick<si.Systeminformation.SystemData, 'manufacturer' | 'model' | 'serial'>>;
  cpu(): Promise<Pick<si.Systeminformation.CpuData, 'manufacturer' | 'brand' | 'cores' | 'physicalCores'>>;
  memTotal(): Promise<number>;
  diskLayout(): Promise<Pick<si.Systeminformation.DiskLayoutData, 'smartStatus' | 'name'>[]>;
}

export const systemInventorySource: InventorySource = {
  osInfo: async () => (await loadSi()).osInfo(),
  system: async () => (await loadSi()).system(),
  cpu: async () => (await loadSi()).cpu(),
  memTotal: async () => (await (await loadSi()).mem()).total,
  diskLayout: async () => (await loadSi()).diskLayout(),
};

/**
 * `reg query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion" /v UBR` prints
 * `    UBR    REG_DWORD    0x1a2b`: the update build revision, the number after the build
 * (19045.5247) that tells which cumulative update a Windows 10/11 machine runs.
 */
export function parseRegDword(text: string, name: string): number | undefined {
  const m = new RegExp(`^\\s*${name}\\s+REG_DWORD\\s+0x([0-9a-f]+)`, 'im').exec(text);
  return m ? parseInt(m[1]!, 16) : undefined;
}

export async function windowsUbr(platform: Platform, signal?: AbortSignal): Promise<number | undefined> {
  const r = await platform.exec('reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', '/v', 'UBR'], { signal, timeoutMs: 10_000 });
  if (r.error_class || r.code !== 0) return undefined;
  return parseRegDword(decodeConsole(r.stdout, await platform.codepage()), 'UBR');
}

/** Reads the inventory; each source call that fails leaves its fields empty rather than failing the probe. */
export async function readInventory(src: InventorySource, platform: Platform, signal?: AbortSignal): Promise<Inventory> {
  const safe = async <T>(p: Promise<T>, d: T) => p.catch(() => d);
  // One after the other: on Windows they share one PowerShell session, in parallel they queue anyway.
  const osi = await safe(src.osInfo(), { platform: '', distro: '', release: '', build: '', codename: '' });
  const sys = await safe(src.system(), { manufacturer: '', model: '', serial: '' });
  const cpu = await safe(src.cpu(), { manufacturer: '', brand: '', cores: 0, physicalCores: 0 });
  const memTotal = await safe(src.memTotal(), 0);
  const disks = await safe(src.diskLayout(), []);
  let build = osi.build ?? '';
  if (platform.os === 'windows') {
    const ubr = await windowsUbr(platform, signal);
    if (ubr !== undefined && build) build = `${build}.${ubr}`;
  }
  const fam = platform.os === 'other' ? (osi.platform || 'other').toLowerCase() : platform.os;
  return {
    os_family: fam,
    os_name: osi.distro ?? '',
    os_version: osi.release ?? '',
    os_build: build,
    manufacturer: sys.manufacturer ?? '',
    model: sys.model ?? '',
    serial: sys.serial ?? '',
    cpu_model: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' '),
    cpu_cores: cpu.cores ?? 0,
    mem_total: memTotal,
    disks: disks.length,
    // systeminformation says Ok / Predicted Failure / unknown (no smartctl, virtual disk).
    disks_smart_failed: disks.filter((d) => d.smartStatus && !/^(ok|unknown|)$/i.test(d.smartStatus)).length,
  };
}

const CHILD = path.join(import.meta.dirname, 'inventory-child.ts');

const INVENTORY_KEYS: Record<keyof Inventory, 'string' | 'number'> = {
  os_family: 'string',
  os_name: 'string',
  os_version: 'string',
  os_build: 'string',
  manufacturer: 'string',
  model: 'string',
  serial: 'string',
  cpu_model: 'string',
  cpu_cores: 'number',
  mem_total: 'number',
  disks: 'number',
  disks_smart_failed: 'number',
};

function isInventory(v: unknown): v is Inventory {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Object.entries(INVENTORY_KEYS).every(([k, type]) => typeof o[k] === type);
}

/**
 * Reads the inventory in a short-lived child process (host/inventory-child.ts) running the same
 * readInventory, so that systeminformation and the dozens of modules it loads (~2 MiB that would
 * stay resident, docs/measurements.md) are not kept in the agent for a read every few hours.
 * Used on Linux, where the probe's loop needs no systeminformation; on Windows the loop uses
 * it anyway, through its persistent PowerShell session. If the child fails, the inventory is
 * read here as before: the figures matter more than the memory.
 */
export async function readInventoryInChild(platform: Platform, signal?: AbortSignal): Promise<Inventory> {
  const r = await platform.exec(process.execPath, nodeChildArgs(CHILD), { signal, timeoutMs: 120_000 });
  if (r.code === 0 && !r.error_class) {
    try {
      const inv: unknown = JSON.parse(r.stdout.toString('utf8'));
      if (isInventory(inv)) return inv;
    } catch {
      /* not JSON: read it here */
    }
  }
  signal?.throwIfAborted();
  return readInventory(systemInventorySource, platform, signal);
}

export function inventorySample(inv: Inventory, host: string, tags: Record<string, string>, time: number): Sample {
  return {
    measurement: 'host_inventory',
    tags: { ...tags, host, os_family: inv.os_family },
    fields: {
      os_name: inv.os_name,
      os_version: inv.os_version,
      os_build: inv.os_build,
      manufacturer: inv.manufacturer,
      model: inv.model,
      serial: inv.serial,
      cpu_model: inv.cpu_model,
      cpu_cores: int(inv.cpu_cores),
      mem_total: int(inv.mem_total),
      disks: int(inv.disks),
      disks_smart_failed: int(inv.disks_smart_failed),
    },
    time,
  };
}
