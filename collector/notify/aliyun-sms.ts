import { createHmac, randomUUID } from 'node:crypto';
import { httpFailure, networkError, NotifyError, type SendResult } from './types.ts';
import type { SmsProvider, SmsReply, SmsTemplate } from './sms.ts';

export interface AliyunSmsConfig {
  name: string;
  endpoint: string;
  access_key_id: string;
  access_key_secret: string;
  sign_name: string;
  region: string;
  templates: Record<string, SmsTemplate>;
}

/** RFC 3986 percent-encoding as Aliyun's POP signature v1 requires. */
export function popEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonicalized query string: keys sorted by code point, each pair encoded. */
export function popCanonical(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(params[k]!)}`)
    .join('&');
}

/** Aliyun POP RPC signature v1 (HMAC-SHA1 over METHOD&%2F&encoded-canonical-query). */
export function popSignature(method: string, params: Record<string, string>, secret: string): string {
  const toSign = `${method}&${popEncode('/')}&${popEncode(popCanonical(params))}`;
  return createHmac('sha1', `${secret}&`).update(toSign).digest('base64');
}

/** Aliyun SendSms error codes → typed failures (https://help.aliyun.com/document_detail/101346.html). */
export function aliyunFailure(code: string, message: string): NotifyError {
  if (/^(SignatureDoesNotMatch|InvalidAccessKeyId|IncompleteSignature|Forbidden|InvalidTimeStamp|SignatureNonceUsed)/.test(code)) return new NotifyError('auth', false, code, message);
  if (code === 'isv.BUSINESS_LIMIT_CONTROL' || code.startsWith('Throttling')) return new NotifyError('rate_limited', code.startsWith('Throttling'), code, message);
  if (code.startsWith('isp.') || code === 'ServiceUnavailable' || code === 'InternalError') return new NotifyError('server', true, code, message);
  if (/^isv\.(AMOUNT_NOT_ENOUGH|OUT_OF_SERVICE|SMS_TEMPLATE_ILLEGAL|SMS_SIGNATURE_ILLEGAL|PRODUCT_UN_SUBSCRIPT|ACCOUNT_ABNORMAL)/.test(code)) return new NotifyError('config', false, code, message);
  return new NotifyError('client', false, code, message);
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Aliyun SMS SendSms (API 2017-05-25), POP RPC style with signature v1 (HMAC-SHA1); fetch only. */
export class AliyunSms implements SmsProvider {
  readonly kind = 'aliyun';
  readonly name: string;
  private readonly c: AliyunSmsConfig;
  private readonly now: () => number;

  constructor(c: AliyunSmsConfig, now: () => number = Date.now) {
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

  /** The signed form parameters of one SendSms call (exported for tests comparing with the SDK). */
  signedParams(phone: string, templateCode: string, templateParam: Record<string, string>, nonce: string, timeMs: number): Record<string, string> {
    const p: Record<string, string> = {
      AccessKeyId: this.c.access_key_id,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: phone.replace(/^\+86/, ''),
      RegionId: this.c.region,
      SignName: this.c.sign_name,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: nonce,
      SignatureVersion: '1.0',
      TemplateCode: templateCode,
      TemplateParam: JSON.stringify(templateParam),
      Timestamp: timestamp(timeMs),
      Version: '2017-05-25',
    };
    p.Signature = popSignature('POST', p, this.c.access_key_secret);
    return p;
  }

  async sendSms(phone: string, purpose: string, params: Record<string, string>, signal: AbortSignal): Promise<SendResult> {
    const t = this.c.templates[purpose];
    if (!t) throw new NotifyError('config', false, 'no_template', `aliyun provider "${this.name}" has no template for "${purpose}"`);
    const tp = Object.fromEntries(t.params.map((k) => [k, params[k] ?? '']));
    const body = popCanonical(this.signedParams(phone, t.code, tp, randomUUID(), this.now()));
    let res: Response;
    try {
      res = await fetch(new URL('/', this.c.endpoint), { method: 'POST', signal, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    } catch (e) {
      throw networkError(e);
    }
    const text = await res.text().catch(() => '');
    let json: { Code?: string; Message?: string; BizId?: string; RequestId?: string };
    try {
      json = JSON.parse(text);
    } catch {
      throw httpFailure(res.status >= 400 ? res.status : 502, `http_${res.status}`, `aliyun: non-JSON answer (HTTP ${res.status})`, res.headers.get('retry-after'));
    }
    if (json.Code && json.Code !== 'OK') throw aliyunFailure(json.Code, `aliyun: ${json.Message ?? json.Code} (RequestId ${json.RequestId ?? '?'})`);
    if (!res.ok) throw httpFailure(res.status, `http_${res.status}`, `aliyun: HTTP ${res.status}`, res.headers.get('retry-after'));
    return { id: json.BizId, provider: this.name };
  }
}

/** Aliyun's SmsReport/SmsUp push: a JSON array of replies. */
export function parseAliyunUplink(list: readonly Record<string, unknown>[]): SmsReply[] {
  // send_time is Beijing local time "YYYY-MM-DD HH:MM:SS".
  return list.map((m) => ({ phone: String(m.phone_number ?? ''), text: String(m.content ?? ''), time: Date.parse(`${String(m.send_time).replace(' ', 'T')}+08:00`), id: `aliyun:${String(m.sequence_id ?? '')}` }));
}

/** The answer Aliyun takes as success (anything else and it pushes again). */
export function aliyunUplinkAnswer<T>(results: T): { code: 0; msg: string; results: T } {
  return { code: 0, msg: '成功', results };
}
