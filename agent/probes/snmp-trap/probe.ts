import type { Event } from '../../../protocol/sample.ts';
import { ProbeError, type Probe, type ProbeContext, type ProbeDefinition } from '../probe.ts';
import { netSnmp, type NetSnmpModule, type NetSnmpNotification, type SnmpValue } from '../snmp/client.ts';
import { hex, isText, num, text } from '../snmp/decode.ts';
import type { SnmpTrapConfig } from '../snmp/trap-schema.ts';
export type { SnmpTrapConfig } from '../snmp/trap-schema.ts';

const TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const UPTIME = '1.3.6.1.2.1.1.3.0';
const STANDARD: Record<string, string> = {
  '1.3.6.1.6.3.1.1.5.1': 'coldStart',
  '1.3.6.1.6.3.1.1.5.2': 'warmStart',
  '1.3.6.1.6.3.1.1.5.3': 'linkDown',
  '1.3.6.1.6.3.1.1.5.4': 'linkUp',
  '1.3.6.1.6.3.1.1.5.5': 'authenticationFailure',
  '1.3.6.1.6.3.1.1.5.6': 'egpNeighborLoss',
};
const SEVERITY: Record<string, Event['severity']> = {
  coldStart: 'warning',
  warmStart: 'warning',
  linkDown: 'warning',
  linkUp: 'info',
  authenticationFailure: 'warning',
};

function valueString(v: SnmpValue): string | number {
  if (typeof v.value === 'number') return v.value;
  if (Buffer.isBuffer(v.value)) return v.type === 70 ? String(num(v) ?? '') : isText(v) ? text(v) : hex(v);
  return v.value === null || v.value === undefined ? '' : String(v.value);
}

/**
 * One notification as an event. Link traps target `device:ifName` (so linkUp clears the
 * linkDown of the same port); everything else targets the device. Unknown (vendor) traps
 * keep their OID and every varbind raw in attrs.
 */
export function trapToEvent(n: NetSnmpNotification, devices: Record<string, string>, now: number): Event & { kind: 'snmp_trap' } {
  const pdu = n.pdu;
  const vbs = pdu.varbinds ?? [];
  const source = n.rinfo.address;
  const device = devices[source] ?? source;
  const snmp = netSnmp();
  let trapOid: string;
  let version: string;
  if (pdu.type === snmp.PduType.Trap) {
    version = '1';
    // RFC 3584 §3: generic 0–5 map to snmpTraps.(generic+1); enterpriseSpecific to enterprise.0.specific.
    trapOid = pdu.generic !== undefined && pdu.generic < 6 ? `1.3.6.1.6.3.1.1.5.${pdu.generic + 1}` : `${pdu.enterprise}.0.${pdu.specific}`;
  } else {
    version = pdu.user !== undefined ? '3' : '2c';
    trapOid = String(vbs.find((v) => v.oid === TRAP_OID)?.value ?? '');
  }
  const name = STANDARD[trapOid] ?? 'vendor';
  const attrs: Event['attrs'] = { trap: name, trap_oid: trapOid, source, version, inform: pdu.type === snmp.PduType.InformRequest };
  if (pdu.user) attrs.user = pdu.user;
  const payload = vbs.filter((v) => v.oid !== TRAP_OID && v.oid !== UPTIME);
  let target = device;
  let message: string;
  if (name === 'linkDown' || name === 'linkUp') {
    const idx =
      payload.find((v) => v.oid.startsWith('1.3.6.1.2.1.2.2.1.1.'))?.value ??
      payload
        .find((v) => /^1\.3\.6\.1\.2\.1\.(2\.2\.1|31\.1\.1\.1)\.\d+\./.test(v.oid))
        ?.oid.split('.')
        .pop();
    const byName = payload.find((v) => v.oid.startsWith('1.3.6.1.2.1.31.1.1.1.1.')) ?? payload.find((v) => v.oid.startsWith('1.3.6.1.2.1.2.2.1.2.'));
    const port = byName ? text(byName) : idx !== undefined ? `ifIndex ${String(idx)}` : '';
    if (idx !== undefined) attrs.if_index = Number(idx);
    if (port) attrs.if_name = port;
    target = port ? `${device}:${port}` : device;
    message = `${device}: ${port || 'a port'} ${name === 'linkDown' ? 'went down' : 'came up'}`;
  } else if (name === 'coldStart' || name === 'warmStart') {
    message = `${device} restarted (${name})`;
  } else if (name === 'authenticationFailure') {
    message = `${device} reports an SNMP authentication failure (someone used a wrong community or key)`;
  } else {
    message = `${device} sent trap ${trapOid}`;
  }
  attrs.varbinds = JSON.stringify(payload.map((v) => [v.oid, valueString(v)]));
  return { kind: 'snmp_trap', target, severity: SEVERITY[name] ?? 'info', message, attrs, time: now };
}

