import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import os from 'node:os';

export const WSD_ADDRESS = '239.255.255.250';
export const WSD_PORT = 3702;

/** One device that answered a WS-Discovery Probe. */
export interface DiscoveredDevice {
  /** The local interface the probe went out on. */
  interface: string;
  /** Address and port the ProbeMatch came from. */
  from: string;
  /** Endpoint reference (usually urn:uuid:…), stable across address changes. */
  endpoint: string;
  /** Device service URLs. */
  xaddrs: string[];
  types: string[];
  scopes: string[];
  /** From onvif://www.onvif.org/name/… and /hardware/… scopes (URL-decoded). */
  name: string | null;
  hardware: string | null;
}

export function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    `<e:Header><w:MessageID>${messageId}</w:MessageID>` +
    '<w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>' +
    '<w:Action e:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>' +
    '<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>'
  );
}

const text = (xml: string, tag: string): string | undefined =>
  new RegExp(`<(?:[\\w-]+:)?${tag}\\b[^>]*>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}>`).exec(xml)?.[1]?.trim();
const words = (s: string | undefined) => (s ? s.split(/\s+/).filter(Boolean) : []);

/** Parses a ProbeMatches reply; undefined when it is not one, or answers another probe. */
export function parseProbeMatches(xml: string, messageId: string | undefined): Omit<DiscoveredDevice, 'interface' | 'from'>[] | undefined {
  if (!/ProbeMatches\b/.test(xml)) return undefined;
  const relates = text(xml, 'RelatesTo');
  if (messageId && relates && relates !== messageId) return undefined;
  const out: Omit<DiscoveredDevice, 'interface' | 'from'>[] = [];
  for (const m of xml.matchAll(/<(?:[\w-]+:)?ProbeMatch\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?ProbeMatch>/g)) {
    const body = m[1]!;
    const scopes = words(text(body, 'Scopes'));
    const scope = (k: string) => {
      const s = scopes.find((x) => x.startsWith(`onvif://www.onvif.org/${k}/`));
      return s ? decodeURIComponent(s.slice(`onvif://www.onvif.org/${k}/`.length)) : null;
    };
    out.push({
      endpoint: text(body, 'Address') ?? '',
      xaddrs: words(text(body, 'XAddrs')),
      types: words(text(body, 'Types')),
      scopes,
      name: scope('name'),
      hardware: scope('hardware'),
    });
  }
  return out;
}

/** IPv4 interfaces to probe on: the named ones, or every non-internal one. */
export function probeInterfaces(names: string[]): { name: string; address: string }[] {
  const out: { name: string; address: string }[] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (names.length ? !names.includes(name) : false) continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && (names.length > 0 || !a.internal)) out.push({ name, address: a.address });
  }
  return out;
}

/**
 * Sends a WS-Discovery Probe for NetworkVideoTransmitter out of each interface (multicast to
 * 239.255.255.250:3702, bound to the interface's address so the reply comes back on it), plus
 * unicast to each `targets` host:port (for subnets multicast does not reach), and collects
 * ProbeMatches for timeoutMs. Devices are deduplicated by endpoint and interface.
 */
export async function discover(opts: {
  interfaces: { name: string; address: string }[];
  targets?: { host: string; port: number }[];
  timeoutMs: number;
  repeat?: number;
}): Promise<DiscoveredDevice[]> {
  const found = new Map<string, DiscoveredDevice>();
  const sockets: dgram.Socket[] = [];
  const send = async (ifName: string, bindAddress: string, dests: { host: string; port: number }[], multicastIf?: string) => {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    sockets.push(sock);
    const id = `uuid:${randomUUID()}`;
    sock.on('message', (msg, rinfo) => {
      const matches = parseProbeMatches(msg.toString('utf8'), id);
      for (const m of matches ?? []) {
        const key = `${ifName} ${m.endpoint || rinfo.address}`;
        if (!found.has(key)) found.set(key, { interface: ifName, from: `${rinfo.address}:${rinfo.port}`, ...m });
      }
    });
    sock.on('error', () => sock.close());
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, bindAddress, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    if (multicastIf) {
      sock.setMulticastInterface(multicastIf);
      sock.setMulticastTTL(1);
      sock.setMulticastLoopback(true);
    }
    const msg = Buffer.from(probeMessage(id));
    // UDP may drop one: WS-Discovery repeats the probe (SOAP-over-UDP's retransmission).
    for (let i = 0; i < (opts.repeat ?? 2); i++) for (const d of dests) sock.send(msg, d.port, d.host);
  };
  const waits: Promise<void>[] = [];
  for (const i of opts.interfaces) waits.push(send(i.name, i.address, [{ host: WSD_ADDRESS, port: WSD_PORT }], i.address).catch(() => undefined));
  if (opts.targets?.length) waits.push(send('unicast', '0.0.0.0', opts.targets));
  await Promise.all(waits);
  await new Promise((r) => setTimeout(r, opts.timeoutMs));
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      /* closed on error already */
    }
  }
  return [...found.values()].sort((a, b) => a.from.localeCompare(b.from));
}
