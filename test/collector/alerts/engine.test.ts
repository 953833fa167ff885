import t from 'tap';
import { HolidayCalendar } from '../../../collector/calendar/holiday-calendar.ts';
import { AlertEngine } from '../../../collector/alerts/engine.ts';
import { Router } from '../../../collector/alerts/routing.ts';
import { AlertStore } from '../../../collector/alerts/store.ts';
import { Topology } from '../../../collector/alerts/topology.ts';
import type { Notification } from '../../../collector/notify/types.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { alertsSchema } from '../../../config/schema/alerts.ts';
import { deviceSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Sample } from '../../../protocol/sample.ts';

function setup(over: Record<string, unknown> = {}, devices: unknown[] = []) {
  let clock = Date.parse('2026-11-02T10:00:00+08:00');
  const cfg = alertsSchema.parse({
    group_wait_s: 10,
    repeat_interval_s: 0,
    receivers: [
      { name: 'eng', email: ['e@x.cn'] },
      { name: 'boss', email: ['b@x.cn'] },
    ],
    route: { receiver: 'eng' },
    rules: [
      { name: 'cam_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0 },
      { name: 'sw_down', type: 'threshold', measurement: 'snmp_device', field: 'up', op: '==', fire: 0 },
      { name: 'agent_down', type: 'threshold', measurement: 'watchpost_agent', field: 'connected', op: '==', fire: 0, target_tag: 'agent' },
      { name: 'silent', type: 'absence', measurement: 'ping', target_tag: 'url', for_s: 300 },
      { name: 'events', type: 'event', kinds: ['snmp_reboot', 'snmp_trap'], min_severity: 'warning', resolve_after_s: 600 },
      { name: 'insp', type: 'inspection', due_within_days: 3 },
      { name: 'cpu_hot', type: 'threshold', measurement: 'cpu', field: 'usage_user', op: '>', fire: 90, clear: 70, for_s: 120 },
    ],
    ...over,
  });
  const sent: Notification[] = [];
  const maint = new Set<string>();
  const e = new AlertEngine({
    cfg,
    rules: cfg.rules,
    store: new AlertStore(openStateDb(':memory:')),
    router: new Router(cfg.route, cfg),
    calendar: new HolidayCalendar(),
    topology: new Topology(devices.map((d) => deviceSchema.parse(d))),
    now: () => clock,
    log: silentLogger,
    deliver: (n) => sent.push(n),
    inMaintenance: (t) => maint.has(t),
    ackUrl: () => undefined,
    changed: () => {},
  });
  const s = (measurement: string, tags: Record<string, string>, fields: Sample['fields']): Sample => ({ measurement, tags, fields, time: clock });
  return { e, sent, maint, s, advance: (ms: number) => ((clock += ms), e.tick()) };
}

t.test('grouping: several alerts of one rule in the group window go out as one message', async (t) => {
  const { e, sent, s, advance } = setup();
  e.onSamples([s('camera', { camera: 'c1' }, { up: 0n })]);
  advance(3000);
  e.onSamples([s('camera', { camera: 'c2' }, { up: 0n }), s('camera', { camera: 'c3' }, { up: 0n })]);
  t.equal(sent.length, 0, 'held for group_wait');
  advance(7000);
  t.equal(sent.length, 1);
  t.same(sent[0]?.alerts.map((a) => a.target).sort(), ['c1', 'c2', 'c3']);
  t.equal(sent[0]?.kind, 'firing');
});

t.test('topology: inventory parent, LLDP and polling agent suppress; the parent lists them; pending parent holds children', async (t) => {
  const { e, sent, s, advance } = setup({}, [
    { name: 'sw1', kind: 'switch' },
    { name: 'cam-inv', kind: 'camera', parent: 'sw1' },
    { name: 'sw2', kind: 'switch' },
  ]);
  e.onSamples([s('lldp_neighbor', { device: 'sw2', local_port: 'Gi0/1' }, { remote_sys_name: 'cam-lldp' })]);
  e.onSamples([s('camera', { camera: 'cam-poll', agent: 'poller-a' }, { up: 1n })]);
  // Ingest reports which agent polls each target, for every sample (IngestListener.onTargets).
  e.observeTargets(new Map([['cam-poll', 'poller-a']]));
  e.onSamples([
    s('snmp_device', { device: 'sw1' }, { up: 0n }),
    s('snmp_device', { device: 'sw2' }, { up: 0n }),
    s('watchpost_agent', { agent: 'poller-a' }, { connected: 0n }),
  ]);
  e.onSamples([
    s('camera', { camera: 'cam-inv' }, { up: 0n }),
    s('camera', { camera: 'cam-lldp' }, { up: 0n }),
    s('camera', { camera: 'cam-poll', agent: 'poller-a' }, { up: 0n }),
  ]);
  const st = Object.fromEntries(e.openAlerts().map((a) => [a.target, a.state]));
  t.same(st, { sw1: 'firing', sw2: 'firing', 'poller-a': 'firing', 'cam-inv': 'suppressed', 'cam-lldp': 'suppressed', 'cam-poll': 'suppressed' });
  advance(10_000);
  const targets = sent.flatMap((n) => n.alerts.map((a) => a.target)).sort();
  t.same(targets, ['poller-a', 'sw1', 'sw2'], 'only the parents are notified');
  const sw1 = sent.flatMap((n) => n.alerts).find((a) => a.target === 'sw1');
  t.same(sw1?.suppressed, ['cam-inv'], 'the parent alert references what it suppresses');
  // The switch recovers but the camera does not: now the camera is news.
  e.onSamples([s('snmp_device', { device: 'sw1' }, { up: 1n })]);
  advance(1000);
  t.equal(e.openAlerts().find((a) => a.target === 'cam-inv')?.state, 'firing');
  advance(10_000);
  t.ok(sent.some((n) => n.kind === 'firing' && n.alerts.some((a) => a.target === 'cam-inv')));
  t.ok(
    sent.some((n) => n.kind === 'resolved' && n.alerts[0]?.target === 'sw1'),
    'resolution sent',
  );
});

t.test('threshold `for` and hysteresis; absence; events expire; inspections', async (t) => {
  const { e, sent, s, advance } = setup({ group_wait_s: 0 });
  e.onSamples([s('cpu', { host: 'pc1' }, { usage_user: 95 })]);
  advance(60_000);
  e.onSamples([s('cpu', { host: 'pc1' }, { usage_user: 80 })]);
  t.equal(e.openAlerts()[0]?.state, 'pending', 'inside the hysteresis band: still pending');
  advance(61_000);
  t.equal(e.openAlerts()[0]?.state, 'firing', 'fires after for_s');
  e.onSamples([s('cpu', { host: 'pc1' }, { usage_user: 60 })]);
  t.equal(e.openAlerts().length, 0, 'cleared below 70');
  // A pending alert that clears before `for` never notifies.
  e.onSamples([s('cpu', { host: 'pc2' }, { usage_user: 99 })]);
  advance(1000);
  e.onSamples([s('cpu', { host: 'pc2' }, { usage_user: 10 })]);
  t.notOk(sent.some((n) => n.alerts.some((a) => a.target === 'pc2')));

  e.onSamples([s('ping', { url: '10.0.0.9' }, { result_code: 0n })]);
  advance(200_000);
  t.notOk(e.openAlerts().some((a) => a.rule === 'silent'));
  advance(101_000);
  t.equal(e.openAlerts().find((a) => a.rule === 'silent')?.target, '10.0.0.9', 'absence fires after 300 s of silence');
  e.onSamples([s('ping', { url: '10.0.0.9' }, { result_code: 0n })]);
  t.notOk(
    e.openAlerts().some((a) => a.rule === 'silent'),
    'data again resolves it',
  );

  e.onEvents([
    { kind: 'snmp_reboot', target: 'sw9', severity: 'warning', message: 'cold start', attrs: {}, time: 0 },
    { kind: 'snmp_reboot', target: 'sw8', severity: 'info', message: 'x', attrs: {}, time: 0 },
  ]);
  t.same(
    e
      .openAlerts()
      .filter((a) => a.rule === 'events')
      .map((a) => a.target),
    ['sw9'],
    'min_severity filters',
  );
  advance(601_000);
  t.notOk(
    e.openAlerts().some((a) => a.rule === 'events'),
    'event alerts resolve on their own',
  );

  e.reportInspection({ kind: 'cctv', scope: 'building-A', due_in_days: 5, overdue: false });
  t.notOk(e.openAlerts().some((a) => a.rule === 'insp'));
  e.reportInspection({ kind: 'cctv', scope: 'building-A', due_in_days: 2, overdue: false });
  t.equal(e.openAlerts().find((a) => a.rule === 'insp')?.severity, 'warning');
  e.onSamples([s('inspection', { kind: 'cctv', scope: 'building-A' }, { due_in_days: -1, overdue: 1n })]);
  t.equal(e.openAlerts().find((a) => a.rule === 'insp')?.severity, 'critical', 'overdue raises the severity');
  e.reportInspection({ kind: 'cctv', scope: 'building-A', due_in_days: 90, overdue: false });
  t.notOk(
    e.openAlerts().some((a) => a.rule === 'insp'),
    'done: resolved',
  );
});

t.test('flap damping, maintenance, escalation, repeats, ack stops both', async (t) => {
  const { e, sent, s, maint, advance } = setup({
    group_wait_s: 0,
    repeat_interval_s: 600,
    flap: { window_s: 900, max_fires: 2 },
    route: { receiver: 'eng', escalate: [{ after_s: 300, receiver: 'boss' }] },
  });
  for (let i = 0; i < 3; i++) {
    e.onSamples([s('camera', { camera: 'flappy' }, { up: 0n })]);
    advance(1000);
    e.onSamples([s('camera', { camera: 'flappy' }, { up: 1n })]);
    advance(1000);
  }
  const flappy = sent.filter((n) => n.alerts[0]?.target === 'flappy');
  t.equal(flappy.filter((n) => n.kind === 'firing').length, 2, 'third fire within the window held');
  maint.add('quiet');
  e.onSamples([s('camera', { camera: 'quiet' }, { up: 0n })]);
  advance(1000);
  t.notOk(
    sent.some((n) => n.alerts[0]?.target === 'quiet'),
    'silenced during maintenance',
  );
  maint.delete('quiet');
  advance(1000);
  t.ok(
    sent.some((n) => n.alerts[0]?.target === 'quiet'),
    'notified once the window ends',
  );
  e.onSamples([s('camera', { camera: 'c9' }, { up: 0n })]);
  advance(301_000);
  t.ok(sent.some((n) => n.kind === 'escalation' && n.receiver === 'boss' && n.alerts[0]?.target === 'c9' && n.level === 1));
  advance(300_000);
  t.ok(
    sent.some((n) => n.kind === 'repeat' && n.alerts[0]?.target === 'c9'),
    'repeat after repeat_interval',
  );
  const id = e.openAlerts().find((a) => a.target === 'c9')!.id;
  t.ok(e.acknowledge(id, 'wang'));
  t.notOk(e.acknowledge(id, 'wang'), 'second ack refused');
  const before = sent.length;
  advance(3_600_000);
  t.equal(
    sent.filter((n) => n.alerts[0]?.target === 'c9').length,
    sent.slice(0, before).filter((n) => n.alerts[0]?.target === 'c9').length,
    'nothing more after ack',
  );
});
