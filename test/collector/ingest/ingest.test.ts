import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Ingest, type Source } from '../../../collector/ingest/ingest.ts';
import { Inventory } from '../../../collector/ingest/inventory.ts';
import { Metrics } from '../../../lib/metrics.ts';
import { Spool } from '../../../collector/store/spool.ts';
import { createLogger } from '../../../lib/log.ts';
import type { Sample } from '../../../protocol/sample.ts';

function setup(t: Test) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wp-ingest-'));
  const spool = new Spool(dir, 1 << 20);
  const metrics = new Metrics();
  const ingest = new Ingest({ spool, inventory: new Inventory([]), metrics, log: createLogger('silent'), maxFutureMs: 60_000 });
  t.teardown(() => {
    spool.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { spool, ingest, metrics };
}

const agent: Source = { kind: 'agent', name: 'poller-1', tags: { building: 'A' } };
const now = Date.now();
const frame = (seq: number) =>
  Buffer.from(
    JSON.stringify({
      type: 'batch',
      seq,
      samples: [
        { m: 'ping', t: { url: '10.1.1.1' }, f: { result_code: 0 }, i: {}, ts: now - 2 },
        { m: 'cpu', t: { host: 'pc-1' }, f: { usage_idle: 90.5 }, ts: now - 1 },
        { m: 'snmp_if', t: { device: 'sw-3', ifName: 'Gi0/1' }, i: { in_octets: '9223372036854775807' }, ts: now },
      ],
    }),
  );

t.test('an agent frame is taken from its bytes: spooled whole, listeners get only the measurements they want', async (t) => {
  const { spool, ingest } = setup(t);
  const seen: Record<string, string[]> = { ping: [], all: [], none: [] };
  const targets: [string, string][] = [];
  ingest.addListener({ wants: (m) => m === 'ping', onSamples: (s) => seen.ping!.push(...s.map((x) => x.measurement)) });
  ingest.addListener({ onSamples: (s) => seen.all!.push(...s.map((x) => `${x.measurement}:${x.tags.agent}:${x.tags.building}`)) });
  ingest.addListener({ wants: () => false, onSamples: (s) => seen.none!.push(...s.map((x) => x.measurement)), onTargets: (m) => targets.push(...m) });
  const r = ingest.acceptFrame(agent, frame(7));
  t.same(r, { seq: 7, accepted: 3, rejected: 0 });
  t.same(seen.ping, ['ping']);
  t.same(
    seen.all,
    ['ping:poller-1:undefined', 'cpu:poller-1:A', 'snmp_if:poller-1:undefined'],
    "a listener without `wants` gets every sample, enriched; the agent's location only on its own host's",
  );
  t.same(seen.none, []);
  t.same(
    targets,
    [
      ['10.1.1.1', 'poller-1'],
      ['pc-1', 'poller-1'],
      ['sw-3', 'poller-1'],
    ],
    'targets of every sample, wanted or not',
  );
  const rows = spool.take(100);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.points, 3);
  t.equal(
    rows[0]!.body.toString(),
    `ping,agent=poller-1,url=10.1.1.1 result_code=0 ${now - 2}\n` +
      `cpu,agent=poller-1,building=A,host=pc-1 usage_idle=90.5 ${now - 1}\n` +
      `snmp_if,agent=poller-1,device=sw-3,ifName=Gi0/1 in_octets=9223372036854775807i ${now}\n`,
  );
});

t.test("frames not in the agents' layout are left to the general decoder; accept() filters listeners the same way", async (t) => {
  const { ingest, metrics } = setup(t);
  t.equal(ingest.acceptFrame(agent, Buffer.from('{"seq":1,"type":"batch","samples":[]}')), undefined);
  t.equal(ingest.acceptFrame(agent, Buffer.from('{"type":"batch","seq":1,"samples":[{"m":"x","f":{"v":1},"ts":1}],"events":[]}')), undefined);
  const got: Sample[] = [];
  ingest.addListener({ wants: (m) => m === 'camera', onSamples: (s) => got.push(...s) });
  const r = ingest.accept({ kind: 'http', name: 'telegraf', tags: {} }, [
    { measurement: 'camera', tags: { camera: 'c1' }, fields: { up: 1n }, time: now },
    { measurement: 'mem', tags: {}, fields: { used: 1 }, time: now },
    { measurement: 'mem', tags: {}, fields: { used: 1 }, time: now + 3_600_000 },
  ]);
  t.same(r, { accepted: 2, rejected: 1 });
  t.same(
    got.map((s) => s.measurement),
    ['camera'],
  );
  t.match(metrics.render(), /watchpost_ingest_points_rejected_total\{reason="future_timestamp"\} 1/);
});
