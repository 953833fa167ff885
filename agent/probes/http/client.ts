import http from 'node:http';
import type net from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import zlib from 'node:zlib';
import { connectTcp, handshake, phase, PhaseError, resolveHost, trustAnchorsOf, type IpProtocol } from '../net/dial.ts';
import { safeUrl } from '../tls/expiry.ts';
import { inspectTls, type TlsInfo } from '../tls/x509.ts';
import type { PhaseTimeouts } from './schema.ts';

/** Milliseconds spent in each phase, summed over the redirect hops as blackbox_exporter does. */
export interface Phases {
  dns: number;
  connect: number;
  tls: number;
  processing: number;
  transfer: number;
}

export interface RequestSpec {
  method: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  secureContext?: SecureContext | undefined;
  tlsVerify: boolean;
  proxy?: URL | undefined;
  ipProtocol: IpProtocol;
  ipFallback: boolean;
  maxRedirects: number;
  maxBodyBytes: number;
  timeouts: PhaseTimeouts;
}

/** One answered request, or how far it got before it failed. */
export interface HttpResult {
  /** The URL of the last request made (after redirects). */
  finalUrl: URL;
  redirects: number;
  status?: number;
  headers?: http.IncomingHttpHeaders;
  /** The body as received, decompressed; undefined when not read (HEAD, failure). */
  body?: Buffer;
  /** Bytes on the wire for the body (Telegraf's content_length). */
  wireBytes: number;
  phases: Phases;
  /** The first https hop's handshake: the certificate of the URL the user asked about. */
  tls?: TlsInfo;
  tlsSource?: string;
  error?: PhaseError;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

function portOf(u: URL): number {
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

function hostOf(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, '');
}

/** Opens the tunnel through an HTTP proxy (RFC 9110 CONNECT); the reply is read byte-exact so no TLS bytes are eaten. */
function connectTunnel(sock: net.Socket, target: URL, proxy: URL, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return phase('connect', timeoutMs, signal, (onCancel) => {
    onCancel(() => sock.destroy());
    const authority = `${target.hostname}:${portOf(target)}`;
    let req = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
    if (proxy.username)
      req += `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n`;
    sock.write(`${req}\r\n`);
    return new Promise<void>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > 16384) reject(new PhaseError('connect', 'proxy_error', 'connect: proxy reply too long'));
          return;
        }
        sock.removeListener('data', onData);
        sock.removeListener('error', reject);
        sock.pause();
        if (end + 4 < buf.length) sock.unshift(buf.subarray(end + 4));
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(buf.toString('latin1'))?.[1];
        if (status === '200') resolve();
        else reject(new PhaseError('connect', 'proxy_error', `connect: proxy answered ${status ?? 'garbage'} to CONNECT`));
      };
      sock.on('data', onData);
      sock.once('error', reject);
      sock.once('close', () => reject(new PhaseError('connect', 'proxy_error', 'connect: proxy closed the connection')));
    });
  });
}