export function createTrapReceiver(cfg: SnmpTrapConfig, ctx: Pick<ProbeContext, 'emitEvent' | 'log' | 'now'>): Probe & { port(): number } {
  let receiver: ReturnType<NetSnmpModule['createReceiver']> | undefined;
  let received = 0;
  let rejected = 0;
  return {
    port: () => cfg.port,
    async start() {
      const snmp = netSnmp();
      receiver = snmp.createReceiver({ port: cfg.port, address: cfg.address, transport: 'udp4', includeAuthentication: true }, (err, n) => {
        if (err || !n) {
          // Unknown community/user, bad digest: counted, not an agent error.
          rejected++;
          ctx.log.debug({ err, source: err?.rinfo?.address }, 'notification rejected');
          return;
        }
        received++;
        ctx.emitEvent(trapToEvent(n, cfg.devices, ctx.now()));
      });
      const auth = receiver.getAuthorizer();
      for (const c of cfg.communities) auth.addCommunity(c);
      for (const u of cfg.users) {
        const level = u.priv_key ? snmp.SecurityLevel.authPriv : u.auth_key ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
        auth.addUser({
          name: u.user,
          level,
          authProtocol: snmp.AuthProtocols[u.auth_protocol],
          authKey: u.auth_key,
          privProtocol: snmp.PrivProtocols[u.priv_protocol],
          privKey: u.priv_key,
        });
      }
      // The bind error (EACCES on 162 without privileges) arrives asynchronously on the socket.
      await new Promise<void>((resolve, reject) => {
        const sockets = (receiver as unknown as { listener?: { sockets?: Record<string, import('node:dgram').Socket> } }).listener?.sockets;
        const sock = sockets ? Object.values(sockets)[0] : undefined;
        if (!sock) return resolve();
        const onErr = (e: NodeJS.ErrnoException) =>
          reject(new ProbeError(e.code === 'EACCES' ? 'permission' : 'bind', `cannot listen on udp ${cfg.address}:${cfg.port}: ${e.code}`, { cause: e }));
        sock.once('error', onErr);
        sock.once('listening', () => {
          sock.off('error', onErr);
          resolve();
        });
      });
    },
    async collect() {
      const t = ctx.now();
      return [
        {
          measurement: 'snmp_trap_receiver',
          tags: { port: String(cfg.port) },
          fields: { received_total: BigInt(received), rejected_total: BigInt(rejected) },
          time: t,
        },
      ];
    },
    async close() {
      await new Promise<void>((resolve) => {
        if (!receiver) return resolve();
        try {
          receiver.close(() => resolve());
        } catch {
          resolve();
        }
        setTimeout(resolve, 200).unref();
      });
      receiver = undefined;
    },
  };
}

/**
 * SNMP notification receiver (v1/v2c traps, v3 traps, informs — informs are acknowledged by
 * net-snmp). A long-running probe: start() binds the UDP port, every notification becomes an
 * event through ctx.emitEvent; collect() only reports the receiver's own counters.
 * Port 162 needs CAP_NET_BIND_SERVICE or a port redirect (docs/switches.md).
 */
export const snmpTrapProbe: ProbeDefinition<SnmpTrapConfig> = {
  kind: 'snmp_trap',
  description: 'SNMP trap/inform receiver (v1/v2c/v3): linkDown/linkUp, cold/warm start, auth failures, vendor traps as events',
  create: (cfg, ctx) => createTrapReceiver(cfg, ctx),
};
