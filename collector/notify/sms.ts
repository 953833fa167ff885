import type { Logger } from 'pino';
import type { SmsBudget } from './budget.ts';
import { fillTemplate, smsParams, smsParts } from './render.ts';
import { NotifyError, type Notification, type Notifier, type SendResult } from './types.ts';

/** An approved SMS template: the provider's template code/id, the order/names of its parameters and (for counting parts) its text. */
export interface SmsTemplate {
  code: string;
  params: string[];
  /** Approved text with ${name} placeholders, used to count billed parts when the provider does not report them. */
  text?: string | undefined;
}

/** One SMS provider's SendSms: one number, one approved template. Throws NotifyError. */
export interface SmsProvider {
  readonly kind: string;
  readonly name: string;
  template(purpose: string): SmsTemplate | undefined;
  signName(): string;
  sendSms(phone: string, purpose: string, params: Record<string, string>, signal: AbortSignal): Promise<SendResult>;
}

/**
 * A reply pushed to the collector's uplink callback, as one provider's parser reads it:
 * `time` is epoch ms (NaN when unreadable, then refused as stale), `id` identifies the
 * message for replay rejection.
 */
export interface SmsReply {
  phone: string;
  text: string;
  time: number;
  id: string;
}

/**
 * The SMS channel: per-number rate limit, budget check, then the providers in order —
 * a provider-side failure (auth, config, server, timeout, rate limit) fails over to the
 * next provider; a failure about the number or content (client) does not.
 */
export class SmsChannel implements Notifier {
  readonly channel = 'sms';
  private readonly providers: SmsProvider[];
  private readonly budget: SmsBudget | undefined;
  private readonly maxPerHour: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private sent = new Map<string, number[]>();

  constructor(o: { providers: SmsProvider[]; budget?: SmsBudget | undefined; maxPerNumberPerHour: number; now: () => number; log: Logger }) {
    this.providers = o.providers;
    this.budget = o.budget;
    this.maxPerHour = o.maxPerNumberPerHour;
    this.now = o.now;
    this.log = o.log;
  }

  /** Parts this message will be billed, from the first provider's template text. */
  estimateParts(purpose: string, params: Record<string, string>): number {
    const p = this.providers[0];
    const t = p?.template(purpose);
    const text = t?.text ? fillTemplate(t.text, params) : Object.values(params).join(' ');
    return smsParts(`【${p?.signName() ?? ''}】${text}`);
  }

  async send(n: Notification, phone: string, signal: AbortSignal): Promise<SendResult> {
    if (!this.providers.length) throw new NotifyError('config', false, 'no_provider', 'no SMS provider configured (notify.sms.providers)');
    const now = this.now();
    const times = (this.sent.get(phone) ?? []).filter((t) => t > now - 3600_000);
    if (times.length >= this.maxPerHour) {
      throw new NotifyError('rate_limited', true, 'per_number_limit', `more than ${this.maxPerHour} SMS per hour to ${phone}`, times[0]! + 3600_000 - now);
    }
    const params = smsParams(n);
    // Counted before sending so concurrent sends to one number cannot exceed the limit.
    times.push(now);
    this.sent.set(phone, times);
    const release = () => {
      const cur = this.sent.get(phone);
      const i = cur ? cur.indexOf(now) : -1;
      if (i >= 0) cur!.splice(i, 1);
    };
    let delivered = false;
    const estimate = this.estimateParts(n.purpose, params);
    let settle: (billed: number) => void = () => {};
    try {
      settle = this.budget?.reserve(estimate, n.purpose) ?? settle;
    } catch (e) {
      release();
      throw e;
    }
    let last: NotifyError | undefined;
    try {
      for (const p of this.providers) {
        try {
          const r = await p.sendSms(phone, n.purpose, params, signal);
          delivered = true;
          const parts = r.parts ?? estimate;
          settle(parts);
          return { ...r, parts };
        } catch (e) {
          const err = e instanceof NotifyError ? e : new NotifyError('server', true, 'exception', (e as Error).message);
          last = err;
          if (err.reason === 'client' || signal.aborted) throw err;
          this.log.warn({ provider: p.name, reason: err.reason, code: err.code, err: err.message }, 'SMS provider failed: trying the next one');
        }
      }
      throw last!;
    } finally {
      settle(0);
      if (!delivered) release();
    }
  }
}
