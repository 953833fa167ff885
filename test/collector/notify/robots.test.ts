import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { DingTalkNotifier } from '../../../collector/notify/dingtalk.ts';
import type { Notification } from '../../../collector/notify/types.ts';
import { WebhookNotifier } from '../../../collector/notify/webhook.ts';
import { WeComNotifier } from '../../../collector/notify/wecom.ts';

const note: Notification = {
  key: 'k',
  kind: 'firing',
  receiver: 'r',
  level: 0,
  purpose: 'alert',
  time_ms: 0,
  ack_url: 'http://c/ack?t=1',
  alerts: [
    {
      id: 1,
      rule: 'cam_down',
      target: 'cam-1',
      severity: 'critical',
      state: 'firing',
      summary: '离线',
      labels: { building: 'A' },
      fired_ms: 0,
      suppressed: [],
    },
  ],
};

/** A local receiver that checks what the real services check, answering like them. */
async function receiver(handle: (req: http.IncomingMessage, body: string, url: URL) => { status?: number; body: unknown }) {
  const got: { url: URL; body: string; headers: http.IncomingHttpHeaders }[] = [];
  const srv = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      got.push({ url, body: b, headers: req.headers });
      const r = handle(req, b, url);
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, got, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

t.test('webhook: HMAC over timestamp.body, verified by the receiver', async (t) => {
  const secret = 'webhook-secret-0123456789';
  const rc = await receiver((req, body) => {
    const ts = String(req.headers['x-watchpost-timestamp']);
    const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
    const got = Buffer.from(String(req.headers['x-watchpost-signature']));
    return got.length === want.length && timingSafeEqual(got, want) ? { status: 204, body: {} } : { status: 401, body: { error: 'bad signature' } };
  });
  t.teardown(rc.close);
  await new WebhookNotifier(secret).send(note, `${rc.url}/hook`, AbortSignal.timeout(5000));
  t.match(JSON.parse(rc.got[0]!.body), { kind: 'firing', alerts: [{ target: 'cam-1' }] });
  await t.rejects(new WebhookNotifier('other-secret-0123456789').send(note, `${rc.url}/hook`, AbortSignal.timeout(5000)), {
    reason: 'auth',
    retryable: false,
  } as never);
});

t.test('DingTalk robot: 加签 verified; errcodes mapped', async (t) => {
  const secret = 'SEC0123456789abcdef';
  let mode = 'ok';
  const rc = await receiver((_req, _b, url) => {
    const ts = url.searchParams.get('timestamp')!;
    const want = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    if (url.searchParams.get('sign') !== want) return { body: { errcode: 310000, errmsg: 'sign not match' } };
    if (mode === 'limit') return { body: { errcode: 130101, errmsg: 'send too fast' } };
    return { body: { errcode: 0, errmsg: 'ok' } };
  });
  t.teardown(rc.close);
  await new DingTalkNotifier(secret).send(note, `${rc.url}/robot/send?access_token=abc`, AbortSignal.timeout(5000));
  t.match(JSON.parse(rc.got[0]!.body), { msgtype: 'markdown', markdown: { title: /cam-1/ } });
  t.equal(rc.got[0]!.url.searchParams.get('access_token'), 'abc');
  await t.rejects(new DingTalkNotifier('wrong').send(note, `${rc.url}/robot/send?access_token=abc`, AbortSignal.timeout(5000)), { reason: 'auth' } as never);
  mode = 'limit';
  await t.rejects(new DingTalkNotifier(secret).send(note, `${rc.url}/robot/send?access_token=abc`, AbortSignal.timeout(5000)), {
    reason: 'rate_limited',
    retryable: true,
  } as never);
});

t.test('WeCom robot: markdown; errcodes mapped', async (t) => {
  const rc = await receiver((_req, _b, url) =>
    url.searchParams.get('key') === 'good' ? { body: { errcode: 0, errmsg: 'ok' } } : { body: { errcode: 93000, errmsg: 'invalid webhook url' } },
  );
  t.teardown(rc.close);
  await new WeComNotifier().send(note, `${rc.url}/cgi-bin/webhook/send?key=good`, AbortSignal.timeout(5000));
  t.match(JSON.parse(rc.got[0]!.body), { msgtype: 'markdown', markdown: { content: /cam-1/ } });
  await t.rejects(new WeComNotifier().send(note, `${rc.url}/cgi-bin/webhook/send?key=bad`, AbortSignal.timeout(5000)), {
    reason: 'auth',
    retryable: false,
  } as never);
  await t.rejects(new WeComNotifier().send(note, 'http://127.0.0.1:1/x', AbortSignal.timeout(5000)), { reason: 'server', retryable: true } as never);
});
