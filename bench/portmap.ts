// bench:portmap — poll N simulated 48-port access switches, each with 20 MACs behind every
// access port (Q-BRIDGE forwarding table), one LLDP uplink and, on the first (the core), the ARP
// table of them all, once with the watchpost portmap probe plus the cabling register update,
// side by side in the same run with Net-SNMP's snmpbulkwalk (C) walking the same tables, with
// the same parallelism against the same snmpsimd.
//   npm run bench:portmap                    (defaults: 100 switches × 48 ports × 20 MACs, 16 in parallel)
//   DEVICES=20 CONCURRENCY=8 ROUNDS=1 npm run bench:portmap
// Needs: snmpsim, snmp (snmpbulkwalk).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createPortmapProbe, PORTMAP_DOCUMENT } from '../agent/probes/portmap/probe.ts';
import { portmapSchema } from '../agent/probes/portmap/schema.ts';
import { createCablingRegister } from '../collector/cabling/register.ts';
import { openStateDb } from '../collector/store/db.ts';
import type { PortmapSnapshot } from '../lib/portmap-snapshot.ts';
import { mapLimit } from '../lib/concurrency.ts';
import { silentLogger } from '../lib/log.ts';
import { startSnmpsim, type Recording } from '../test/peers/snmpsim.ts';
import { hasCommand, removeDir, tempDir } from '../test/peers/util.ts';
import { table } from './lib.ts';

const DEVICES = Number(process.env.DEVICES ?? 100);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const PORTS = 48;
const MACS = Number(process.env.MACS ?? 20);
const MAX_REP = Number(process.env.MAX_REP ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 2);

const IFX_NAME = '1.3.6.1.2.1.31.1.1.1.1';
const IF_OPER = '1.3.6.1.2.1.2.2.1.8';
const IFX_SPEED = '1.3.6.1.2.1.31.1.1.1.15';
const BASE_PORT = '1.3.6.1.2.1.17.1.4.1.2';
const QFDB = '1.3.6.1.2.1.17.7.1.2.2.1';
const VLAN_NAME = '1.3.6.1.2.1.17.7.1.4.3.1.1';
const LLDP_REM = '1.0.8802.1.1.2.1.4.1.1';
const LLDP_LOC = '1.0.8802.1.1.2.1.3.7.1.3';
const ARP = '1.3.6.1.2.1.4.22.1.2';
/** The subtrees each switch's recording holds data in: what snmpbulkwalk walks (the probe also asks for the empty ones). */
const TABLES = ['1.3.6.1.2.1.1', IFX_NAME, IF_OPER, IFX_SPEED, BASE_PORT, QFDB, VLAN_NAME, LLDP_REM, LLDP_LOC];

const mac = (sw: number, port: number, k: number) => [0x02, 0x10, sw >> 8, sw & 0xff, port, k];
const community = (n: number) => `sw${String(n).padStart(3, '0')}`;

