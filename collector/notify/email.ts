import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { htmlBody, subject, textBody } from './render.ts';
import { NotifyError, type Notification, type Notifier, type SendResult } from './types.ts';

export interface EmailConfig {
  host: string;
  port: number;
  /** 'tls': implicit TLS (465); 'starttls': STARTTLS required; 'none': plain (loopback relays only). */
  security: 'tls' | 'starttls' | 'none';
  username?: string | undefined;
  password?: string | undefined;
  from: string;
  timeout_ms: number;
  ca_file?: string | undefined;
  /** Accept a self-signed server certificate (an internal relay); off by default. */
  tls_insecure: boolean;
}

/** SMTP failure → typed failure: auth (535/EAUTH), permanent 5xx, transient 4xx/network. */
export function smtpFailure(e: unknown): NotifyError {
  const err = e as Error & { code?: string; originalCode?: string; responseCode?: number; response?: string };
  const code = err.responseCode ? String(err.responseCode) : (err.originalCode ?? err.code ?? 'smtp');
  const msg = `smtp: ${err.response ?? err.message}`;
  // The server's certificate is not trusted: retrying will not help, the config must change (ca_file).
  if (err.originalCode && /^(UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_|ERR_TLS_CERT_ALTNAME_INVALID)/.test(err.originalCode))
    return new NotifyError('config', false, code, msg);
  if (err.code === 'EAUTH' || err.responseCode === 535 || err.responseCode === 534) return new NotifyError('auth', false, code, msg);
  if (err.code === 'ETIMEDOUT' || err.name === 'AbortError' || err.name === 'TimeoutError') return new NotifyError('timeout', true, code, msg);
  if (err.responseCode && err.responseCode >= 500) return new NotifyError('client', false, code, msg);
  if (err.responseCode === 421 || err.responseCode === 450 || err.responseCode === 451 || err.responseCode === 452)
    return new NotifyError('rate_limited', true, code, msg);
  if (err.code === 'ECONFIG') return new NotifyError('config', false, code, msg);
  return new NotifyError('server', true, code, msg);
}

/** Email over SMTP (nodemailer), HTML + text, Chinese and English. */
export class EmailNotifier implements Notifier {
  readonly channel = 'email';
  private readonly t: Transporter;
  private readonly from: string;

  constructor(c: EmailConfig) {
    this.from = c.from;
    this.t = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.security === 'tls',
      requireTLS: c.security === 'starttls',
      ignoreTLS: c.security === 'none',
      auth: c.username ? { user: c.username, pass: c.password ?? '' } : undefined,
      connectionTimeout: c.timeout_ms,
      greetingTimeout: c.timeout_ms,
      socketTimeout: c.timeout_ms,
      tls: c.tls_insecure ? { rejectUnauthorized: false } : c.ca_file ? { ca: readFileSync(c.ca_file) } : undefined,
    });
  }

  async send(n: Notification, address: string, signal: AbortSignal): Promise<SendResult> {
    if (signal.aborted) throw new NotifyError('timeout', true, 'aborted', 'aborted before sending');
    try {
      const info = await Promise.race([
        this.t.sendMail({
          from: this.from,
          to: address,
          subject: subject(n),
          text: textBody(n),
          html: htmlBody(n),
          headers: { 'X-Watchpost-Notification': n.key },
        }),
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(Object.assign(new Error('send timed out'), { name: 'TimeoutError' })), { once: true }),
        ),
      ]);
      return { id: info.messageId };
    } catch (e) {
      throw smtpFailure(e);
    }
  }

  close(): void {
    this.t.close();
  }
}
