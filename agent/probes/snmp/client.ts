import { getCiphers } from 'node:crypto';
import { createRequire } from 'node:module';
import { ProbeError } from '../probe.ts';

/**
 * The narrow slice of `net-snmp` (which ships no types) the SNMP probe uses. Tests use the
 * real library against snmpsimd; the poller only depends on SnmpClient, so a fake can stand
 * in for unit tests of the parsing.
 */
interface NetSnmpVarbind {
  oid: string;
  type: number;
  value: unknown;
}
interface NetSnmpSession {
  get(oids: string[], cb: (err: Error | null, vbs?: NetSnmpVarbind[]) => void): void;
  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, cb: (err: Error | null, vbs?: (NetSnmpVarbind | NetSnmpVarbind[])[]) => void): void;
  // biome-ignore lint/suspicious/noConfusingVoidType: net-snmp's feed callback may return nothing (go on) or true (stop)
  walk(oid: string, maxRepetitions: number, feed: (vbs: NetSnmpVarbind[]) => boolean | void, done: (err: Error | null) => void): void;
  close(): void;
  on(ev: 'error', cb: (e: Error) => void): void;
}
export interface NetSnmpModule {
  createSession(target: string, community: string, opts: Record<string, unknown>): NetSnmpSession;
  createV3Session(target: string, user: Record<string, unknown>, opts: Record<string, unknown>): NetSnmpSession;
  createReceiver(opts: Record<string, unknown>, cb: (err: (Error & { rinfo?: { address: string } }) | null, n?: NetSnmpNotification) => void): NetSnmpReceiver;
  isVarbindError(vb: NetSnmpVarbind): boolean;
  Version1: number;
  Version2c: number;
  Version3: number;
  ObjectType: Record<string, number>;
  PduType: Record<string, number>;
  SecurityLevel: Record<'noAuthNoPriv' | 'authNoPriv' | 'authPriv', number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
  ErrorStatus: Record<string, number>;
}
export interface NetSnmpNotification {
  /** `community` (v1/v2c) or `user` (v3) are set when the receiver runs with includeAuthentication. */
  pdu: {
    type: number;
    varbinds: NetSnmpVarbind[];
    enterprise?: string;
    agentAddr?: string;
    generic?: number;
    specific?: number;
    upTime?: number;
    contextName?: string;
    user?: string;
    community?: string;
  };
  rinfo: { address: string; port: number };
}
export interface NetSnmpReceiver {
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: Record<string, unknown>): void };
  close(cb?: () => void): void;
}

let netSnmpModule: NetSnmpModule | undefined;
/** net-snmp, loaded on first use: an agent without SNMP probes never loads it (config validation imports this file for the protocol names). */
export function netSnmp(): NetSnmpModule {
  return (netSnmpModule ??= createRequire(import.meta.url)('net-snmp') as NetSnmpModule);
}

/** One SNMP value as the library decodes it: numbers, Buffers (strings, Counter64), OID strings. */
export interface SnmpValue {
  type: number;
  value: unknown;
}

export type SnmpVersion = '1' | '2c' | '3';
export const AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;

/** How to reach one device: address, credentials and per-device timing. */
export interface SnmpTarget {
  host: string;
  port: number;
  version: SnmpVersion;
  community: string;
  /** v3 only; security level follows from which keys are present. */
  user?: string | undefined;
  auth_protocol?: (typeof AUTH_PROTOCOLS)[number] | undefined;
  auth_key?: string | undefined;
  priv_protocol?: (typeof PRIV_PROTOCOLS)[number] | undefined;
  priv_key?: string | undefined;
  /** v3 context name (snmpsimd selects the recording by it). */
  context?: string | undefined;
  request_timeout_ms: number;
  retries: number;
  max_repetitions: number;
}

/**
 * One session to one device. `get` returns only instances that exist; `walkColumns` walks
 * several table columns side by side with GETBULK (GETNEXT for v1) and returns, per column,
 * the instance suffix → value. Both reject with the library's error (timeouts included); the
 * poller turns those into `up=0`.
 */
export interface SnmpClient {
  get(oids: string[]): Promise<Map<string, SnmpValue>>;
  walkColumns(columns: string[]): Promise<Map<string, Map<string, SnmpValue>>>;
  close(): void;
}

/** DES-CBC lives in OpenSSL 3's legacy provider, which Node loads only with --openssl-legacy-provider. */
export function desAvailable(): boolean {
  return getCiphers().includes('des-cbc');
}

