import type { Logger } from 'pino';
import type { ReceiverConfig } from '../../config/schema/alerts.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { Notification } from './types.ts';

const CHANNELS = ['email', 'sms', 'webhook', 'dingtalk', 'wecom', 'console'] as const;

/**
 * A notification's fan-out to its receiver's addresses, one delivery per channel and address.
 * A channel the receiver uses but the config does not set up is logged once (ERROR: nobody
 * is told there); an unknown receiver drops the notification, logged. Never throws for those.
 */
export function createFanout(o: { receivers: ReadonlyMap<string, ReceiverConfig>; dispatcher: Dispatcher; log: Logger }): (n: Notification) => void {
  const warned = new Set<string>();
  return (n) => {
    const r = o.receivers.get(n.receiver);
    if (!r) {
      o.log.error({ receiver: n.receiver }, 'notification for an unknown receiver dropped');
      return;
    }
    for (const ch of CHANNELS) {
      for (const addr of r[ch]) {
        if (!o.dispatcher.hasChannel(ch)) {
          if (!warned.has(ch)) o.log.error({ channel: ch, receiver: r.name }, `receiver has ${ch} addresses but notify.${ch} is not configured: not sent`);
          warned.add(ch);
          continue;
        }
        o.dispatcher.enqueue(n, ch, addr);
      }
    }
  };
}
