import { timingSafeEqual } from 'node:crypto';
import type { ReceiverConfig } from '../../config/schema/alerts.ts';
import type { Logger } from 'pino';
import { aliyunUplinkAnswer, parseAliyunUplink } from '../notify/aliyun-sms.ts';
import type { SmsReply } from '../notify/sms.ts';
import { parseTencentUplink, tencentUplinkAnswer } from '../notify/tencent-sms.ts';
import { HttpError } from '../http/respond.ts';
import type { Alert } from './store.ts';

const PROVIDERS = {
  aliyun: { parse: parseAliyunUplink, answer: aliyunUplinkAnswer },
  tencent: { parse: parseTencentUplink, answer: tencentUplinkAnswer },
} as const;

export interface UplinkOptions {
  /** notify.sms.uplink.token: the secret in the callback URL. */
  token: string | undefined;
  maxAgeMs: number;
  receivers: ReadonlyMap<string, ReceiverConfig>;
  get(id: number): Alert | undefined;
  acknowledge(id: number, by: string, via: string): Alert | undefined;
  now(): number;
  log: Logger;
}

/**
 * SMS replies as acknowledgements. Neither provider signs its uplink push, so authenticity
 * rests on: a secret token in the callback URL (constant-time compared), freshness of the
 * message's own time, replay rejection, and the sender being a receiver who was told about
 * that alert. `handle` reads the body only once the token checks out, throws HttpError
 * 403/404, and returns the provider's success answer.
 */
export function createUplink(o: UplinkOptions): { handle(provider: string | undefined, token: string | undefined, body: () => Promise<unknown>): Promise<unknown> } {
  const seen = new Map<string, number>();
  const judge = (m: SmsReply, provider: string, now: number): string => {
    if (!Number.isFinite(m.time) || Math.abs(now - m.time) > o.maxAgeMs) return 'stale';
    if (seen.has(m.id)) return 'replay';
    seen.set(m.id, now);
    const ack = /(?:ACK|确认|QR)\s*#?(\d+)/i.exec(m.text);
    const a = ack ? o.get(Number(ack[1])) : undefined;
    const phone = m.phone.replace(/^\+?86/, '');
    const told = a ? a.told.some((rc) => o.receivers.get(rc)?.sms.some((p) => p.replace(/^\+?86/, '') === phone)) : false;
    if (!a) return 'no_alert';
    if (!told) return 'unknown_sender';
    return o.acknowledge(a.id, `sms:${phone}`, `sms_reply:${provider}`) ? 'acknowledged' : 'not_open';
  };
  return {
    async handle(provider, token, readBody) {
      const want = o.token;
      const ok = want && token && token.length === want.length && timingSafeEqual(Buffer.from(token), Buffer.from(want));
      if (!ok) throw new HttpError(403, 'unknown uplink callback');
      const body = await readBody();
      const list = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
      const p = provider === 'aliyun' || provider === 'tencent' ? PROVIDERS[provider] : undefined;
      if (!p) throw new HttpError(404, `unknown SMS provider "${provider}"`);
      const msgs = p.parse(list);
      const now = o.now();
      for (const [k, t] of seen) if (t < now - 2 * o.maxAgeMs) seen.delete(k);
      const results: { phone: string; result: string }[] = [];
      for (const m of msgs) {
        const result = judge(m, provider!, now);
        if (result !== 'acknowledged') o.log.warn({ provider, phone: m.phone, result }, 'SMS reply not used as an acknowledgement');
        results.push({ phone: m.phone, result });
      }
      // Each provider expects its own success shape, or it retries the push.
      return p.answer(results);
    },
  };
}
