import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { createSnmpProbe, snmpProbe, type SnmpConfig } from '../../../agent/probes/snmp/probe.ts';
import { snmpSchema } from '../../../agent/probes/snmp/schema.ts';
import { counterRate } from '../../../agent/probes/snmp/rates.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Event, Sample } from '../../../protocol/sample.ts';
import { FIXTURES } from '../../peers/util.ts';
import { freeUdpPort, startSnmpsim, type SnmpSim } from '../../peers/snmpsim.ts';

// The probe end to end against Debian's snmpsimd: counters that move, wrap and reset, reboots,
// flaps, slow/failing/silent devices, the concurrency cap and `watchpost check snmp`.

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
/** A two-port switch recording: uptime in seconds, per-port oper status, ifLastChange, octets. */
function switchRec(o: { uptimeS: number; oper?: [number, number]; lastChange?: [number, number]; in32?: number; hcIn?: bigint; inErrors?: number }): string {
  const oper = o.oper ?? [1, 1];
  const lc = o.lastChange ?? [100, 100];
  const lines = [
    '1.3.6.1.2.1.1.1.0|4|Test switch',
    '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.291',
    `1.3.6.1.2.1.1.3.0|67|${o.uptimeS * 100}`,
    '1.3.6.1.2.1.1.5.0|4|sw-3f-shaft',
  ];
  for (const i of [1, 2]) {
    lines.push(
      `${IF}.2.${i}|4|GigabitEthernet0/0/${i}`,
      `${IF}.5.${i}|66|100000000`,
      `${IF}.7.${i}|2|1`,
      `${IF}.8.${i}|2|${oper[i - 1]}`,
      `${IF}.9.${i}|67|${lc[i - 1]}`,
    );
    lines.push(`${IF}.10.${i}|65|${o.in32 ?? 0}`, `${IF}.14.${i}|65|${o.inErrors ?? 0}`, `${IF}.16.${i}|65|0`);
  }
  // Port 2 has 64-bit counters; port 1 only the 32-bit ifTable ones (as old line cards do).
  lines.push(
    `${IFX}.1.1|4|GigabitEthernet0/0/1`,
    `${IFX}.1.2|4|GigabitEthernet0/0/2`,
    `${IFX}.6.2|70|${o.hcIn ?? 0n}`,
    `${IFX}.10.2|70|0`,
    `${IFX}.15.2|66|100`,
  );
  return lines.join('\n') + '\n';
}

// sort the rows so that OIDs are lexicographic, as snmprec requires
function sorted(rec: string): string {
  const cmp = (a: string, b: string) => {
    const x = a.split('|')[0]!.split('.').map(Number);
    const y = b.split('|')[0]!.split('.').map(Number);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  };
  return rec.trim().split('\n').sort(cmp).join('\n') + '\n';
}

let sim: SnmpSim;
t.before(async () => {
  sim = await startSnmpsim(
    [
      {
        name: 'moving',
        text: sorted(
          `1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.25506.11.1.24\n1.3.6.1.2.1.1.3.0|67:numeric|rate=100,initial=500000\n${IFX}.1.1|4|GigabitEthernet1/0/1\n${IFX}.6.1|70:numeric|rate=125000,initial=1000\n${IFX}.15.1|66|100\n${IF}.8.1|2|1\n`,
        ),
      },
      { name: 'changing', text: sorted(switchRec({ uptimeS: 1000, in32: 4294967000, hcIn: 5000n })) },
      ...(FIXTURES ? [{ name: 'vrp_5720', file: path.join(FIXTURES, 'snmprec', 'vrp_5720.snmprec') }] : []),
    ],
    { quiet: true },
  );
});
t.teardown(() => sim?.stop());

