import type { z } from 'zod';
import { antivirusSchema } from '../antivirus/schema.ts';
import { hostSchema } from '../host/schema.ts';
import { onvifSchema } from '../onvif/schema.ts';
import { patchesSchema } from '../patches/schema.ts';
import { pingSchema } from '../ping/schema.ts';
import { printerSchema } from '../printer/schema.ts';
import { portmapSchema } from '../portmap/schema.ts';
import { snmpSchema } from '../snmp/schema.ts';
import { snmpTrapSchema } from '../snmp/trap-schema.ts';
import { sshSchema } from '../ssh/schema.ts';
import { softwareSchema } from '../software/schema.ts';
import { httpSchema } from '../http/schema.ts';
import { tlsSchema } from '../tls/schema.ts';
import { dnsSchema } from '../dns/schema.ts';
import { tcpSchema } from '../tcp/schema.ts';

/**
 * The config schema of every probe kind, by `kind` (agent/probes/all/index.ts has their code).
 * Config validation and `watchpost check` use these; the running agent does not load them.
 */
export const probeSchemas = {
  host: hostSchema,
  ping: pingSchema,
  patches: patchesSchema,
  antivirus: antivirusSchema,
  snmp: snmpSchema,
  snmp_trap: snmpTrapSchema,
  ssh: sshSchema,
  onvif: onvifSchema,
  printer: printerSchema,
  portmap: portmapSchema,
  software: softwareSchema,
  http: httpSchema,
  tls: tlsSchema,
  dns: dnsSchema,
  tcp: tcpSchema,
} satisfies Record<string, z.ZodType>;

/** The schema of `kind`, or undefined for a kind no probe has. */
export function schemaOf(kind: string): z.ZodType | undefined {
  return Object.hasOwn(probeSchemas, kind) ? (probeSchemas as Record<string, z.ZodType>)[kind] : undefined;
}
