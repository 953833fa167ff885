import { z } from 'zod';
import type { PortmapSnapshot } from '../../lib/portmap-snapshot.ts';

const mac = z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
const neighbor = z.object({ protocol: z.enum(['lldp', 'cdp']), remoteSysName: z.string(), remotePort: z.string(), remoteChassisId: z.string() });

/** What a PortmapSnapshot must look like when it arrives from an agent (lib/portmap-snapshot.ts). */
export const portmapSnapshotSchema = z.object({
  version: z.literal(1),
  device: z.string().min(1),
  host: z.string(),
  time: z.number().int().nonnegative(),
  up: z.boolean(),
  errorClass: z.string().nullable(),
  sysName: z.string(),
  vendor: z.string(),
  bridgeMac: mac.nullable(),
  ports: z.array(
    z.object({
      ifIndex: z.number().int(),
      ifName: z.string(),
      ifAlias: z.string(),
      operStatus: z.string(),
      speedMbps: z.number().nullable(),
      pvid: z.number().int().nullable(),
      aggregate: z.number().int().nullable(),
      trunk: z.boolean(),
      macCount: z.number().int().nonnegative(),
      edge: z.boolean(),
      reasons: z.array(z.enum(['lldp', 'cdp', 'switch_mac', 'aggregate', 'trunk', 'too_many_macs'])),
      neighbors: z.array(neighbor),
    }),
  ),
  entries: z.array(
    z.object({
      mac,
      vlan: z.number().int().nullable(),
      ifIndex: z.number().int(),
      ifName: z.string(),
      bridgePort: z.number().int().nullable(),
      source: z.enum(['qbridge', 'bridge', 'huawei']),
      edge: z.boolean(),
    }),
  ),
  arp: z.array(z.object({ ip: z.string().min(1), mac, ifIndex: z.number().int() })),
  uplinks: z.array(z.string()),
  vlanErrors: z.array(z.object({ vlan: z.number().int(), errorClass: z.string() })),
}) satisfies z.ZodType<PortmapSnapshot>;
