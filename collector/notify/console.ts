import type { Notification, Notifier, SendResult } from './types.ts';

/**
 * The console inbox: a notification "sent" to a console address (a duty desk, a team) is
 * kept in the delivery log, and the console's notifications page shows it. It needs no
 * server, so it is always configured — the demo building's alerts land here, and on an
 * intranet without mail or SMS it is where the duty engineer looks.
 */
export class ConsoleNotifier implements Notifier {
  readonly channel = 'console';

  async send(_n: Notification, _address: string, _signal: AbortSignal): Promise<SendResult> {
    // The dispatcher's delivery row (status sent, the notification itself) is the inbox entry.
    return {};
  }
}
