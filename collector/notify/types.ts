/**
 * The notification object alerts hand to notifiers (Alertmanager's model): everything a
 * channel renders comes from here; channels never look at probes, rules or samples.
 */
export type NotificationKind = 'firing' | 'repeat' | 'escalation' | 'acknowledged' | 'resolved' | 'budget';

export interface AlertView {
  id: number;
  rule: string;
  target: string;
  severity: 'info' | 'warning' | 'critical';
  state: string;
  summary: string;
  labels: Record<string, string>;
  value?: string | undefined;
  fired_ms: number;
  resolved_ms?: number | undefined;
  acked_by?: string | undefined;
  /** Targets whose alerts were suppressed because they sit behind this one. */
  suppressed: string[];
}

export interface Notification {
  /** Stable id of this notification (dedup key for a delivery). */
  key: string;
  kind: NotificationKind;
  receiver: string;
  /** Escalation level (0 = first receiver). */
  level: number;
  /** What the SMS/email is about: SMS templates key on this ('alert' or 'budget'). */
  purpose: string;
  alerts: AlertView[];
  /** Signed, expiring acknowledgement link (absent for resolved notifications). */
  ack_url?: string | undefined;
  /** Short code to reply by SMS to acknowledge ("ACK 12"). */
  ack_code?: string | undefined;
  time_ms: number;
}

export type FailureReason = 'auth' | 'rate_limited' | 'client' | 'server' | 'timeout' | 'config' | 'budget';

/** A typed delivery failure: the dispatcher retries only when `retryable` is set. */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  readonly reason: FailureReason;
  readonly retryable: boolean;
  /** Provider's own code (Aliyun `Code`, Tencent `Error.Code`, SMTP reply code…). */
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  constructor(reason: FailureReason, retryable: boolean, code: string, message: string, retryAfterMs?: number) {
    super(message);
    this.reason = reason;
    this.retryable = retryable;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/** What a successful send reports back (message id, billed SMS parts). */
export interface SendResult {
  id?: string | undefined;
  /** SMS parts billed, when the provider says (Tencent `Fee`). */
  parts?: number | undefined;
  provider?: string | undefined;
}

/**
 * One channel. `send` delivers one notification to one address and throws NotifyError on
 * failure (any other exception is treated as a retryable server failure). It must honour
 * `signal` (the dispatcher's timeout). Implementations keep no retry loop of their own.
 */
export interface Notifier {
  readonly channel: 'email' | 'sms' | 'webhook' | 'dingtalk' | 'wecom' | 'console';
  send(n: Notification, address: string, signal: AbortSignal): Promise<SendResult>;
}

/** Maps a fetch/network exception to a typed failure. */
export function networkError(e: unknown): NotifyError {
  if (e instanceof NotifyError) return e;
  const err = e as Error & { cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return new NotifyError('timeout', true, 'timeout', err.message);
  return new NotifyError('server', true, err.cause?.code ?? 'network', `${err.message}${err.cause?.code ? ` (${err.cause.code})` : ''}`);
}

/** Maps an HTTP status of a provider answer to a typed failure. */
export function httpFailure(status: number, code: string, message: string, retryAfter?: string | null): NotifyError {
  const ra = retryAfter ? (Number.isFinite(Number(retryAfter)) ? Number(retryAfter) * 1000 : Math.max(0, Date.parse(retryAfter) - Date.now())) : undefined;
  if (status === 401 || status === 403) return new NotifyError('auth', false, code, message);
  if (status === 429) return new NotifyError('rate_limited', true, code, message, ra);
  if (status >= 500) return new NotifyError('server', true, code, message, ra);
  return new NotifyError('client', false, code, message);
}
