import path from 'node:path';
import t from 'tap';
import { evaluate } from '../../../collector/inspections/checks.ts';
import { influxInspectionInputs } from '../../../collector/inspections/inputs.ts';
import { influxReader } from '../../../collector/store/influx-reader.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { createPrinterProbe } from '../../../agent/probes/printer/collect.ts';
import { printerSchema } from '../../../agent/probes/printer/schema.ts';
import { silentLogger } from '../../../lib/log.ts';
import { encodeLine } from '../../../protocol/line-protocol.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { startSnmpsim } from '../../peers/snmpsim.ts';
import { syntheticPrinter } from '../../peers/snmprec.ts';
import { FIXTURES, removeDir, tempDir } from '../../peers/util.ts';

// The quarterly PC-and-peripherals inspection's automatic printer items, from what the printer
// probe wrote to a real influxd after polling snmpsimd twice (the RFC 3805 synthetic printer
// with a jam and the Ricoh recording).
if (!FIXTURES) {
  t.plan(0, 'skip: ../shared/fixtures (SNMP recordings) not present');
} else {
  t.test('printers: reachable, supplies below threshold, open alerts, pages since the last inspection', async (t) => {
    const [influx, sim] = await Promise.all([
      startInfluxd(),
      startSnmpsim(
        [
          { name: 'printer-3f', text: syntheticPrinter() },
          { name: 'ricoh', file: path.join(FIXTURES!, 'snmprec/printer_ricoh_mpc3002.snmprec') },
        ],
        { quiet: true },
      ),
    ]);
    const dir = tempDir('printer-insp');
    t.teardown(async () => {
      await sim.stop();
      await influx.destroy();
      removeDir(dir);
    });
    await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE "watchpost"')}`, { method: 'POST' });
    const cfg = printerSchema.parse({
      kind: 'printer',
      devices: [
        { host: '127.0.0.1', port: sim.port, community: 'printer-3f', name: 'printer-3f' },
        { host: '127.0.0.1', port: sim.port, community: 'ricoh', name: 'prn-ricoh' },
        { host: '127.0.0.1', port: 9, community: 'x', name: 'prn-gone', request_timeout_ms: 200, retries: 0 },
      ],
    });
    const now = Date.now();
    let clock = now - 3_600_000;
    const probe = createPrinterProbe(cfg, { log: silentLogger, now: () => clock, emitEvent: () => {}, stateDir: dir });
    const write = async () => {
      const lines = (await probe.collect(AbortSignal.timeout(20_000))).map((s) => encodeLine(s)).join('\n');
      const r = await fetch(`${influx.url}/write?db=watchpost&precision=ms`, { method: 'POST', body: lines });
      t.equal(r.status, 204, await r.text());
    };
    await write();
    // 655 pages later on the synthetic printer (12345 → 13000).
    sim.write({ name: 'printer-3f', text: syntheticPrinter({ '1.3.6.1.2.1.43.10.2.1.4.1.1': ['1.3.6.1.2.1.43.10.2.1.4.1.1', '65', 13000] }) });
    clock = now - 1_800_000;
    await write();

    const config = collectorConfigSchema.parse({ collector: { data_dir: ':memory:' } });
    const inputs = influxInspectionInputs(
      influxReader({ ...config.influxdb!, url: influx.url, database: 'watchpost', batch_points: 1, timeout_ms: 10_000, create_database: false }),
    );
    const items = await evaluate(
      'pc',
      ['printer-3f', 'prn-ricoh', 'prn-gone', 'pc-never-seen'],
      inputs,
      { sinceMs: now - 86_400_000, untilMs: now },
      config.inspections.thresholds,
      'zh-CN',
    );
    const got = Object.fromEntries(items.map((i) => [`${i.device} ${i.code}`, [i.result, i.evidence]]));
    t.same(got, {
      'printer-3f reachable': ['pass', { up: 1 }],
      'printer-3f supplies': ['warn', { empty: '', low: '黑色碳粉 8%、硒鼓 5%', waste_full: '', waste_near_full: '废粉盒 95%' }],
      'printer-3f printer_alerts': ['fail', { open_alerts: 3, conditions: ['jammed', 'door_open'] }],
      'printer-3f pages': ['pass', { pages: 655 }],
      'prn-ricoh reachable': ['pass', { up: 1 }],
      'prn-ricoh supplies': ['pass', { empty: '', low: '', waste_full: '', waste_near_full: '' }],
      'prn-ricoh printer_alerts': ['pass', { open_alerts: 0, conditions: [] }],
      'prn-ricoh pages': ['pass', { pages: 0 }],
      'prn-gone reachable': ['fail', { up: 0 }],
      'pc-never-seen reachable': ['fail', { data: 'none' }],
    });
    t.equal(items.find((i) => i.code === 'supplies')?.label, '耗材余量正常');
  });
}