function decompress(body: Buffer, enc: string | undefined): Buffer {
  switch ((enc ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    default:
      return body;
  }
}

interface Hop {
  status: number;
  headers: http.IncomingHttpHeaders;
  body?: Buffer;
  wireBytes: number;
}

async function oneHop(
  url: URL,
  spec: RequestSpec,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  ph: Phases,
  out: HttpResult,
  signal?: AbortSignal,
): Promise<Hop> {
  const t = spec.timeouts;
  const viaProxy = spec.proxy;
  const dialUrl = viaProxy ?? url;
  let t0 = performance.now();
  let sock: net.Socket | TLSSocket | undefined;
  try {
    const addr = await resolveHost(hostOf(dialUrl), spec.ipProtocol, spec.ipFallback, t.dns_ms, signal);
    ph.dns += performance.now() - t0;
    t0 = performance.now();
    sock = await connectTcp(addr.address, portOf(dialUrl), t.connect_ms, signal);
    const https = url.protocol === 'https:';
    if (viaProxy && https) await connectTunnel(sock, url, viaProxy, t.connect_ms, signal);
    ph.connect += performance.now() - t0;
    if (https) {
      t0 = performance.now();
      const s = await handshake(sock, { servername: hostOf(url), secureContext: spec.secureContext, alpn: ['http/1.1'] }, t.tls_ms, signal);
      sock = s;
      ph.tls += performance.now() - t0;
      const info = inspectTls(s, hostOf(url), trustAnchorsOf(s));
      if (!out.tls) {
        out.tls = info;
        out.tlsSource = `${url.protocol}//${url.host}`;
      }
      // Credentials and form data never go to a server whose certificate failed.
      if (spec.tlsVerify && !(info.chain_verified && info.hostname_match)) {
        throw new PhaseError('tls', 'tls_verify', `tls: certificate not valid for ${hostOf(url)} (${info.chain_error || info.hostname_error})`);
      }
    }
    const conn = sock;
    t0 = performance.now();
    // Plain http through a proxy asks for the absolute URI; everything else the origin form.
    const path = viaProxy && !https ? url.href.replace(/#.*$/, '') : `${url.pathname}${url.search}`;
    const reqHeaders: Record<string, string> = {
      Host: url.host,
      Connection: 'close',
      'User-Agent': 'Watchpost',
      'Accept-Encoding': 'gzip, deflate, br',
      ...headers,
    };
    if (viaProxy && !https && viaProxy.username)
      reqHeaders['Proxy-Authorization'] =
        `Basic ${Buffer.from(`${decodeURIComponent(viaProxy.username)}:${decodeURIComponent(viaProxy.password)}`).toString('base64')}`;
    if (body) reqHeaders['Content-Length'] = String(body.length);
    let firstByte = false;
    const res = await phase('processing', t.processing_ms, signal, (onCancel) => {
      onCancel(() => conn.destroy());
      return new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request({ method, path, headers: reqHeaders, createConnection: () => conn, setHost: false });
        // Time to first byte, not to parsed headers: the first data after the request went out.
        conn.once('data', () => {
          firstByte = true;
          ph.processing += performance.now() - t0;
          t0 = performance.now();
        });
        req.once('response', resolve);
        req.once('error', reject);
        req.end(body);
      });
    });
    if (!firstByte) {
      ph.processing = performance.now() - t0;
      t0 = performance.now();
    }
    const status = res.statusCode ?? 0;
    const wantBody = method !== 'HEAD' && !REDIRECT.has(status);
    const chunks: Buffer[] = [];
    let n = 0;
    await phase('transfer', t.transfer_ms, signal, (onCancel) => {
      onCancel(() => conn.destroy());
      return new Promise<void>((resolve, reject) => {
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (!wantBody) return;
          if (n > spec.maxBodyBytes) {
            reject(new PhaseError('transfer', 'body_too_large', `transfer: body over max_body_bytes (${spec.maxBodyBytes})`));
            return;
          }
          chunks.push(c);
        });
        res.once('end', () => resolve());
        res.once('error', reject);
        res.once('aborted', () => reject(new PhaseError('transfer', 'reset', 'transfer: connection closed before the body ended')));
      });
    });
    ph.transfer += performance.now() - t0;
    let decoded: Buffer | undefined;
    if (wantBody) {
      try {
        decoded = decompress(Buffer.concat(chunks), res.headers['content-encoding']);
      } catch (e) {
        throw new PhaseError('transfer', 'body_decode', `transfer: body does not decompress as ${res.headers['content-encoding']}`, { cause: e });
      }
    }
    return { status, headers: res.headers, body: decoded, wireBytes: n };
  } finally {
    sock?.destroy();
  }
}

function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

/**
 * Makes the request with node:http over sockets it dials itself, timing each phase, and
 * follows redirects up to maxRedirects (303, and 301/302 after a POST, become GET without a
 * body; Authorization is dropped when a redirect leaves the origin, as fetch does). Never
 * throws for the target's failures: `error` says which phase failed and why.
 */
export async function httpRequest(url: URL, spec: RequestSpec, signal?: AbortSignal): Promise<HttpResult> {
  const phases: Phases = { dns: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  const out: HttpResult = { finalUrl: url, redirects: 0, wireBytes: 0, phases };
  let method = spec.method;
  let body = spec.body;
  let headers = { ...spec.headers };
  let cur = url;
  for (;;) {
    let hop: Hop;
    try {
      hop = await oneHop(cur, spec, method, headers, body, phases, out, signal);
    } catch (e) {
      out.error = e instanceof PhaseError ? e : new PhaseError('processing', 'connection_failed', `request: ${(e as Error).message}`, { cause: e });
      return out;
    }
    out.status = hop.status;
    out.headers = hop.headers;
    out.body = hop.body;
    out.wireBytes = hop.wireBytes;
    const loc = hop.headers.location;
    if (!REDIRECT.has(hop.status) || !loc) return out;
    if (out.redirects >= spec.maxRedirects) {
      out.error = new PhaseError(
        'processing',
        'too_many_redirects',
        `redirect: more than max_redirects (${spec.maxRedirects}) redirects, last to ${safeUrl(new URL(loc, cur))}`,
      );
      return out;
    }
    const next = new URL(loc, cur);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      out.error = new PhaseError('processing', 'bad_redirect', `redirect: to a ${next.protocol} URL`);
      return out;
    }
    if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
    }
    if (!sameOrigin(cur, next))
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization' && k.toLowerCase() !== 'cookie'));
    out.redirects++;
    out.finalUrl = cur = next;
  }
}
