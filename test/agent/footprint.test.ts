import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { removeDir, tempDir } from '../peers/util.ts';

// What keeps the agent small (docs/measurements.md, bench:agent): probe libraries and the
// implementations of kinds an agent does not run are never loaded, and the CLI turns on
// Node's compile cache for `watchpost agent`. Each case runs a fresh Node process, since a
// module once loaded in this test process stays loaded.
t.setTimeout(120_000);
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `body` (an ES module text) in a fresh node; `mark(label)` prints the module URLs loaded since the last mark. */
function loadedBy(body: string): string {
  const script = `
import { registerHooks } from 'node:module';
const urls = [];
registerHooks({ load(url, ctx, next) { urls.push(url); return next(url, ctx); } });
const mark = (label) => console.log('MARK ' + label + ' ' + JSON.stringify(urls.splice(0)));
${body}
mark('end');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function marks(out: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const x = /^MARK (\S+) (.*)$/.exec(line);
    if (x) m.set(x[1]!, JSON.parse(x[2]!) as string[]);
  }
  return m;
}

const HEAVY = /node_modules\/(net-snmp|node-ssh|ssh2|onvif|xml2js|jpeg-js|systeminformation|iconv-lite)\/|agent\/probes\/onvif\/cameras\.ts/;

t.test(
  'an agent with host, patches and ping loads no SNMP, SSH, ONVIF, systeminformation or iconv code',
  { skip: process.platform !== 'linux' && 'the Linux host loop is the one without systeminformation' },
  async (t) => {
    const out = loadedBy(`
const { parseConfig } = await import('./config/load.ts');
const { agentConfigSchema } = await import('./config/schema/agent.ts');
const { probeByKind } = await import('./agent/probes/all/index.ts');
const yaml = 'collector: { url: "wss://127.0.0.1:1/v1/agent", token: "0123456789abcdef0123" }\\nprobes:\\n  - { kind: host, inventory_interval_s: 0 }\\n  - { kind: patches }\\n  - { kind: ping, targets: [127.0.0.1], count: 1 }\\n  - { kind: onvif, url: "http://127.0.0.1:1/onvif/device_service" }\\n';
const cfg = parseConfig(yaml, 'agent.yaml', agentConfigSchema);
const ctx = { log: (await import('./lib/log.ts')).silentLogger, now: Date.now, emitEvent() {}, emitSamples() {}, stateDir: '/nonexistent', host: 'pc' };
const made = cfg.probes.map((p) => [p.kind, probeByKind(p.kind).create(p, ctx)]);
mark('created');
for (const [kind, probe] of made) if (kind !== 'onvif') await probe.collect(AbortSignal.timeout(30000));
mark('collected');
await made.find(([k]) => k === 'onvif')[1].collect(AbortSignal.timeout(30000)).catch(() => {});
mark('onvif');
`);
    const m = marks(out);
    const created = m.get('created') ?? [];
    t.ok(
      created.some((u) => u.includes('agent/probes/snmp/probe.ts')),
      'every probe definition is loaded',
    );
    t.same(
      created.filter((u) => HEAVY.test(u)),
      [],
      'validating the config and creating the probes loads none of the heavy code',
    );
    t.same(
      (m.get('collected') ?? []).filter((u) => HEAVY.test(u)),
      [],
      'running host (loop), patches and ping loads none either',
    );
    const onvif = m.get('onvif') ?? [];
    t.ok(
      onvif.some((u) => u.includes('agent/probes/onvif/cameras.ts')),
      'the onvif implementation loads at its first run',
    );
    t.ok(
      onvif.some((u) => u.includes('node_modules/onvif/')),
      'and the onvif package with it',
    );
  },
);

t.test(
  'on Linux the host inventory is read by a child process: the agent itself never loads systeminformation',
  { skip: process.platform !== 'linux' && 'Linux only' },
  async (t) => {
    const out = loadedBy(`
const { hostProbe } = await import('./agent/probes/host/probe.ts');
const { hostSchema } = await import('./agent/probes/host/schema.ts');
const ctx = { log: (await import('./lib/log.ts')).silentLogger, now: Date.now, emitEvent() {}, emitSamples() {}, stateDir: '/nonexistent', host: 'pc' };
const samples = await hostProbe.create(hostSchema.parse({ kind: 'host' }), ctx).collect(AbortSignal.timeout(60000));
console.log('INVENTORY ' + JSON.stringify(samples.find((s) => s.measurement === 'host_inventory'), (k, v) => (typeof v === 'bigint' ? Number(v) : v)));
`);
    const inv = JSON.parse(/^INVENTORY (.*)$/m.exec(out)?.[1] ?? 'null') as { tags: Record<string, string>; fields: Record<string, unknown> } | null;
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    t.equal(inv?.tags.os_family, 'linux');
    t.equal(inv?.fields.os_name, /^NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1], 'the OS name, as /etc/os-release has it');
    t.ok((inv?.fields.cpu_cores as number) > 0);
    t.same(
      (marks(out).get('end') ?? []).filter((u) => u.includes('node_modules/systeminformation/')),
      [],
      'no systeminformation module in this process',
    );
  },
);

t.test('`watchpost agent` turns on the compile cache when the environment does not', async (t) => {
  const dir = tempDir('compile-cache');
  t.teardown(() => removeDir(dir));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: dir };
  delete env.NODE_COMPILE_CACHE;
  delete env.LOCALAPPDATA;
  const r = spawnSync(process.execPath, ['cli/watchpost.ts', 'agent', '--config', 'config/agent.example.yaml', '--check-config'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 0, r.stderr);
  const cache = path.join(dir, 'watchpost', 'compile-cache');
  const files = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  t.ok(files.length > 50, `${files.length} modules cached under ${cache}`);
  // Other commands (check, collector) are left alone.
  const dir2 = tempDir('compile-cache');
  t.teardown(() => removeDir(dir2));
  const r2 = spawnSync(process.execPath, ['cli/watchpost.ts', '--version'], {
    cwd: ROOT,
    env: { ...env, XDG_CACHE_HOME: dir2 },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r2.status, 0);
  t.same(readdirSync(dir2), [], 'no cache for other commands');
});

t.test('the systemd unit and the Windows installer start the agent with the same Node flags and a compile cache', async (t) => {
  const unit = readFileSync(path.join(ROOT, 'deploy/systemd/watchpost-agent.service'), 'utf8');
  const flags = (d: string) => /node\/bin\/node((?: --\S+)*) /.exec(new RegExp(`^${d}=(.*)$`, 'm').exec(unit)?.[1] ?? '')?.[1]?.trim();
  const start = flags('ExecStart');
  t.ok(start?.includes('--max-semi-space-size=1'), `ExecStart flags: ${start}`);
  t.equal(flags('ExecStartPre'), start, 'ExecStartPre uses the same flags, so it fills the cache ExecStart reads (V8 flags are part of the cache key)');
  t.match(unit, /^Environment=NODE_COMPILE_CACHE=\/var\/cache\/watchpost\/agent\//m);
  t.match(unit, /^CacheDirectory=watchpost\/agent$/m, 'the cache directory is writable under ProtectSystem=strict');
  const ps1 = readFileSync(path.join(ROOT, 'deploy/windows/install-agent.ps1'), 'utf8');
  t.equal(/^\$NodeFlags = '(.*)'$/m.exec(ps1)?.[1], start, 'install-agent.ps1 uses the same flags');
  t.match(ps1, /<env name="NODE_COMPILE_CACHE"/);
});

t.test('the running agent gets its config validated by a child process and loads no yaml, zod or config schema itself', async (t) => {
  const dir = tempDir('agent-no-zod');
  t.teardown(() => removeDir(dir));
  const config = path.join(dir, 'agent.yaml');
  writeFileSync(
    config,
    `agent: { name: pc-1, data_dir: ${JSON.stringify(path.join(dir, 'data'))}, log_level: info }\n` +
      'collector: { url: "ws://127.0.0.1:9/v1/agent", token: "0123456789abcdef0123", allow_insecure: true }\n' +
      'probes:\n  - { kind: ping, targets: [127.0.0.1], count: 1, interval_s: 1 }\n',
  );
  const hook = path.join(dir, 'hook.mjs');
  writeFileSync(
    hook,
    `import { registerHooks } from 'node:module';
const urls = [];
registerHooks({ load(url, ctx, next) { urls.push(url); return next(url, ctx); } });
process.on('SIGUSR2', () => process._rawDebug('LOADED ' + JSON.stringify(urls)));
`,
  );
  const child = spawn(process.execPath, ['--import', hook, 'cli/watchpost.ts', 'agent', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr.setEncoding('utf8');
  const loaded = await new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${err}`)));
    child.stderr.on('data', (d: string) => {
      err += d;
      if (err.includes('"msg":"agent started"') && !err.includes('SIGUSR2 sent')) {
        err += 'SIGUSR2 sent';
        child.kill('SIGUSR2');
      }
      const m = /LOADED (\[.*\])\n/.exec(err);
      if (m) resolve(JSON.parse(m[1]!) as string[]);
    });
  });
  t.ok(
    loaded.some((u) => u.endsWith('/agent/main.ts')),
    'the agent started',
  );
  t.ok(
    loaded.some((u) => u.endsWith('/agent/probes/ping/probe.ts')),
    'with its ping probe',
  );
  t.same(
    loaded.filter((u) => /node_modules\/(zod|yaml)\/|\/config\/load\.ts$|\/config\/schema\/|\/schema\.ts$|probe-schema\.ts$/.test(u)),
    [],
    'no yaml, zod or schema module in the agent process',
  );
});

t.test('an invalid agent config is reported by the agent as by --check-config, with the same exit code', async (t) => {
  const dir = tempDir('agent-bad-config');
  t.teardown(() => removeDir(dir));
  const config = path.join(dir, 'agent.yaml');
  writeFileSync(
    config,
    'collector: { url: "wss://127.0.0.1:1/v1/agent", token: "0123456789abcdef0123" }\nprobes:\n  - { kind: ping, targets: [127.0.0.1], count: 0 }\n',
  );
  const run = (extra: string[]) =>
    spawnSync(process.execPath, ['cli/watchpost.ts', 'agent', '--config', config, ...extra], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const check = run(['--check-config']);
  const start = run([]);
  t.equal(check.status, 2);
  t.equal(start.status, 2, 'the agent does not start');
  t.match(start.stderr, /agent\.yaml:3:\d+: probes\[0\]\.count: /, 'the problem, with file, line and path');
  t.equal(start.stderr, check.stderr, 'the same report as --check-config');
});
