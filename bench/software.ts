/**
 * bench:software — installed-software inventories at fleet scale, and the agent's cost.
 *
 * 1. One collector (a real `watchpost collector` process, no InfluxDB: documents go to the
 *    state DB only) and N simulated agents (default 500), each the real agent data path
 *    (DocumentGate → in-memory Outbox → Transport over its own WebSocket), each with a
 *    list of P packages (default 2,000: 1,800 common to the fleet's image, 200 its own).
 *    Rounds: the baseline (every list is new), the daily resend with nothing changed, a
 *    round where every machine upgrades 10 packages, installs 1 and removes 1, and the
 *    resend again. Per round: wall time from the first document queued to the last acked,
 *    collector CPU, and the state DB's growth (page_count × page_size, read through SQLite
 *    so the WAL is included).
 * 2. Agent CPU for one full Linux inventory on this machine (the probe: dpkg-query, the
 *    dates from dpkg's file lists, UOS apps, canonical order, JSON and SHA-256), user+system
 *    including its dpkg-query child, against running `dpkg-query -W` itself (default
 *    format, and the probe's format), each 30 times.
 *
 *   npm run bench:software
 *   SW_AGENTS=500 SW_PACKAGES=2000 (defaults)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { stringify } from 'yaml';
import { DocumentGate } from '../agent/documents.ts';
import { Outbox } from '../agent/outbox.ts';
import { systemPlatform } from '../agent/probes/platform/platform.ts';
import { canonical, documentHash, type SoftwareDocument, type SoftwareItem } from '../agent/probes/software/inventory.ts';
import { DPKG_FORMAT } from '../agent/probes/software/linux.ts';
import { softwareSchema } from '../agent/probes/software/schema.ts';
import { collectSoftware } from '../agent/probes/software/probe.ts';
import { Transport } from '../agent/transport.ts';
import { hashToken, newToken } from '../collector/store/agents.ts';
import { silentLogger } from '../lib/log.ts';
import { freePort, spawnPeer, stopProcess, tempDir, waitFor } from '../test/peers/util.ts';
import { cpuSeconds, rssMiB, table } from './lib.ts';

const AGENTS = Number(process.env.SW_AGENTS ?? 500);
const PACKAGES = Number(process.env.SW_PACKAGES ?? 2000);
const CLI = path.resolve(import.meta.dirname, '../cli/watchpost.ts');

/** This process's CPU seconds, and its waited-for children's, from /proc/self/stat. */
function selfCpu(): { own: number; children: number } {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return { own: (Number(f[11]) + Number(f[12])) / 100, children: (Number(f[13]) + Number(f[14])) / 100 };
}

