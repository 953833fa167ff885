import t from 'tap';
import { execFile } from 'node:child_process';
import { createTrapReceiver } from '../../../agent/probes/snmp-trap/probe.ts';
import { snmpTrapSchema } from '../../../agent/probes/snmp/trap-schema.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Event } from '../../../protocol/sample.ts';
import { freeUdpPort } from '../../peers/snmpsim.ts';
import { waitFor } from '../../peers/util.ts';

// Notifications sent by Net-SNMP's own snmptrap/snmpinform to the receiver on loopback.

const run = (cmd: string, args: string[]) =>
  new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(cmd, ['-t', '3', '-r', '1', ...args], (e, _o, stderr) => resolve({ code: e ? 1 : 0, stderr })),
  );

async function receiver(t: { teardown(fn: () => unknown): void }, over: Record<string, unknown> = {}) {
  const port = await freeUdpPort();
  const events: Event[] = [];
  const cfg = snmpTrapSchema.parse({
    kind: 'snmp_trap',
    port,
    address: '127.0.0.1',
    communities: ['public'],
    users: [
      { user: 'trapper', auth_protocol: 'sha256', auth_key: 'trap-auth-key-1', priv_protocol: 'aes', priv_key: 'trap-priv-key-1' },
      { user: 'watcher', auth_protocol: 'md5', auth_key: 'watch-auth-key' },
    ],
    devices: { '127.0.0.1': 'sw-3f-shaft' },
    ...over,
  });
  const r = createTrapReceiver(cfg, { log: silentLogger, now: Date.now, emitEvent: (e) => events.push(e) });
  await r.start!();
  t.teardown(() => r.close!());
  return { r, port, events, at: `127.0.0.1:${port}` };
}

t.test('v2c linkDown/linkUp, v1 coldStart, v2c inform, vendor trap', async (t) => {
  const { r, events, at } = await receiver(t);
  const ifv = ['1.3.6.1.2.1.2.2.1.1.7', 'i', '7', '1.3.6.1.2.1.31.1.1.1.1.7', 's', 'GigabitEthernet0/0/7', '1.3.6.1.2.1.2.2.1.8.7', 'i', '2'];
  t.equal((await run('snmptrap', ['-v2c', '-c', 'public', at, '', '1.3.6.1.6.3.1.1.5.3', ...ifv])).code, 0);
  await waitFor('linkDown', async () => events.length === 1, 5000);
  t.match(events[0], {
    kind: 'snmp_trap',
    target: 'sw-3f-shaft:GigabitEthernet0/0/7',
    severity: 'warning',
    attrs: { trap: 'linkDown', version: '2c', if_index: 7, if_name: 'GigabitEthernet0/0/7', source: '127.0.0.1' },
  });
  t.match(events[0]!.message, /GigabitEthernet0\/0\/7 went down/);

  t.equal((await run('snmptrap', ['-v1', '-c', 'public', at, '1.3.6.1.4.1.2011.2.23', '127.0.0.1', '0', '0', ''])).code, 0);
  await waitFor('coldStart', async () => events.length === 2, 5000);
  t.match(events[1], { target: 'sw-3f-shaft', severity: 'warning', attrs: { trap: 'coldStart', version: '1', trap_oid: '1.3.6.1.6.3.1.1.5.1' } });

  // snmpinform exits 0 only when the receiver acknowledged the inform.
  const inf = await run('snmpinform', ['-v2c', '-c', 'public', at, '', '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7']);
  t.equal(inf.code, 0, `inform acknowledged ${inf.stderr}`);
  await waitFor('linkUp', async () => events.length === 3, 5000);
  t.match(events[2], { target: 'sw-3f-shaft:ifIndex 7', severity: 'info', attrs: { trap: 'linkUp', inform: true } });

  // A Huawei entity trap (hwEntityTrap board temperature rising) is kept raw.
  await run('snmptrap', [
    '-v2c',
    '-c',
    'public',
    at,
    '',
    '1.3.6.1.4.1.2011.5.25.219.2.10.13',
    '1.3.6.1.4.1.2011.5.25.219.2.10.13.1',
    's',
    '温度过高',
    '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.11.67108873',
    'i',
    '78',
  ]);
  await waitFor('vendor trap', async () => events.length === 4, 5000);
  t.match(events[3], { target: 'sw-3f-shaft', severity: 'info', attrs: { trap: 'vendor', trap_oid: '1.3.6.1.4.1.2011.5.25.219.2.10.13' } });
  t.same(JSON.parse(events[3]!.attrs.varbinds as string), [
    ['1.3.6.1.4.1.2011.5.25.219.2.10.13.1', '温度过高'],
    ['1.3.6.1.4.1.2011.5.25.31.1.1.1.1.11.67108873', 78],
  ]);

  // A wrong community is dropped and counted, not turned into an event.
  await run('snmptrap', ['-v2c', '-c', 'guessme', at, '', '1.3.6.1.6.3.1.1.5.5']);
  await waitFor('rejection counted', async () => (await r.collect(AbortSignal.timeout(1000)))[0]!.fields.rejected_total === 1n, 5000);
  const stats = (await r.collect(AbortSignal.timeout(1000)))[0]!;
  t.same(stats.fields, { received_total: 4n, rejected_total: 1n });
  t.equal(events.length, 4);
});

t.test('v3 authPriv trap and authNoPriv inform', async (t) => {
  const { events, at } = await receiver(t);
  const trap = await run('snmptrap', [
    '-v3',
    '-e',
    '0x80001f8880aabbccdd',
    '-u',
    'trapper',
    '-l',
    'authPriv',
    '-a',
    'SHA-256',
    '-A',
    'trap-auth-key-1',
    '-x',
    'AES',
    '-X',
    'trap-priv-key-1',
    at,
    '',
    '1.3.6.1.6.3.1.1.5.5',
  ]);
  t.equal(trap.code, 0, trap.stderr);
  await waitFor('v3 trap', async () => events.length === 1, 5000);
  t.match(events[0], { target: 'sw-3f-shaft', attrs: { trap: 'authenticationFailure', version: '3' } });
  const inf = await run('snmpinform', ['-v3', '-u', 'watcher', '-l', 'authNoPriv', '-a', 'MD5', '-A', 'watch-auth-key', at, '', '1.3.6.1.6.3.1.1.5.2']);
  t.equal(inf.code, 0, `v3 inform acknowledged ${inf.stderr}`);
  await waitFor('v3 inform', async () => events.length === 2, 5000);
  t.match(events[1], { attrs: { trap: 'warmStart', version: '3', inform: true } });
  // Wrong key: no event.
  await run('snmptrap', [
    '-v3',
    '-e',
    '0x80001f8880aabbccdd',
    '-u',
    'trapper',
    '-l',
    'authPriv',
    '-a',
    'SHA-256',
    '-A',
    'not-the-key-99',
    '-x',
    'AES',
    '-X',
    'trap-priv-key-1',
    at,
    '',
    '1.3.6.1.6.3.1.1.5.1',
  ]);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(events.length, 2, 'a trap with a bad digest is not an event');
});

t.test('a port already in use is a probe error with a class', async (t) => {
  const { port } = await receiver(t);
  const second = createTrapReceiver(snmpTrapSchema.parse({ kind: 'snmp_trap', port, address: '127.0.0.1' }), {
    log: silentLogger,
    now: Date.now,
    emitEvent: () => {},
  });
  const err = await second.start!().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal((err as { errorClass?: string } | undefined)?.errorClass, 'bind');
  await second.close!();
});
