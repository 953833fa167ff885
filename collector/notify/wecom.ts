import { markdownBody } from './render.ts';
import { httpFailure, networkError, NotifyError, type Notification, type Notifier, type SendResult } from './types.ts';

/**
 * WeCom (企业微信) group robot; the address is the robot's webhook URL (its `key` is the
 * credential: WeCom robots have no signing, so keep the URL secret).
 */
export class WeComNotifier implements Notifier {
  readonly channel = 'wecom';

  async send(n: Notification, webhookUrl: string, signal: AbortSignal): Promise<SendResult> {
    let res: Response;
    try {
      res = await fetch(webhookUrl, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { content: markdownBody(n) } }),
      });
    } catch (e) {
      throw networkError(e);
    }
    const j = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (!res.ok) throw httpFailure(res.status, `http_${res.status}`, `wecom: HTTP ${res.status}`, res.headers.get('retry-after'));
    if (j.errcode) {
      const code = String(j.errcode);
      // 45009: API frequency limit; 93000: invalid webhook key; -1: system busy.
      if (j.errcode === 45009) throw new NotifyError('rate_limited', true, code, `wecom: ${j.errmsg}`, 60_000);
      if (j.errcode === 93000 || j.errcode === 40014) throw new NotifyError('auth', false, code, `wecom: ${j.errmsg}`);
      if (j.errcode === -1) throw new NotifyError('server', true, code, `wecom: ${j.errmsg}`);
      throw new NotifyError('client', false, code, `wecom: ${j.errmsg}`);
    }
    return {};
  }
}
