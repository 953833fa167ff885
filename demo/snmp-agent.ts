import { createRequire } from 'node:module';

/** The slice of net-snmp (which ships no types) the simulated devices use. */
interface MibNode {
  value: unknown;
  valueType: number;
}
interface NetSnmpAgentModule {
  ObjectType: Record<'Integer' | 'OctetString' | 'OID' | 'IpAddress' | 'Counter' | 'Gauge' | 'TimeTicks' | 'Counter64', number>;
  MibProviderType: { Scalar: number };
  MaxAccess: Record<string, number>;
  AccessControlModelType: { None: number };
  createAgent(
    o: Record<string, unknown>,
    cb: (e: Error | null) => void,
  ): {
    getAuthorizer(): { addCommunity(c: string): void };
    getMib(): { addProviderToNode(p: Record<string, unknown>): unknown; addNodesForOid(oid: string): MibNode };
    close(cb: () => void): void;
  };
}
const snmp = createRequire(import.meta.url)('net-snmp') as NetSnmpAgentModule;

/** One variable of a device recording: its OID, SNMP type and value. */
export interface Variable {
  oid: string;
  type: number;
  value: string | number | Buffer;
}

const T = snmp.ObjectType;

/**
 * Parses snmprec text (snmpsim's format, as the shared recordings are kept: `oid|tag|value`,
 * tag `4x`/`64x` for hex-encoded values). Lines with variation modules (`tag:module`) or tags
 * this agent does not serve are skipped, as are comments.
 */
export function parseSnmprec(text: string): Variable[] {
  const out: Variable[] = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf('|');
    const b = line.indexOf('|', a + 1);
    if (a <= 0 || b < 0 || line.startsWith('#')) continue;
    const oid = line.slice(0, a);
    let tag = line.slice(a + 1, b);
    const raw = line.slice(b + 1).replace(/\r$/, '');
    if (tag.includes(':') || !/^[\d.]+$/.test(oid)) continue;
    const hex = tag.endsWith('x');
    if (hex) tag = tag.slice(0, -1);
    const bytes = () => (hex ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'latin1'));
    switch (Number(tag)) {
      case 2:
        out.push({ oid, type: T.Integer, value: Number(raw) });
        break;
      case 4:
        out.push({ oid, type: T.OctetString, value: bytes() });
        break;
      case 6:
        out.push({ oid, type: T.OID, value: raw });
        break;
      case 64:
        out.push({ oid, type: T.IpAddress, value: hex ? [...Buffer.from(raw, 'hex')].join('.') : raw });
        break;
      case 65:
        out.push({ oid, type: T.Counter, value: Number(raw) });
        break;
      case 66:
        out.push({ oid, type: T.Gauge, value: Number(raw) });
        break;
      case 67:
        out.push({ oid, type: T.TimeTicks, value: Number(raw) });
        break;
      case 70:
        out.push({ oid, type: T.Counter64, value: u64(BigInt(raw)) });
        break;
    }
  }
  return out;
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, v));
  return b;
}

const IF_OPER = '1.3.6.1.2.1.2.2.1.8.';
const IF_SPEED = '1.3.6.1.2.1.2.2.1.5.';
/** Octet counters that move on ports that are up: ifInOctets, ifOutOctets (32-bit), ifHCIn/OutOctets. */
const COUNTERS32 = ['1.3.6.1.2.1.2.2.1.10.', '1.3.6.1.2.1.2.2.1.16.'];
const COUNTERS64 = ['1.3.6.1.2.1.31.1.1.1.6.', '1.3.6.1.2.1.31.1.1.1.10.'];
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const PAGES = '1.3.6.1.2.1.43.10.2.1.4.';

/** A simulated SNMP device on loopback: net-snmp's own Agent serving one recording. */
export interface SnmpDevice {
  port: number;
  /** Stops answering (a switch losing power) or answers again. */
  setOnline(on: boolean): void;
  close(): Promise<void>;
}

