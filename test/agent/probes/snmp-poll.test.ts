import t from 'tap';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { createClient, type SnmpTarget } from '../../../agent/probes/snmp/client.ts';
import { pollDevice } from '../../../agent/probes/snmp/poll.ts';
import { FIXTURES } from '../../peers/util.ts';
import { isDeepStrictEqual } from 'node:util';
import { snmpBulkWalk, SNMPSIM_EXAMPLES, startSnmpsim, walkHexToMac, type SnmpSim } from '../../peers/snmpsim.ts';

// Real device recordings served by Debian's snmpsimd; every assertion compares what the probe
// decoded with what Net-SNMP's snmpbulkwalk reads from the same agent.
if (!FIXTURES) {
  t.plan(0, 'skip: ../shared/fixtures (SNMP recordings) not present');
} else {
  const REC = path.join(FIXTURES, 'snmprec');
  const names = ['vrp_5720', 'comware_a5500', 'ios_2960x', 'iosxe_ir1101', 'linux-full-walk', 'ruijie', 'tplink_sg2008'];
  // Comware marks unsupported temperatures with 65535: a copy of the A5500 recording with one board so marked.
  const comwareSentinel = readFileSync(path.join(REC, 'comware_a5500.snmprec'), 'utf8')
    .replace('1.3.6.1.4.1.25506.2.6.1.1.1.1.12.65|2|38', '1.3.6.1.4.1.25506.2.6.1.1.1.1.12.65|2|65535')
    // …and hh3cEntityExtErrorStatus (not in the LibreNMS walk) for its PowerSupply (66, normal) and Fan1 (68, fanError 41).
    .replace(
      '1.3.6.1.4.1.25506.2.6.1.1.1.1.13.200|2|65535\n',
      '1.3.6.1.4.1.25506.2.6.1.1.1.1.13.200|2|65535\n1.3.6.1.4.1.25506.2.6.1.1.1.1.19.66|2|2\n1.3.6.1.4.1.25506.2.6.1.1.1.1.19.68|2|41\n',
    );
  // Port descriptions in Chinese as older VRP sends them (GBK) and as newer firmware does (UTF-8).
  const aliases = [
    '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.291',
    '1.3.6.1.2.1.1.3.0|67|100',
    '1.3.6.1.2.1.2.2.1.8.1|2|1',
    '1.3.6.1.2.1.2.2.1.8.2|2|2',
    '1.3.6.1.2.1.31.1.1.1.1.1|4|GigabitEthernet0/0/1',
    '1.3.6.1.2.1.31.1.1.1.1.2|4|GigabitEthernet0/0/2',
    `1.3.6.1.2.1.31.1.1.1.18.1|4x|${iconv.encode('三楼弱电井-接入', 'gbk').toString('hex')}`,
    `1.3.6.1.2.1.31.1.1.1.18.2|4x|${Buffer.from('五楼办公室 AP', 'utf8').toString('hex')}`,
  ].join('\n');

  // Whether some element of `list` has all of `want`'s keys equal (order-free, unlike t.match on arrays).
  const has = (list: object[], want: Record<string, unknown>) =>
    list.some((x) => Object.entries(want).every(([k, v]) => isDeepStrictEqual((x as Record<string, unknown>)[k], v)));
  let sim: SnmpSim;
  t.before(async () => {
    sim = await startSnmpsim(
      [
        ...names.map((n) => ({ name: n, file: path.join(REC, `${n}.snmprec`) })),
        { name: 'cisco_16_switch', file: path.join(SNMPSIM_EXAMPLES, 'cisco_16_switch.snmprec.gz') },
        { name: 'comware_sentinel', text: comwareSentinel },
        { name: 'aliases', text: aliases + '\n' },
      ],
      { quiet: true },
    );
  });
  t.teardown(() => sim?.stop());

  const target = (community: string, over: Partial<SnmpTarget> = {}): SnmpTarget => ({
    host: '127.0.0.1',
    port: sim.port,
    version: '2c',
    community,
    request_timeout_ms: 3000,
    retries: 1,
    max_repetitions: 20,
    ...over,
  });
  // Polls and reference walks are memoised: several tests look at the same device, and one
  // snmpsimd serves them all (the machine running the tests may be busy).
  const polls = new Map<string, ReturnType<typeof pollDevice>>();
  const poll = (community: string, over: Partial<SnmpTarget> = {}) => {
    const key = `${community} ${JSON.stringify(over)}`;
    if (!polls.has(key)) {
      const c = createClient(target(community, over));
      polls.set(
        key,
        pollDevice(c).finally(() => c.close()),
      );
    }
    return polls.get(key)!;
  };
  const walked = new Map<string, Promise<Map<string, string>>>();
  const walk = (community: string, oid: string) => {
    const key = `${community} ${oid}`;
    if (!walked.has(key)) walked.set(key, snmpBulkWalk(sim.port, oid, ['-v2c', '-c', community]));
    return walked.get(key)!;
  };
  type W = Map<string, string>;
  const walks = async (community: string, oids: string[]) => (await Promise.all(oids.map((o) => walk(community, o)))) as [W, W, W, W, W];

  for (const n of [...names, 'cisco_16_switch']) {
    t.test(`${n}: system group and interfaces match snmpbulkwalk`, async (t) => {
      const r = await poll(n);
      const sys = await walk(n, '1.3.6.1.2.1.1');
      t.equal(r.sysDescr, (sys.get('1.3.6.1.2.1.1.1.0') ?? '').trim().replace(/\s*[\r\n]+\s*/g, ' '), 'sysDescr (CRLF lines joined)');
      t.equal(r.sysObjectID, sys.get('1.3.6.1.2.1.1.2.0')?.replace(/^\./, ''));
      const ticks = sys.get('1.3.6.1.2.1.1.3.0');
      if (ticks) t.equal(r.uptimeSeconds, Math.floor(Number(ticks) / 100), 'uptime from sysUpTime');
      const [ifName, ifDescr, oper, admin, hcIn] = await walks(n, [
        '1.3.6.1.2.1.31.1.1.1.1',
        '1.3.6.1.2.1.2.2.1.2',
        '1.3.6.1.2.1.2.2.1.8',
        '1.3.6.1.2.1.2.2.1.7',
        '1.3.6.1.2.1.31.1.1.1.6',
      ]);
      const indexes = new Set([...ifName.keys(), ...ifDescr.keys(), ...oper.keys()].map((k) => k.split('.').pop()!));
      t.equal(r.interfaces.length, indexes.size, 'one row per ifIndex seen in either table');
      t.ok(n === 'iosxe_ir1101' || r.interfaces.length > 0, 'the recording has interfaces');
      for (const i of r.interfaces) {
        const name = ifName.get(`1.3.6.1.2.1.31.1.1.1.1.${i.ifIndex}`) ?? ifDescr.get(`1.3.6.1.2.1.2.2.1.2.${i.ifIndex}`);
        if (name !== undefined && name !== '') t.equal(i.name, name, `ifName ${i.ifIndex}`);
        const o = oper.get(`1.3.6.1.2.1.2.2.1.8.${i.ifIndex}`);
        if (o) t.equal(i.operStatus, Number(o), `oper ${i.name}`);
        const a = admin.get(`1.3.6.1.2.1.2.2.1.7.${i.ifIndex}`);
        if (a) t.equal(i.adminStatus, Number(a), `admin ${i.name}`);
        const h = hcIn.get(`1.3.6.1.2.1.31.1.1.1.6.${i.ifIndex}`);
        if (h) t.equal(i.inOctets, BigInt(h), `ifHCInOctets ${i.name}`);
      }
    });
  }

  t.test('32-bit ifTable counters where ifHC* is missing (v1 cannot carry Counter64; some rows lack it)', async (t) => {
    const in32 = await walk('cisco_16_switch', '1.3.6.1.2.1.2.2.1.10');
    const v1 = await poll('cisco_16_switch', { version: '1' });
    t.ok(v1.interfaces.length > 50);
    t.ok(
      v1.interfaces.every((i) => !i.hc),
      'v1: no Counter64',
    );
    for (const i of v1.interfaces)
      t.equal(i.inOctets, in32.has(`1.3.6.1.2.1.2.2.1.10.${i.ifIndex}`) ? BigInt(in32.get(`1.3.6.1.2.1.2.2.1.10.${i.ifIndex}`)!) : undefined, `v1 ${i.name}`);
    const v2 = await poll('cisco_16_switch');
    const mixed = v2.interfaces.filter((i) => !i.hc && i.inOctets !== undefined);
    t.ok(mixed.length >= 1 && mixed.length < v2.interfaces.length, `${mixed.length} rows without ifHC* fall back`);
    for (const i of mixed) t.equal(i.inOctets, BigInt(in32.get(`1.3.6.1.2.1.2.2.1.10.${i.ifIndex}`)!), `v2c ${i.name}`);
  });

  t.test('SNMPv1 reads the same interfaces as v2c (GETNEXT walk, noSuchName ends)', async (t) => {
    const v2 = await poll('linux-full-walk');
    const v1 = await poll('linux-full-walk', { version: '1' });
    t.same(
      v1.interfaces.map((i) => [i.ifIndex, i.name, i.operStatus]),
      v2.interfaces.map((i) => [i.ifIndex, i.name, i.operStatus]),
    );
    t.equal(v1.vendor, 'net-snmp');
    t.equal(v1.uptimeSeconds, v2.uptimeSeconds);
  });

  t.test('vendors from sysObjectID', async (t) => {
    const want: Record<string, string> = {
      vrp_5720: 'huawei',
      comware_a5500: 'h3c',
      ios_2960x: 'cisco',
      ruijie: 'ruijie',
      tplink_sg2008: 'tplink',
      'linux-full-walk': 'net-snmp',
    };
    for (const [n, v] of Object.entries(want)) t.equal((await poll(n)).vendor, v, n);
  });

  t.test('TP-Link without sysUpTime: uptime is null, not 0', async (t) => {
    const r = await poll('tplink_sg2008');
    t.equal(r.uptimeSeconds, null);
    t.ok(r.interfaces.length >= 8);
  });

  t.test('Huawei: hwEntity temperature/CPU/memory named from entPhysicalName, 0 = no sensor', async (t) => {
    const r = await poll('vrp_5720');
    const temps = await walk('vrp_5720', '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.11');
    const real = [...temps].filter(([, v]) => v !== '0');
    t.ok(temps.size > real.length, 'the recording has sentinel zeros');
    const got = r.sensors.filter((s) => s.kind === 'temperature');
    t.equal(got.length, real.length, 'only non-zero temperatures are readings');
    for (const [oid, v] of real) {
      const idx = oid.split('.').pop()!;
      const name = (await walk('vrp_5720', `1.3.6.1.2.1.47.1.1.1.1.7.${idx}`)).get(`1.3.6.1.2.1.47.1.1.1.1.7.${idx}`);
      t.ok(has(got, { entity: name, value: Number(v), unit: 'C', status: 'ok' }));
    }
    t.ok(has(r.sensors, { kind: 'temperature', entity: 'MPU Board 0', value: 42 }));
    t.ok(has(r.sensors, { kind: 'cpu', value: 44 }));
    t.ok(has(r.sensors, { kind: 'memory', value: 9 }));
  });

  t.test('H3C/Comware: hh3cEntityExt readings, 65535 = unsupported', async (t) => {
    const plain = await poll('comware_a5500');
    t.ok(has(plain.sensors, { kind: 'temperature', entity: 'Board', value: 38 }));
    t.ok(has(plain.sensors, { kind: 'cpu', entity: 'Board', value: 8 }));
    t.ok(has(plain.sensors, { kind: 'memory', entity: 'Board', value: 47 }));
    t.notOk(
      plain.sensors.some((s) => s.entity.startsWith('GigabitEthernet')),
      'port entities repeating the chassis temperature are not sensors',
    );
    const marked = await poll('comware_sentinel');
    t.notOk(
      marked.sensors.some((s) => s.kind === 'temperature' && s.entity === 'Board'),
      '65535 is not a temperature',
    );
    t.ok(marked.sensors.every((s) => s.value !== 65535));
    t.ok(has(marked.sensors, { kind: 'psu', entity: 'PowerSupply', status: 'ok', value: null }));
    t.ok(has(marked.sensors, { kind: 'fan', entity: 'Fan1', status: 'failed' }));
  });

  t.test('Cisco: CISCO-ENVMON temperatures, fans and power supplies with status', async (t) => {
    const r = await poll('ios_2960x');
    const vals = await walk('ios_2960x', '1.3.6.1.4.1.9.9.13.1.3.1.3');
    const temps = r.sensors.filter((s) => s.kind === 'temperature');
    t.equal(temps.length, vals.size);
    for (const s of temps) t.equal(s.value, Number(vals.get(`1.3.6.1.4.1.9.9.13.1.3.1.3.${s.index}`)));
    t.equal(r.sensors.filter((s) => s.kind === 'fan' && s.status === 'ok').length, 3);
    t.equal(r.sensors.filter((s) => s.kind === 'psu').length, 3);
    t.ok(has(r.sensors, { kind: 'psu', entity: 'Sw1, PS1 Normal, RPS NotExist', status: 'ok' }));
  });

  t.test('ENTITY-SENSOR-MIB (IR1101): scale and precision applied, names from entPhysicalName', async (t) => {
    const r = await poll('iosxe_ir1101');
    const [val, prec, type, scale] = await walks('iosxe_ir1101', [
      '1.3.6.1.2.1.99.1.1.1.4',
      '1.3.6.1.2.1.99.1.1.1.3',
      '1.3.6.1.2.1.99.1.1.1.1',
      '1.3.6.1.2.1.99.1.1.1.2',
    ]);
    const ent = r.sensors.filter((s) => val.has(`1.3.6.1.2.1.99.1.1.1.4.${s.index}`));
    t.equal(ent.length, val.size);
    for (const s of ent) {
      const raw = Number(val.get(`1.3.6.1.2.1.99.1.1.1.4.${s.index}`));
      const p = Number(prec.get(`1.3.6.1.2.1.99.1.1.1.3.${s.index}`));
      // EntitySensorDataScale: units(9) = 10^0, milli(8) = 10^-3 …
      const exp = (Number(scale.get(`1.3.6.1.2.1.99.1.1.1.2.${s.index}`)) - 9) * 3;
      t.ok(Math.abs(s.value! - (raw * 10 ** exp) / 10 ** p) < 1e-9, `${s.entity} = ${s.value} ${s.unit}`);
      if (type.get(`1.3.6.1.2.1.99.1.1.1.1.${s.index}`) === '8') t.equal(s.kind, 'temperature');
    }
    t.ok(has(r.sensors, { kind: 'temperature', entity: 'Slot 0 - Temp: TS1', value: 41, unit: 'C' }));
    t.ok(has(r.sensors, { kind: 'voltage', value: 3.2744, unit: 'V' }));
  });

  t.test('LLDP neighbours (Huawei S5720) match lldpRemTable', async (t) => {
    const r = await poll('vrp_5720');
    const [names, chassis, loc] = await walks('vrp_5720', ['1.0.8802.1.1.2.1.4.1.1.9', '1.0.8802.1.1.2.1.4.1.1.5', '1.0.8802.1.1.2.1.3.7.1.3']);
    t.equal(r.neighbors.length, names.size);
    for (const [oid, sysName] of names) {
      const idx = oid.slice('1.0.8802.1.1.2.1.4.1.1.9.'.length);
      const local = loc.get(`1.0.8802.1.1.2.1.3.7.1.3.${idx.split('.')[1]}`);
      t.ok(
        has(r.neighbors, { localPort: local, remoteSysName: sysName, remoteChassisId: walkHexToMac(chassis.get(`1.0.8802.1.1.2.1.4.1.1.5.${idx}`)!) }),
        `${local} → ${sysName}`,
      );
    }
    t.ok(
      has(r.neighbors, {
        localPort: 'GigabitEthernet0/0/14',
        remoteSysName: 'LNS-Huawei',
        remotePort: 'GigabitEthernet0/0/7',
        remoteChassisId: '14:a0:f8:cf:af:39',
      }),
    );
  });

  t.test('port aliases in GBK and UTF-8 both decode', async (t) => {
    const r = await poll('aliases');
    t.same(
      r.interfaces.map((i) => [i.name, i.alias, i.operStatus]),
      [
        ['GigabitEthernet0/0/1', '三楼弱电井-接入', 1],
        ['GigabitEthernet0/0/2', '五楼办公室 AP', 2],
      ],
    );
  });
}
