import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { documentHash } from '../../../agent/probes/software/inventory.ts';
import type { Ingest } from '../../../collector/ingest/ingest.ts';
import { startCollector } from '../../../collector/main.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';

t.test('a quarterly PC inspection gets automatic items from the software lists', async (t) => {
  const dir = tempDir('sw-insp');
  const cfg = collectorConfigSchema.parse({
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'data'), log_level: 'silent' },
    inventory: {
      devices: [
        { name: 'pc-zhang', kind: 'pc', building: 'A' },
        { name: 'pc-wang', kind: 'pc', building: 'A' },
        { name: 'pc-never', kind: 'pc', building: 'A' },
      ],
    },
    inspections: { schedules: [{ id: 'pcs-a', title: 'Building A PCs', kind: 'pc', every: 'quarterly', scope: { building: 'A' } }] },
    software: { policy: { rules: [{ name: 'no P2P', match: { name: '/迅雷|BitTorrent/i' }, action: 'forbidden' }] } },
    alerts: {
      eval_interval_ms: 50,
      rules: [
        {
          name: 'forbidden_software',
          type: 'threshold',
          measurement: 'software_compliance',
          field: 'forbidden',
          op: '>',
          fire: 0,
          for_s: 0,
          severity: 'warning',
        },
      ],
    },
  });
  const c = await startCollector(cfg, pino({ level: 'silent' }));
  t.teardown(async () => {
    await c.stop();
    removeDir(dir);
  });
  const ingest = c.ctx.ingest as Ingest;
  const send = (agent: string, body: Record<string, unknown>) =>
    ingest.acceptDocument({ kind: 'agent', name: agent, tags: {} }, { kind: 'software', hash: documentHash(body), time: Date.now(), body });
  const item = (name: string) => ({
    name,
    version: '1.0',
    publisher: '',
    arch: 'x64',
    install_date: null,
    install_location: '',
    source: 'registry',
    scope: 'machine',
  });
  send('pc-zhang', {
    os: { name: 'Windows 10', version: '10.0.19045', edition: 'Professional', activation: 'unlicensed' },
    software: [item('迅雷'), item('7-Zip')],
    office: [{ kind: 'c2r', product: 'O365ProPlusRetail', version: '16.0', activation: 'grace' }],
  });
  send('pc-wang', {
    os: { name: 'Windows 11', version: '10.0.22631', edition: 'Professional', activation: 'licensed' },
    software: [item('7-Zip')],
    office: [{ kind: 'wps', product: 'WPS Office', version: '12.1', activation: 'unknown' }],
  });
  const svc = c.modules.inspections!;
  const id = await svc.start('li', 'pcs-a');
  const items = svc.store.get(id)!.items.filter((i) => i.mode === 'auto' && /software|activation/.test(i.code));
  t.same(
    items.map((i) => [i.device, i.code, i.result]),
    [
      ['pc-zhang', 'software_forbidden', 'fail'],
      ['pc-zhang', 'os_activation', 'fail'],
      ['pc-zhang', 'office_activation', 'warn'],
      ['pc-wang', 'software_forbidden', 'pass'],
      ['pc-wang', 'os_activation', 'pass'],
      ['pc-never', 'software_forbidden', 'warn'],
    ],
    'forbidden and unactivated fail; WPS has no Office activation item; no list is never a pass',
  );
  t.same(items[0]!.evidence.forbidden, ['迅雷 1.0']);
  // The same list raises an ordinary threshold alert through software_compliance.
  const engine = c.modules.alerts!.engine;
  await waitFor('forbidden_software alert', async () => engine.openAlerts().some((a) => a.rule === 'forbidden_software'), 10_000);
  t.same(
    engine
      .openAlerts()
      .filter((a) => a.rule === 'forbidden_software')
      .map((a) => a.target),
    ['pc-zhang'],
  );
  t.equal(items[0]!.label, '无禁用软件');
});
