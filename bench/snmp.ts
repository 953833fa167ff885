// bench:snmp — poll N simulated 48-port switches (IF-MIB + Huawei entity sensors) once with the
// watchpost snmp probe, side by side in the same run with Net-SNMP's snmpbulkwalk (C) walking
// the same tables and with prometheus-snmp-exporter (Debian) scraping the same devices, all
// with the same parallelism against the same snmpsimd.
//   npm run bench:snmp                       (defaults: 200 devices, 16 in parallel)
//   DEVICES=50 CONCURRENCY=8 ROUNDS=3 npm run bench:snmp
// Needs: snmpsim, snmp (snmpbulkwalk), prometheus-snmp-exporter (apt-get install prometheus-snmp-exporter).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createSnmpProbe } from '../agent/probes/snmp/probe.ts';
import { snmpSchema } from '../agent/probes/snmp/schema.ts';
import { mapLimit } from '../lib/concurrency.ts';
import { silentLogger } from '../lib/log.ts';
import { startSnmpsim, type Recording } from '../test/peers/snmpsim.ts';
import { freePort, hasCommand, spawnPeer, stopProcess, tempDir, removeDir, waitFor } from '../test/peers/util.ts';
import { cpuSeconds, table } from './lib.ts';

const DEVICES = Number(process.env.DEVICES ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const PORTS = 48;
const MAX_REP = 20;
const ROUNDS = Number(process.env.ROUNDS ?? 2);

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
const HW = '1.3.6.1.4.1.2011.5.25.31.1.1.1.1';
const ENT_NAME = '1.3.6.1.2.1.47.1.1.1.1.7';
const TABLES = [IF, IFX, HW, ENT_NAME];

/** One S5720-like switch: 48 GE + 4 XGE + Vlanif + MEth, 10 entities of which 2 have readings. */
export function recording(n: number): string {
  const rows: [string, string][] = [];
  const add = (oid: string, v: string) => rows.push([oid, v]);
  add('1.3.6.1.2.1.1.1.0', '4|S5720-52X-PWR-SI-AC Huawei Versatile Routing Platform Software');
  add('1.3.6.1.2.1.1.2.0', '6|1.3.6.1.4.1.2011.2.23.291');
  add('1.3.6.1.2.1.1.3.0', `67|${100_000 + n}`);
  add('1.3.6.1.2.1.1.5.0', `4|sw-${String(n).padStart(3, '0')}`);
  const ifs = Array.from({ length: PORTS + 4 + 2 }, (_, i) => i + 1);
  const name = (i: number) =>
    i <= PORTS ? `GigabitEthernet0/0/${i}` : i <= PORTS + 4 ? `XGigabitEthernet0/0/${i - PORTS}` : i === PORTS + 5 ? 'Vlanif1' : 'MEth0/0/1';
  for (const i of ifs) {
    const up = (i + n) % 3 !== 0;
    add(`${IF}.2.${i}`, `4|${name(i)}`);
    add(`${IF}.5.${i}`, `66|${i > PORTS && i <= PORTS + 4 ? 4294967295 : 1000000000}`);
    add(`${IF}.7.${i}`, '2|1');
    add(`${IF}.8.${i}`, `2|${up ? 1 : 2}`);
    add(`${IF}.9.${i}`, `67|${1000 + i}`);
    add(`${IF}.10.${i}`, `65|${(i * 7919 * (n + 1)) % 4294967296}`);
    add(`${IF}.13.${i}`, '65|0');
    add(`${IF}.14.${i}`, `65|${i % 5}`);
    add(`${IF}.16.${i}`, `65|${(i * 104729 * (n + 1)) % 4294967296}`);
    add(`${IF}.19.${i}`, '65|0');
    add(`${IF}.20.${i}`, '65|0');
    add(`${IFX}.1.${i}`, `4|${name(i)}`);
    add(`${IFX}.6.${i}`, `70|${BigInt(i) * 123456789n * BigInt(n + 1)}`);
    add(`${IFX}.10.${i}`, `70|${BigInt(i) * 987654321n * BigInt(n + 1)}`);
    add(`${IFX}.15.${i}`, `66|${i > PORTS && i <= PORTS + 4 ? 10000 : 1000}`);
    add(`${IFX}.18.${i}`, `4|${up ? `floor ${1 + (i % 12)} room ${i}` : ''}`);
  }
  const ents = [16842753, 16842754, 16842755, 16842756, 16842757, 16908289, 16908290, 16908291, 67108867, 67108873];
  for (const e of ents) {
    const board = e === 67108873 || e === 67108867;
    add(`${HW}.5.${e}`, `2|${board ? 10 + (n % 30) : 0}`);
    add(`${HW}.7.${e}`, `2|${board ? 40 + (n % 20) : 0}`);
    add(`${HW}.11.${e}`, `2|${board ? 35 + (n % 15) : 0}`);
    add(`${ENT_NAME}.${e}`, `4|${board ? `MPU Board ${e % 10}` : `entity ${e}`}`);
  }
  const key = (o: string) => o.split('.').map(Number);
  rows.sort(([a], [b]) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
  return rows.map(([o, v]) => `${o}|${v}`).join('\n') + '\n';
}

const community = (n: number) => `sw${String(n).padStart(3, '0')}`;

function childCpu(): number {
  // cutime + cstime of this process: CPU of children that have exited and been waited for.
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

async function runWatchpost(port: number) {
  const cfg = snmpSchema.parse({
    kind: 'snmp',
    concurrency: CONCURRENCY,
    lldp: false,
    devices: Array.from({ length: DEVICES }, (_, n) => ({
      host: '127.0.0.1',
      port,
      community: community(n),
      max_repetitions: MAX_REP,
      request_timeout_ms: 10_000,
      retries: 1,
    })),
  });
  const probe = createSnmpProbe(cfg, { log: silentLogger, now: Date.now, emitEvent: () => {} });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const samples = await probe.collect(AbortSignal.timeout(600_000));
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const up = samples.filter((s) => s.measurement === 'snmp_device' && s.fields.up === 1n).length;
  const ifs = samples.filter((s) => s.measurement === 'interface').length;
  const sensors = samples.filter((s) => s.measurement === 'sensor').length;
  return { wall, cpu: (c.user + c.system) / 1e6, ok: up, detail: `${ifs} interfaces, ${sensors} sensors` };
}

async function runBulkwalk(port: number) {
  const c0 = childCpu();
  const t0 = performance.now();
  let varbinds = 0;
  let ok = 0;
  await mapLimit(
    Array.from({ length: DEVICES }, (_, n) => n),
    CONCURRENCY,
    async (n) => {
      // One snmpbulkwalk per table, one after the other, as a shell script polling a device would.
      let good = true;
      for (const oid of ['1.3.6.1.2.1.1', ...TABLES]) {
        const out = await new Promise<string>((resolve) =>
          execFile(
            'snmpbulkwalk',
            ['-v2c', '-c', community(n), `-Cr${MAX_REP}`, '-On', '-OQ', '-t', '10', '-r', '1', `127.0.0.1:${port}`, oid],
            { maxBuffer: 64 << 20 },
            (e, so) => {
              if (e) good = false;
              resolve(so);
            },
          ),
        );
        varbinds += out.split('\n').filter((l) => l.startsWith('.')).length;
      }
      if (good) ok++;
    },
  );
  return { wall: (performance.now() - t0) / 1000, cpu: childCpu() - c0, ok, detail: `${varbinds} varbinds` };
}

function exporterConfig(): string {
  // snmp_exporter 0.21 format: one module per device because the community lives in the module.
  const metric = (name: string, oid: string, type: string, lookup = true) =>
    `    - name: ${name}\n      oid: ${oid}\n      type: ${type}\n      indexes:\n      - labelname: ifIndex\n        type: gauge\n` +
    (lookup ? `      lookups:\n      - labels: [ifIndex]\n        labelname: ifName\n        oid: ${IFX}.1\n        type: DisplayString\n` : '');
  const metrics = [
    metric('ifDescr', `${IF}.2`, 'DisplayString', false),
    metric('ifSpeed', `${IF}.5`, 'gauge'),
    metric('ifAdminStatus', `${IF}.7`, 'gauge'),
    metric('ifOperStatus', `${IF}.8`, 'gauge'),
    metric('ifLastChange', `${IF}.9`, 'gauge'),
    metric('ifInOctets', `${IF}.10`, 'counter'),
    metric('ifInDiscards', `${IF}.13`, 'counter'),
    metric('ifInErrors', `${IF}.14`, 'counter'),
    metric('ifOutOctets', `${IF}.16`, 'counter'),
    metric('ifOutDiscards', `${IF}.19`, 'counter'),
    metric('ifOutErrors', `${IF}.20`, 'counter'),
    metric('ifHCInOctets', `${IFX}.6`, 'counter'),
    metric('ifHCOutOctets', `${IFX}.10`, 'counter'),
    metric('ifHighSpeed', `${IFX}.15`, 'gauge'),
    metric('ifAlias', `${IFX}.18`, 'DisplayString'),
    ...[
      ['hwEntityCpuUsage', 5],
      ['hwEntityMemUsage', 7],
      ['hwEntityTemperature', 11],
    ].map(
      ([n, c]) =>
        `    - name: ${n}\n      oid: ${HW}.${c}\n      type: gauge\n      indexes:\n      - labelname: entPhysicalIndex\n        type: gauge\n      lookups:\n      - labels: [entPhysicalIndex]\n        labelname: entPhysicalName\n        oid: ${ENT_NAME}\n        type: DisplayString\n`,
    ),
    `    - name: sysUpTime\n      oid: 1.3.6.1.2.1.1.3\n      type: gauge\n`,
  ].join('');
  let y = '';
  for (let n = 0; n < DEVICES; n++)
    y += `${community(n)}:\n  version: 2\n  max_repetitions: ${MAX_REP}\n  retries: 1\n  timeout: 10s\n  auth:\n    community: ${community(n)}\n  walk:\n  - 1.3.6.1.2.1.1.3\n${TABLES.map((t) => `  - ${t}\n`).join('')}  metrics:\n${metrics}`;
  return y;
}

async function runExporter(port: number, dir: string) {
  const file = path.join(dir, 'snmp.yml');
  writeFileSync(file, exporterConfig());
  const http = await freePort();
  const { proc, output } = spawnPeer('prometheus-snmp-exporter', [`--config.file=${file}`, `--web.listen-address=127.0.0.1:${http}`, '--log.level=warn']);
  try {
    await waitFor('snmp_exporter', async () => (await fetch(`http://127.0.0.1:${http}/metrics`)).ok, 20_000, output);
    const c0 = cpuSeconds(proc.pid!);
    const t0 = performance.now();
    let series = 0;
    let ok = 0;
    await mapLimit(
      Array.from({ length: DEVICES }, (_, n) => n),
      CONCURRENCY,
      async (n) => {
        const r = await fetch(`http://127.0.0.1:${http}/snmp?target=127.0.0.1:${port}&module=${community(n)}`);
        const body = await r.text();
        if (r.ok && body.includes('ifHCInOctets{')) ok++;
        series += body.split('\n').filter((l) => l && !l.startsWith('#')).length;
      },
    );
    const wall = (performance.now() - t0) / 1000;
    return { wall, cpu: cpuSeconds(proc.pid!) - c0, ok, detail: `${series} series` };
  } finally {
    await stopProcess(proc);
  }
}

async function main() {
  for (const cmd of ['snmpsimd', 'snmpbulkwalk', 'prometheus-snmp-exporter'])
    if (!hasCommand(cmd)) throw new Error(`${cmd} not found: apt-get install snmpsim snmp prometheus-snmp-exporter`);
  const dir = tempDir('bench-snmp');
  const recs: Recording[] = Array.from({ length: DEVICES }, (_, n) => ({ name: community(n), text: recording(n) }));
  console.log(`starting snmpsimd with ${DEVICES} simulated ${PORTS}-port switches…`);
  const sim = await startSnmpsim(recs, { quiet: true });
  try {
    // startSnmpsim already GET from every community, which built snmpsimd's per-file index: no tool pays for it.
    // Other work on the machine slows every tool alike (same snmpsimd); the load shows how busy it was.
    const load0 = loadavg()[0]!;
    const rows: Record<string, string | number>[] = [];
    const results: Record<string, { wall: number; cpu: number; ok: number; detail: string; sim: number }> = {};
    const simCpu = () => cpuSeconds(sim.pid);
    const tools = [
      ['watchpost snmp probe', () => runWatchpost(sim.port)],
      ['snmpbulkwalk (C)', () => runBulkwalk(sim.port)],
      ['prometheus-snmp-exporter', () => runExporter(sim.port, dir)],
    ] as const;
    // Rounds in alternating order (A B C, C B A, …); each tool's best round is reported, so a
    // burst of other work on the machine during one run does not decide the comparison.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of round % 2 ? [...tools].reverse() : tools) {
        const s0 = simCpu();
        const r = await fn();
        const best = results[name];
        if (!best || r.wall < best.wall) results[name] = { ...r, sim: simCpu() - s0 };
        console.log(`  round ${round + 1}: ${name} ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, ${r.ok}/${DEVICES} ok`);
      }
    }
    for (const [name] of tools) {
      const r = results[name]!;
      rows.push({
        tool: name,
        devices_ok: `${r.ok}/${DEVICES}`,
        wall_s: r.wall,
        client_cpu_s: r.cpu,
        snmpsimd_cpu_s: r.sim,
        devices_per_s: DEVICES / r.wall,
        result: r.detail,
      });
    }
    console.log(
      `\n${DEVICES} devices, ${CONCURRENCY} in parallel, max-repetitions ${MAX_REP}, one snmpsimd on 127.0.0.1, machine load average ${load0.toFixed(1)} at start\n`,
    );
    console.log(table(rows));
    const w = results['watchpost snmp probe']!;
    const c = results['snmpbulkwalk (C)']!;
    const e = results['prometheus-snmp-exporter']!;
    console.log(`\nwall ratio watchpost / snmpbulkwalk = ${(w.wall / c.wall).toFixed(2)} (target ≤ 1.5)`);
    console.log(`wall ratio watchpost / snmp_exporter = ${(w.wall / e.wall).toFixed(2)} (target < 1)`);
    console.log(`client CPU ratio watchpost / snmpbulkwalk = ${(w.cpu / c.cpu).toFixed(2)}, watchpost / snmp_exporter = ${(w.cpu / e.cpu).toFixed(2)}`);
  } finally {
    await sim.stop();
    removeDir(dir);
  }
}

if (import.meta.main) await main();
