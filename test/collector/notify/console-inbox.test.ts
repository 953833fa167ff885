import t from 'tap';
import { waitFor } from '../../peers/util.ts';
import { Browserless, consoleCollector } from '../console/helpers.ts';

// The console channel needs no server: the demo building's alerts, and an intranet without
// mail or SMS, use it. A notification to it is delivered at once and listed on the page.
t.test('alerts to a console inbox: delivered, listed with what fired and resolved, filtered by channel', async (t) => {
  const k = await consoleCollector({
    alerts: {
      eval_interval_ms: 50,
      group_wait_s: 0,
      rules: [
        { name: 'camera_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0, severity: 'critical', summary: '摄像机离线 {target}' },
        { name: 'inspection_due', type: 'inspection', due_within_days: 40, severity: 'warning' },
      ],
      route: { receiver: 'duty', match: {}, match_re: {}, when: [], continue: false, routes: [] },
      receivers: [{ name: 'duty', console: ['duty-desk'] }],
    },
  });
  t.teardown(() => k.stop());
  const src = { kind: 'agent' as const, name: 'poller-a', tags: {} };
  k.c.ctx.ingest.accept(src, [{ measurement: 'camera', tags: { camera: 'cam-a-3f-lobby' }, fields: { up: 0n }, time: Date.now() }]);
  const api = k.c.modules.alerts!;
  await waitFor('console delivery of the firing camera alert', async () => api.dispatcher.recent().some((d) => d.channel === 'console' && d.status === 'sent' && d.notification.kind === 'firing' && d.notification.alerts.some((a) => a.target === 'cam-a-3f-lobby')), 10_000);
  k.c.ctx.ingest.accept(src, [{ measurement: 'camera', tags: { camera: 'cam-a-3f-lobby' }, fields: { up: 1n }, time: Date.now() }]);
  await waitFor('resolved notification', async () => api.dispatcher.recent().some((d) => d.notification.kind === 'resolved' && d.status === 'sent'), 10_000);

  const b = new Browserless(k.url);
  await b.login('wang');
  const page = await b.get('/console/notifications?lang=en');
  t.equal(page.status, 200);
  t.match(page.text, /data-kind="firing" data-channel="console"[\s\S]*?cam-a-3f-lobby: 摄像机离线 cam-a-3f-lobby[\s\S]*?duty-desk[\s\S]*?sent/);
  t.match(page.text, /data-kind="resolved" data-channel="console"/);
  const none = await b.get('/console/notifications?channel=sms');
  t.notMatch(none.text, /data-channel=/, 'filtered to SMS: none were sent by SMS');
  t.equal((await new Browserless(k.url).get('/console/notifications')).status, 303, 'needs a session');
});
