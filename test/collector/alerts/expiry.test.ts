import t from 'tap';
import { HolidayCalendar } from '../../../collector/calendar/holiday-calendar.ts';
import { AlertEngine } from '../../../collector/alerts/engine.ts';
import { Router } from '../../../collector/alerts/routing.ts';
import { AlertStore } from '../../../collector/alerts/store.ts';
import { Topology } from '../../../collector/alerts/topology.ts';
import type { Notification } from '../../../collector/notify/types.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { alertsSchema } from '../../../config/schema/alerts.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Sample } from '../../../protocol/sample.ts';

const DAY = 86_400_000;

function setup() {
  let clock = Date.parse('2026-11-02T10:00:00+08:00');
  const cfg = alertsSchema.parse({
    group_wait_s: 0,
    repeat_interval_s: 3600,
    receivers: [{ name: 'eng', email: ['e@x.cn'] }],
    route: { receiver: 'eng' },
    rules: [
      { name: 'cert_expiry', type: 'expiry' },
      { name: 'domain_expiry', type: 'expiry', measurement: 'domain', field: 'expiry' },
    ],
  });
  const sent: Notification[] = [];
  const e = new AlertEngine({
    cfg,
    rules: cfg.rules,
    store: new AlertStore(openStateDb(':memory:')),
    router: new Router(cfg.route, cfg),
    calendar: new HolidayCalendar(),
    topology: new Topology([]),
    now: () => clock,
    log: silentLogger,
    deliver: (n) => sent.push(n),
    inMaintenance: () => false,
    ackUrl: () => undefined,
    changed: () => {},
  });
  // The certificate of https://www.example.gov.cn expires on a fixed date; each "day" the probe reports the seconds left.
  const end = clock + 40 * DAY + 3_600_000;
  const cert = (extra: Sample['fields'] = {}, endMs = end): Sample => ({
    measurement: 'x509_cert',
    tags: { host: 'agent1', source: 'https://www.example.gov.cn:443', common_name: 'www.example.gov.cn', san: 'www.example.gov.cn,example.gov.cn' },
    fields: {
      up: 1n,
      chain_expiry: BigInt(Math.trunc((endMs - clock) / 1000)),
      chain_enddate: BigInt(Math.trunc(endMs / 1000)),
      chain_expiry_common_name: 'www.example.gov.cn',
      ...extra,
    },
    time: clock,
  });
  const day = () => {
    clock += DAY;
    e.tick();
  };
  return { e, sent, cert, day, end, now: () => clock };
}

t.test('one notification per threshold crossed (30/14/7), none in between, critical at 7, resolved on renewal', async (t) => {
  const { e, sent, cert, day } = setup();
  const firing = () => sent.filter((n) => n.kind !== 'resolved');
  const daysSeen: number[] = [];
  for (let d = 0; d < 45; d++) {
    e.onSamples([cert()]);
    e.tick();
    daysSeen.push(firing().length);
    if (d === 12) {
      const a = e.openAlerts()[0]!;
      t.ok(e.acknowledge(a.id, 'engineer'), 'acknowledged at 28 days left');
    }
    if (d === 41) break;
    day();
  }
  // Days left on day d is 40 - d (plus an hour): 30 → first under 30 at d = 11 (29 days).
  t.equal(daysSeen[10], 0, '30 days left: nothing yet');
  t.equal(daysSeen[11], 1, '29 days: the first notification');
  t.equal(daysSeen[26], 1, '14 days: still one, though repeat_interval_s is an hour and an ack came in between');
  t.equal(daysSeen[27], 2, '13 days: under 14, told again once, even though acknowledged');
  t.equal(daysSeen[33], 2);
  t.equal(daysSeen[34], 3, '6 days: under 7');
  t.equal(daysSeen[41], 3, 'expired: no daily repeat');
  const [first, second, third] = firing();
  t.equal(first!.alerts[0]!.severity, 'warning');
  t.equal(second!.alerts[0]!.severity, 'warning');
  t.equal(third!.alerts[0]!.severity, 'critical');
  t.match(
    first!.alerts[0]!.summary,
    /证书 https:\/\/www\.example\.gov\.cn:443 29 天后到期 \(2026-12-12\); certificate www\.example\.gov\.cn \/ www\.example\.gov\.cn,example\.gov\.cn expires 2026-12-12, 29 days left \(under 30 days\)/,
  );
  t.equal(third!.alerts[0]!.labels.threshold_days, '7');
  e.onSamples([cert({}, Date.now() + 400 * DAY)]);
  t.equal(e.openAlerts().length, 0, 'renewed');
  t.equal(sent.at(-1)!.kind, 'resolved');
});

t.test("a target's own thresholds come with the sample; a domain expiry from the inventory date", async (t) => {
  const { e, sent, cert, now } = setup();
  e.onSamples([cert({ expiry_thresholds_days: '60,45' })]);
  e.tick();
  t.equal(sent.length, 1, "40 days is under this target's 45");
  t.equal(sent[0]!.alerts[0]!.severity, 'critical', 'the smallest of its thresholds is critical');
  e.onSamples([
    {
      measurement: 'domain',
      tags: { domain: 'example.gov.cn' },
      fields: { expiry: BigInt(10 * 86400), enddate: BigInt(Math.trunc(now() / 1000) + 10 * 86400), expires: '2026-11-12' },
      time: now(),
    },
  ]);
  e.tick();
  t.equal(sent.length, 2);
  t.equal(sent[1]!.alerts[0]!.target, 'example.gov.cn');
  t.match(sent[1]!.alerts[0]!.summary, /域名 example\.gov\.cn 10 天后到期/);
  e.onSamples([{ measurement: 'x509_cert', tags: { source: 'tcp://mail:25' }, fields: { up: 0n, error_class: 'refused' }, time: now() }]);
  t.equal(e.openAlerts().length, 2, 'a failed handshake has no expiry: no alert from it');
});
