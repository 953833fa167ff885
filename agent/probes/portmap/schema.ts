import { z } from 'zod';
import { deviceSchema } from '../snmp/schema.ts';
import { probeSchema } from '../probe-schema.ts';

const mac = z
  .string()
  .refine((s) => /^[0-9a-fA-F]{2}([:-]?[0-9a-fA-F]{2}){5}$/.test(s), 'not a MAC address: write six hex bytes, 00:11:22:aa:bb:cc (00-11-22-AA-BB-CC and 001122aabbcc work too)')
  .transform((s) => s.replace(/[:-]/g, '').toLowerCase().match(/../g)!.join(':'));

export const portmapDeviceSchema = deviceSchema.extend({
  /**
   * Cisco community/context indexing (`community@vlan`, context `vlan-N`): `auto` walks each
   * VLAN of vtpVlanState on Cisco devices, `off` reads the default context only.
   */
  per_vlan: z.enum(['auto', 'off']).default('auto').describe('Cisco community/context indexing (`community@vlan`, context `vlan-N`): `auto` walks each VLAN of vtpVlanState on Cisco devices, `off` reads the default context only.'),
});
export type PortmapDeviceConfig = z.infer<typeof portmapDeviceSchema>;

export const portmapSchema = probeSchema(
  'portmap',
  { interval_s: 900, timeout_ms: 120_000 },
  {
    devices: z.array(portmapDeviceSchema).min(1).describe('The switches to read, core switch or router (the ARP source) first.'),
    concurrency: z.number().int().min(1).max(1000).default(32).describe('Devices polled at the same time (each is one UDP session).'),
    /** A port with more distinct MACs than this is not an edge port (a hub, an unmanaged switch, an AP). */
    max_macs_edge: z.number().int().min(1).max(4096).default(4).describe('A port with more distinct MACs than this is not an edge port (a hub, an unmanaged switch, an AP).'),
    /** MACs of switches this agent does not poll (a port where one appears is an uplink). */
    switch_macs: z.array(mac).default([]).describe('MACs of switches this agent does not poll (a port where one appears is an uplink).'),
    /** Read ipNetToMediaTable/ipNetToPhysicalTable (MAC → IP); on for the core switch or router. */
    arp: z.boolean().default(true).describe('Read ipNetToMediaTable/ipNetToPhysicalTable (MAC → IP); on for the core switch or router.'),
  },
);
export type PortmapConfig = z.infer<typeof portmapSchema>;
