import path from 'node:path';
import t from 'tap';
import { startCollector } from '../../../collector/main.ts';
import { hashToken } from '../../../collector/store/agents.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import { startFakeSms, ALIYUN_KEY, TENCENT_KEY } from '../../peers/sms-fake.ts';
import { startSmtp } from '../../peers/smtp.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';

const CALENDAR = path.resolve(import.meta.dirname, '../../../../shared/calendar/cn-2026.yaml');
const WRITE = 'write-token-e2e-0123456789';
const API = 'api-token-e2e-0123456789';

/** Decodes the quoted-printable text part enough to read links out of a captured mail. */
function qp(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

t.test('camera down → SMS + email after `for`, ack link, escalation, resolve, holiday routing', async (t) => {
  let clock = Date.parse('2026-10-03T10:00:00+08:00'); // National Day holiday, a Saturday
  const sms = await startFakeSms({ now: () => clock });
  const smtp = await startSmtp();
  const dir = tempDir('alerts-e2e');
  t.teardown(async () => {
    await sms.close();
    await smtp.close();
    removeDir(dir);
  });
  const cfg = collectorConfigSchema.parse({
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'data'), log_level: 'silent' },
    http_write: { tokens: [{ name: 'test', token_sha256: hashToken(WRITE) }] },
    inventory: { devices: [{ name: 'sw-a-3f-01', kind: 'switch', building: 'A', floor: '3' }, { name: 'cam-a-3f-lobby', kind: 'camera', parent: 'sw-a-3f-01', building: 'A', floor: '3' }, { name: 'cam-b-1f-gate', kind: 'camera', building: 'B', floor: '1' }] },
    alerts: {
      eval_interval_ms: 50,
      calendar_files: [CALENDAR],
      ack: { secret: 'e2e-ack-secret-0123456789abcdef0123456789' },
      api_tokens: [{ name: 'test', token_sha256: hashToken(API) }],
      group_wait_s: 0,
      repeat_interval_s: 0,
      rules: [{ name: 'camera_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0, for_s: 60, severity: 'critical', summary: '摄像机离线 camera {target} down' }],
      route: {
        receiver: 'engineer',
        escalate: [{ after_s: 600, receiver: 'supervisor' }],
        routes: [{ match: { severity: 'critical' }, when: ['holiday'], receiver: 'duty' }],
      },
      receivers: [
        { name: 'engineer', email: ['engineer@example.gov.cn'], sms: ['+8613800138000'] },
        { name: 'duty', email: ['duty@example.gov.cn'], sms: ['+8613900139000'] },
        { name: 'supervisor', email: ['boss@example.gov.cn'], sms: ['+8613600136000'] },
      ],
    },
    notify: {
      email: { host: '127.0.0.1', port: smtp.port, security: 'none', username: smtp.user, password: smtp.pass, from: 'watchpost@example.gov.cn', timeout_ms: 5000 },
      sms: {
        providers: [
          { kind: 'aliyun', endpoint: sms.url, access_key_id: ALIYUN_KEY.id, access_key_secret: ALIYUN_KEY.secret, sign_name: '大厦运维', templates: { alert: { code: 'SMS_1', params: ['kind', 'target', 'summary', 'code'] } } },
          { kind: 'tencent', endpoint: sms.url, secret_id: TENCENT_KEY.id, secret_key: TENCENT_KEY.secret, sdk_app_id: TENCENT_KEY.appId, sign_name: '大厦运维', templates: { alert: { code: '1', params: ['target', 'summary', 'code'] } } },
        ],
      },
      retry: { base_ms: 100, max_ms: 1000, timeout_ms: 5000 },
    },
  });
  const col = await startCollector(cfg, silentLogger, { now: () => clock });
  t.teardown(() => col.stop());
  const alerts = col.modules.alerts!;
  const write = async (line: string) => {
    const r = await fetch(`${col.url}/write?precision=ms`, { method: 'POST', headers: { authorization: `Token ${WRITE}` }, body: `${line} ${clock}` });
    t.equal(r.status, 204, `write ${line}`);
  };
  const api = (p: string, init: RequestInit = {}) => fetch(`${col.url}${p}`, { ...init, headers: { authorization: `Bearer ${API}`, ...(init.headers ?? {}) } });

  // The camera goes down: pending, nothing sent before `for` elapses.
  await write('camera,camera=cam-a-3f-lobby up=0i,reachable=false');
  const [open] = alerts.engine.openAlerts();
  t.equal(open?.state, 'pending');
  clock += 30_000;
  await write('camera,camera=cam-a-3f-lobby up=0i,reachable=false');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(sms.sent.length, 0, 'nothing sent while pending');
  t.equal(smtp.mails.length, 0);
  // `for` elapses: the duty engineer (holiday) gets SMS and email within seconds.
  clock += 31_000;
  const t0 = Date.now();
  await waitFor('SMS and email to duty', async () => sms.sent.some((m) => m.phone === '13900139000') && smtp.mails.some((m) => m.to.includes('duty@example.gov.cn')), 5000);
  const latency = Date.now() - t0;
  t.ok(latency < 3000, `delivered ${latency} ms after \`for\` elapsed`);
  t.notOk(sms.sent.some((m) => m.phone === '13800138000'), 'the normal engineer is not paged on a holiday');
  t.match(sms.sent[0]?.params, { target: 'cam-a-3f-lobby', code: `ACK ${open!.id}` });
  const mail = qp(smtp.mails.find((m) => m.to.includes('duty@example.gov.cn'))!.raw);
  t.match(mail, 'camera cam-a-3f-lobby down');
  const link = /(http:\/\/127\.0\.0\.1:\d+\/api\/alerts\/ack\?t=[A-Za-z0-9_.-]+)/.exec(mail)?.[1];
  t.ok(link, 'email carries an ack link');

  const listed = (await (await api('/api/alerts?state=firing')).json()) as { alerts: { id: number }[] };
  t.same(listed.alerts.map((a) => a.id), [open!.id]);

  // Not acknowledged within 10 minutes: escalation to the supervisor.
  clock += 600_000;
  await waitFor('escalation SMS', async () => sms.sent.some((m) => m.phone === '13600136000'), 5000);
  await waitFor('escalation email', async () => smtp.mails.some((m) => m.to.includes('boss@example.gov.cn')), 5000);

  // A tampered link is refused; the real one shows a form (GET never acknowledges) and POST acknowledges.
  t.equal((await fetch(link!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status, 403);
  const form = await fetch(link!);
  t.equal(form.status, 200);
  t.equal(alerts.engine.get(open!.id)?.state, 'firing', 'GET alone does not acknowledge');
  const tok = new URL(link!).searchParams.get('t')!;
  const ack = await fetch(`${col.url}/api/alerts/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: tok }).toString() });
  t.equal(ack.status, 200);
  t.equal(alerts.engine.get(open!.id)?.state, 'acknowledged');
  t.equal(alerts.engine.get(open!.id)?.acked_by, 'link:duty');
  const audit = col.ctx.audit.list(10).find((e) => e.action === 'alert.ack');
  t.equal(audit?.actor, 'link:duty', 'ack audit-logged with who');
  t.equal(audit?.time_ms, clock, 'and when');

  // Recovery: resolution goes to everyone who was told.
  clock += 60_000;
  const mailsBefore = smtp.mails.length;
  await write('camera,camera=cam-a-3f-lobby up=1i,reachable=true');
  await waitFor('resolved emails', async () => smtp.mails.slice(mailsBefore).filter((m) => /RESOLVED/.test(qp(m.raw))).length >= 2, 5000);
  t.equal(alerts.engine.get(open!.id)?.state, 'resolved');
  const sla = alerts.sla(clock - 86_400_000, clock + 1);
  t.equal(sla.rows[0]?.time_to_ack_s, 600, 'time to acknowledge');
  t.equal(sla.rows[0]?.time_to_resolve_s, 660, 'time to resolve');
  t.equal(sla.rows[0]?.breach, false);

  // 2026-10-10 is a Saturday but an adjusted working day (调休): the normal engineer is paged.
  clock = Date.parse('2026-10-10T10:00:00+08:00');
  await write('camera,camera=cam-b-1f-gate up=0i');
  clock += 61_000;
  await write('camera,camera=cam-b-1f-gate up=0i');
  await waitFor('SMS to the normal engineer', async () => sms.sent.some((m) => m.phone === '13800138000'), 5000);
  t.notOk(sms.sent.slice(-1).some((m) => m.phone === '13900139000'), 'not to duty');
  t.equal(alerts.deliveries('failed').length, 0, 'no failed deliveries');
});

t.test('a camera polled by an agent that is down is suppressed, learnt from samples no rule reads', async (t) => {
  const dir = tempDir('alerts-polled');
  t.teardown(() => removeDir(dir));
  const cfg = collectorConfigSchema.parse({
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'data'), log_level: 'silent' },
    alerts: {
      eval_interval_ms: 50,
      group_wait_s: 0,
      rules: [
        { name: 'camera_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0 },
        { name: 'agent_down', type: 'threshold', measurement: 'watchpost_agent', field: 'connected', op: '==', fire: 0, target_tag: 'agent' },
      ],
      route: { receiver: 'engineer' },
      // No channel: the test reads alert states, not deliveries (a receiver's address needs its channel configured).
      receivers: [{ name: 'engineer' }],
    },
  });
  const col = await startCollector(cfg, silentLogger);
  t.teardown(() => col.stop());
  const alerts = col.modules.alerts!;
  const now = Date.now();
  // The poller's frame carries only a measurement no rule reads: it is written without
  // becoming a Sample, and still tells the alert topology who polls cam-x.
  const frame = JSON.stringify({ type: 'batch', seq: 1, samples: [{ m: 'onvif_time', t: { camera: 'cam-x' }, f: { drift_s: 0.4 }, ts: now }] });
  t.same(col.ctx.ingest.acceptFrame({ kind: 'agent', name: 'poller-a', tags: {} }, Buffer.from(frame)), { seq: 1, accepted: 1, rejected: 0 });
  const self = { kind: 'http' as const, name: 'test', tags: {} };
  col.ctx.ingest.accept(self, [{ measurement: 'watchpost_agent', tags: { agent: 'poller-a' }, fields: { connected: 0n }, time: now }]);
  col.ctx.ingest.accept(self, [{ measurement: 'camera', tags: { camera: 'cam-x' }, fields: { up: 0n }, time: now }]);
  const state = Object.fromEntries(alerts.engine.openAlerts().map((a) => [a.target, a.state]));
  t.same(state, { 'poller-a': 'firing', 'cam-x': 'suppressed' });
});