function pkg(name: string, version: string, i: number): SoftwareItem {
  return {
    name,
    version,
    publisher: `Maintainer Team ${i % 40}`,
    arch: i % 5 ? 'amd64' : 'all',
    install_date: `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    install_location: '',
    source: 'dpkg',
    scope: 'machine',
  };
}

function fleetList(agent: number, round: number): SoftwareDocument {
  const common = Math.round(PACKAGES * 0.9);
  const items: SoftwareItem[] = [];
  for (let i = 0; i < common; i++)
    items.push(pkg(`lib-common-package-${i}`, `${1 + (i % 7)}.${i % 13}.${i % 5}-${1 + (i % 3)}+deb12u${round >= 2 && i < 10 ? 2 : 1}`, i));
  for (let i = 0; i < PACKAGES - common - 1; i++) items.push(pkg(`site-app-${agent}-${i}`, `2.${i}.0`, i));
  // The round-2 change: one removed, one installed (plus the 10 upgrades above).
  items.push(round >= 2 ? pkg(`new-tool-${agent}`, '1.0', agent) : pkg(`old-tool-${agent}`, '0.9', agent));
  return {
    os: { name: 'UnionTech OS Desktop', version: '20', edition: 'Professional', activation: 'unknown' },
    software: canonical(items),
    licenses: [],
    office: [],
    errors: {},
  };
}

async function fleet(): Promise<Record<string, string | number>[]> {
  const dir = tempDir('bench-software');
  const port = await freePort();
  const sims = Array.from({ length: AGENTS }, (_, i) => ({ name: `pc-${String(i).padStart(4, '0')}`, token: newToken(), i }));
  const cfgFile = path.join(dir, 'collector.yaml');
  const dataDir = path.join(dir, 'data');
  writeFileSync(
    cfgFile,
    stringify({
      collector: { listen_host: '127.0.0.1', listen_port: port, data_dir: dataDir, log_level: 'warn' },
      agents: sims.map((s) => ({ name: s.name, token_sha256: hashToken(s.token) })),
      limits: { max_connections_per_ip: 5000, auth_failures_per_min: 100_000 },
    }),
  );
  const col = spawnPeer(process.execPath, [CLI, 'collector', '--config', cfgFile]);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('collector', async () => (await fetch(`${base}/healthz`)).ok, 30_000, col.output);
  const pid = col.proc.pid!;
  const agents = sims.map((s) => {
    const outbox = new Outbox({ dir: ':memory:', maxBytes: 256 * 1024 * 1024, maxAgeMs: 86_400_000, whenFull: 'drop_oldest' });
    const gate = new DocumentGate(outbox, path.join(dir, 'agents', s.name));
    const transport = new Transport(
      {
        url: `ws://127.0.0.1:${port}/v1/agent`,
        token: s.token,
        heartbeatMs: 60_000,
        maxInFlight: 16,
        reconnectMinMs: 500,
        reconnectMaxMs: 30_000,
        agentVersion: 'bench',
        probes: ['software'],
        log: silentLogger,
      },
      outbox,
    );
    transport.start();
    return { ...s, outbox, gate, transport };
  });
  await waitFor('all agents connected', async () => agents.every((a) => a.transport.connected), 120_000, col.output);
  console.log(`${AGENTS} simulated agents connected, ${PACKAGES} packages each`);
  const state = new DatabaseSync(path.join(dataDir, 'state.db'), { readOnly: true });
  const dbBytes = () => {
    const r = state.prepare('SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size) AS b').get() as { b: number };
    return Number(r.b);
  };
  const fileBytes = () =>
    ['state.db', 'state.db-wal'].reduce((n, f) => {
      try {
        return n + statSync(path.join(dataDir, f)).size;
      } catch {
        return n;
      }
    }, 0);
  const metric = async (name: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    let v = 0;
    for (const l of text.split('\n')) if (l.startsWith(name + ' ') || l.startsWith(name + '{')) v += Number(l.split(' ').pop());
    return v;
  };
  const rows: Record<string, string | number>[] = [];
  const round = async (label: string, listRound: number, resendMs: number) => {
    const docs = agents.map((a) => fleetList(a.i, listRound));
    const before = {
      db: dbBytes(),
      cpu: cpuSeconds(pid),
      changes: Number((state.prepare('SELECT COUNT(*) AS n FROM software_changes').get() as { n: number }).n),
      stored: await metric('watchpost_ingest_documents_total'),
    };
    const t0 = performance.now();
    let queued = 0;
    for (let k = 0; k < agents.length; k++) if (agents[k]!.gate.offer('software', docs[k], { resendMs }).queued) queued++;
    const queuedS = (performance.now() - t0) / 1000;
    await waitFor('round acked', async () => agents.every((a) => a.outbox.stats().batches === 0), 600_000, col.output);
    const wall = (performance.now() - t0) / 1000;
    const after = {
      db: dbBytes(),
      cpu: cpuSeconds(pid),
      changes: Number((state.prepare('SELECT COUNT(*) AS n FROM software_changes').get() as { n: number }).n),
      stored: await metric('watchpost_ingest_documents_total'),
    };
    rows.push({
      round: label,
      documents: after.stored - before.stored,
      'frame MiB': Math.round((docs.reduce((n, d) => n + JSON.stringify(d).length, 0) / 1048576) * 10) / 10,
      'wall s': Math.round(wall * 100) / 100,
      'of which agents queue s': Math.round(queuedS * 100) / 100,
      'collector CPU s': Math.round((after.cpu - before.cpu) * 100) / 100,
      'state DB growth KiB': Math.round((after.db - before.db) / 1024),
      'changes recorded': after.changes - before.changes,
    });
    if (queued !== agents.length) console.log(`  (${label}: ${queued} of ${agents.length} documents queued)`);
    console.log(`  ${label}: ${wall.toFixed(2)} s`);
  };
  await round('1 baseline (all new)', 1, 86_400_000);
  await round('2 daily resend, unchanged', 1, 0);
  await round('3 each machine: 10 upgrades, 1 install, 1 removal', 2, 86_400_000);
  await round('4 daily resend, unchanged', 2, 0);
  const files = fileBytes();
  const rss = rssMiB(pid);
  state.close();
  await Promise.all(agents.map((a) => a.transport.close()));
  await stopProcess(col.proc);
  console.log(`collector RSS at the end ${rss.toFixed(0)} MiB; state.db + WAL on disk ${(files / 1048576).toFixed(1)} MiB`);
  return rows;
}

