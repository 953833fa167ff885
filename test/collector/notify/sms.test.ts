import { createRequire } from 'node:module';
import t, { type Test } from 'tap';
import { silentLogger } from '../../../lib/log.ts';
import { AliyunSms, popSignature } from '../../../collector/notify/aliyun-sms.ts';
import { SmsBudget } from '../../../collector/notify/budget.ts';
import { SmsChannel } from '../../../collector/notify/sms.ts';
import { tc3Authorization, TencentSms } from '../../../collector/notify/tencent-sms.ts';
import { NotifyError, type Notification } from '../../../collector/notify/types.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { ALIYUN_KEY, startFakeSms, TENCENT_KEY } from '../../peers/sms-fake.ts';

const require = createRequire(import.meta.url);
const rejects = (t: Test, p: Promise<unknown>, m: Record<string, unknown>) => t.rejects(p, m as never);
// The official SDKs, used as oracles (devDependencies).
const RPCClient = require('@alicloud/pop-core').RPCClient as new (
  o: Record<string, unknown>,
) => { request(action: string, params: Record<string, unknown>, opts: Record<string, unknown>): Promise<{ Code: string }> };
const TcSign = require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js').default as { sign3(o: Record<string, unknown>): string };

const templates = { alert: { code: 'SMS_123456', params: ['kind', 'target', 'summary', 'code'], text: '${kind}：${target} ${summary}，回复${code}确认' } };
const aliyunCfg = (endpoint: string) => ({
  name: 'aliyun',
  endpoint,
  access_key_id: ALIYUN_KEY.id,
  access_key_secret: ALIYUN_KEY.secret,
  sign_name: '大厦运维',
  region: 'cn-hangzhou',
  templates,
});
const tencentCfg = (endpoint: string) => ({
  name: 'tencent',
  endpoint,
  secret_id: TENCENT_KEY.id,
  secret_key: TENCENT_KEY.secret,
  sdk_app_id: TENCENT_KEY.appId,
  sign_name: '大厦运维',
  region: 'ap-guangzhou',
  templates: { alert: { code: '1234567', params: ['target', 'summary', 'code'] } },
});

const note = (id = 7): Notification => ({
  key: `firing:eng:${id}:1`,
  kind: 'firing',
  receiver: 'eng',
  level: 0,
  purpose: 'alert',
  time_ms: Date.now(),
  ack_code: `ACK ${id}`,
  alerts: [
    {
      id,
      rule: 'camera_down',
      target: 'cam-a-3f-lobby',
      severity: 'critical',
      state: 'firing',
      summary: '摄像机离线 camera down',
      labels: {},
      fired_ms: Date.now(),
      suppressed: [],
    },
  ],
});

t.test('Aliyun v1 signature equals the official SDK (pop-core) and the fake accepts both', async (t) => {
  const fake = await startFakeSms();
  t.teardown(() => fake.close());
  // The SDK itself talks to the fake: proves the fake verifies the documented algorithm.
  const sdk = new RPCClient({ accessKeyId: ALIYUN_KEY.id, accessKeySecret: ALIYUN_KEY.secret, endpoint: fake.url, apiVersion: '2017-05-25' });
  const r = await sdk.request(
    'SendSms',
    { PhoneNumbers: '13800138000', SignName: '大厦运维', TemplateCode: 'SMS_1', TemplateParam: JSON.stringify({ target: 'x' }) },
    { method: 'POST' },
  );
  t.equal(r.Code, 'OK', 'SDK request accepted by the fake');
  const bad = new RPCClient({ accessKeyId: ALIYUN_KEY.id, accessKeySecret: 'wrong-secret', endpoint: fake.url, apiVersion: '2017-05-25' });
  await rejects(t, bad.request('SendSms', { PhoneNumbers: '13800138000' }, { method: 'POST' }), { code: 'SignatureDoesNotMatch' });
  // Same parameters signed by us and by the SDK's algorithm (GET, as pop-core signs by default).
  const p = new AliyunSms(aliyunCfg(fake.url)).signedParams('13800138000', 'SMS_1', { a: '1' }, 'nonce-1', Date.parse('2026-10-03T02:00:00Z'));
  const { Signature, ...rest } = p;
  const kitx = require('kitx') as { sha1(s: string, key: string, enc: string): string };
  const enc = (s: string) => encodeURIComponent(s).replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');
  const canon = Object.keys(rest)
    .sort()
    .map((k) => `${enc(k)}=${enc(rest[k]!)}`)
    .join('&');
  t.equal(Signature, kitx.sha1(`POST&${enc('/')}&${enc(canon)}`, `${ALIYUN_KEY.secret}&`, 'base64'), 'HMAC-SHA1 matches the SDK helper');
  t.equal(popSignature('GET', rest, ALIYUN_KEY.secret), kitx.sha1(`GET&${enc('/')}&${enc(canon)}`, `${ALIYUN_KEY.secret}&`, 'base64'));
  // Our client end to end.
  const ours = new AliyunSms(aliyunCfg(fake.url));
  const res = await ours.sendSms('+8613800138001', 'alert', { kind: '告警', target: 'cam-1', summary: '离线', code: 'ACK 7' }, AbortSignal.timeout(5000));
  t.ok(res.id, 'BizId returned');
  t.same(fake.sent.at(-1), {
    provider: 'aliyun',
    phone: '13800138001',
    template: 'SMS_123456',
    params: { kind: '告警', target: 'cam-1', summary: '离线', code: 'ACK 7' },
    time: fake.sent.at(-1)!.time,
  });
});

