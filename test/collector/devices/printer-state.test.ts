import t from 'tap';
import { findings } from '../../../collector/devices/checks.ts';
import { observation } from '../../../collector/uptime/module.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { int, type Sample } from '../../../protocol/sample.ts';

const cfg = collectorConfigSchema.parse({}).devices;
const printer = (fields: Sample['fields']): Sample => ({ measurement: 'printer', tags: { device: 'printer-3f', vendor: 'hp' }, fields, time: 1 });

t.test('a printer: no answer is down, a jam or an empty supply is degraded with its reason, a clear poll clears it', async (t) => {
  t.same(observation(printer({ up: int(0), error_class: 'timeout' })), { target: 'printer-3f', kind: 'device', up: false, reason: 'timeout' });
  t.same(observation(printer({ up: int(1) })), { target: 'printer-3f', kind: 'device', up: true, reason: 'snmp_no_response' });
  const down = findings(printer({ up: int(0), error_class: 'timeout' }), cfg);
  t.same(down.reach, { up: false, reason: 'timeout' });
  t.equal(down.health.size, 0, 'a printer that does not answer says nothing of its jams');
  const jam = findings(printer({ up: int(1), jammed: int(1), door_open: int(0), supplies_empty: '黑色碳粉', waste_full: '' }), cfg);
  t.same(jam.reach, { up: true, reason: 'snmp_no_response' });
  t.same(jam.health.get('printer:jammed'), [{ check: 'jammed', value: 1, threshold: 0, message: 'paper jam' }]);
  t.same(jam.health.get('printer:door_open'), []);
  t.same(jam.health.get('printer:supplies_empty'), [{ check: 'supply', value: '黑色碳粉', threshold: 'not empty', message: 'supply empty: 黑色碳粉' }]);
  t.same(jam.health.get('printer:waste_full'), []);
  t.notOk(jam.health.has('printer:no_paper'), 'a condition the printer did not report is left as it was, not passed');
  const ok = findings(printer({ up: int(1), jammed: int(0), supplies_empty: '' }), cfg);
  t.same([...ok.health.values()].flat(), [], 'a clear poll clears the reasons');
});