const dev = (community: string, over: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port: sim.port,
  community,
  request_timeout_ms: 1500,
  retries: 0,
  ...over,
});
function probe(devices: Record<string, unknown>[], clock: { t: number } | null, extra: Partial<SnmpConfig> = {}) {
  const events: Event[] = [];
  const cfg = snmpSchema.parse({ kind: 'snmp', devices, ...extra });
  const p = createSnmpProbe(cfg, { log: silentLogger, now: clock ? () => clock.t : Date.now, emitEvent: (e) => events.push(e) });
  return { p, events, run: () => p.collect(AbortSignal.timeout(20_000)) };
}
const find = (ss: Sample[], m: string, tag?: [string, string]) => ss.find((s) => s.measurement === m && (!tag || s.tags[tag[0]] === tag[1]));

t.test('moving counters (snmpsim numeric module): bps and utilisation from two polls', async (t) => {
  const { run } = probe([dev('moving', { name: 'moving' })], null);
  const first = await run();
  t.notOk('in_bps' in find(first, 'interface')!.fields, 'no rate on the first poll');
  await new Promise((r) => setTimeout(r, 1500));
  const second = await run();
  const f = find(second, 'interface')!.fields;
  // rate=125000 octets/s → 1 Mbit/s on a 100 Mbit/s port; poll timing adds some jitter.
  t.ok(Math.abs((f.in_bps as number) - 1e6) < 1.5e5, `in_bps ${f.in_bps}`);
  t.ok(Math.abs((f.in_util_pct as number) - 1) < 0.15, `in_util_pct ${f.in_util_pct}`);
  t.equal(find(second, 'snmp_device')!.fields.reboot, 0n);
  t.equal(find(second, 'snmp_device')!.tags.vendor, 'h3c');
});

t.test('32-bit wrap, 64-bit reset, reboot and flaps across polls', async (t) => {
  const clock = { t: 1_800_000_000_000 };
  const { run, events } = probe([dev('changing', { name: 'sw-3f' })], clock);
  const s1 = await run();
  t.equal(find(s1, 'snmp_device')!.fields.uptime_s, 1000n);
  t.equal(find(s1, 'interface', ['ifName', 'GigabitEthernet0/0/1'])!.fields.in_octets, 4294967000n);

  // 60 s later: the 32-bit counter wrapped (+1000 octets), the 64-bit one moved on, port 2 went down.
  sim.write({
    name: 'changing',
    text: sorted(switchRec({ uptimeS: 1060, in32: 704, hcIn: 5000n + 600_000n, oper: [1, 2], lastChange: [100, 105000], inErrors: 120 })),
  });
  clock.t += 60_000;
  const s2 = await run();
  const p1 = find(s2, 'interface', ['ifName', 'GigabitEthernet0/0/1'])!.fields;
  const p2 = find(s2, 'interface', ['ifName', 'GigabitEthernet0/0/2'])!.fields;
  t.equal(p1.in_bps, (1000 * 8) / 60, '32-bit wrap counted as +1000 octets');
  t.equal(p2.in_bps, (600_000 * 8) / 60, '64-bit delta');
  t.equal(p1.in_errors_per_s, 2, 'errors/s');
  t.equal(p2.flaps, 1n, 'oper up → down is one flap');
  t.equal(p1.flaps, 0n);
  t.equal(find(s2, 'snmp_device')!.fields.reboot, 0n);

  // Port 1 bounced between polls (ifLastChange moved, status same); the 64-bit counter went back (reset).
  sim.write({ name: 'changing', text: sorted(switchRec({ uptimeS: 1120, in32: 1704, hcIn: 10n, oper: [1, 2], lastChange: [110000, 105000], inErrors: 120 })) });
  clock.t += 60_000;
  const s3 = await run();
  t.equal(find(s3, 'interface', ['ifName', 'GigabitEthernet0/0/1'])!.fields.flaps, 2n, 'down and up again between polls');
  t.notOk('in_bps' in find(s3, 'interface', ['ifName', 'GigabitEthernet0/0/2'])!.fields, 'a 64-bit counter that went back is a reset: no rate');
  t.equal(events.length, 0);

  // The switch rebooted: uptime back to 30 s, counters restarted. No spike, one reboot event.
  sim.write({ name: 'changing', text: sorted(switchRec({ uptimeS: 30, in32: 50, hcIn: 70n })) });
  clock.t += 60_000;
  const s4 = await run();
  t.equal(find(s4, 'snmp_device')!.fields.reboot, 1n);
  for (const s of s4.filter((x) => x.measurement === 'interface')) t.notOk('in_bps' in s.fields, `${s.tags.ifName}: no rate across a reboot`);
  t.equal(events.length, 1);
  t.match(events[0], { kind: 'snmp_reboot', target: 'sw-3f', severity: 'warning' });

  // Next interval is normal again.
  sim.write({ name: 'changing', text: sorted(switchRec({ uptimeS: 90, in32: 650, hcIn: 70n })) });
  clock.t += 60_000;
  const s5 = await run();
  t.equal(find(s5, 'interface', ['ifName', 'GigabitEthernet0/0/1'])!.fields.in_bps, 80);
});

