import { createHmac } from 'node:crypto';
import { subject, textBody } from './render.ts';
import { httpFailure, networkError, type Notification, type Notifier, type SendResult } from './types.ts';

/** The HMAC header a receiver checks: `sha256=` hex of HMAC-SHA256(secret, "<timestamp>.<body>"). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Generic webhook: JSON POST of the notification, signed with X-Watchpost-Timestamp and
 * X-Watchpost-Signature so the receiver can verify origin and freshness.
 */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook';
  private readonly secret: string;
  private readonly now: () => number;

  constructor(secret: string, now: () => number = Date.now) {
    this.secret = secret;
    this.now = now;
  }

  async send(n: Notification, url: string, signal: AbortSignal): Promise<SendResult> {
    const body = JSON.stringify({ version: 1, ...n, title: subject(n), text: textBody(n) });
    const ts = String(Math.floor(this.now() / 1000));
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json', 'x-watchpost-timestamp': ts, 'x-watchpost-signature': webhookSignature(this.secret, ts, body) },
        body,
      });
    } catch (e) {
      throw networkError(e);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw httpFailure(res.status, `http_${res.status}`, `webhook: HTTP ${res.status}`, res.headers.get('retry-after'));
    return {};
  }
}
