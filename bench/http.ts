/**
 * bench:http — 500 HTTPS sites on one local nginx (one server block and port each, a certificate
 * from a test CA), probed by the watchpost http probe and by prometheus-blackbox-exporter
 * (Debian) at the same concurrency, in the same run. Both make a fresh TLS connection per
 * target, verify the chain against the same CA and match a keyword in the body. Prints wall
 * time and CPU seconds side by side with the ratios. Target: no slower and no more CPU than
 * blackbox_exporter. The exporter is driven over loopback HTTP (/probe?target=…); that
 * client's CPU is not counted against it.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHttpProbe } from '../agent/probes/http/run.ts';
import { httpSchema } from '../agent/probes/http/schema.ts';
import { mapLimit } from '../lib/concurrency.ts';
import { makeCert } from '../test/peers/certs.ts';
import { freePorts, startNginx } from '../test/peers/nginx.ts';
import { freePort, removeDir, spawnPeer, stopProcess, tempDir, waitFor } from '../test/peers/util.ts';
import { cpuSeconds } from './lib.ts';

const N = Number(process.env.BENCH_TARGETS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';

const root = makeCert({ cn: 'Bench Root', ca: true, toDays: 3650 });
const leaf = makeCert({ cn: 'site.bench', sans: ['127.0.0.1'], toDays: 365, issuer: root });
const ports = await freePorts(N);
const servers = ports
  .map(
    (p, i) =>
      `server { listen 127.0.0.1:${p} ssl; ssl_certificate site.crt; ssl_certificate_key site.key; location / { default_type text/html; return 200 '<html><body>site ${i} 政务服务 ok</body></html>'; } }`,
  )
  .join('\n');
const nginx = await startNginx({ servers, files: { 'site.crt': leaf.cert, 'site.key': leaf.key, 'ca.pem': root.cert }, ports, workers: 2 });
const CA = path.join(nginx.dir, 'ca.pem');
const urls = ports.map((p) => `https://127.0.0.1:${p}/`);

const dir = tempDir('bench-http');
const bbPort = await freePort();
writeFileSync(
  path.join(dir, 'blackbox.yml'),
  `modules:
  https_keyword:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
      fail_if_not_ssl: true
      fail_if_body_not_matches_regexp: ['政务服务']
      tls_config:
        ca_file: ${CA}
`,
);
const bb = spawnPeer(BLACKBOX, [`--config.file=${path.join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`]);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(u: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(u, { agent }, (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b));
      })
      .on('error', reject);
  });
}
await waitFor('blackbox_exporter', async () => (await get(`http://127.0.0.1:${bbPort}/metrics`)).length > 0, 15_000, bb.output);

const cfg = httpSchema.parse({ kind: 'http', concurrency: CONCURRENCY, targets: urls.map((url) => ({ url, ca_file: CA, keywords: ['政务服务'] })) });
const probe = createHttpProbe(cfg, 'bench');

async function runProbe(): Promise<{ wall: number; cpu: number; ok: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const samples = await probe.collect(AbortSignal.timeout(300_000));
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const ok = samples.filter((s) => s.measurement === 'http_response' && s.fields.result_type === 'success').length;
  return { wall, cpu: (c.user + c.system) / 1e6, ok };
}

async function runBlackbox(): Promise<{ wall: number; cpu: number; ok: number }> {
  const c0 = cpuSeconds(bb.proc.pid!);
  const t0 = performance.now();
  const bodies = await mapLimit(urls, CONCURRENCY, (u) => get(`http://127.0.0.1:${bbPort}/probe?module=https_keyword&target=${encodeURIComponent(u)}`));
  const wall = (performance.now() - t0) / 1000;
  // /proc counts in clock ticks: let the exporter's last ticks land before reading.
  await new Promise((r) => setTimeout(r, 200));
  return { wall, cpu: cpuSeconds(bb.proc.pid!) - c0, ok: bodies.filter((b) => /^probe_success 1$/m.test(b)).length };
}

// One warm-up each (the exporter's first TLS config load, our lazy imports), then alternate.
await runProbe();
await runBlackbox();
const rows = { probe: [] as { wall: number; cpu: number; ok: number }[], blackbox: [] as { wall: number; cpu: number; ok: number }[] };
for (let r = 0; r < ROUNDS; r++) {
  rows.probe.push(await runProbe());
  rows.blackbox.push(await runBlackbox());
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const m = (k: 'probe' | 'blackbox', f: 'wall' | 'cpu') => med(rows[k].map((x) => x[f]));

console.log(
  `bench:http — ${N} HTTPS sites on local nginx (2 workers), concurrency ${CONCURRENCY}, keyword + chain verification, ${ROUNDS} rounds (median), ${os.cpus().length} CPUs`,
);
console.log(`answered ok: probe ${rows.probe.at(-1)!.ok}/${N}, blackbox_exporter ${rows.blackbox.at(-1)!.ok}/${N}`);
console.log('run                       wall s   cpu s   targets/s');
for (const [name, k] of [
  ['watchpost http probe', 'probe'],
  ['blackbox_exporter', 'blackbox'],
] as const) {
  console.log(`${name.padEnd(24)} ${m(k, 'wall').toFixed(3).padStart(7)} ${m(k, 'cpu').toFixed(3).padStart(7)} ${(N / m(k, 'wall')).toFixed(0).padStart(10)}`);
}
const wr = m('probe', 'wall') / m('blackbox', 'wall');
const cr = m('probe', 'cpu') / Math.max(0.001, m('blackbox', 'cpu'));
console.log(
  `ratio probe/blackbox: wall ${wr.toFixed(2)}×, cpu ${cr.toFixed(2)}× (target ≤ 1.0×: wall ${wr <= 1 ? 'met' : 'NOT met'}, cpu ${cr <= 1 ? 'met' : 'NOT met'})`,
);

agent.destroy();
await stopProcess(bb.proc);
await nginx.stop();
removeDir(dir);
