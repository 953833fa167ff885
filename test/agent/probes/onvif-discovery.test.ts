import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { discover, parseProbeMatches, probeInterfaces, probeMessage, type DiscoveredDevice } from '../../../agent/probes/onvif/discovery.ts';
import { hasCommand, spawnPeer, stopProcess, waitFor } from '../../peers/util.ts';
import { startWsDiscoveryResponder } from '../../peers/ws-discovery.ts';

const CAM = {
  endpoint: 'urn:uuid:4f9c2a1e-0000-4000-8000-bcbac0ffee01',
  xaddr: 'http://127.0.0.1:8000/onvif/device_service',
  name: 'HIKVISION DS-2CD2143G2-I',
  hardware: 'DS-2CD2143G2-I',
};
const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');

t.test('probe message and ProbeMatches parsing', async (t) => {
  const m = probeMessage('uuid:abc');
  t.match(m, /<d:Types>dn:NetworkVideoTransmitter<\/d:Types>/);
  t.match(m, /<w:MessageID>uuid:abc<\/w:MessageID>/);
  t.equal(parseProbeMatches(m, 'uuid:abc'), undefined, 'a Probe is not an answer');
  t.ok(probeInterfaces(['lo']).some((i) => i.address === '127.0.0.1'));
  t.notOk(
    probeInterfaces([]).some((i) => i.name === 'lo'),
    'loopback only when named',
  );
});

t.test('unicast probe to a responder on loopback', async (t) => {
  const r = await startWsDiscoveryResponder({
    address: '127.0.0.1',
    port: 0,
    devices: [CAM, { ...CAM, endpoint: 'urn:uuid:2', name: 'Dahua IPC', hardware: 'IPC-HFW2431S' }],
  });
  t.teardown(() => r.stop());
  const found: DiscoveredDevice[] = await discover({ interfaces: [], targets: [{ host: '127.0.0.1', port: r.port }], timeoutMs: 400 });
  t.equal(r.probes.length, 2, 'the probe is sent twice (UDP may drop one)');
  t.same(
    found.map((d) => [d.endpoint, d.name, d.hardware, d.xaddrs, d.interface, d.from]),
    [
      [CAM.endpoint, CAM.name, CAM.hardware, [CAM.xaddr], 'unicast', `127.0.0.1:${r.port}`],
      ['urn:uuid:2', 'Dahua IPC', 'IPC-HFW2431S', [CAM.xaddr], 'unicast', `127.0.0.1:${r.port}`],
    ],
    'each device once, names URL-decoded from the scopes',
  );
  t.ok(found[0]!.types.includes('dn:NetworkVideoTransmitter'));
  const none = await discover({ interfaces: [], targets: [{ host: '127.0.0.1', port: 9 }], timeoutMs: 200 });
  t.same(none, []);
});

const canNetns = process.getuid?.() === 0 && hasCommand('ip') && spawnSync('ip', ['netns', 'list']).status === 0;
t.test(
  '`watchpost discover cameras` multicasts on an interface (in a network namespace)',
  { skip: canNetns ? false : 'needs root and iproute2 for a network namespace' },
  async (t) => {
    const ns = `wp-wsd-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    t.teardown(() => void spawnSync('ip', ['netns', 'del', ns]));
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up', 'multicast', 'on']);
    execFileSync('ip', ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
    const peer = spawnPeer('ip', [
      'netns',
      'exec',
      ns,
      process.execPath,
      path.resolve(import.meta.dirname, '../../peers/ws-discovery.ts'),
      '3702',
      JSON.stringify([CAM]),
    ]);
    t.teardown(() => stopProcess(peer.proc));
    await waitFor('ws-discovery responder', async () => peer.output().includes('READY'), 10_000, peer.output);
    const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, CLI, 'discover', 'cameras', '--interface', 'lo', '--timeout_ms', '500', '--json'], {
      encoding: 'utf8',
    });
    t.equal(run.status, 0, run.stderr);
    const found = JSON.parse(run.stdout) as DiscoveredDevice[];
    t.same(
      found.map((d) => [d.interface, d.endpoint, d.name, d.xaddrs]),
      [['lo', CAM.endpoint, CAM.name, [CAM.xaddr]]],
    );
    const table = spawnSync('ip', ['netns', 'exec', ns, process.execPath, CLI, 'discover', 'cameras', '--interface', 'lo', '--timeout_ms', '300'], {
      encoding: 'utf8',
    });
    t.match(table.stdout, /^INTERFACE\s+FROM\s+NAME\s+HARDWARE\s+DEVICE SERVICE\s+ENDPOINT\n/);
    t.match(table.stdout, /lo\s+127\.0\.0\.1:3702\s+HIKVISION DS-2CD2143G2-I\s+DS-2CD2143G2-I/);
    t.match(table.stderr, /1 device\(s\) answered on lo/);
    const bad = spawnSync(process.execPath, [CLI, 'discover', 'cameras', '--interface', 'no-such-if0'], { encoding: 'utf8' });
    t.equal(bad.status, 2);
  },
);
