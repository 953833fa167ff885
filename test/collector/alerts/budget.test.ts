import path from 'node:path';
import t from 'tap';
import { startCollector } from '../../../collector/main.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import { ALIYUN_KEY, startFakeSms } from '../../peers/sms-fake.ts';
import { startSmtp } from '../../peers/smtp.ts';
import { freePort, removeDir, tempDir, waitFor } from '../../peers/util.ts';

t.test('SMS budget: warning to the warn receiver, cap refuses SMS while email still goes; a dead channel never blocks evaluation', async (t) => {
  let clock = Date.parse('2026-11-02T10:00:00+08:00');
  const sms = await startFakeSms({ now: () => clock });
  const smtp = await startSmtp();
  const dead = await freePort();
  const dir = tempDir('budget');
  t.teardown(async () => {
    await sms.close();
    await smtp.close();
    removeDir(dir);
  });
  const cfg = collectorConfigSchema.parse({
    collector: { listen_port: 0, data_dir: path.join(dir, 'data'), log_level: 'silent' },
    alerts: {
      eval_interval_ms: 20, group_wait_s: 0,
      rules: [{ name: 'cam_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0, severity: 'critical' }],
      route: { receiver: 'eng', group_by: ['target'] },
      receivers: [{ name: 'eng', sms: ['+8613800138000'], email: ['eng@example.gov.cn'] }, { name: 'boss', email: ['boss@example.gov.cn'] }],
    },
    notify: {
      email: { host: '127.0.0.1', port: smtp.port, security: 'none', username: smtp.user, password: smtp.pass, from: 'w@example.gov.cn' },
      sms: {
        providers: [{ kind: 'aliyun', endpoint: sms.url, access_key_id: ALIYUN_KEY.id, access_key_secret: ALIYUN_KEY.secret, sign_name: '大厦运维', templates: { alert: { code: 'SMS_1', params: ['target'], text: '${target}告警' } } }],
        budget: { yearly_quota: 4, daily_cap: 3, warn_pct: [50, 75], warn_receiver: 'boss' },
      },
      retry: { base_ms: 50, max_ms: 100, max_attempts: 2 },
    },
  }) as ReturnType<typeof collectorConfigSchema.parse>;
  const col = await startCollector(cfg, silentLogger, { now: () => clock });
  t.teardown(() => col.stop());
  const alerts = col.modules.alerts!;
  for (let i = 1; i <= 4; i++) col.ctx.ingest.accept({ kind: 'http', name: 't', tags: {} }, [{ measurement: 'camera', tags: { camera: `cam-${i}` }, fields: { up: 0n }, time: clock }]);
  await waitFor('deliveries settle', async () => alerts.deliveries().filter((d) => d.status === 'queued' || d.status === 'sending').length === 0 && alerts.deliveries().length >= 8, 5000);
  t.equal(sms.sent.length, 3, 'three SMS within the daily cap');
  const refused = alerts.deliveries('failed');
  t.equal(refused.length, 1);
  t.match(refused[0], { channel: 'sms', reason: 'budget', code: 'daily_cap' });
  t.equal(smtp.mails.filter((m) => m.to.includes('eng@example.gov.cn')).length, 4, 'email still reaches the engineer for all four');
  await waitFor('budget warnings to the supervisor', async () => smtp.mails.filter((m) => m.to.includes('boss@example.gov.cn')).length === 2, 5000);
  t.same(col.ctx.audit.list(20).filter((e) => e.action === 'sms.budget_warning').map((e) => JSON.parse(e.details).pct).sort(), [50, 75]);
  t.match(alerts.smsUsage(), { used_parts: 3, today_parts: 3, by_purpose: { alert: 3 } });

  // The email server goes away: evaluation goes on, deliveries are retried and then visibly failed.
  await smtp.close();
  const c2 = collectorConfigSchema.parse({ ...cfg, collector: { ...cfg.collector, data_dir: path.join(dir, 'data2') }, alerts: { ...cfg.alerts, receivers: cfg.alerts.receivers.map((r) => ({ ...r, sms: [] })) }, notify: { ...cfg.notify, email: { ...cfg.notify.email!, port: dead }, sms: { ...cfg.notify.sms, providers: [] } } });
  const col2 = await startCollector(c2, silentLogger, { now: () => clock });
  t.teardown(() => col2.stop());
  const a2 = col2.modules.alerts!;
  const t0 = performance.now();
  col2.ctx.ingest.accept({ kind: 'http', name: 't', tags: {} }, [{ measurement: 'camera', tags: { camera: 'cam-x' }, fields: { up: 0n }, time: clock }]);
  t.ok(performance.now() - t0 < 200, 'ingest returns without waiting for the notifier');
  t.equal(a2.engine.openAlerts()[0]?.state, 'firing');
  // Retries are due on the collector's clock: move it on while waiting.
  await waitFor('email failed for good', async () => ((clock += 1000), a2.deliveries('failed').some((d) => d.channel === 'email' && d.attempts === 2)), 10_000);
  t.match(a2.deliveries('failed').find((d) => d.channel === 'email'), { reason: 'server', attempts: 2 });
});
