import type { Logger } from 'pino';
import type { NotifyConfig } from '../../config/schema/alerts.ts';
import { AliyunSms } from './aliyun-sms.ts';
import { ConsoleNotifier } from './console.ts';
import type { SmsBudget } from './budget.ts';
import { DingTalkNotifier } from './dingtalk.ts';
import { EmailNotifier } from './email.ts';
import { SmsChannel, type SmsProvider } from './sms.ts';
import { TencentSms } from './tencent-sms.ts';
import type { Notifier } from './types.ts';
import { WebhookNotifier } from './webhook.ts';
import { WeComNotifier } from './wecom.ts';

/** The configured channels (a channel without config is absent, and the dispatcher says so). */
export function buildChannels(
  c: NotifyConfig,
  o: { budget?: SmsBudget; now: () => number; log: Logger },
): { list: Notifier[]; sms?: SmsChannel | undefined; close(): void } {
  const list: Notifier[] = [];
  let email: EmailNotifier | undefined;
  if (c.email) list.push((email = new EmailNotifier(c.email)));
  let sms: SmsChannel | undefined;
  if (c.sms.providers.length) {
    const providers: SmsProvider[] = c.sms.providers.map((p) => (p.kind === 'aliyun' ? new AliyunSms(p, o.now) : new TencentSms(p, o.now)));
    list.push((sms = new SmsChannel({ providers, budget: o.budget, maxPerNumberPerHour: c.sms.max_per_number_per_hour, now: o.now, log: o.log })));
  }
  if (c.webhook) list.push(new WebhookNotifier(c.webhook.secret, o.now));
  if (c.dingtalk) list.push(new DingTalkNotifier(c.dingtalk.secret, o.now));
  list.push(new WeComNotifier());
  list.push(new ConsoleNotifier());
  return { list, sms, close: () => email?.close() };
}
