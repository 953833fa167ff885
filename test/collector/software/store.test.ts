import t from 'tap';
import { documentHash } from '../../../agent/probes/software/inventory.ts';
import { softwareBodySchema, type SoftwareBody } from '../../../collector/software/body.ts';
import { createSoftwareStore } from '../../../collector/software/store.ts';
import { findingsCache, fleetFindings } from '../../../collector/software/module.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { PolicyEngine } from '../../../lib/software-policy.ts';
import { tempDir } from '../../peers/util.ts';

const item = (name: string, version: string, extra: Partial<SoftwareBody['software'][number]> = {}) => ({
  name,
  version,
  publisher: 'P',
  arch: 'amd64',
  install_date: null,
  install_location: '',
  source: 'dpkg' as const,
  scope: 'machine',
  ...extra,
});
const body = (software: SoftwareBody['software'], over: Partial<SoftwareBody> = {}): SoftwareBody =>
  softwareBodySchema.parse({
    os: { name: 'Windows 10', version: '10.0.19045', edition: 'Professional', activation: 'licensed' },
    software,
    licenses: [],
    office: [],
    errors: {},
    ...over,
  });
const D = (d: number) => Date.UTC(2026, 0, d, 9);

t.test('history: a baseline, then installs, removals, upgrades and downgrades dated by the inventory', async (t) => {
  const dir = tempDir('swstore');
  let db = openStateDb(dir);
  let s = createSoftwareStore(db);
  const b1 = body([
    item('bash', '5.1'),
    item('vim', '9.0'),
    item('qbittorrent', '4.6'),
    item('wechat', '3.9.12', { source: 'registry', scope: 'S-1-5-21-1-1001', arch: '' }),
  ]);
  t.same(s.apply('pc-01', documentHash(b1), D(1), b1, D(1) + 5), { outcome: 'baseline', changes: 0 }, 'first list: a baseline, no "installed" noise');
  t.equal(s.machine('pc-01')?.packages, 4);
  t.same(s.apply('pc-01', documentHash(b1), D(2), b1, D(2)), { outcome: 'unchanged', changes: 0 }, 'the daily resend');
  t.equal(s.machine('pc-01')?.received_ms, D(2), 'a resend only says the list is still current');
  const b2 = body([
    item('bash', '5.2'),
    item('vim', '8.2'),
    item('wechat', '3.9.12', { source: 'registry', scope: 'S-1-5-21-1-1001', arch: '' }),
    item('wps', '11.1', { source: 'registry', scope: 'machine', arch: 'x86' }),
  ]);
  t.same(s.apply('pc-01', documentHash(b2), D(10), b2, D(10)), { outcome: 'changed', changes: 4 });
  t.same(
    s.changes(0, D(31), 'pc-01').map((c) => [c.change, c.name, c.old_version, c.new_version, c.time_ms]),
    [
      ['upgraded', 'bash', '5.1', '5.2', D(10)],
      ['downgraded', 'vim', '9.0', '8.2', D(10)],
      ['installed', 'wps', null, '11.1', D(10)],
      ['removed', 'qbittorrent', '4.6', null, D(10)],
    ],
  );
  // A restored agent state dir can replay an older list after a newer one.
  t.same(s.apply('pc-01', documentHash(b1), D(3), b1, D(11)), { outcome: 'stale', changes: 0 });
  // Collector restart: the same DB, the same resend.
  db.close();
  db = openStateDb(dir);
  s = createSoftwareStore(db);
  t.same(s.apply('pc-01', documentHash(b2), D(11), b2, D(11)), { outcome: 'unchanged', changes: 0 }, 'idempotent across collector restarts');
  t.equal(s.changes(0, D(31)).length, 4, 'no change recorded twice');
  t.same(
    s.search('WECHAT').map((r) => [r.agent, r.scope]),
    [['pc-01', 'S-1-5-21-1-1001']],
    'which machines have a program',
  );
  db.close();
});