async function agentCost(): Promise<void> {
  const N = 30;
  const cfg = softwareSchema.parse({ kind: 'software' });
  const platform = systemPlatform();
  const measure = async (fn: () => Promise<void> | void) => {
    await fn(); // warm: module loading, first spawn
    const a = selfCpu();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await fn();
    const b = selfCpu();
    return { cpu: (b.own - a.own + b.children - a.children) / N, own: (b.own - a.own) / N, wall: (performance.now() - t0) / N / 1000 };
  };
  let packages = 0;
  const probe = await measure(async () => {
    const doc = await collectSoftware(cfg, { platform, host: 'bench' });
    packages = doc.software.length;
    documentHash(doc);
  });
  const plain = await measure(() => void execFileSync('dpkg-query', ['-W'], { maxBuffer: 64 << 20 }));
  const same = await measure(() => void execFileSync('dpkg-query', ['-W', `-f=${DPKG_FORMAT}`], { maxBuffer: 64 << 20 }));
  const ms = (s: number) => Math.round(s * 1000 * 10) / 10;
  console.log(`\nAgent CPU for one full Linux inventory on this machine (${packages} dpkg packages), mean of ${N} runs (/proc ticks are 10 ms):`);
  console.log(
    table([
      {
        what: 'software probe run (incl. its dpkg-query child)',
        'CPU ms': ms(probe.cpu),
        'of which in Node ms': ms(probe.own),
        'wall ms': ms(probe.wall),
        'vs dpkg-query -W': `${(probe.cpu / plain.cpu).toFixed(2)}×`,
      },
      {
        what: 'dpkg-query -W (default format)',
        'CPU ms': ms(plain.cpu),
        'of which in Node ms': ms(plain.own),
        'wall ms': ms(plain.wall),
        'vs dpkg-query -W': '1.00×',
      },
      {
        what: "dpkg-query -W -f=<the probe's format>",
        'CPU ms': ms(same.cpu),
        'of which in Node ms': ms(same.own),
        'wall ms': ms(same.wall),
        'vs dpkg-query -W': `${(same.cpu / plain.cpu).toFixed(2)}×`,
      },
    ]),
  );
  console.log(`target ≤ 2× dpkg-query: ${probe.cpu <= 2 * plain.cpu ? 'met' : 'NOT met'} (${(probe.cpu / plain.cpu).toFixed(2)}×)`);
}

async function main(): Promise<void> {
  // SW_AGENTS=0 measures the agent's cost alone.
  if (AGENTS > 0) {
    const rows = await fleet();
    console.log(`\n${AGENTS} agents × ${PACKAGES} packages into one collector:`);
    console.log(table(rows));
  }
  await agentCost();
  process.exit(0);
}

await main();
