import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { createSnmpProbe } from '../../../agent/probes/snmp/probe.ts';
import { snmpSchema } from '../../../agent/probes/snmp/schema.ts';
import { AUTH_PROTOCOLS, createClient, desAvailable, PRIV_PROTOCOLS } from '../../../agent/probes/snmp/client.ts';
import { pollDevice } from '../../../agent/probes/snmp/poll.ts';
import { silentLogger } from '../../../lib/log.ts';
import { snmpBulkWalk, startSnmpsim, type SimUser, type SnmpSim } from '../../peers/snmpsim.ts';

// Every SNMPv3 security level and auth/priv pair net-snmp offers, against snmpsimd's (pysnmp's)
// independent USM implementation; each user is configured on the agent by this test.
const SIM_AUTH: Record<string, string> = { md5: 'MD5', sha: 'SHA', sha224: 'SHA224', sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512' };
// pysnmp's AES256 is the Reeder ("Cisco") key extension, AES256BLMT the Blumenthal draft.
const SIM_PRIV: Record<string, string> = { des: 'DES', aes: 'AES', aes256b: 'AES256BLMT', aes256r: 'AES256' };
const AUTH_KEY = 'auth-secret-2026';
const PRIV_KEY = 'priv-secret-2026';

const combos: { user: string; auth?: string; priv?: string }[] = [{ user: 'noauth' }];
for (const a of AUTH_PROTOCOLS) {
  combos.push({ user: `u-${a}`, auth: a });
  for (const p of PRIV_PROTOCOLS) combos.push({ user: `u-${a}-${p}`, auth: a, priv: p });
}

const rec = [
  '1.3.6.1.2.1.1.1.0|4|S5735-L24T4S-A Huawei Versatile Routing Platform',
  '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.560',
  '1.3.6.1.2.1.1.3.0|67|123400',
  '1.3.6.1.2.1.1.5.0|4|sw-2f-east',
  '1.3.6.1.2.1.2.2.1.8.1|2|1',
  '1.3.6.1.2.1.2.2.1.8.2|2|2',
  '1.3.6.1.2.1.31.1.1.1.1.1|4|GigabitEthernet0/0/1',
  '1.3.6.1.2.1.31.1.1.1.1.2|4|GigabitEthernet0/0/2',
  '1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551000',
  '1.3.6.1.2.1.31.1.1.1.6.2|70|42',
].join('\n');

let sim: SnmpSim;
t.before(async () => {
  const users: SimUser[] = combos.map((c) => ({
    user: c.user,
    ...(c.auth ? { authProto: SIM_AUTH[c.auth], authKey: AUTH_KEY } : {}),
    ...(c.priv ? { privProto: SIM_PRIV[c.priv], privKey: PRIV_KEY } : {}),
  }));
  sim = await startSnmpsim([{ name: 'sw2f', text: rec + '\n' }], { users, quiet: true });
});
t.teardown(() => sim?.stop());

const target = (c: { user: string; auth?: string; priv?: string }, over: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port: sim.port,
  version: '3' as const,
  community: '',
  user: c.user,
  auth_protocol: c.auth as (typeof AUTH_PROTOCOLS)[number] | undefined,
  auth_key: c.auth ? AUTH_KEY : undefined,
  priv_protocol: c.priv as (typeof PRIV_PROTOCOLS)[number] | undefined,
  priv_key: c.priv ? PRIV_KEY : undefined,
  context: 'sw2f',
  request_timeout_ms: 2000,
  retries: 0,
  max_repetitions: 20,
  ...over,
});

t.test(`${combos.length} v3 users (noAuthNoPriv, authNoPriv ×6, authPriv ×24) read the device`, async (t) => {
  for (const c of combos) {
    // DES needs OpenSSL's legacy provider (checked in a child process below).
    if (c.priv === 'des' && !desAvailable()) continue;
    const client = createClient(target(c));
    try {
      const r = await pollDevice(client, { interfaces: true, sensors: false, lldp: false });
      t.match(r, { sysName: 'sw-2f-east', vendor: 'huawei', uptimeSeconds: 1234 }, `${c.user}`);
      t.equal(r.interfaces[0]?.inOctets, 18446744073709551000n, `${c.user}: Counter64 intact`);
    } catch (e) {
      t.fail(`${c.user}: ${(e as Error).name} ${(e as Error).message}`);
    } finally {
      client.close();
    }
  }
});

