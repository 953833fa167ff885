import type { ProbeDefinition } from '../probe.ts';
import { hostProbe } from '../host/probe.ts';
import { pingProbe } from '../ping/probe.ts';
import { patchesProbe } from '../patches/probe.ts';
import { antivirusProbe } from '../antivirus/probe.ts';
import { snmpProbe } from '../snmp/probe.ts';
import { snmpTrapProbe } from '../snmp-trap/probe.ts';
import { sshProbe } from '../ssh/probe.ts';
import { onvifProbe } from '../onvif/probe.ts';
import { printerProbe } from '../printer/probe.ts';
import { portmapProbe } from '../portmap/probe.ts';
import { softwareProbe } from '../software/probe.ts';
import { httpProbe } from '../http/probe.ts';
import { tlsProbe } from '../tls/probe.ts';
import { dnsProbe } from '../dns/probe.ts';
import { tcpProbe } from '../tcp/probe.ts';

/**
 * Every probe kind the agent knows, by `kind`. Adding a probe: a folder agent/probes/<kind>/
 * whose probe.ts exports a ProbeDefinition (schema.ts, check.ts beside it), one line here and
 * one in schemas.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: one list of probes whose configs differ; each definition is typed where it is written
export const probes: readonly ProbeDefinition<any>[] = [
  hostProbe,
  pingProbe,
  patchesProbe,
  antivirusProbe,
  snmpProbe,
  snmpTrapProbe,
  sshProbe,
  onvifProbe,
  printerProbe,
  portmapProbe,
  softwareProbe,
  httpProbe,
  tlsProbe,
  dnsProbe,
  tcpProbe,
];

export function probeByKind(kind: string): ProbeDefinition | undefined {
  return probes.find((p) => p.kind === kind);
}