t.test('Aliyun: stale timestamp, reused nonce and error codes are typed', async (t) => {
  let clock = Date.now();
  const fake = await startFakeSms({ now: () => clock });
  t.teardown(() => fake.close());
  const ours = new AliyunSms(aliyunCfg(fake.url), () => clock - 6 * 60_000);
  await rejects(t, ours.sendSms('13800138000', 'alert', {}, AbortSignal.timeout(5000)), { reason: 'auth', code: 'InvalidTimeStamp.Expired', retryable: false });
  const ok = new AliyunSms(aliyunCfg(fake.url), () => clock);
  // Replay: send the same signed body twice.
  const body = new URLSearchParams(ok.signedParams('13800138000', 'SMS_1', {}, 'same-nonce', clock)).toString();
  const r1 = (await (await fetch(fake.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).json()) as {
    Code: string;
  };
  const r2 = (await (await fetch(fake.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).json()) as {
    Code: string;
  };
  t.equal(r1.Code, 'OK');
  t.equal(r2.Code, 'SignatureNonceUsed', 'a replayed nonce is refused');
  fake.failNext('aliyun', 'isp.SYSTEM_ERROR');
  await rejects(t, ok.sendSms('13800138000', 'alert', {}, AbortSignal.timeout(5000)), { reason: 'server', retryable: true });
  fake.failNext('aliyun', 'isv.BUSINESS_LIMIT_CONTROL');
  await rejects(t, ok.sendSms('13800138000', 'alert', {}, AbortSignal.timeout(5000)), { reason: 'rate_limited' });
  await rejects(t, ok.sendSms('12345', 'alert', {}, AbortSignal.timeout(5000)), { reason: 'client', code: 'isv.MOBILE_NUMBER_ILLEGAL' });
  await rejects(t, ok.sendSms('13800138000', 'nope', {}, AbortSignal.timeout(5000)), { reason: 'config' });
  clock += 1;
});

t.test('Tencent TC3 signature equals the official SDK and the fake verifies it', async (t) => {
  const fake = await startFakeSms();
  t.teardown(() => fake.close());
  const body = JSON.stringify({ PhoneNumberSet: ['+8613800138000'], SmsSdkAppId: TENCENT_KEY.appId, SignName: 's', TemplateId: '1', TemplateParamSet: ['a'] });
  const ts = Math.floor(Date.now() / 1000);
  const ct = 'application/json; charset=utf-8';
  const host = new URL(fake.url).hostname;
  const sdk = TcSign.sign3({
    method: 'POST',
    url: `${fake.url}/`,
    payload: JSON.parse(body),
    timestamp: ts,
    service: 'sms',
    secretId: TENCENT_KEY.id,
    secretKey: TENCENT_KEY.secret,
    headers: { 'Content-Type': ct },
  });
  t.equal(
    tc3Authorization({ secretId: TENCENT_KEY.id, secretKey: TENCENT_KEY.secret, host, body, timestamp: ts, contentType: ct }),
    sdk,
    'Authorization header identical to the SDK sign3',
  );
  // The SDK-signed request is accepted by the fake; a tampered body is not.
  const send = (auth: string, b: string, tsv = ts) =>
    fetch(`${fake.url}/`, {
      method: 'POST',
      headers: {
        authorization: auth,
        'content-type': ct,
        'x-tc-action': 'SendSms',
        'x-tc-version': '2021-01-11',
        'x-tc-timestamp': String(tsv),
        'x-tc-region': 'ap-guangzhou',
      },
      body: b,
    }).then((r) => r.json() as Promise<{ Response: { SendStatusSet: { Code: string }[]; Error: { Code: string } } }>);
  t.equal((await send(sdk, body)).Response.SendStatusSet[0]?.Code, 'Ok');
  t.equal((await send(sdk, body.replace('"a"', '"b"'))).Response.Error.Code, 'AuthFailure.SignatureFailure', 'tampered body refused');
  const old = ts - 400;
  const oldAuth = TcSign.sign3({
    method: 'POST',
    url: `${fake.url}/`,
    payload: JSON.parse(body),
    timestamp: old,
    service: 'sms',
    secretId: TENCENT_KEY.id,
    secretKey: TENCENT_KEY.secret,
    headers: { 'Content-Type': ct },
  });
  t.equal((await send(oldAuth, body, old)).Response.Error.Code, 'AuthFailure.SignatureExpire', 'timestamp outside ±5 min refused');
  const ours = new TencentSms(tencentCfg(fake.url));
  const r = await ours.sendSms('13800138000', 'alert', { target: 'cam-1', summary: 'down', code: 'ACK 1' }, AbortSignal.timeout(5000));
  t.equal(r.parts, 1, 'billed parts from Fee');
  t.same(fake.sent.at(-1)?.params, ['cam-1', 'down', 'ACK 1']);
  fake.failNext('tencent', 'LimitExceeded.PhoneNumberThirtySecondLimit');
  await rejects(t, ours.sendSms('13800138000', 'alert', {}, AbortSignal.timeout(5000)), { reason: 'rate_limited' });
  fake.failNext('tencent', 'InternalError.Timeout');
  await rejects(t, ours.sendSms('13800138000', 'alert', {}, AbortSignal.timeout(5000)), { reason: 'server', retryable: true });
  const wrong = new TencentSms({ ...tencentCfg(fake.url), secret_key: 'nope' });
  await rejects(t, wrong.sendSms('13800138000', 'alert', {}, AbortSignal.timeout(5000)), { reason: 'auth', retryable: false });
});

t.test('SMS channel: failover, per-number limit, budget with warnings and caps', async (t) => {
  const fake = await startFakeSms();
  t.teardown(() => fake.close());
  const db = openStateDb(':memory:');
  const warnings: number[] = [];
  const budget = new SmsBudget(db, { yearly_quota: 10, daily_cap: 8, warn_pct: [80, 95], timezone: 'Asia/Shanghai' }, Date.now, (p) => warnings.push(p));
  const ch = new SmsChannel({
    providers: [new AliyunSms(aliyunCfg(fake.url)), new TencentSms(tencentCfg(fake.url))],
    budget,
    maxPerNumberPerHour: 3,
    now: Date.now,
    log: silentLogger,
  });
  fake.failNext('aliyun', 'isp.SYSTEM_ERROR');
  const r = await ch.send(note(), '13800138000', AbortSignal.timeout(5000));
  t.equal(r.provider, 'tencent', 'failed over to the second provider');
  t.equal(fake.refused.at(-1)?.code, 'isp.SYSTEM_ERROR');
  await ch.send(note(), '13800138000', AbortSignal.timeout(5000));
  await ch.send(note(), '13800138000', AbortSignal.timeout(5000));
  await rejects(t, ch.send(note(), '13800138000', AbortSignal.timeout(5000)), { reason: 'rate_limited', code: 'per_number_limit', retryable: true });
  // Client errors (a bad number) are not failed over.
  const before = fake.refused.length;
  await t.rejects(ch.send(note(), '12345', AbortSignal.timeout(5000)), NotifyError);
  t.equal(fake.refused.length, before + 1, 'only one provider tried for a bad number');
  // Another number: goes on until the day's cap.
  const sentBefore = budget.usage().used_parts;
  t.equal(sentBefore, 3);
  for (let i = 0; i < 5; i++) await ch.send(note(), `1390013900${i}`, AbortSignal.timeout(5000));
  t.same(warnings, [80], '80 % warning once (8 of 10)');
  await rejects(t, ch.send(note(), '13900139009', AbortSignal.timeout(5000)), { reason: 'budget', code: 'daily_cap', retryable: false });
  const u = budget.usage();
  t.equal(u.used_parts, 8);
  t.equal(u.by_purpose.alert, 8);
  t.equal(
    Object.values(u.by_month).reduce((a, b) => a + b, 0),
    8,
  );
  t.equal(u.used_pct, 80);
});

t.test('multi-part messages count per part', async (t) => {
  const { smsParts } = await import('../../../collector/notify/render.ts');
  t.equal(smsParts('a'.repeat(160)), 1);
  t.equal(smsParts('a'.repeat(161)), 2);
  t.equal(smsParts('告'.repeat(70)), 1);
  t.equal(smsParts('告'.repeat(71)), 2);
  t.equal(smsParts('告'.repeat(135)), 3);
});
