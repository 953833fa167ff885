import t from 'tap';
import path from 'node:path';
import { HolidayCalendar } from '../../../collector/calendar/holiday-calendar.ts';
import { AlertEngine } from '../../../collector/alerts/engine.ts';
import { Router } from '../../../collector/alerts/routing.ts';
import { AlertStore } from '../../../collector/alerts/store.ts';
import { Topology } from '../../../collector/alerts/topology.ts';
import type { Notification } from '../../../collector/notify/types.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { loadConfig } from '../../../config/load.ts';
import { alertsSchema, rulesFileSchema } from '../../../config/schema/alerts.ts';
import { deviceSchema } from '../../../config/schema/collector.ts';
import { createPrinterProbe } from '../../../agent/probes/printer/collect.ts';
import { printerSchema } from '../../../agent/probes/printer/schema.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Event } from '../../../protocol/sample.ts';
import { startSnmpsim, type SnmpSim } from '../../peers/snmpsim.ts';
import { syntheticPrinter } from '../../peers/snmprec.ts';

// The example printer rules (config/rules/printers.yaml) against what the printer probe reads
// from the RFC 3805 synthetic printer (jam, door open, toner and drum low, waste box near full).
const ROOT = path.resolve(import.meta.dirname, '../../..');
const rules = loadConfig(path.join(ROOT, 'config/rules/printers.yaml'), rulesFileSchema).rules;

let sim: SnmpSim;
t.before(async () => {
  sim = await startSnmpsim([{ name: 'printer-3f', text: syntheticPrinter() }], { quiet: true });
});
t.teardown(() => sim?.stop());

function engine(devices: unknown[]) {
  let clock = Date.parse('2026-12-03T10:00:00+08:00');
  const cfg = alertsSchema.parse({ group_wait_s: 0, repeat_interval_s: 0, receivers: [{ name: 'eng', email: ['e@x.cn'] }], route: { receiver: 'eng' }, rules });
  const sent: Notification[] = [];
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
    inMaintenance: () => false,
    ackUrl: () => undefined,
    changed: () => {},
  });
  return { e, sent, advance: (ms: number) => ((clock += ms), e.tick()) };
}

t.test('the rules file validates; every rule names a printer field the probe writes', async (t) => {
  t.equal(rules.find((r) => r.name === 'printer_alerts')?.severity, 'info', "the printer's own alert rows do not page twice for one jam");
  t.same(
    rules.map((r) => r.name),
    [
      'printer_down',
      'printer_supply_low',
      'printer_supply_empty',
      'printer_waste_near_full',
      'printer_waste_full',
      'printer_jammed',
      'printer_door_open',
      'printer_offline',
      'printer_service_requested',
      'printer_alerts',
    ],
  );
});

t.test('messages name the printer, its room and the supplies in words', async (t) => {
  const { e, sent, advance } = engine([{ name: 'printer-3f', kind: 'printer', room: '3层 打印区' }]);
  const cfg = printerSchema.parse({ kind: 'printer', devices: [{ host: '127.0.0.1', port: sim.port, community: 'printer-3f', name: 'printer-3f' }] });
  const events: Event[] = [];
  const samples = await createPrinterProbe(cfg, { log: silentLogger, now: Date.now, emitEvent: (x) => events.push(x) }).collect(AbortSignal.timeout(20_000));
  e.onSamples(samples);
  e.onEvents(events);
  advance(1000);
  let summaries = sent.flatMap((n) => n.alerts.map((a) => a.summary));
  t.same(
    summaries.sort(),
    [
      'printer-3f（3层 打印区）卡纸：请打开前盖取出纸张', // the printer's own critical alert row
      'printer-3f（3层 打印区）废粉盒 95% 将满',
      'printer-3f（3层 打印区）黑色碳粉 8%、硒鼓 5% 余量不足',
    ].sort(),
    'jam and door wait for their for_s; supplies fire at once',
  );
  advance(120_000);
  summaries = sent.flatMap((n) => n.alerts.map((a) => a.summary));
  t.ok(summaries.includes('printer-3f（3层 打印区）卡纸'), 'jam after two minutes');
  t.notOk(summaries.includes('printer-3f（3层 打印区）机盖打开'), 'door not yet');
  advance(180_000);
  summaries = sent.flatMap((n) => n.alerts.map((a) => a.summary));
  t.ok(summaries.includes('printer-3f（3层 打印区）机盖打开'), 'door open after five minutes');
  t.notOk(
    summaries.some((s) => s.includes('打印机脱机') || s.includes('需要维修') || s.includes('已用完')),
    'offline, service requested and empty do not hold',
  );

  // The toner is replaced: the low-supply alert resolves once the list is empty.
  sent.length = 0;
  e.onSamples(samples.filter((s) => s.measurement === 'printer').map((s) => ({ ...s, fields: { ...s.fields, supplies_low: '' } })));
  advance(1000);
  t.ok(
    sent.some((n) => n.kind === 'resolved' && n.alerts.some((a) => a.rule === 'printer_supply_low')),
    'resolved',
  );
});