t.test('a source that failed on the agent keeps its rows (not every package "removed")', async (t) => {
  const s = createSoftwareStore(openStateDb(':memory:'));
  const b1 = body([item('bash', '5.1'), item('httpd', '2.4', { source: 'rpm' })]);
  s.apply('srv', documentHash(b1), D(1), b1, D(1));
  const b2 = body([item('bash', '5.1')], { errors: { rpm: 'tool_failed' } });
  t.same(s.apply('srv', documentHash(b2), D(2), b2, D(2)), { outcome: 'changed', changes: 0 });
  t.same(
    s
      .installed('srv')
      .map((r) => r.name)
      .sort(),
    ['bash', 'httpd'],
  );
});

t.test('a user who logged off: their per-user programs are kept, not removed', async (t) => {
  const s = createSoftwareStore(openStateDb(':memory:'));
  const U = 'S-1-5-21-1-1001';
  const reg = (name: string, version: string, scope = 'machine') => item(name, version, { source: 'registry', scope, arch: '' });
  const on = body([reg('Chrome', '131'), reg('微信', '3.9', U), reg('WPS Office', '11.1', U)], { read_scopes: { registry: [U] } });
  s.apply('pc', documentHash(on), D(1), on, D(1));
  // Night: nobody logged on, the hive is not loaded; Chrome was upgraded meanwhile.
  const off = body([reg('Chrome', '132')], { read_scopes: { registry: [] } });
  t.same(s.apply('pc', documentHash(off), D(2), off, D(2)), { outcome: 'changed', changes: 1 });
  t.same(
    s.changes(0, D(31), 'pc').map((c) => [c.change, c.name]),
    [['upgraded', 'Chrome']],
  );
  t.same(
    s
      .installed('pc')
      .map((r) => r.name)
      .sort(),
    ['Chrome', 'WPS Office', '微信'],
  );
  // Morning: the user logs on and has removed WPS meanwhile.
  const back = body([reg('Chrome', '132'), reg('微信', '3.9', U)], { read_scopes: { registry: [U] } });
  s.apply('pc', documentHash(back), D(3), back, D(3));
  t.same(
    s.changes(D(3), D(4), 'pc').map((c) => [c.change, c.name, c.scope]),
    [['removed', 'WPS Office', U]],
    'a real removal in a hive that was read',
  );
});

t.test('OS and Office activation history, and fleet findings with licence totals', async (t) => {
  const s = createSoftwareStore(openStateDb(':memory:'));
  const office = [{ kind: 'c2r' as const, product: 'O365ProPlusRetail', version: '16.0', activation: 'grace' }];
  const a1 = body([item('Microsoft Office Professional Plus 2016', '16.0', { source: 'registry' }), item('迅雷', '11.4', { source: 'registry' })], {
    office,
    os: { name: 'Windows 10', version: '10.0.19045', edition: 'Professional', activation: 'unlicensed' },
  });
  s.apply('pc-01', documentHash(a1), D(1), a1, D(1));
  const a2 = body(a1.software, { office: [{ ...office[0]!, activation: 'licensed' }], os: { ...a1.os, activation: 'licensed' } });
  s.apply('pc-01', documentHash(a2), D(5), a2, D(5));
  t.same(
    s.osHistory('pc-01').map((h) => [h.time_ms, h.os_activation, h.office_activation]),
    [
      [D(1), 'unlicensed', 'grace'],
      [D(5), 'licensed', 'licensed'],
    ],
  );
  const b = body([item('Microsoft Office Standard 2019', '16.0', { source: 'registry' })]);
  s.apply('pc-02', documentHash(b), D(1), b, D(1));
  const c = body([item('Notepad++', '8.6', { source: 'registry' })]);
  s.apply('pc-03', documentHash(c), D(1), c, D(1));
  const policy = new PolicyEngine([
    { name: 'Office seats', match: { name: 'Microsoft Office*' }, action: 'requires_license', licenses: 1 },
    { name: 'no P2P', match: { name: '/迅雷|Thunder/i' }, action: 'forbidden' },
  ]);
  const f = fleetFindings(s, policy);
  t.same(f.licensing, [{ rule: 'Office seats', installed: 2, licensed: 1, exceeded: true }]);
  t.same(f.totals, { machines: 3, forbidden: 1, unreviewed: 1, exceeded: 1 });
  t.same(
    f.machines.find((m) => m.agent === 'pc-01')?.forbidden.map((x) => x.name),
    ['迅雷'],
  );
  // The fleet view reads a machine's rows again only when its list changed.
  let reads = 0;
  const counted = { ...s, installed: (a: string) => (reads++, s.installed(a)) };
  const of = findingsCache(counted, policy);
  fleetFindings(counted, policy, of);
  fleetFindings(counted, policy, of);
  t.equal(reads, 3, 'three machines, each read once');
  const c2 = body([item('Notepad++', '8.7', { source: 'registry' })]);
  s.apply('pc-03', documentHash(c2), D(2), c2, D(2));
  t.same(fleetFindings(counted, policy, of).totals, { machines: 3, forbidden: 1, unreviewed: 1, exceeded: 1 });
  t.equal(reads, 4, 'only the changed machine again');
});