export function createClient(t: SnmpTarget): SnmpClient {
  const snmp = netSnmp();
  if (t.version === '3' && t.priv_key && t.priv_protocol === 'des' && !desAvailable())
    throw new ProbeError(
      'unsupported',
      'SNMPv3 DES privacy needs the OpenSSL legacy provider: start node with --openssl-legacy-provider (or NODE_OPTIONS), or switch the device to AES',
    );
  const opts = { port: t.port, retries: t.retries, timeout: t.request_timeout_ms, backoff: 1, idBitsSize: 32 };
  let session: NetSnmpSession;
  if (t.version === '3') {
    const level = t.priv_key ? snmp.SecurityLevel.authPriv : t.auth_key ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
    const user: Record<string, unknown> = { name: t.user ?? '', level };
    if (t.auth_key) {
      user.authProtocol = snmp.AuthProtocols[t.auth_protocol ?? 'sha'];
      user.authKey = t.auth_key;
    }
    if (t.priv_key) {
      user.privProtocol = snmp.PrivProtocols[t.priv_protocol ?? 'aes'];
      user.privKey = t.priv_key;
    }
    session = snmp.createV3Session(t.host, user, { ...opts, version: snmp.Version3, context: t.context ?? '' });
  } else {
    session = snmp.createSession(t.host, t.community, { ...opts, version: t.version === '1' ? snmp.Version1 : snmp.Version2c });
  }
  // Socket errors surface through the pending request's callback; an unhandled 'error' event would kill the agent.
  session.on('error', () => {});
  const ends = (vb: NetSnmpVarbind) => snmp.isVarbindError(vb);

  const get = (oids: string[]) =>
    new Promise<Map<string, SnmpValue>>((resolve, reject) => {
      session.get(oids, (err, vbs) => {
        if (err) {
          // v1 answers a GET with one missing instance by failing the whole PDU (noSuchName).
          if (t.version === '1' && (err as { status?: number }).status === snmp.ErrorStatus.NoSuchName && oids.length > 1) {
            Promise.all(oids.map((o) => get([o]).catch(() => new Map<string, SnmpValue>()))).then((ms) => resolve(new Map(ms.flatMap((m) => [...m]))), reject);
            return;
          }
          if (t.version === '1' && (err as { status?: number }).status === snmp.ErrorStatus.NoSuchName) return resolve(new Map());
          return reject(err);
        }
        const out = new Map<string, SnmpValue>();
        for (const vb of vbs ?? []) if (!ends(vb)) out.set(vb.oid, { type: vb.type, value: vb.value });
        resolve(out);
      });
    });

  const walkV1 = (col: string) =>
    new Promise<Map<string, SnmpValue>>((resolve, reject) => {
      const out = new Map<string, SnmpValue>();
      const prefix = col + '.';
      session.walk(
        col,
        t.max_repetitions,
        (vbs) => {
          for (const vb of vbs) {
            if (ends(vb) || !vb.oid.startsWith(prefix)) return true;
            out.set(vb.oid.slice(prefix.length), { type: vb.type, value: vb.value });
          }
          return false;
        },
        (err) => (err ? reject(err) : resolve(out)),
      );
    });

  const walkColumns = async (columns: string[]) => {
    const result = new Map<string, Map<string, SnmpValue>>(columns.map((c) => [c, new Map()]));
    if (t.version === '1') {
      for (const c of columns) result.set(c, await walkV1(c));
      return result;
    }
    // Side-by-side walk: one GETBULK carries every unfinished column, like snmptable/snmp_exporter.
    let active = columns.map((c) => ({ col: c, prefix: c + '.', cursor: c }));
    while (active.length) {
      const reps = Math.max(1, Math.floor(t.max_repetitions));
      const vbs = await new Promise<(NetSnmpVarbind | NetSnmpVarbind[])[]>((resolve, reject) =>
        session.getBulk(
          active.map((a) => a.cursor),
          0,
          reps,
          (err, v) => (err ? reject(err) : resolve(v ?? [])),
        ),
      );
      const next: typeof active = [];
      active.forEach((a, i) => {
        const rows = vbs[i];
        const list = Array.isArray(rows) ? rows : rows ? [rows] : [];
        const m = result.get(a.col)!;
        let done = list.length === 0;
        for (const vb of list) {
          if (ends(vb) || !vb.oid.startsWith(a.prefix) || compareOid(vb.oid, a.cursor) <= 0) {
            done = true;
            break;
          }
          m.set(vb.oid.slice(a.prefix.length), { type: vb.type, value: vb.value });
          a.cursor = vb.oid;
        }
        if (!done) next.push(a);
      });
      active = next;
    }
    return result;
  };

  return {
    get,
    walkColumns,
    close: () => {
      try {
        session.close();
      } catch {
        /* already closed */
      }
    },
  };
}

/** Numeric OID order (agents that return non-increasing OIDs would make a walk loop forever). */
export function compareOid(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d) return d;
  }
  return x.length - y.length;
}
