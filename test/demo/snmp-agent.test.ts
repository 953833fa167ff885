import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { synthesizedPrinter, synthesizedSwitch } from '../../demo/recordings.ts';
import { parseSnmprec, startSnmpDevice } from '../../demo/snmp-agent.ts';
import { freeUdpPort, snmpBulkWalk } from '../peers/snmpsim.ts';
import { FIXTURES } from '../peers/util.ts';

// The demo's switches and printer are net-snmp's own Agent serving recordings (no Debian
// package at `npm start`). Net-SNMP's snmpbulkwalk is the reference reader.

t.test(
  'a shared recording served by the demo agent reads back as recorded (snmpbulkwalk)',
  { skip: FIXTURES ? false : '../shared/fixtures is absent' },
  async (t) => {
    const text = readFileSync(path.join(FIXTURES!, 'snmprec', 'vrp_5720.snmprec'), 'utf8');
    const vars = parseSnmprec(text);
    const dev = await startSnmpDevice(vars, { port: await freeUdpPort() });
    t.teardown(() => dev.close());
    const walked = new Map([...(await snmpBulkWalk(dev.port, '1.0.8802')), ...(await snmpBulkWalk(dev.port, '1.3.6.1'))]);
    // Uptime and the octet counters of ports that are up move by design; every other value is as recorded.
    const moving = /^1\.3\.6\.1\.2\.1\.(1\.3\.0|2\.2\.1\.(10|16)\.|31\.1\.1\.1\.(6|10)\.)/;
    const served = vars.filter((v) => !moving.test(v.oid));
    t.equal(walked.size, vars.length, `every variable is walked (${vars.length})`);
    let same = 0;
    for (const v of served) {
      const got = walked.get(v.oid);
      const want =
        typeof v.value === 'number'
          ? String(v.value)
          : Buffer.isBuffer(v.value)
            ? /^[\x20-\x7e]*$/.test(v.value.toString('latin1'))
              ? v.value.toString('latin1')
              : undefined
            : v.type === 6
              ? v.value.replace(/^\.?/, '.')
              : v.value;
      if (got === undefined) t.fail(`${v.oid} missing`);
      else if (want === undefined || got === want || got.replace(/^"|"$/g, '') === want) same++;
      else t.fail(`${v.oid}: walked ${got}, recorded ${want}`);
    }
    t.equal(same, served.length);
    // A few values by hand, from the recording's own lines.
    t.match(walked.get('1.3.6.1.2.1.1.1.0'), /S5720/);
    t.equal(walked.get('1.0.8802.1.1.2.1.3.7.1.3.1'), 'GigabitEthernet0/0/1');
  },
);

t.test('uptime and the octet counters of ports that are up advance; a wrong community and an offline device get no answer', async (t) => {
  const dev = await startSnmpDevice(synthesizedSwitch({ descr: 'Huawei S5720', objectId: '1.3.6.1.4.1.2011.2.23.375', name: 'sw-x', up: [1, 3] }), {
    port: await freeUdpPort(),
  });
  t.teardown(() => dev.close());
  const read = async () => snmpBulkWalk(dev.port, '1.3.6.1.2.1');
  const a = await read();
  await new Promise((r) => setTimeout(r, 2200));
  const b = await read();
  t.equal(a.get('1.3.6.1.2.1.1.5.0'), 'sw-x');
  t.ok(Number(b.get('1.3.6.1.2.1.1.3.0')) > Number(a.get('1.3.6.1.2.1.1.3.0')), 'sysUpTime advances');
  t.ok(BigInt(b.get('1.3.6.1.2.1.31.1.1.1.6.1')!) > BigInt(a.get('1.3.6.1.2.1.31.1.1.1.6.1')!), 'ifHCInOctets of a port that is up moves');
  t.equal(b.get('1.3.6.1.2.1.31.1.1.1.6.2'), a.get('1.3.6.1.2.1.31.1.1.1.6.2'), 'a port that is down does not');
  t.equal(a.get('1.3.6.1.2.1.2.2.1.8.1'), '1');
  t.equal(a.get('1.3.6.1.2.1.2.2.1.8.2'), '2');
  await t.rejects(snmpBulkWalk(dev.port, '1.3.6.1.2.1.1', ['-v2c', '-c', 'wrong', '-t', '0.5', '-r', '0']), 'a wrong community: no answer');
  dev.setOnline(false);
  await t.rejects(snmpBulkWalk(dev.port, '1.3.6.1.2.1.1', ['-v2c', '-c', 'public', '-t', '0.5', '-r', '0']), 'offline: no answer');
  dev.setOnline(true);
  t.equal((await snmpBulkWalk(dev.port, '1.3.6.1.2.1.1.5')).get('1.3.6.1.2.1.1.5.0'), 'sw-x', 'back online');
});

t.test('the synthesized printer answers Printer-MIB supplies', async (t) => {
  const dev = await startSnmpDevice(synthesizedPrinter(), { port: await freeUdpPort() });
  t.teardown(() => dev.close());
  const w = await snmpBulkWalk(dev.port, '1.3.6.1.2.1.43.11.1.1');
  t.equal(w.get('1.3.6.1.2.1.43.11.1.1.6.1.1'), 'Black Cartridge HP CF259A');
  t.equal(w.get('1.3.6.1.2.1.43.11.1.1.8.1.1'), '3000');
  t.equal(w.get('1.3.6.1.2.1.43.11.1.1.9.1.1'), '1260');
  t.equal(w.get('1.3.6.1.2.1.43.11.1.1.4.1.3'), '4', 'the waste toner box is a receptacle');
});

t.test('parseSnmprec: types, hex values, variation lines skipped', async (t) => {
  const v = parseSnmprec(
    '1.3.6.1.2.1.1.1.0|4|Cisco IOS\n1.3.6.1.2.1.1.5.0|4x|737731\n1.3.6.1.2.1.4.20.1.1.10.0.0.1|64x|0a000001\n1.3.6.1.2.1.1.3.0|67:numeric|rate=1\n# comment\n1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615\n',
  );
  t.same(
    v.map((x) => [x.oid, x.type]),
    [
      ['1.3.6.1.2.1.1.1.0', 4],
      ['1.3.6.1.2.1.1.5.0', 4],
      ['1.3.6.1.2.1.4.20.1.1.10.0.0.1', 64],
      ['1.3.6.1.2.1.31.1.1.1.6.1', 70],
    ],
  );
  t.equal(String(v[1]!.value), 'sw1');
  t.equal(v[2]!.value, '10.0.0.1');
  t.equal((v[3]!.value as Buffer).readBigUInt64BE(), 18446744073709551615n);
});
