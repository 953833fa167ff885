import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed acknowledgement token carries. */
export interface AckClaim {
  alert: number;
  /** Receiver the link was sent to (recorded as who acknowledged). */
  by: string;
  /** Expiry, epoch ms. */
  exp: number;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`watchpost-ack.v1.${payload}`).digest();
}

/** `<base64url payload>.<base64url HMAC-SHA256>`: put in the email's acknowledgement link. */
export function signAck(secret: string, c: AckClaim): string {
  const payload = Buffer.from(JSON.stringify([c.alert, c.by, c.exp])).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/**
 * The only shape signAck makes. Checked before anything else: Node's base64url decoder stops
 * at the first character outside the alphabet and ignores a last character's spare bits, so
 * `<token>=<html>` or a changed last character would otherwise still pass the signature.
 */
export const ACK_TOKEN_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/** Checks shape, signature (constant time, on the canonical text) and expiry; returns why it is refused otherwise. */
export function verifyAck(secret: string, token: string, now: number): { ok: true; claim: AckClaim } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' } {
  if (!ACK_TOKEN_RE.test(token)) return { ok: false, reason: 'malformed' };
  const i = token.indexOf('.');
  const payload = token.slice(0, i);
  const sig = Buffer.from(token.slice(i + 1));
  const want = Buffer.from(mac(secret, payload).toString('base64url'));
  if (sig.length !== want.length || !timingSafeEqual(sig, want)) return { ok: false, reason: 'bad_signature' };
  let arr: unknown;
  try {
    arr = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(arr) || typeof arr[0] !== 'number' || typeof arr[1] !== 'string' || typeof arr[2] !== 'number') return { ok: false, reason: 'malformed' };
  if (arr[2] < now) return { ok: false, reason: 'expired' };
  return { ok: true, claim: { alert: arr[0], by: arr[1], exp: arr[2] } };
}
