// bench:printer — poll N simulated printers once with the watchpost printer probe, side by side
// in the same run with Net-SNMP's snmpbulkwalk (C) walking the same tables (system group,
// hrDeviceTable, hrPrinterTable, prtGeneralSerialNumber, prtInputTable, prtMarkerTable,
// prtMarkerSuppliesTable, prtConsoleDisplayBufferTable, prtAlertTable) at the same parallelism,
// against the same snmpsimd. The printers are copies of the four public recordings (HP M880,
// Brother HL-5370DW, Ricoh MP C3002, Canon LBP6670) and the RFC 3805 synthetic printer, each
// under its own community with its own sysName.
//   npm run bench:printer                         (defaults: 300 printers, 32 in parallel)
//   PRINTERS=100 CONCURRENCY=16 ROUNDS=3 npm run bench:printer
// Needs: snmpsim, snmp (snmpbulkwalk), ../shared/fixtures.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createPrinterProbe } from '../agent/probes/printer/collect.ts';
import { printerSchema } from '../agent/probes/printer/schema.ts';
import { TABLE } from '../agent/probes/printer/mib.ts';
import { mapLimit } from '../lib/concurrency.ts';
import { silentLogger } from '../lib/log.ts';
import { startSnmpsim, type Recording } from '../test/peers/snmpsim.ts';
import { syntheticPrinter } from '../test/peers/snmprec.ts';
import { FIXTURES, hasCommand } from '../test/peers/util.ts';
import { cpuSeconds, table } from './lib.ts';

const PRINTERS = Number(process.env.PRINTERS ?? 300);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const MAX_REP = 20;
const WALKS = ['1.3.6.1.2.1.1', ...Object.values(TABLE)];

const community = (n: number) => `prt${String(n).padStart(3, '0')}`;

function recordings(): Recording[] {
  const rec = path.join(FIXTURES!, 'snmprec');
  const bases = ['printer_jetdirect_m880', 'printer_brother_hl5370dw', 'printer_ricoh_mpc3002', 'printer_canonprinter_lbp'].map((n) =>
    readFileSync(path.join(rec, `${n}.snmprec`), 'utf8'),
  );
  bases.push(syntheticPrinter());
  return Array.from({ length: PRINTERS }, (_, n) => ({
    name: community(n),
    text: bases[n % bases.length]!.replace(/^1\.3\.6\.1\.2\.1\.1\.5\.0\|4\|.*$/m, `1.3.6.1.2.1.1.5.0|4|printer-${String(n).padStart(3, '0')}`),
  }));
}

function childCpu(): number {
  // cutime + cstime of this process: CPU of children that have exited and been waited for.
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

async function runWatchpost(port: number) {
  const cfg = printerSchema.parse({
    kind: 'printer',
    concurrency: CONCURRENCY,
    devices: Array.from({ length: PRINTERS }, (_, n) => ({
      host: '127.0.0.1',
      port,
      community: community(n),
      max_repetitions: MAX_REP,
      request_timeout_ms: 10_000,
      retries: 1,
    })),
  });
  const probe = createPrinterProbe(cfg, { log: silentLogger, now: Date.now, emitEvent: () => {} });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const samples = await probe.collect(AbortSignal.timeout(600_000));
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const up = samples.filter((s) => s.measurement === 'printer' && s.fields.up === 1n).length;
  const supplies = samples.filter((s) => s.measurement === 'printer_supply').length;
  const trays = samples.filter((s) => s.measurement === 'printer_tray').length;
  return { wall, cpu: (c.user + c.system) / 1e6, ok: up, detail: `${supplies} supplies, ${trays} trays` };
}

async function runBulkwalk(port: number) {
  const c0 = childCpu();
  const t0 = performance.now();
  let varbinds = 0;
  let ok = 0;
  await mapLimit(
    Array.from({ length: PRINTERS }, (_, n) => n),
    CONCURRENCY,
    async (n) => {
      // One snmpbulkwalk per table, one after the other, as a script reading a printer would.
      let good = true;
      for (const oid of WALKS) {
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
  if (!FIXTURES) throw new Error('../shared/fixtures (printer recordings) not found');
  console.log(`starting snmpsimd with ${PRINTERS} simulated printers…`);
  const sim = await startSnmpsim(recordings(), { quiet: true });
  try {
    // startSnmpsim already GET from every community, which built snmpsimd's index: no tool pays for it.
    const load0 = loadavg()[0]!;
    const results: Record<string, { wall: number; cpu: number; ok: number; detail: string; sim: number }> = {};
    const tools = [
      ['watchpost printer probe', () => runWatchpost(sim.port)],
      ['snmpbulkwalk (C)', () => runBulkwalk(sim.port)],
    ] as const;
    // Alternating order per round (A B, B A, …), best round per tool: a burst of other work on the machine does not decide it.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of round % 2 ? [...tools].reverse() : tools) {
        const s0 = cpuSeconds(sim.pid);
        const r = await fn();
        const best = results[name];
        if (!best || r.wall < best.wall) results[name] = { ...r, sim: cpuSeconds(sim.pid) - s0 };
        console.log(`  round ${round + 1}: ${name} ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, ${r.ok}/${PRINTERS} ok`);
      }
    }
    const rows = tools.map(([name]) => {
      const r = results[name]!;
      return {
        tool: name,
        printers_ok: `${r.ok}/${PRINTERS}`,
        wall_s: r.wall,
        client_cpu_s: r.cpu,
        snmpsimd_cpu_s: r.sim,
        printers_per_s: PRINTERS / r.wall,
        result: r.detail,
      };
    });
    console.log(
      `\n${PRINTERS} printers, ${CONCURRENCY} in parallel, max-repetitions ${MAX_REP}, ${WALKS.length} tables each, one snmpsimd on 127.0.0.1, machine load average ${load0.toFixed(1)} at start\n`,
    );
    console.log(table(rows));
    const w = results['watchpost printer probe']!;
    const c = results['snmpbulkwalk (C)']!;
    console.log(`\nwall ratio watchpost / snmpbulkwalk = ${(w.wall / c.wall).toFixed(2)} (target ≤ 1.5)`);
    console.log(`client CPU ratio watchpost / snmpbulkwalk = ${(w.cpu / c.cpu).toFixed(2)} (target < 1)`);
  } finally {
    await sim.stop();
  }
}

if (import.meta.main) await main();
