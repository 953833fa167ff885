import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { freePort, removeDir, tempDir, waitFor } from '../peers/util.ts';

// Each case spawns the CLI (a fresh Node process): allow for a loaded machine.
t.setTimeout(300_000);

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'cli/watchpost.ts');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('check host --json prints samples with a Monitoring Plugins status', async (t) => {
  const r = run(['check', 'host', '--json']);
  t.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as { status: string; samples: { measurement: string; fields: Record<string, unknown> }[] };
  t.equal(doc.status, 'OK');
  const names = new Set(doc.samples.map((s) => s.measurement));
  for (const m of ['cpu', 'mem', 'disk', 'system']) t.ok(names.has(m), `has ${m}`);
  const mem = doc.samples.find((s) => s.measurement === 'mem')!;
  t.type(mem.fields.total, 'number');
  t.ok((mem.fields.total as number) > 0);
});

t.test('check host --format line prints line protocol and a status line', async (t) => {
  const r = run(['check', 'host', '--format', 'line']);
  t.equal(r.code, 0);
  t.match(r.out, /^cpu,cpu=cpu-total,host=\S+ usage_user=/m);
  t.match(r.out, /^mem,host=\S+ total=\d+i,/m);
  t.match(r.err, /HOST OK - /);
});

t.test('check exits 3 (UNKNOWN) when the probe cannot run, and 2 for usage errors', async (t) => {
  const r = run(['check', 'host', '--json', '--timeout_ms', '1']);
  t.equal(r.code, 3, 'a 1 ms timeout is UNKNOWN');
  t.equal(JSON.parse(r.out).status, 'UNKNOWN');
  t.equal(run(['check', 'nosuchprobe']).code, 2);
  t.equal(run(['check', 'host', '--format', 'xml']).code, 2);
  t.equal(run(['nosuchcommand']).code, 2);
});

t.test('config validate: 0 for the examples, 2 with located errors for a bad file', async (t) => {
  const ok = run(['config', 'validate', 'config/agent.example.yaml', 'config/collector.example.yaml']);
  t.equal(ok.code, 0, ok.err);
  t.match(ok.out, /agent.example.yaml: OK/);
  const bad = run(['config', 'validate', 'test/config/cases/bad-unknown-probe-key.yaml']);
  t.equal(bad.code, 2);
  t.match(bad.err, /bad-unknown-probe-key.yaml:9:5: probes\[1\]\.timeout_msec: unknown key/);
  t.match(bad.err, /fix: /);
  const printed = run(['config', 'validate', '--print', 'test/config/cases/good-minimal-agent.yaml']);
  t.match(printed.out, /"token": "<secret>"/);
  t.notMatch(printed.out, /0123456789abcdef0123/);
});

t.test('enroll, list, rotate, revoke, and the audit chain verifies', async (t) => {
  const dir = tempDir('cli-state');
  t.teardown(() => removeDir(dir));
  const e = run(['enroll', 'pc-0301', '--data-dir', dir, '--tag', 'floor=3']);
  t.equal(e.code, 0, e.err);
  t.match(e.out.trim(), /^wpa_[\w-]{43}$/);
  t.equal(run(['enroll', 'pc-0301', '--data-dir', dir]).code, 1, 'enrolling a name twice is refused');
  t.match(run(['enroll', '--list', '--data-dir', dir]).out, /pc-0301\tactive/);
  const rot = run(['enroll', '--rotate', 'pc-0301', '--data-dir', dir]);
  t.not(rot.out.trim(), e.out.trim());
  t.equal(run(['enroll', '--revoke', 'pc-0301', '--data-dir', dir]).code, 0);
  t.match(run(['enroll', '--list', '--data-dir', dir]).out, /pc-0301\trevoked/);
  const v = run(['audit', 'verify', '--data-dir', dir]);
  t.equal(v.code, 0);
  t.match(v.out, /audit log OK: 3 entries/);
  const l = run(['audit', 'list', '--data-dir', dir]);
  t.match(l.out, /agent\.enroll\tpc-0301/);
  t.notMatch(l.out, /wpa_/, 'tokens never reach the audit log');
});

t.test('demo without InfluxDB (--influx none): the collector and the local agent deliver, metrics wait in the spool', async (t) => {
  const dir = tempDir('demo');
  const port = await freePort();
  const p = spawn(process.execPath, [CLI, 'demo', '--dir', dir, '--port', String(port), '--influx', 'none'], {
    cwd: ROOT,
    env: { ...process.env, WATCHPOST_LOG_LEVEL: 'warn' },
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  t.teardown(() => {
    p.kill('SIGKILL');
    removeDir(dir);
  });
  await waitFor(
    'demo agent batch',
    async () => {
      const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /watchpost_batches_total [1-9]/.test(m);
    },
    30_000,
  );
  const h = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
  t.match(h, { status: 'ok', influxdb: 'not_configured', agents_connected: 1 });
  t.ok((h.spool_points as number) > 0, 'metrics wait in the spool without InfluxDB');
  t.match(out, /Watchpost demo: a simulated building/);
  t.match(out, new RegExp(`http://127.0.0.1:${port}/healthz`));
  t.match(out, /InfluxDB: {4}not used \(--influx none\)/);
  p.kill('SIGTERM');
  const code = await new Promise((r) => p.on('exit', r));
  t.equal(code, 0, 'SIGTERM stops it cleanly');
});

t.test('a port already in use is one clear line and exit 2, and the demo stops its simulated devices', async (t) => {
  const net = await import('node:net');
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as { port: number }).port;
  const dir = tempDir('demo-busy');
  t.teardown(() => removeDir(dir));
  const r = run(['demo', '--dir', dir, '--port', String(port), '--influx', 'none']);
  t.equal(r.code, 2, 'exit 2, and the process ended: nothing of the demo stayed up');
  t.match(r.err, new RegExp(`watchpost demo: 127\\.0\\.0\\.1:${port} is already in use .*WATCHPOST_PORT=9090 npm start`));
  t.notMatch(r.err, /at Server\.setupListenHandle|node:net/, 'no stack trace');
});