import path from 'node:path';
import pino from 'pino';
import { startCollector } from '../../../collector/main.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import type { Ingest } from '../../../collector/ingest/ingest.ts';
import { removeDir } from '../../peers/util.ts';

t.test('the handler refuses a body that does not match its hash or the schema, and unknown kinds are dropped', async (t) => {
  const dir = tempDir('sw-handler');
  const c = await startCollector(
    collectorConfigSchema.parse({ collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'data'), log_level: 'silent' } }),
    pino({ level: 'silent' }),
  );
  t.teardown(async () => {
    await c.stop();
    removeDir(dir);
  });
  await new Promise((r) => setImmediate(r)); // the module's start-up round of compliance samples (no machines yet)
  const ingest = c.ctx.ingest as Ingest;
  const got: { tags: Record<string, string>; fields: Record<string, unknown> }[] = [];
  ingest.addListener({ wants: (m) => m === 'software_compliance', onSamples: (s) => got.push(...s) });
  const src = { kind: 'agent' as const, name: 'pc-01', tags: {} };
  const good = body([item('bash', '5.1')]);
  t.equal(ingest.acceptDocument(src, { kind: 'software', hash: 'f'.repeat(64), time: 1, body: good as never }), 'invalid', 'wrong hash');
  const bad = { os: { name: 'x' }, software: 'nope' };
  t.equal(ingest.acceptDocument(src, { kind: 'software', hash: documentHash(bad), time: 1, body: bad }), 'invalid', 'bad shape');
  t.equal(ingest.acceptDocument(src, { kind: 'wifi_survey', hash: documentHash({}), time: 1, body: {} }), 'unhandled', 'no handler for the kind');
  t.equal(ingest.acceptDocument(src, { kind: 'software', hash: documentHash(good), time: 1, body: good as never }), 'stored');
  const m = await (await fetch(`${c.url}/metrics`)).text();
  t.match(m, /watchpost_ingest_documents_total\{kind="software",result="invalid"\} 2/);
  t.match(m, /watchpost_ingest_documents_total\{kind="wifi_survey",result="unhandled"\} 1/);
  t.match(m, /watchpost_software_documents_total\{outcome="baseline"\} 1/);
  t.equal(ingest.acceptDocument(src, { kind: 'software', hash: documentHash(good), time: 2, body: good as never }), 'stored', 'the resend');
  t.equal(got.length, 2, `a software_compliance sample per list received, resends too (${got.length})`);
  t.same(got[1]!.tags, { host: 'pc-01' });
  t.match(got[1]!.fields, { forbidden: 0n, unreviewed: 1n, packages: 1n, os_activation: 'licensed', os_activated: true, office_unactivated: 0n });
});
