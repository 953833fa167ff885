import t from 'tap';
import { EmailNotifier } from '../../../collector/notify/email.ts';
import { Dispatcher } from '../../../collector/notify/dispatcher.ts';
import type { Notification } from '../../../collector/notify/types.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { silentLogger } from '../../../lib/log.ts';
import { startSmtp } from '../../peers/smtp.ts';
import { waitFor } from '../../peers/util.ts';

const note = (key: string): Notification => ({
  key, kind: 'firing', receiver: 'eng', level: 0, purpose: 'alert', time_ms: Date.now(), ack_url: 'https://collector.example/api/alerts/ack?t=abc.def', ack_code: 'ACK 3',
  alerts: [{ id: 3, rule: 'switch_down', target: 'sw-a-3f-01', severity: 'critical', state: 'firing', summary: '交换机离线 switch down', labels: { building: 'A', floor: '3' }, fired_ms: Date.now(), suppressed: ['cam-a-3f-lobby'] }],
});

t.test('email over real SMTP: delivered with HTML + text in Chinese and English', async (t) => {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const e = new EmailNotifier({ host: '127.0.0.1', port: smtp.port, security: 'none', username: smtp.user, password: smtp.pass, from: 'watchpost@example.gov.cn', timeout_ms: 5000, tls_insecure: false });
  t.teardown(() => e.close());
  const r = await e.send(note('k1'), 'eng@example.gov.cn', AbortSignal.timeout(5000));
  t.ok(r.id);
  const m = smtp.mails[0]!;
  t.same(m.to, ['eng@example.gov.cn']);
  t.match(m.raw, /text\/html/);
  t.match(m.raw, /text\/plain/);
  t.match(m.raw, 'X-Watchpost-Notification: k1');
});

t.test('auth failure is typed auth, not retryable; 5xx rejection is client, not retryable', async (t) => {
  const smtp = await startSmtp({ rejectRcpt: ['gone@example.gov.cn'] });
  t.teardown(() => smtp.close());
  const bad = new EmailNotifier({ host: '127.0.0.1', port: smtp.port, security: 'none', username: smtp.user, password: 'wrong', from: 'watchpost@example.gov.cn', timeout_ms: 5000, tls_insecure: false });
  t.teardown(() => bad.close());
  await t.rejects(bad.send(note('k2'), 'eng@example.gov.cn', AbortSignal.timeout(5000)), { reason: 'auth', retryable: false } as never);
  const good = new EmailNotifier({ host: '127.0.0.1', port: smtp.port, security: 'none', username: smtp.user, password: smtp.pass, from: 'watchpost@example.gov.cn', timeout_ms: 5000, tls_insecure: false });
  t.teardown(() => good.close());
  await t.rejects(good.send(note('k3'), 'gone@example.gov.cn', AbortSignal.timeout(5000)), { reason: 'client', retryable: false, code: '550' } as never);
  // Nothing listening: a retryable server failure.
  const none = new EmailNotifier({ host: '127.0.0.1', port: 1, security: 'none', from: 'w@example.gov.cn', timeout_ms: 2000, tls_insecure: false });
  await t.rejects(none.send(note('k4'), 'eng@example.gov.cn', AbortSignal.timeout(5000)), { retryable: true } as never);
});

t.test('dispatcher: one retry loop — 4xx retried until delivered, 5xx fails for good and stays visible', async (t) => {
  const smtp = await startSmtp({ rejectRcpt: ['gone@example.gov.cn'] });
  t.teardown(() => smtp.close());
  const db = openStateDb(':memory:');
  const e = new EmailNotifier({ host: '127.0.0.1', port: smtp.port, security: 'none', username: smtp.user, password: smtp.pass, from: 'watchpost@example.gov.cn', timeout_ms: 5000, tls_insecure: false });
  const d = new Dispatcher({ db, channels: [e], retry: { max_attempts: 5, base_ms: 20, max_ms: 100, timeout_ms: 5000, concurrency: 4 }, now: Date.now, log: silentLogger });
  t.teardown(async () => {
    await d.stop();
    e.close();
  });
  smtp.failNext(2);
  d.start(20);
  const id = d.enqueue(note('r1'), 'email', 'eng@example.gov.cn')!;
  t.equal(d.enqueue(note('r1'), 'email', 'eng@example.gov.cn'), undefined, 'duplicate delivery ignored');
  const bad = d.enqueue(note('r2'), 'email', 'gone@example.gov.cn')!;
  const nochan = d.enqueue(note('r3'), 'sms', '13800138000')!;
  await waitFor('deliveries settle', async () => d.get(id)?.status === 'sent' && d.get(bad)?.status === 'failed' && d.get(nochan)?.status === 'failed', 10_000);
  t.equal(d.get(id)?.attempts, 3, 'two 451s then delivered');
  t.equal(smtp.mails.length, 1);
  t.match(d.get(bad), { status: 'failed', reason: 'client', code: '550', attempts: 1 });
  t.match(d.get(nochan), { status: 'failed', reason: 'config' });
  t.equal(d.list({ status: 'failed' }).length, 2);
});
