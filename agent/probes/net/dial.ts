import dns from 'node:dns';
import net from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { DEFAULT_ANCHORS, TrustAnchors } from './anchors.ts';

/** Which address family to dial: blackbox_exporter's preferred_ip_protocol with fallback. */
export type IpProtocol = 'any' | 'ip4' | 'ip6';

/**
 * A failure in one phase of a connection (dns, connect, tls, processing, transfer), with the
 * error class the samples carry. Thrown by the dial helpers and the HTTP client; the probes
 * turn it into result_type/result_code data.
 */
export class PhaseError extends Error {
  readonly phase: string;
  readonly errorClass: string;
  constructor(phase: string, errorClass: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.phase = phase;
    this.errorClass = errorClass;
  }
}

function classify(phase: string, e: unknown): PhaseError {
  if (e instanceof PhaseError) return e;
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  let cls = 'connection_failed';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA' || code === 'EAI_NODATA') cls = 'dns_error';
  else if (code === 'ECONNREFUSED') cls = 'refused';
  else if (code === 'ECONNRESET' || code === 'EPIPE') cls = 'reset';
  else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') cls = 'unreachable';
  else if (code === 'ETIMEDOUT') cls = 'timeout';
  else if (phase === 'tls' && code.startsWith('ERR_SSL')) cls = 'tls_handshake';
  else if ((e as Error)?.name === 'AbortError' || (e as Error)?.name === 'TimeoutError') cls = 'timeout';
  return new PhaseError(phase, cls, `${phase}: ${code || (e as Error)?.message || String(e)}`, { cause: e });
}

/**
 * Runs `start` under a phase timeout and the run's signal. `start` gets a `cleanup` hook
 * registry and resolves or rejects; on timeout or abort the cleanups run (destroying the
 * socket) and a PhaseError names the phase.
 */
export function phase<T>(
  name: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  start: (onCancel: (f: () => void) => void) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancels: (() => void)[] = [];
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const fail = (e: PhaseError) =>
      finish(() => {
        for (const c of cancels) c();
        reject(e);
      });
    const timer = setTimeout(() => fail(new PhaseError(name, 'timeout', `${name} phase timed out after ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => fail(new PhaseError(name, 'timeout', `${name}: run aborted (${String((signal?.reason as Error)?.message ?? signal?.reason)})`));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    start((f) => cancels.push(f)).then(
      (v) => finish(() => resolve(v)),
      (e) => fail(classify(name, e)),
    );
  });
}

/** Resolves a host name with the system resolver (as browsers and blackbox_exporter do), honouring the family preference. */
export async function resolveHost(
  host: string,
  proto: IpProtocol,
  fallback: boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ address: string; family: number }> {
  const bare = host.replace(/^\[|\]$/g, '');
  const lit = net.isIP(bare);
  if (lit) return { address: bare, family: lit };
  const addrs = await phase('dns', timeoutMs, signal, () => dns.promises.lookup(bare, { all: true, order: 'verbatim' }));
  const want = proto === 'ip4' ? 4 : proto === 'ip6' ? 6 : 0;
  const pick = (want ? addrs.find((a) => a.family === want) : undefined) ?? (!want || fallback ? addrs[0] : undefined);
  if (!pick) throw new PhaseError('dns', 'dns_error', `dns: ${bare} has no IPv${want} address`);
  return pick;
}

/** Opens a TCP connection; resolves once connected. */
export function connectTcp(address: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
  return phase('connect', timeoutMs, signal, (onCancel) => {
    const s = net.connect({ host: address, port });
    onCancel(() => s.destroy());
    return new Promise((resolve, reject) => {
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  });
}

export interface TlsDialOptions {
  servername: string;
  /** A context made once for many handshakes (secureContextFor); ca/cert/key are then ignored. */
  secureContext?: tls.SecureContext | undefined;
  ca?: string | Buffer | undefined;
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  alpn?: string[];
}

/**
 * A TLS handshake over a connected socket, never refusing a certificate itself, so the
 * caller can describe an invalid one before deciding (x509.ts inspectTls). SNI is sent for
 * names only, as RFC 6066 forbids it for addresses.
 */
export function handshake(socket: net.Socket, o: TlsDialOptions, timeoutMs: number, signal?: AbortSignal): Promise<TLSSocket> {
  return phase('tls', timeoutMs, signal, (onCancel) => {
    let s: TLSSocket;
    s = tls.connect({
      socket,
      servername: net.isIP(o.servername) ? undefined : o.servername,
      secureContext: o.secureContext,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: false,
      ALPNProtocols: o.alpn,
      // The host name is checked in inspectTls, on the X509Certificate, apart from the chain.
      checkServerIdentity: () => undefined,
    });
    // Node builds getPeerCertificate(true), the whole chain as plain objects (about 220 µs, the
    // costliest step of a handshake after the key exchange), only to pass it to
    // checkServerIdentity, which ignores it here. Shadow that one call; the method is back at secureConnect.
    const own = s as { getPeerCertificate?: unknown };
    own.getPeerCertificate = (detailed?: boolean) => (detailed ? {} : tls.TLSSocket.prototype.getPeerCertificate.call(s, detailed));
    socketAnchors.set(s, o.secureContext ? (contextAnchors.get(o.secureContext) ?? DEFAULT_ANCHORS) : o.ca ? TrustAnchors.fromPem(o.ca) : DEFAULT_ANCHORS);
    onCancel(() => {
      s.destroy();
      socket.destroy();
    });
    return new Promise((resolve, reject) => {
      s.once('secureConnect', () => {
        delete own.getPeerCertificate;
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  });
}

const socketAnchors = new WeakMap<TLSSocket, TrustAnchors>();
const contextAnchors = new WeakMap<tls.SecureContext, TrustAnchors>();

/** The trust store a socket from handshake verified against, for completing its chain (x509.ts inspectTls). */
export function trustAnchorsOf(s: TLSSocket): TrustAnchors {
  return socketAnchors.get(s) ?? DEFAULT_ANCHORS;
}

const contexts = new Map<string, { ctx: Promise<tls.SecureContext>; at: number }>();
const CONTEXT_TTL_MS = 60_000;

/**
 * A TLS context for a CA / client certificate file triple, shared by every target naming the
 * same files and re-read after a minute (a renewed certificate is picked up). Building a context
 * parses the CA bundle into an X509 store, which per connection was most of a handshake's CPU.
 * Rejects when a file cannot be read or parsed.
 */
export function secureContextFor(
  files: { ca_file?: string | undefined; cert_file?: string | undefined; key_file?: string | undefined },
  now = Date.now(),
): Promise<tls.SecureContext> {
  const key = JSON.stringify([files.ca_file ?? '', files.cert_file ?? '', files.key_file ?? '']);
  const hit = contexts.get(key);
  if (hit && now - hit.at < CONTEXT_TTL_MS) return hit.ctx;
  const ctx = (async () => {
    const { readFile } = await import('node:fs/promises');
    const [ca, cert, key_] = await Promise.all([files.ca_file, files.cert_file, files.key_file].map((f) => (f ? readFile(f) : undefined)));
    const c = tls.createSecureContext({ ca, cert, key: key_ });
    // A ca_file replaces Node's roots, as in the handshake.
    if (ca) contextAnchors.set(c, TrustAnchors.fromPem(ca));
    return c;
  })();
  contexts.set(key, { ctx, at: now });
  ctx.catch(() => contexts.delete(key));
  return ctx;
}
