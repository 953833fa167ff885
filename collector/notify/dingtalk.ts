import { createHmac } from 'node:crypto';
import { markdownBody, subject } from './render.ts';
import { httpFailure, networkError, NotifyError, type Notification, type Notifier, type SendResult } from './types.ts';

/** DingTalk robot "加签": sign = base64(HMAC-SHA256(secret, "<timestamp ms>\n<secret>")). */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** DingTalk group robot (custom robot with signing); the address is the robot's webhook URL. */
export class DingTalkNotifier implements Notifier {
  readonly channel = 'dingtalk';
  private readonly secret: string | undefined;
  private readonly now: () => number;

  constructor(secret: string | undefined, now: () => number = Date.now) {
    this.secret = secret;
    this.now = now;
  }

  async send(n: Notification, webhookUrl: string, signal: AbortSignal): Promise<SendResult> {
    const url = new URL(webhookUrl);
    if (this.secret) {
      const ts = this.now();
      url.searchParams.set('timestamp', String(ts));
      url.searchParams.set('sign', dingtalkSign(this.secret, ts));
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title: subject(n), text: markdownBody(n) } }),
      });
    } catch (e) {
      throw networkError(e);
    }
    const j = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (!res.ok) throw httpFailure(res.status, `http_${res.status}`, `dingtalk: HTTP ${res.status}`, res.headers.get('retry-after'));
    if (j.errcode) {
      const code = String(j.errcode);
      // 130101: sending too fast; 310000: signature/keyword/IP check failed; 300001: bad token.
      if (j.errcode === 130101) throw new NotifyError('rate_limited', true, code, `dingtalk: ${j.errmsg}`, 60_000);
      if (j.errcode === 310000 || j.errcode === 300001) throw new NotifyError('auth', false, code, `dingtalk: ${j.errmsg}`);
      throw new NotifyError(j.errcode >= 500 && j.errcode < 600 ? 'server' : 'client', j.errcode < 600, code, `dingtalk: ${j.errmsg}`);
    }
    return {};
  }
}