t.test('counterRate: a 32-bit decrease too big for the port is a reset, not a wrap', async (t) => {
  t.equal(counterRate(100n, 4_000_000_000n, 60, false, 100e6, 8), ((100 + 2 ** 32 - 4_000_000_000) * 8) / 60);
  t.equal(counterRate(100n, 2_000_000_000n, 1, false, 10e6, 8), null, '2.3 GB in 1 s on a 10 Mbit/s port is not a wrap');
  t.equal(counterRate(100n, 2_000_000_000n, 1, false, null, 1), null, 'speed unknown: only small wraps');
  t.equal(counterRate(5n, 10n, 1, true, null, 8), null, '64-bit back = reset');
  t.equal(counterRate(5n, undefined, 1, true, null, 8), null);
});

t.test('silent, wrongly addressed and slow devices are data (up=0), the others are still polled', async (t) => {
  // sysObjectID (the readiness probe) answers at once; sysDescr takes 3 s, so the poll's GET does.
  const slow = await startSnmpsim([{ name: 'slow', text: '1.3.6.1.2.1.1.1.0|4:delay|value=slow,wait=3000\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1\n' }], {
    quiet: true,
  });
  t.teardown(() => slow.stop());
  const silentPort = await freeUdpPort();
  const devices = [
    dev('changing', { name: 'ok-1' }),
    dev('nosuchcommunity', { name: 'wrong-community', request_timeout_ms: 400 }),
    { host: '127.0.0.1', port: silentPort, name: 'silent', request_timeout_ms: 400, retries: 1 },
    { host: '127.0.0.1', port: slow.port, community: 'slow', name: 'slow', request_timeout_ms: 500, retries: 0 },
    dev('changing', { name: 'ok-2' }),
  ];
  const { run } = probe(devices, null, { concurrency: 2 });
  const t0 = Date.now();
  const out = await run();
  const up = Object.fromEntries(out.filter((s) => s.measurement === 'snmp_device').map((s) => [s.tags.device, [s.fields.up, s.fields.error_class]]));
  t.same(up, {
    'ok-1': [1n, undefined],
    'ok-2': [1n, undefined],
    'wrong-community': [0n, 'timeout'],
    silent: [0n, 'timeout'],
    slow: [0n, 'timeout'],
  });
  t.ok(Date.now() - t0 < 6000, `whole run bounded by per-device timeouts (${Date.now() - t0} ms)`);
});

t.test('concurrency cap: never more devices in flight than configured', async (t) => {
  const { createSnmpProbe: create } = await import('../../../agent/probes/snmp/probe.ts');
  let inFlight = 0;
  let peak = 0;
  const cfg = snmpSchema.parse({ kind: 'snmp', concurrency: 3, devices: Array.from({ length: 10 }, (_, i) => ({ host: `10.0.0.${i}` })) });
  const p = create(cfg, { log: silentLogger, now: Date.now, emitEvent: () => {} }, () => ({
    async get() {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      throw Object.assign(new Error('no answer'), { name: 'RequestTimedOutError' });
    },
    async walkColumns() {
      return new Map();
    },
    close() {},
  }));
  const out = await p.collect(AbortSignal.timeout(5000));
  t.equal(peak, 3);
  t.equal(out.length, 10);
  t.ok(out.every((s) => s.fields.up === 0n && s.fields.error_class === 'timeout'));
});

