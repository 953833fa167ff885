import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { startCollector } from '../../../collector/main.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import { ALIYUN_KEY, startFakeSms } from '../../peers/sms-fake.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';

const TOKEN = 'uplink-token-0123456789abcdef';

t.test('SMS replies acknowledge only with the secret URL, fresh, once, from a number that was told', async (t) => {
  let clock = Date.parse('2026-11-02T10:00:00+08:00');
  const sms = await startFakeSms({ now: () => clock });
  const dir = tempDir('uplink');
  t.teardown(async () => {
    await sms.close();
    removeDir(dir);
  });
  const cfg = collectorConfigSchema.parse({
    collector: { listen_port: 0, data_dir: path.join(dir, 'data'), log_level: 'silent' },
    alerts: {
      eval_interval_ms: 20, group_wait_s: 0,
      rules: [{ name: 'cam_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0, severity: 'critical' }],
      route: { receiver: 'eng' },
      receivers: [{ name: 'eng', sms: ['+8613800138000'] }, { name: 'other', sms: ['+8613700137000'] }],
    },
    notify: {
      sms: {
        providers: [{ kind: 'aliyun', endpoint: sms.url, access_key_id: ALIYUN_KEY.id, access_key_secret: ALIYUN_KEY.secret, sign_name: 's', templates: { alert: { code: 'SMS_1', params: ['code'] } } }],
        uplink: { token: TOKEN, max_age_s: 300 },
        budget: { yearly_quota: 200000 },
      },
    },
  });
  const col = await startCollector(cfg, silentLogger, { now: () => clock });
  t.teardown(() => col.stop());
  const alerts = col.modules.alerts!;
  col.ctx.ingest.accept({ kind: 'http', name: 't', tags: {} }, [{ measurement: 'camera', tags: { camera: 'cam-1' }, fields: { up: 0n }, time: clock }]);
  await waitFor('SMS sent', async () => sms.sent.length === 1, 5000);
  const id = alerts.engine.openAlerts()[0]!.id;
  t.same(sms.sent[0]?.params, { code: `ACK ${id}` });
  const beijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  const post = (p: string, body: unknown) => fetch(`${col.url}/api/sms/uplink/${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.equal((await post(`aliyun/wrong-token-0123456789abcd`, [])).status, 403, 'wrong URL token');
  const msg = (phone: string, content: string, at = clock, seq = 1) => [{ phone_number: phone, send_time: beijing(at), content, sign_name: 's', dest_code: '1', sequence_id: seq }];
  const r1 = (await (await post(`aliyun/${TOKEN}`, msg('13700137000', `ACK ${id}`, clock, 1))).json()) as { code: number; results: { result: string }[] };
  t.equal(r1.code, 0, 'answers in Aliyun shape');
  t.equal(r1.results[0]?.result, 'unknown_sender', 'a number that was not told cannot ack');
  const r2 = (await (await post(`aliyun/${TOKEN}`, msg('13800138000', `ACK ${id}`, clock - 10 * 60_000, 2))).json()) as { results: { result: string }[] };
  t.equal(r2.results[0]?.result, 'stale');
  const r3 = (await (await post(`aliyun/${TOKEN}`, msg('13800138000', `确认 ${id}`, clock, 3))).json()) as { results: { result: string }[] };
  t.equal(r3.results[0]?.result, 'acknowledged');
  const r4 = (await (await post(`aliyun/${TOKEN}`, msg('13800138000', `ACK ${id}`, clock, 3))).json()) as { results: { result: string }[] };
  t.equal(r4.results[0]?.result, 'replay');
  t.equal(alerts.engine.get(id)?.acked_by, 'sms:13800138000');
  t.match(col.ctx.audit.list(5).find((e) => e.action === 'alert.ack')?.details, /sms_reply:aliyun/);
  // Tencent's callback shape.
  col.ctx.ingest.accept({ kind: 'http', name: 't', tags: {} }, [{ measurement: 'camera', tags: { camera: 'cam-2' }, fields: { up: 0n }, time: clock }]);
  await waitFor('second SMS', async () => sms.sent.length === 2, 5000);
  const id2 = alerts.engine.openAlerts().find((a) => a.target === 'cam-2')!.id;
  const r5 = (await (await post(`tencent/${TOKEN}`, { extend: '', mobile: '13800138000', nationcode: '86', sign: 's', text: `ack ${id2}`, time: Math.floor(clock / 1000) })).json()) as { result: number; results: { result: string }[] };
  t.equal(r5.result, 0);
  t.equal(r5.results[0]?.result, 'acknowledged');
  // Usage is counted and exposed; the alert_state and sms_usage measurements reach the spool.
  const u = alerts.smsUsage()!;
  t.equal(u.used_parts, 2);
  t.equal(u.by_month['2026-11'], 2);
  const rows = col.ctx.spool.take(1000);
  const text = rows.map((r) => r.body).join('');
  t.match(text, /alert_state,rule=cam_down,severity=critical,target=cam-1 .*state="acknowledged"/);
  t.match(text, /sms_usage,purpose=alert sent_parts=\d+i,budget_used_pct=/);
  clock += 1;
});

t.test('a failing uplink request is logged without its URL token (issue 22 finding 9a)', async (t) => {
  const dir = tempDir('uplink-log');
  t.teardown(() => removeDir(dir));
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const cfg = collectorConfigSchema.parse({
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'data') },
    alerts: { receivers: [{ name: 'eng' }], route: { receiver: 'eng' } },
    notify: { sms: { uplink: { token: TOKEN } } },
  });
  const col = await startCollector(cfg, log);
  t.teardown(() => col.stop());
  // A null message makes the handler throw: the collector answers 500 and logs the request.
  for (const provider of ['aliyun', 'tencent']) {
    const r = await fetch(`${col.url}/api/sms/uplink/${provider}/${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[null]' });
    t.equal(r.status, 500, `${provider}: the handler failed`);
    t.notMatch(await r.text(), TOKEN, 'the answer does not carry the token');
  }
  const failed = lines.filter((l) => /request handler failed/.test(l));
  t.equal(failed.length, 2, 'both failures are logged');
  for (const l of failed) t.match(JSON.parse(l).path, /^\/api\/sms\/uplink\/(aliyun|tencent)\/<secret>$/, 'the path keeps the provider and marks the redaction');
  t.notOk(lines.some((l) => l.includes(TOKEN)), 'the token appears in no log line');
});