export function recording(n: number): string {
  const rows: [string, string][] = [];
  const add = (oid: string, v: string) => rows.push([oid, v]);
  add('1.3.6.1.2.1.1.2.0', '6|1.3.6.1.4.1.2011.2.23.291');
  add('1.3.6.1.2.1.1.3.0', '67|100000');
  add('1.3.6.1.2.1.1.5.0', `4|${community(n)}`);
  add('1.3.6.1.2.1.17.1.1.0', `4x|0210${(n >> 8).toString(16).padStart(2, '0')}${(n & 0xff).toString(16).padStart(2, '0')}ff00`);
  const ifs = PORTS + 4;
  for (let i = 1; i <= ifs; i++) {
    const name = i <= PORTS ? `GigabitEthernet0/0/${i}` : `XGigabitEthernet0/0/${i - PORTS}`;
    add(`${IFX_NAME}.${i}`, `4|${name}`);
    add(`${IF_OPER}.${i}`, '2|1');
    add(`${IFX_SPEED}.${i}`, `66|${i <= PORTS ? 1000 : 10000}`);
    add(`${BASE_PORT}.${i}`, `2|${i}`);
  }
  for (const v of [10, 20, 30, 40]) add(`${VLAN_NAME}.${v}`, `4|VLAN ${v}`);
  for (let p = 1; p <= PORTS; p++)
    for (let k = 0; k < MACS; k++) {
      const idx = `${10 * (1 + (p % 4))}.${mac(n, p, k).join('.')}`;
      add(`${QFDB}.2.${idx}`, `2|${p}`);
      add(`${QFDB}.3.${idx}`, '2|3');
    }
  // The uplink's LLDP neighbour (the core's chassis MAC).
  add(`${LLDP_REM}.4.0.${PORTS + 1}.1`, '2|4');
  add(`${LLDP_REM}.5.0.${PORTS + 1}.1`, '4x|02100000ff00');
  add(`${LLDP_REM}.7.0.${PORTS + 1}.1`, '4|XGigabitEthernet0/0/1');
  add(`${LLDP_REM}.9.0.${PORTS + 1}.1`, '4|core');
  add(`${LLDP_LOC}.${PORTS + 1}`, '4|XGigabitEthernet0/0/1');
  if (n === 0)
    for (let s = 0; s < DEVICES; s++)
      for (let p = 1; p <= PORTS; p++)
        add(
          `${ARP}.${PORTS + 5}.10.${s >> 2}.${(s & 3) * 60 + (p % 60)}.${p}`,
          `4x|${mac(s, p, 0)
            .map((b) => b.toString(16).padStart(2, '0'))
            .join('')}`,
        );
  const key = (o: string) => o.split('.').map(Number);
  rows.sort(([a], [b]) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
  return rows.map(([o, v]) => `${o}|${v}`).join('\n') + '\n';
}

function childCpu(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

async function runWatchpost(port: number) {
  const dir = tempDir('bench-portmap-db');
  const db = openStateDb(dir);
  const register = createCablingRegister(db, {
    identity: { vendor: () => '', device: () => undefined, addressesOf: () => [] },
    emit: () => {},
    lostAfterMs: 86_400_000,
  });
  const cfg = portmapSchema.parse({
    kind: 'portmap',
    concurrency: CONCURRENCY,
    // 20 MACs per access port is the load, not a hub: let the inference call them edge ports so the register has work.
    max_macs_edge: MACS,
    devices: Array.from({ length: DEVICES }, (_, n) => ({
      host: '127.0.0.1',
      port,
      community: community(n),
      name: community(n),
      max_repetitions: MAX_REP,
      request_timeout_ms: 10_000,
      retries: 1,
    })),
  });
  const docs: PortmapSnapshot[] = [];
  const probe = createPortmapProbe(cfg, {
    log: silentLogger,
    now: Date.now,
    emitDocument: (k, b) => {
      if (k === PORTMAP_DOCUMENT) docs.push(b as PortmapSnapshot);
      return { hash: '', queued: true };
    },
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await probe.collect(AbortSignal.timeout(600_000));
  const pollS = (performance.now() - t0) / 1000;
  let attached = 0;
  for (const d of docs) attached += register.ingest('bench', d, Date.now()).attached;
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  db.close();
  removeDir(dir);
  const entries = docs.reduce((a, d) => a + d.entries.length, 0);
  const arp = docs.reduce((a, d) => a + d.arp.length, 0);
  return {
    wall,
    cpu: (c.user + c.system) / 1e6,
    ok: docs.filter((d) => d.up).length,
    detail: `${entries} entries, ${arp} ARP, ${attached} nodes registered (poll ${pollS.toFixed(2)} s + register ${(wall - pollS).toFixed(2)} s)`,
  };
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
      let good = true;
      for (const oid of n === 0 ? [...TABLES, ARP] : TABLES) {
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

async function main() {
  for (const cmd of ['snmpsimd', 'snmpbulkwalk']) if (!hasCommand(cmd)) throw new Error(`${cmd} not found: apt-get install snmpsim snmp`);
  const recs: Recording[] = Array.from({ length: DEVICES }, (_, n) => ({ name: community(n), text: recording(n) }));
  console.log(`starting snmpsimd with ${DEVICES} simulated switches × ${PORTS} ports × ${MACS} MACs…`);
  const sim = await startSnmpsim(recs, { quiet: true });
  try {
    const load0 = loadavg()[0]!;
    const results: Record<string, { wall: number; cpu: number; ok: number; detail: string }> = {};
    const tools = [
      ['watchpost portmap + register', () => runWatchpost(sim.port)],
      ['snmpbulkwalk (C)', () => runBulkwalk(sim.port)],
    ] as const;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of round % 2 ? [...tools].reverse() : tools) {
        const r = await fn();
        if (!results[name] || r.wall < results[name].wall) results[name] = r;
        console.log(`  round ${round + 1}: ${name} ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, ${r.ok}/${DEVICES} ok — ${r.detail}`);
      }
    }
    console.log(
      `\n${DEVICES} switches × ${PORTS} ports × ${MACS} MACs, ${CONCURRENCY} in parallel, max-repetitions ${MAX_REP}, one snmpsimd on 127.0.0.1, load average ${load0.toFixed(1)} at start\n`,
    );
    console.log(
      table(
        tools.map(([name]) => ({
          tool: name,
          devices_ok: `${results[name]!.ok}/${DEVICES}`,
          wall_s: results[name]!.wall,
          client_cpu_s: results[name]!.cpu,
          result: results[name]!.detail,
        })),
      ),
    );
    const w = results['watchpost portmap + register']!;
    const c = results['snmpbulkwalk (C)']!;
    console.log(`\nwall ratio watchpost (poll + register) / snmpbulkwalk = ${(w.wall / c.wall).toFixed(2)} (target ≤ 1.5)`);
  } finally {
    await sim.stop();
  }
}

if (import.meta.main) await main();
