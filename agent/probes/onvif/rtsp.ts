import net from 'node:net';
import { authorization, parseChallenges, pickChallenge } from './digest.ts';

/** What one RTSP OPTIONS + DESCRIBE exchange found. */
export interface RtspResult {
  ok: boolean;
  /** Connect to the final DESCRIBE response, ms. */
  latencyMs: number;
  status: number;
  /** Stable class when not ok: unreachable, timeout, auth_failed, no_video, rtsp_<status>, protocol. */
  error: string | null;
  hasVideo: boolean;
  /** Encodings of the SDP's video tracks (from a=rtpmap), e.g. ["JPEG/90000"]. */
  videoCodecs: string[];
}

interface Response {
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

/** A minimal RTSP/1.0 client over one TCP connection: sequential requests, CSeq matched. */
class RtspConnection {
  private buf = Buffer.alloc(0);
  private waiting: ((r: Response | Error) => void) | undefined;
  private cseq = 0;
  private readonly sock: net.Socket;

  constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(Object.assign(new Error('connection closed by the camera'), { code: 'ECONNRESET' })));
  }

  private fail(e: Error) {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(e);
  }

  private drain() {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^RTSP\/1\.\d (\d{3})/.exec(head[0] ?? '');
    if (!m) return this.fail(Object.assign(new Error(`not an RTSP response: ${JSON.stringify((head[0] ?? '').slice(0, 60))}`), { code: 'EPROTO' }));
    const headers = new Map<string, string[]>();
    for (const l of head.slice(1)) {
      const i = l.indexOf(':');
      if (i <= 0) continue;
      const k = l.slice(0, i).trim().toLowerCase();
      headers.set(k, [...(headers.get(k) ?? []), l.slice(i + 1).trim()]);
    }
    const len = Number(headers.get('content-length')?.[0] ?? 0);
    if (this.buf.length < end + 4 + len) return;
    const body = this.buf.subarray(end + 4, end + 4 + len).toString('utf8');
    this.buf = this.buf.subarray(end + 4 + len);
    const w = this.waiting;
    this.waiting = undefined;
    w({ status: Number(m[1]), headers, body });
  }

  request(method: string, uri: string, headers: Record<string, string>): Promise<Response> {
    return new Promise((resolve, reject) => {
      this.waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
      const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++this.cseq}`, 'User-Agent: watchpost', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      this.sock.write(lines.join('\r\n') + '\r\n\r\n');
    });
  }
}

/** Parses an SDP body: video tracks and their encodings. */
export function sdpVideo(sdp: string): { hasVideo: boolean; codecs: string[] } {
  const codecs: string[] = [];
  let hasVideo = false;
  let inVideo = false;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      inVideo = line.startsWith('m=video');
      if (inVideo) hasVideo = true;
    } else if (inVideo) {
      const m = /^a=rtpmap:\d+ (\S+)/.exec(line);
      if (m) codecs.push(m[1]!);
    }
  }
  return { hasVideo, codecs };
}

/**
 * RTSP OPTIONS then DESCRIBE (Accept: application/sdp) against a stream URI, answering a
 * digest or basic challenge once. Never throws for a bad stream: the result says why.
 * Credentials in the URI (rtsp://user:pass@host/…) are used when user/password are not given.
 */
export async function checkRtsp(
  uri: string,
  user: string | undefined,
  password: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<RtspResult> {
  const started = performance.now();
  const res = (p: Partial<RtspResult>): RtspResult => ({
    ok: false,
    latencyMs: Math.round(performance.now() - started),
    status: 0,
    error: null,
    hasVideo: false,
    videoCodecs: [],
    ...p,
  });
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return res({ error: 'bad_uri' });
  }
  if (u.protocol !== 'rtsp:') return res({ error: 'bad_uri' });
  const name = user ?? decodeURIComponent(u.username);
  const pass = password ?? decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  const clean = u.toString();
  const sock = net.connect({ host: u.hostname, port: Number(u.port || 554) });
  const conn = new RtspConnection(sock);
  const timer = setTimeout(() => sock.destroy(Object.assign(new Error('RTSP timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
  const onAbort = () => sock.destroy(Object.assign(new Error('aborted'), { code: 'ETIMEDOUT' }));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    // One challenge answers every later request (digest: same nonce, method-specific response).
    let challenge: ReturnType<typeof pickChallenge>;
    const send = async (method: string, extra: Record<string, string>) => {
      const auth = (): Record<string, string> => (challenge && name ? { Authorization: authorization(challenge, method, clean, name, pass) } : {});
      let r = await conn.request(method, clean, { ...extra, ...auth() });
      if (r.status === 401 && name) {
        const c = pickChallenge(parseChallenges(r.headers.get('www-authenticate') ?? []));
        // A stale nonce gets a fresh challenge; the same challenge again means wrong credentials.
        if (c && (!challenge || c.params.nonce !== challenge.params.nonce)) {
          challenge = c;
          r = await conn.request(method, clean, { ...extra, ...auth() });
        }
      }
      return r;
    };
    // OPTIONS is a liveness check; many cameras answer it without auth.
    await send('OPTIONS', {});
    const d = await send('DESCRIBE', { Accept: 'application/sdp' });
    if (d.status === 401) return res({ status: 401, error: 'auth_failed' });
    if (d.status !== 200) return res({ status: d.status, error: `rtsp_${d.status}` });
    const v = sdpVideo(d.body);
    return res({ ok: v.hasVideo, status: 200, hasVideo: v.hasVideo, videoCodecs: v.codecs, error: v.hasVideo ? null : 'no_video' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return res({ error: code === 'ETIMEDOUT' ? 'timeout' : code === 'EPROTO' ? 'protocol' : 'unreachable' });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    sock.destroy();
  }
}
