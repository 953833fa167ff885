import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { snmpBulkWalk, startSnmpsim, type SnmpSim } from '../../peers/snmpsim.ts';
import { syntheticPrinter } from '../../peers/snmprec.ts';

// An SNMPv3 printer (SHA-256 authentication, AES privacy) end to end: `watchpost check printer`
// with v3 flags against snmpsimd's independent USM, compared with `snmpbulkwalk -v3`.
const AUTH = 'printer-auth-2026';
const PRIV = 'printer-priv-2026';
let sim: SnmpSim;
t.before(async () => {
  sim = await startSnmpsim([{ name: 'printer-3f', text: syntheticPrinter() }], {
    users: [{ user: 'prtmon', authProto: 'SHA256', authKey: AUTH, privProto: 'AES', privKey: PRIV }],
    quiet: true,
  });
});
t.teardown(() => sim?.stop());

const root = path.resolve(import.meta.dirname, '../../..');
const check = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) =>
    execFile(
      process.execPath,
      [
        path.join(root, 'cli/watchpost.ts'),
        'check',
        'printer',
        '--host',
        '127.0.0.1',
        '--port',
        String(sim.port),
        '--snmp-version',
        '3',
        '--user',
        'prtmon',
        '--context',
        'printer-3f',
        '--json',
        ...args,
      ],
      (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

t.test('authPriv SHA-256/AES: the printer reads the same as snmpbulkwalk -v3', async (t) => {
  const out = await check(['--auth-protocol', 'sha256', '--auth-key', AUTH, '--priv-protocol', 'aes', '--priv-key', PRIV]);
  t.equal(out.code, 2, `CRITICAL (jam, door open): ${out.stderr}`);
  const j = JSON.parse(out.stdout);
  t.equal(j.device.sysName, 'printer-3f');
  t.same(j.status.errors, ['lowToner', 'doorOpen', 'jammed', 'inputTrayEmpty']);
  const ref = await snmpBulkWalk(sim.port, '1.3.6.1.2.1.43.11.1.1.9', [
    '-v3',
    '-l',
    'authPriv',
    '-u',
    'prtmon',
    '-a',
    'SHA-256',
    '-A',
    AUTH,
    '-x',
    'AES',
    '-X',
    PRIV,
    '-n',
    'printer-3f',
  ]);
  t.same(
    j.supplies.map((s: { level: number }) => s.level),
    [...ref.values()].map(Number),
  );
  t.same(
    j.supplies.map((s: { state: string }) => s.state),
    ['low', 'low', 'near_full', 'unknown', 'ok'],
  );
  t.equal(j.alerts[1].description, '前盖打开', 'GBK alert text over v3');
});

t.test('a wrong privacy key is no answer: UNKNOWN, and the key is not printed', async (t) => {
  const out = await check([
    '--auth-protocol',
    'sha256',
    '--auth-key',
    AUTH,
    '--priv-protocol',
    'aes',
    '--priv-key',
    'not-the-priv-key',
    '--request-timeout-ms',
    '500',
    '--retries',
    '0',
  ]);
  t.equal(out.code, 3);
  t.equal(JSON.parse(out.stdout).status, 'UNKNOWN');
  t.notMatch(out.stdout + out.stderr, /not-the-priv-key|printer-auth-2026/);
});