t.test('config: unknown keys and bad protocols are rejected', async (t) => {
  t.notOk(snmpSchema.safeParse({ kind: 'snmp', devices: [{ host: 'a', comunity: 'x' }] }).success);
  t.notOk(snmpSchema.safeParse({ kind: 'snmp', devices: [{ host: 'a', version: '3', auth_protocol: 'sha1' }] }).success);
  t.notOk(snmpSchema.safeParse({ kind: 'snmp', devices: [] }).success);
  const ok = snmpSchema.parse({ kind: 'snmp', devices: [{ host: 'a' }] });
  t.match(ok.devices[0], { port: 161, version: '2c', community: 'public', max_repetitions: 20 });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = path.resolve(import.meta.dirname, '../../..');
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [path.join(root, 'cli/watchpost.ts'), 'check', 'snmp', ...args],
      { env: { ...process.env, WATCHPOST_LOG_LEVEL: 'error' } },
      (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

t.test('watchpost check snmp --json prints exactly the documented shape', { skip: FIXTURES ? false : 'fixtures absent' }, async (t) => {
  const r = await cli(['--host', '127.0.0.1', '--port', String(sim.port), '--community', 'vrp_5720', '--json']);
  t.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // The document, then the status and summary every check's JSON carries.
  t.same(Object.keys(j), ['device', 'interfaces', 'sensors', 'neighbors', 'status', 'summary']);
  t.same(Object.keys(j.device), ['sysName', 'sysDescr', 'sysObjectID', 'vendor', 'uptimeSeconds']);
  t.match(j.device, { sysName: '<private>', sysObjectID: '1.3.6.1.4.1.2011.2.23.291', vendor: 'huawei', uptimeSeconds: 281568 });
  t.same(Object.keys(j.interfaces[0]), [
    'ifIndex',
    'name',
    'descr',
    'alias',
    'adminStatus',
    'operStatus',
    'speedMbps',
    'inOctets',
    'outOctets',
    'inErrors',
    'outErrors',
    'inDiscards',
    'outDiscards',
  ]);
  t.ok(
    j.interfaces.some(
      (i: { name: string; operStatus: string; speedMbps: number }) => i.name === 'GigabitEthernet0/0/1' && i.operStatus === 'down' && i.speedMbps === 1000,
    ),
  );
  t.same(Object.keys(j.sensors[0]), ['kind', 'entity', 'value', 'unit', 'status']);
  t.same(j.sensors[0], { kind: 'temperature', entity: 'MPU Board 0', value: 42, unit: 'C', status: 'ok' });
  t.same(Object.keys(j.neighbors[0]), ['localPort', 'remoteSysName', 'remotePort', 'remoteChassisId']);
  t.equal(j.neighbors.length, 5);

  const line = await cli(['--host', '127.0.0.1', '--port', String(sim.port), '--community', 'vrp_5720', '--format', 'line']);
  t.equal(line.code, 0);
  t.match(line.stdout, /^snmp_device,device=127\.0\.0\.1:\d+,vendor=huawei up=1i,/m);
  t.match(line.stdout, /^interface,device=[^ ]+,ifIndex=6,ifName=GigabitEthernet0\/0\/1 /m);
  t.match(line.stdout, /^lldp_neighbor,device=[^ ]+,local_port=GigabitEthernet0\/0\/14 remote_sys_name="LNS-Huawei"/m);
  t.match(line.stderr, /SNMP OK - 65 interfaces/);

  const down = await cli([
    '--host',
    '127.0.0.1',
    '--port',
    String(await freeUdpPort()),
    '--community',
    'x',
    '--request-timeout-ms',
    '300',
    '--retries',
    '0',
    '--json',
  ]);
  t.equal(down.code, 2, 'CRITICAL when the device does not answer');
  t.match(JSON.parse(down.stdout), { device: { vendor: 'unknown', uptimeSeconds: null }, interfaces: [] });
  t.equal(snmpProbe.kind, 'snmp');
});
