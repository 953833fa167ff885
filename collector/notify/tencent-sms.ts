import { createHash, createHmac } from 'node:crypto';
import { httpFailure, networkError, NotifyError, type SendResult } from './types.ts';
import type { SmsProvider, SmsReply, SmsTemplate } from './sms.ts';

export interface TencentSmsConfig {
  name: string;
  endpoint: string;
  secret_id: string;
  secret_key: string;
  sdk_app_id: string;
  sign_name: string;
  region: string;
  templates: Record<string, SmsTemplate>;
}

const SERVICE = 'sms';
const VERSION = '2021-01-11';

function sha256hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}
function hmac(key: string | Buffer, s: string): Buffer {
  return createHmac('sha256', key).update(s).digest();
}

/**
 * TC3-HMAC-SHA256 (Tencent Cloud API v3) for a JSON POST: returns the Authorization header.
 * Signs content-type and host (the host name without port, as the official SDKs do).
 */
export function tc3Authorization(o: { secretId: string; secretKey: string; host: string; body: string; timestamp: number; contentType?: string; service?: string }): string {
  const service = o.service ?? SERVICE;
  const ct = o.contentType ?? 'application/json; charset=utf-8';
  const canonical = ['POST', '/', '', `content-type:${ct}\nhost:${o.host}\n`, 'content-type;host', sha256hex(o.body)].join('\n');
  const date = new Date(o.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${service}/tc3_request`;
  const toSign = ['TC3-HMAC-SHA256', String(o.timestamp), scope, sha256hex(canonical)].join('\n');
  const kSigning = hmac(hmac(hmac(`TC3${o.secretKey}`, date), service), 'tc3_request');
  const sig = createHmac('sha256', kSigning).update(toSign).digest('hex');
  return `TC3-HMAC-SHA256 Credential=${o.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${sig}`;
}

/** Tencent error codes → typed failures (https://cloud.tencent.com/document/product/382/55981). */
export function tencentFailure(code: string, message: string): NotifyError {
  if (code.startsWith('AuthFailure') || code === 'UnauthorizedOperation.SmsSdkAppIdVerifyFail') return new NotifyError('auth', false, code, message);
  if (code === 'RequestLimitExceeded' || code.startsWith('LimitExceeded')) return new NotifyError('rate_limited', code === 'RequestLimitExceeded', code, message);
  if (code.startsWith('InternalError') || code === 'ServiceUnavailable' || code.startsWith('ResourceUnavailable'))
    return new NotifyError('server', true, code, message);
  if (code === 'FailedOperation.InsufficientBalanceInSmsPackage' || code.startsWith('UnsupportedOperation') || code.startsWith('FailedOperation.TemplateIncorrectOrUnapproved') || code.startsWith('FailedOperation.SignatureIncorrectOrUnapproved'))
    return new NotifyError('config', false, code, message);
  return new NotifyError('client', false, code, message);
}

/** Tencent Cloud SMS SendSms (API 2021-01-11), signed with TC3-HMAC-SHA256; fetch only. */
export class TencentSms implements SmsProvider {
  readonly kind = 'tencent';
  readonly name: string;
  private readonly c: TencentSmsConfig;
  private readonly now: () => number;

  constructor(c: TencentSmsConfig, now: () => number = Date.now) {
    this.c = c;
    this.name = c.name;
    this.now = now;
  }

  template(purpose: string): SmsTemplate | undefined {
    return this.c.templates[purpose];
  }

  signName(): string {
    return this.c.sign_name;
  }

  async sendSms(phone: string, purpose: string, params: Record<string, string>, signal: AbortSignal): Promise<SendResult> {
    const t = this.c.templates[purpose];
    if (!t) throw new NotifyError('config', false, 'no_template', `tencent provider "${this.name}" has no template for "${purpose}"`);
    const url = new URL(this.c.endpoint);
    const body = JSON.stringify({
      PhoneNumberSet: [phone.startsWith('+') ? phone : `+86${phone}`],
      SmsSdkAppId: this.c.sdk_app_id,
      SignName: this.c.sign_name,
      TemplateId: t.code,
      TemplateParamSet: t.params.map((p) => params[p] ?? ''),
    });
    const timestamp = Math.floor(this.now() / 1000);
    const ct = 'application/json; charset=utf-8';
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        signal,
        headers: {
          authorization: tc3Authorization({ secretId: this.c.secret_id, secretKey: this.c.secret_key, host: url.hostname, body, timestamp, contentType: ct }),
          'content-type': ct,
          'x-tc-action': 'SendSms',
          'x-tc-version': VERSION,
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': this.c.region,
        },
        body,
      });
    } catch (e) {
      throw networkError(e);
    }
    const text = await res.text().catch(() => '');
    let json: { Response?: { Error?: { Code: string; Message: string }; SendStatusSet?: { Code: string; Message: string; SerialNo?: string; Fee?: number }[]; RequestId?: string } };
    try {
      json = JSON.parse(text);
    } catch {
      throw httpFailure(res.status >= 400 ? res.status : 502, `http_${res.status}`, `tencent: non-JSON answer (HTTP ${res.status})`, res.headers.get('retry-after'));
    }
    const r = json.Response;
    if (r?.Error) throw tencentFailure(r.Error.Code, `tencent: ${r.Error.Message} (RequestId ${r.RequestId ?? '?'})`);
    if (!res.ok) throw httpFailure(res.status, `http_${res.status}`, `tencent: HTTP ${res.status}`, res.headers.get('retry-after'));
    const st = r?.SendStatusSet?.[0];
    if (!st) throw new NotifyError('server', true, 'no_status', 'tencent: answer without SendStatusSet');
    if (st.Code !== 'Ok') throw tencentFailure(st.Code, `tencent: ${st.Message}`);
    return { id: st.SerialNo, parts: typeof st.Fee === 'number' ? st.Fee : undefined, provider: this.name };
  }
}

/** Tencent Cloud's reply callback: one reply or an array of them; `time` is epoch seconds. */
export function parseTencentUplink(list: readonly Record<string, unknown>[]): SmsReply[] {
  return list.map((m) => ({ phone: String(m.mobile ?? ''), text: String(m.text ?? ''), time: Number(m.time) * 1000, id: `tencent:${String(m.mobile)}:${String(m.time)}:${String(m.text)}` }));
}

/** The answer Tencent Cloud takes as success (anything else and it pushes again). */
export function tencentUplinkAnswer<T>(results: T): { result: 0; errmsg: string; results: T } {
  return { result: 0, errmsg: 'OK', results };
}