/**
 * Serves `vars` under `community` (SNMP v1/v2c) on 127.0.0.1:port with net-snmp's Agent, so
 * the demo needs no Debian package. The Agent's MIB is normally built from MIB modules; a
 * recording has no MIB, so each variable is put on the agent's MIB tree as an instance node
 * under two catch-all providers (1.0.8802 for LLDP, 1.3.6.1 for the rest) — which relies on
 * net-snmp 3.29's tree layout (the version is pinned; test/demo/snmp-agent.test.ts walks it
 * with snmpbulkwalk). Uptime advances, and so do the octet counters of ports that are up
 * and a printer's page counter, so rates and graphs move.
 */
export async function startSnmpDevice(vars: readonly Variable[], opts: { port: number; community?: string; bytesPerSecond?: number }): Promise<SnmpDevice> {
  let online = true;
  let failed: Error | undefined;
  const agent = snmp.createAgent({ port: opts.port, address: '127.0.0.1', accessControlModelType: snmp.AccessControlModelType.None }, (e: Error | null) => {
    // A request with a wrong community is refused by the agent, like a real switch: no answer.
    if (e && !/community/i.test(e.message)) failed = e;
  });
  agent.getAuthorizer().addCommunity(opts.community ?? 'public');
  const mib = agent.getMib();
  for (const root of ['1.0.8802.1', '1.3.6.1'])
    mib.addProviderToNode({
      name: `demo-${root}`,
      type: snmp.MibProviderType.Scalar,
      oid: root,
      scalarType: T.OctetString,
      maxAccess: snmp.MaxAccess['read-only'],
    });
  const nodes = new Map<string, MibNode>();
  for (const v of vars) {
    const n = mib.addNodesForOid(v.oid);
    n.value = v.value;
    n.valueType = v.type;
    nodes.set(v.oid, n);
  }
  const started = Date.now();
  const uptime0 = Number(nodes.get(SYS_UPTIME)?.value ?? 0);
  const up = (oid: string) => {
    const idx = oid.slice(oid.lastIndexOf('.') + 1);
    return nodes.get(IF_OPER + idx)?.value === 1;
  };
  const rate = (oid: string) => {
    const idx = oid.slice(oid.lastIndexOf('.') + 1);
    const speed = Number(nodes.get(IF_SPEED + idx)?.value ?? 1e9) || 1e9;
    // A few percent of the port's speed, different per port, so graphs differ.
    return Math.round(((opts.bytesPerSecond ?? speed / 8 / 50) * ((Number(idx) % 7) + 1)) / 4);
  };
  const tick = setInterval(() => {
    const uptime = nodes.get(SYS_UPTIME);
    if (uptime) uptime.value = (uptime0 + Math.floor((Date.now() - started) / 10)) % 2 ** 32;
    for (const [oid, n] of nodes) {
      if (COUNTERS32.some((p) => oid.startsWith(p)) && up(oid)) n.value = (Number(n.value) + rate(oid)) % 2 ** 32;
      else if (COUNTERS64.some((p) => oid.startsWith(p)) && up(oid)) n.value = u64((n.value as Buffer).readBigUInt64BE() + BigInt(rate(oid)));
      else if (oid.startsWith(PAGES) && Math.random() < 0.05) n.value = Number(n.value) + 1;
    }
  }, 1000);
  tick.unref();
  // Offline: the agent's socket stays bound, requests are dropped unanswered.
  const listener = (agent as unknown as { listener: { sockets?: Record<string, unknown> } }).listener;
  const onMsg = (agent as unknown as { onMsg: (...a: unknown[]) => void }).onMsg.bind(agent);
  const sockets = Object.values(listener.sockets ?? {}) as unknown as import('node:dgram').Socket[];
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('listening', () => resolve());
          s.once('error', reject);
        }),
    ),
  );
  for (const s of sockets) {
    s.removeAllListeners('message');
    s.on('message', (buf: unknown, rinfo: unknown) => {
      if (online) onMsg(s, buf, rinfo);
    });
  }
  if (failed) throw failed;
  return {
    port: opts.port,
    setOnline(on) {
      online = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(tick);
        agent.close(() => resolve());
      }),
  };
}
