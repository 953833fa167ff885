import t from 'tap';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createPortmapProbe, PORTMAP_DOCUMENT } from '../../../agent/probes/portmap/probe.ts';
import { portmapSchema } from '../../../agent/probes/portmap/schema.ts';
import { startCollector } from '../../../collector/main.ts';
import { hashToken, newToken } from '../../../collector/store/agents.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import { FIXTURES, removeDir, tempDir } from '../../peers/util.ts';
import { snmpBulkWalk, startSnmpsim } from '../../peers/snmpsim.ts';

// The portmap probe reads a real Huawei recording from snmpsimd; its snapshots go through the
// collector's cabling register (the entry a document frame will call), whose events reach the
// alert engine through ingest. Then the recording changes: a PC moves, another leaves.
if (!FIXTURES) {
  t.plan(0, 'skip: ../shared/fixtures (SNMP recordings) not present');
} else {
  t.test('register: unknown devices alert, moves and lost devices, records by API, CSV round trip', async (t) => {
    const rec = readFileSync(path.join(FIXTURES!, 'snmprec', 'fdb_huawei_s5720-36c.snmprec'), 'utf8');
    const hw = '1.3.6.1.4.1.2011.5.25.42.2.1.3.1.4';
    // pc-0305 (c4:2f:90:20:5f:8c) moves from GE0/0/6 (ifIndex 11) to GE0/0/7 (12); 8c:e7:48:7c:77:ea leaves GE0/0/8.
    const later = rec
      .replace(`${hw}.196.47.144.32.95.140.30.1.48|2|11`, `${hw}.196.47.144.32.95.140.30.1.48|2|12`)
      .replace(`${hw}.140.231.72.124.119.234.30.1.48|2|13\n`, '')
      // …and the BRIDGE-MIB table says the same (bridge port 6 → 7; port 8's row gone).
      .replace('1.3.6.1.2.1.17.4.3.1.2.196.47.144.32.95.140|2|6', '1.3.6.1.2.1.17.4.3.1.2.196.47.144.32.95.140|2|7')
      .replace(/^1\.3\.6\.1\.2\.1\.17\.4\.3\.1\.[123]\.140\.231\.72\.124\.119\.234\|.*\n/gm, '');
    t.not(later, rec);
    const sim = await startSnmpsim([{ name: 'sw3f', text: rec }], { quiet: true });
    const dir = tempDir('cabling');
    const token = newToken();
    let clock = Date.UTC(2026, 11, 1, 9, 0, 0);
    const c = await startCollector(
      collectorConfigSchema.parse({
        collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: dir, log_level: 'warn' },
        inventory: {
          devices: [
            { name: 'pc-0305', kind: 'pc', address: '10.120.30.77', room: '305' },
            { name: 'sw-3f', kind: 'switch', building: 'A', floor: '3' },
          ],
        },
        inspections: { schedules: [{ id: 'net-a', title: 'Building A network', kind: 'network', every: 'monthly', owner: 'Wang', scope: { building: 'A' } }] },
        alerts: {
          api_tokens: [{ name: 'noc', token_sha256: hashToken(token) }],
          rules: [{ name: 'rogue', type: 'event', kinds: ['cabling_unknown_device'], severity: 'warning' }],
        },
      }),
      silentLogger,
      { now: () => clock },
    );
    t.teardown(async () => {
      await c.stop();
      await sim.stop();
      removeDir(dir);
    });
    const cabling = c.modules.cabling!;
    const alerts = c.modules.alerts!;
    const probe = createPortmapProbe(
      portmapSchema.parse({ kind: 'portmap', devices: [{ host: '127.0.0.1', port: sim.port, community: 'sw3f', name: 'sw-3f' }] }),
      {
        log: silentLogger,
        now: () => clock,
        emitDocument: (kind, body) => {
          if (kind === PORTMAP_DOCUMENT) docs.push(body);
          return { hash: '', queued: true };
        },
      },
    );
    let docs: unknown[] = [];
    const poll = async () => {
      docs = [];
      await probe.collect(AbortSignal.timeout(20_000));
      // Through JSON, as a frame would carry it.
      return cabling.ingestDocument('agent-3f', JSON.parse(JSON.stringify(docs[0])), clock);
    };
    const api = (p: string, init: RequestInit = {}) =>
      fetch(`${c.url}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

    // An agent names the PC it runs on by its address; two agents behind one NAT address name nobody.
    c.ctx.agents.seen(c.ctx.agents.enroll('pc-0307', 'test').id, { addr: '::ffff:10.120.30.61' });
    for (const n of ['nat-a', 'nat-b']) c.ctx.agents.seen(c.ctx.agents.enroll(n, 'test').id, { addr: '10.120.30.78' });
    t.same(await poll(), { attached: 3, moved: 0, lost: 0, unknown: 1 }, 'three MACs on edge ports; pc-0305 is in the inventory, pc-0307 an agent');
    t.equal(cabling.register.search('pc-0307')[0]?.mac, '8c:e7:48:7c:77:ea', 'found by the agent name');
    t.same(cabling.register.search('nat-a'), []);
    const open = alerts.engine.openAlerts().filter((a) => a.rule === 'rogue');
    t.equal(open.length, 1, 'the rule fires for the switch');
    t.equal(open[0]!.target, 'sw-3f');
    t.match(open[0]!.summary ?? '', /unknown device c4:2f:90:20:5f:d9 \(Hangzhou Hikvision[^)]*\) 10\.120\.30\.78 on sw-3f GigabitEthernet0\/0\/5/);
    const again = await poll();
    t.same(again, { attached: 0, moved: 0, lost: 0, unknown: 0 }, 'the same table again changes nothing');

    t.equal((await fetch(`${c.url}/api/cabling/search?q=x`)).status, 401, 'the register needs an API token');
    const set = await api('/api/cabling/record', {
      method: 'POST',
      body: JSON.stringify({
        switch: 'sw-3f',
        port: 'GigabitEthernet0/0/7',
        room: '305 财务室',
        wall_socket: '3F-305-02',
        patch_panel: 'A1-07',
        cable_label: 'C3-0307',
        note: '"双口", 备用',
      }),
    });
    t.equal(set.status, 200);
    t.equal((await api('/api/cabling/record', { method: 'POST', body: JSON.stringify({ switch: 'sw-3f', port: 'x', colour: 'red' }) })).status, 400);

    clock += 25 * 3600_000;
    sim.write({ name: 'sw3f', text: later });
    // snmpsimd re-indexes a changed recording on a later request: wait until it serves the new table.
    const moverOid = `${hw}.196.47.144.32.95.140.30.1.48`;
    for (let i = 0; i < 100 && (await snmpBulkWalk(sim.port, hw, ['-v2c', '-c', 'sw3f'])).get(moverOid) !== '12'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const moved = await poll();
    t.same(moved, { attached: 0, moved: 1, lost: 1, unknown: 0 }, 'pc-0305 moved; GE0/0/8 lost its device after a day unseen');
    const hist = (await (await api('/api/cabling/history?mac=C4-2F-90-20-5F-8C')).json()) as { moves: { from_port: string; to_port: string }[] };
    t.same(
      hist.moves.map((m) => `${m.from_port} -> ${m.to_port}`),
      ['GigabitEthernet0/0/6 -> GigabitEthernet0/0/7'],
    );

    for (const q of ['10.120.30.77', 'c42f.9020.5f8c', 'pc-0305', '财务室']) {
      const r = (await (await api(`/api/cabling/search?q=${encodeURIComponent(q)}`)).json()) as {
        hits: {
          mac: string;
          switch: string;
          port: string;
          vlan: number;
          ips: string[];
          inventory_device: string;
          vendor: string;
          record: { room: string; wall_socket: string };
        }[];
      };
      const h = r.hits.find((x) => x.mac === 'c4:2f:90:20:5f:8c');
      t.ok(h, `search "${q}" finds pc-0305`);
      t.same(
        [h?.switch, h?.port, h?.vlan, h?.ips, h?.inventory_device, h?.record?.room, h?.record?.wall_socket],
        ['sw-3f', 'GigabitEthernet0/0/7', 30, ['10.120.30.77'], 'pc-0305', '305 财务室', '3F-305-02'],
      );
      t.equal(h?.vendor, 'Hangzhou Hikvision Digital Technology Co.,Ltd.', 'OUI vendor from the IEEE registry (C4:2F:90)');
    }
    const ports = (await (await api('/api/cabling/ports?switch=sw-3f')).json()) as {
      ports: { port: string; edge: boolean; reasons: string[]; nodes: { mac: string }[]; mac_count: number }[];
    };
    const up = ports.ports.find((p) => p.port === 'XGigabitEthernet0/0/1')!;
    t.same([up.edge, up.reasons, up.nodes], [false, ['too_many_macs'], []], 'no device is "on" the uplink');

    // The monthly network inspection gets the register's items for the switch.
    const svc = c.modules.inspections!;
    const run = svc.store.get(await svc.start('li', 'net-a'))!;
    const changed = run.items.find((i) => i.code === 'cabling_changed' && i.device === 'sw-3f')!;
    t.equal(changed.result, 'warn');
    t.same((changed.evidence.ports as { port: string; mac: string; change: string }[]).map((x) => `${x.change} ${x.port} ${x.mac}`).sort(), [
      'moved_in GigabitEthernet0/0/7 c4:2f:90:20:5f:8c',
      'moved_out GigabitEthernet0/0/6 c4:2f:90:20:5f:8c',
      'new GigabitEthernet0/0/5 c4:2f:90:20:5f:d9',
      'new GigabitEthernet0/0/8 8c:e7:48:7c:77:ea',
    ]);
    const unknownItem = run.items.find((i) => i.code === 'cabling_unknown' && i.device === 'sw-3f')!;
    t.same(
      [unknownItem.result, (unknownItem.evidence.devices as { mac: string }[]).map((x) => x.mac)],
      ['warn', ['c4:2f:90:20:5f:d9']],
      'the device that left GE0/0/8 is no longer "on" it',
    );
    t.equal(unknownItem.label, '接入端口上的未知终端');

    // The monthly report has a section.
    const reports = c.modules.reports!;
    const month = new Date(clock + 8 * 3600_000).toISOString().slice(0, 7);
    const pdfFile = path.join(dir, 'report.pdf');
    writeFileSync(pdfFile, await reports.render(month, 'zh-CN'));
    const text = spawnSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' }).stdout.replace(/[ \t]+/g, ' ');
    t.match(text, '综合布线与终端');
    t.match(text, '已采集 1 台交换机的端口表：接入端口上共 2 台终端，本月新发现 2 台，移位 1 次，1 台不在台账中。');
    t.match(text, /sw-3f GigabitEthernet0\/0\/5 c4:2f:90:20:5f:d9 10\.120\.30\.78/);

    const lost = c.ctx.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'cabling.record_set'").get() as { n: number };
    t.equal(lost.n, 1, 'the record edit is audit-logged');

    // CSV: the zh export has Chinese headers; edited in a spreadsheet and imported back.
    // fetch's text() drops a BOM: decode the bytes as Excel would see them.
    const raw = async (r: Response) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await r.arrayBuffer());
    const zh = await raw(await api('/api/cabling/records.csv?lang=zh'));
    t.match(zh, /^\ufeff交换机,端口,配线架位置,线缆标签,墙面信息点,房间,备注\r\n/);
    t.match(zh, /sw-3f,GigabitEthernet0\/0\/7,A1-07,C3-0307,3F-305-02,305 财务室,"""双口"", 备用"\r\n/);
    const edited = zh.replace('A1-07', 'A2-01') + 'sw-3f,GigabitEthernet0/0/5,A1-05,,3F-306-01,306,=cmd\r\n';
    const imp = (await (await api('/api/cabling/records.csv', { method: 'POST', body: edited, headers: { 'content-type': 'text/csv' } })).json()) as {
      rows: number;
      changed: number;
    };
    t.same(imp, { rows: 2, changed: 2 });
    const en = await raw(await api('/api/cabling/records.csv?lang=en'));
    t.equal(
      en,
      '\ufeffswitch,port,patch panel,cable label,wall socket,room,note\r\nsw-3f,GigabitEthernet0/0/5,A1-05,,3F-306-01,306,\'=cmd\r\nsw-3f,GigabitEthernet0/0/7,A2-01,C3-0307,3F-305-02,305 财务室,"""双口"", 备用"\r\n',
      'a formula-looking cell is exported inert',
    );
    const back = (await (await api('/api/cabling/records.csv', { method: 'POST', body: en })).json()) as { rows: number; changed: number };
    t.same(back, { rows: 2, changed: 0 }, 'the export imports back unchanged');
    // The same entry over HTTP: a malformed snapshot is refused with the path at fault.
    const snap = JSON.parse(JSON.stringify(docs[0])) as { entries: { mac: string }[] };
    t.same(await (await api('/api/cabling/snapshot', { method: 'POST', body: JSON.stringify(snap) })).json(), { attached: 0, moved: 0, lost: 0, unknown: 0 });
    snap.entries[0]!.mac = 'C4-2F-90-20-5F-D9';
    const refused = await api('/api/cabling/snapshot', { method: 'POST', body: JSON.stringify(snap) });
    t.equal(refused.status, 400);
    t.match(((await refused.json()) as { error: string }).error, /entries\.0\.mac/);
    t.equal((await fetch(`${c.url}/api/cabling/snapshot`, { method: 'POST', body: '{}' })).status, 401);

    const bad = await api('/api/cabling/records.csv', { method: 'POST', body: '交换机,端口,颜色\r\nsw,1,红\r\n' });
    t.equal(bad.status, 400);
    t.match(((await bad.json()) as { error: string }).error, /line 1: unknown column\(s\) "颜色"/);
  });
}
