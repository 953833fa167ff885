import t from 'tap';
import { EmailNotifier } from '../../../collector/notify/email.ts';
import { Dispatcher } from '../../../collector/notify/dispatcher.ts';
import type { Notification } from '../../../collector/notify/types.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { silentLogger } from '../../../lib/log.ts';
import { startSmtp } from '../../peers/smtp.ts';
import { waitFor } from '../../peers/util.ts';

const note = (key: string): Notification => ({
  key,
  kind: 'firing',
  receiver: 'eng',
  level: 0,
  purpose: 'alert',
  time_ms: Date.now(),
  ack_url: 'https://collector.example/api/alerts/ack?t=abc.def',
  ack_code: 'ACK 3',
  alerts: [
    {
      id: 3,
      rule: 'switch_down',
      target: 'sw-a-3f-01',
      severity: 'critical',
      state: 'firing',
      summary: '交换机离线 switch down',
      labels: { building: 'A', floor: '3' },
      fired_ms: Date.now(),
      suppressed: ['cam-a-3f-lobby'],
    },
  ],
});

t.test('email over real SMTP: delivered with HTML + text in Chinese and English', async (t) => {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const e = new EmailNotifier({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    username: smtp.user,
    password: smtp.pass,
    from: 'watchpost@example.gov.cn',
    timeout_ms: 5000,
    tls_insecure: false,
  });
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
  const bad = new EmailNotifier({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    username: smtp.user,
    password: 'wrong',
    from: 'watchpost@example.gov.cn',
    timeout_ms: 5000,
    tls_insecure: false,
  });
  t.teardown(() => bad.close());
  await t.rejects(bad.send(note('k2'), 'eng@example.gov.cn', AbortSignal.timeout(5000)), { reason: 'auth', retryable: false } as never);
  const good = new EmailNotifier({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    username: smtp.user,
    password: smtp.pass,
    from: 'watchpost@example.gov.cn',
    timeout_ms: 5000,
    tls_insecure: false,
  });
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
  const e = new EmailNotifier({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    username: smtp.user,
    password: smtp.pass,
    from: 'watchpost@example.gov.cn',
    timeout_ms: 5000,
    tls_insecure: false,
  });
  const d = new Dispatcher({
    db,
    channels: [e],
    retry: { max_attempts: 5, base_ms: 20, max_ms: 100, timeout_ms: 5000, concurrency: 4 },
    now: Date.now,
    log: silentLogger,
  });
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

t.test('STARTTLS and implicit TLS against a relay with a private CA; an untrusted certificate is a config failure', async (t) => {
  const { createCa, issueCert } = await import('../../../collector/security/pki.ts');
  const { SMTPServer } = await import('smtp-server');
  const { writeFileSync } = await import('node:fs');
  const { tempDir, removeDir } = await import('../../peers/util.ts');
  const dir = tempDir('smtp-tls');
  t.teardown(() => removeDir(dir));
  const ca = createCa({ commonName: 'Watchpost test CA', days: 1 });
  const leaf = issueCert(ca, { commonName: 'localhost', usage: 'server', san: ['127.0.0.1'], days: 1 });
  const caFile = `${dir}/ca.pem`;
  writeFileSync(caFile, ca.certPem);
  const got: string[] = [];
  const start = async (secure: boolean) => {
    const srv = new SMTPServer({
      secure,
      key: leaf.keyPem,
      cert: leaf.certPem,
      logger: false,
      authMethods: ['PLAIN'],
      onAuth(auth, _s, cb) {
        cb(auth.username === 'u' && auth.password === 'p' ? null : new Error('bad'), { user: 'u' });
      },
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => {
          got.push(`${secure ? 'tls' : 'starttls'}:${session.secure}`);
          cb();
        });
      },
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
    return (srv.server.address() as { port: number }).port;
  };
  const base = { host: '127.0.0.1', username: 'u', password: 'p', from: 'w@example.gov.cn', timeout_ms: 5000, tls_insecure: false };
  const p1 = await start(false);
  const e1 = new EmailNotifier({ ...base, port: p1, security: 'starttls', ca_file: caFile });
  await e1.send(note('tls1'), 'eng@example.gov.cn', AbortSignal.timeout(5000));
  e1.close();
  const p2 = await start(true);
  const e2 = new EmailNotifier({ ...base, port: p2, security: 'tls', ca_file: caFile });
  await e2.send(note('tls2'), 'eng@example.gov.cn', AbortSignal.timeout(5000));
  e2.close();
  t.same(got, ['starttls:true', 'tls:true'], 'both sessions encrypted');
  const e3 = new EmailNotifier({ ...base, port: p1, security: 'starttls' });
  await t.rejects(e3.send(note('tls3'), 'eng@example.gov.cn', AbortSignal.timeout(5000)), {
    reason: 'config',
    retryable: false,
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  } as never);
  e3.close();
});
