import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local fake of the Aliyun (dysmsapi 2017-05-25, POP RPC signature v1) and Tencent Cloud
 * (sms 2021-01-11, TC3-HMAC-SHA256) SendSms endpoints. It VERIFIES what the real services
 * verify — signature, timestamp within ±5 minutes, the nonce (Aliyun; TC3 has none) — with its own
 * implementation of the documented algorithms (not Watchpost's), and answers in the
 * providers' own shapes and error codes. Listens on 127.0.0.1 only.
 */
export interface FakeSms {
  url: string;
  /** Accepted messages. */
  sent: { provider: 'aliyun' | 'tencent'; phone: string; template: string; params: unknown; time: number }[];
  /** Refused requests with the code answered. */
  refused: { provider: string; code: string }[];
  /** Makes the next N requests to a provider fail with this code (e.g. isp.SYSTEM_ERROR, InternalError). */
  failNext(provider: 'aliyun' | 'tencent', code: string, n?: number, status?: number): void;
  close(): Promise<void>;
}

export const ALIYUN_KEY = { id: 'LTAI5tFakeAccessKey', secret: 'fakeAliyunSecret0123456789abcdef' };
export const TENCENT_KEY = { id: 'AKIDfakeSecretId0123456789', secret: 'fakeTencentSecretKey0123456789ab', appId: '1400000001' };

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

export async function startFakeSms(o: { now?: () => number; skewMs?: number } = {}): Promise<FakeSms> {
  const now = o.now ?? Date.now;
  const skew = o.skewMs ?? 5 * 60_000;
  const nonces = new Set<string>();
  const fails: Record<string, { code: string; n: number; status: number }> = {};
  const fake: FakeSms = {
    url: '',
    sent: [],
    refused: [],
    failNext(provider, code, n = 1, status = 200) {
      fails[provider] = { code, n, status };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };

  const aliyun = (method: string, params: URLSearchParams, res: http.ServerResponse) => {
    const answer = (status: number, code: string, message: string) => {
      if (code !== 'OK') fake.refused.push({ provider: 'aliyun', code });
      const body = JSON.stringify(
        code === 'OK'
          ? { Code: 'OK', Message: 'OK', BizId: `${Date.now()}^0`, RequestId: randomUUID() }
          : { Code: code, Message: message, RequestId: randomUUID() },
      );
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    };
    const p = Object.fromEntries(params);
    if (p.AccessKeyId !== ALIYUN_KEY.id) return answer(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (p.SignatureMethod !== 'HMAC-SHA1' || p.SignatureVersion !== '1.0') return answer(400, 'IncompleteSignature', 'signature method/version');
    const { Signature, ...rest } = p;
    const canon = Object.keys(rest)
      .sort()
      .map((k) => `${enc(k)}=${enc(rest[k]!)}`)
      .join('&');
    const want = createHmac('sha1', `${ALIYUN_KEY.secret}&`)
      .update(`${method}&${enc('/')}&${enc(canon)}`)
      .digest();
    const got = Buffer.from(Signature ?? '', 'base64');
    if (got.length !== want.length || !timingSafeEqual(got, want))
      return answer(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    const t = Date.parse(p.Timestamp ?? '');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(p.Timestamp ?? '') || Math.abs(now() - t) > skew)
      return answer(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    if (!p.SignatureNonce || nonces.has(p.SignatureNonce)) return answer(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(p.SignatureNonce);
    if (p.Action !== 'SendSms' || p.Version !== '2017-05-25') return answer(400, 'InvalidAction.NotFound', 'action');
    const f = fails.aliyun;
    if (f && f.n > 0) {
      f.n--;
      return answer(f.status, f.code, 'injected failure');
    }
    if (!/^1\d{10}$/.test(p.PhoneNumbers ?? '')) return answer(200, 'isv.MOBILE_NUMBER_ILLEGAL', 'invalid mobile number');
    let tparams: unknown;
    try {
      tparams = JSON.parse(p.TemplateParam ?? '{}');
    } catch {
      return answer(200, 'isv.INVALID_JSON_PARAM', 'TemplateParam is not JSON');
    }
    fake.sent.push({ provider: 'aliyun', phone: p.PhoneNumbers!, template: p.TemplateCode ?? '', params: tparams, time: now() });
    answer(200, 'OK', 'OK');
  };

  const tencent = (req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse) => {
    const answer = (body: Record<string, unknown>) => {
      const err = (body.Error as { Code?: string } | undefined)?.Code;
      if (err) fake.refused.push({ provider: 'tencent', code: err });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Response: { ...body, RequestId: randomUUID() } }));
    };
    const error = (Code: string, Message: string) => answer({ Error: { Code, Message } });
    const auth = req.headers.authorization ?? '';
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d\d-\d\d)\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return error('AuthFailure.InvalidAuthorization', 'Authorization header malformed');
    const [, id, date, service, signedHeaders, sig] = m;
    if (id !== TENCENT_KEY.id) return error('AuthFailure.SecretIdNotFound', 'SecretId not found');
    if (service !== 'sms') return error('AuthFailure.SignatureFailure', `credential scope names service "${service}"`);
    const ts = Number(req.headers['x-tc-timestamp']);
    if (!Number.isInteger(ts) || Math.abs(now() / 1000 - ts) > skew / 1000) return error('AuthFailure.SignatureExpire', 'signature expired');
    if (new Date(ts * 1000).toISOString().slice(0, 10) !== date) return error('AuthFailure.SignatureFailure', 'credential date does not match X-TC-Timestamp');
    const names = signedHeaders!.split(';');
    if (!names.includes('host') || !names.includes('content-type')) return error('AuthFailure.SignatureFailure', 'content-type and host must be signed');
    // The official SDKs sign the host name without the port.
    const hv = (n: string) => (n === 'host' ? String(req.headers.host ?? '').replace(/:\d+$/, '') : String(req.headers[n] ?? '').trim());
    const canonHeaders = names.map((n) => `${n}:${hv(n)}\n`).join('');
    const canonical = [
      'POST',
      new URL(req.url ?? '/', 'http://x').pathname,
      '',
      canonHeaders,
      signedHeaders,
      createHash('sha256').update(raw).digest('hex'),
    ].join('\n');
    const toSign = ['TC3-HMAC-SHA256', String(ts), `${date}/${service}/tc3_request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const h = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s).digest();
    const want = createHmac('sha256', h(h(h(`TC3${TENCENT_KEY.secret}`, date!), service!), 'tc3_request'))
      .update(toSign)
      .digest('hex');
    if (want !== sig) return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11') return error('InvalidAction', 'action/version');
    const f = fails.tencent;
    if (f && f.n > 0) {
      f.n--;
      return error(f.code, 'injected failure');
    }
    const b = JSON.parse(raw.toString('utf8')) as {
      PhoneNumberSet: string[];
      SmsSdkAppId: string;
      TemplateId: string;
      TemplateParamSet?: string[];
      SignName: string;
    };
    if (b.SmsSdkAppId !== TENCENT_KEY.appId) return error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId does not exist');
    const set = b.PhoneNumberSet.map((ph) => {
      if (!/^\+861\d{10}$/.test(ph))
        return { SerialNo: '', PhoneNumber: ph, Fee: 0, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'bad number', IsoCode: 'CN' };
      const text = `【${b.SignName}】${(b.TemplateParamSet ?? []).join('')}告警通知请处理`;
      const fee = [...text].length <= 70 ? 1 : Math.ceil([...text].length / 67);
      fake.sent.push({ provider: 'tencent', phone: ph, template: b.TemplateId, params: b.TemplateParamSet ?? [], time: now() });
      return { SerialNo: randomUUID(), PhoneNumber: ph, Fee: fee, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' };
    });
    answer({ SendStatusSet: set });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.headers['x-tc-action']) return tencent(req, raw, res);
      const params = req.method === 'GET' ? url.searchParams : new URLSearchParams(raw.toString('utf8'));
      aliyun(req.method ?? 'GET', params, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