t.test('authPriv poll agrees with snmpbulkwalk -v3 on the same agent', async (t) => {
  const ref = await snmpBulkWalk(sim.port, '1.3.6.1.2.1.31.1.1.1.1', [
    '-v3',
    '-l',
    'authPriv',
    '-u',
    'u-sha256-aes',
    '-a',
    'SHA-256',
    '-A',
    AUTH_KEY,
    '-x',
    'AES',
    '-X',
    PRIV_KEY,
    '-n',
    'sw2f',
  ]);
  const client = createClient(target({ user: 'u-sha256-aes', auth: 'sha256', priv: 'aes' }));
  const r = await pollDevice(client);
  client.close();
  t.same(
    r.interfaces.map((i) => i.name),
    [...ref.values()],
  );
  t.same(
    r.interfaces.map((i) => i.operStatus),
    [1, 2],
  );
});

t.test('wrong keys and unknown users are data: up=0 with an error class', async (t) => {
  const cfg = snmpSchema.parse({
    kind: 'snmp',
    devices: [
      { ...target({ user: 'u-sha-aes', auth: 'sha', priv: 'aes' }, { auth_key: 'not-the-right-key' }), name: 'bad-auth', community: undefined },
      { ...target({ user: 'nobody-here', auth: 'sha' }), name: 'no-user', community: undefined },
      { ...target({ user: 'u-sha-aes', auth: 'sha', priv: 'aes' }), name: 'good', community: undefined },
    ].map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined))),
  });
  const p = createSnmpProbe(cfg, { log: silentLogger, now: Date.now, emitEvent: () => {} });
  const out = await p.collect(AbortSignal.timeout(15_000));
  const dev = Object.fromEntries(out.filter((s) => s.measurement === 'snmp_device').map((s) => [s.tags.device, s.fields]));
  t.equal(dev.good?.up, 1n);
  t.equal(dev['bad-auth']?.up, 0n);
  t.equal(dev['no-user']?.up, 0n);
  t.not(dev['bad-auth']?.error_class, 'internal', `bad auth classified: ${String(dev['bad-auth']?.error_class)}`);
  t.not(dev['no-user']?.error_class, 'internal', `unknown user classified: ${String(dev['no-user']?.error_class)}`);
});

const root = path.resolve(import.meta.dirname, '../../..');
function check(args: string[], nodeFlags: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [
        ...nodeFlags,
        path.join(root, 'cli/watchpost.ts'),
        'check',
        'snmp',
        '--host',
        '127.0.0.1',
        '--port',
        String(sim.port),
        '--context',
        'sw2f',
        '--json',
        ...args,
      ],
      (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

t.test('watchpost check snmp with --snmp-version 3 flags', async (t) => {
  const out = await check([
    '--snmp-version',
    '3',
    '--user',
    'u-sha512-aes256r',
    '--auth-protocol',
    'sha512',
    '--auth-key',
    AUTH_KEY,
    '--priv-protocol',
    'aes256r',
    '--priv-key',
    PRIV_KEY,
  ]);
  t.equal(out.code, 0, out.stderr);
  const j = JSON.parse(out.stdout);
  t.equal(j.device.sysName, 'sw-2f-east');
  t.equal(j.interfaces[0].inOctets, '18446744073709551000', 'counters beyond 2^53 print as decimal strings');
});

t.test('DES privacy: with --openssl-legacy-provider it works for every auth protocol; without, up=0 class unsupported', async (t) => {
  const des = combos.filter((c) => c.priv === 'des');
  t.equal(des.length, 6);
  const child = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ['--openssl-legacy-provider', path.join(import.meta.dirname, 'snmp-v3-child.ts'), JSON.stringify(des.map((c) => target(c)))],
      (e, stdout, stderr) => resolve({ code: e ? 1 : 0, stdout, stderr }),
    ),
  );
  t.equal(child.code, 0, child.stderr);
  t.same(
    JSON.parse(child.stdout),
    des.map((c) => ({ user: c.user, sysName: 'sw-2f-east' })),
  );
  const without = await check([
    '--snmp-version',
    '3',
    '--user',
    'u-sha-des',
    '--auth-protocol',
    'sha',
    '--auth-key',
    AUTH_KEY,
    '--priv-protocol',
    'des',
    '--priv-key',
    PRIV_KEY,
  ]);
  if (desAvailable()) t.equal(without.code, 0, 'this node has DES loaded already');
  else {
    t.equal(without.code, 2, 'CRITICAL, not a crash');
    t.match(without.stderr, /legacy-provider/);
  }
});
