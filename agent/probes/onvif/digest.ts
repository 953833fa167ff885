import { createHash, randomBytes } from 'node:crypto';

/** One parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Splits WWW-Authenticate header values into challenges. Cameras send several: Hikvision
 * sends two Digest challenges (MD5 and SHA-256) as two headers; some firmwares put both in
 * one header separated by a comma.
 */
export function parseChallenges(values: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const v of values) {
    const re = /\s*([A-Za-z]+)\s+((?:[A-Za-z0-9_-]+\s*=\s*(?:"[^"]*"|[^,\s]*)\s*,?\s*)+)/gy;
    let m: RegExpExecArray | null;
    while ((m = re.exec(v))) {
      const params: Record<string, string> = {};
      const pre = /([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g;
      let p: RegExpExecArray | null;
      while ((p = pre.exec(m[2] ?? ''))) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
      out.push({ scheme: m[1]!.toLowerCase(), params });
    }
  }
  return out;
}

const hashName = (alg: string): 'md5' | 'sha256' | undefined => {
  const a = alg.toUpperCase().replace(/-SESS$/, '');
  return a === 'MD5' ? 'md5' : a === 'SHA-256' ? 'sha256' : undefined;
};

/** Picks the strongest challenge we can answer: Digest SHA-256, then Digest MD5, then Basic. */
export function pickChallenge(cs: Challenge[]): Challenge | undefined {
  const digest = cs.filter((c) => c.scheme === 'digest' && hashName(c.params.algorithm ?? 'MD5'));
  return digest.find((c) => hashName(c.params.algorithm ?? 'MD5') === 'sha256') ?? digest[0] ?? cs.find((c) => c.scheme === 'basic');
}

/** Builds an Authorization header answering challenge c (RFC 7616 digest, or RFC 7617 basic). */
export function authorization(
  c: Challenge,
  method: string,
  uri: string,
  user: string,
  password: string,
  nc = 1,
  cnonce = randomBytes(8).toString('hex'),
): string {
  if (c.scheme === 'basic') return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const alg = c.params.algorithm ?? 'MD5';
  const h = (s: string) =>
    createHash(hashName(alg) ?? 'md5')
      .update(s)
      .digest('hex');
  const realm = c.params.realm ?? '';
  const nonce = c.params.nonce ?? '';
  let ha1 = h(`${user}:${realm}:${password}`);
  if (/-sess$/i.test(alg)) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const qops = (c.params.qop ?? '').split(',').map((q) => q.trim());
  const ncs = nc.toString(16).padStart(8, '0');
  const parts = [`username="${user}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`];
  if (qops.includes('auth')) {
    parts.push(`response="${h(`${ha1}:${nonce}:${ncs}:${cnonce}:auth:${ha2}`)}"`, 'qop=auth', `nc=${ncs}`, `cnonce="${cnonce}"`);
  } else parts.push(`response="${h(`${ha1}:${nonce}:${ha2}`)}"`);
  if (c.params.algorithm) parts.push(`algorithm=${c.params.algorithm}`);
  if (c.params.opaque !== undefined) parts.push(`opaque="${c.params.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
