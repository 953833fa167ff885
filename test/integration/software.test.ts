import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { collectorProcess } from '../peers/collector.ts';
import { removeDir, spawnPeer, stopProcess, tempDir, waitFor } from '../peers/util.ts';

const CLI = path.resolve(import.meta.dirname, '../../cli/watchpost.ts');

/**
 * A real collector process and a real agent process (`watchpost agent`) running the software
 * probe on this machine (dpkg) plus a UOS apps folder the test edits, restarted between steps.
 */
t.test('software history through a real agent and collector, across agent restarts', async (t) => {
  const apiToken = newToken();
  const col = await collectorProcess({
    alerts: { api_tokens: [{ name: 'test', token_sha256: hashToken(apiToken) }] },
    software: {
      policy: {
        rules: [
          { name: 'no P2P', match: { name: '/迅雷|Thunder/i' }, action: 'forbidden' },
          { name: 'base', match: { name: '*' }, action: 'approved' },
        ],
      },
    },
  });
  t.teardown(() => col.stop());
  const dir = tempDir('sw-agent');
  t.teardown(() => removeDir(dir));
  const apps = path.join(dir, 'apps');
  mkdirSync(apps);
  const cfgFile = path.join(dir, 'agent.yaml');
  writeFileSync(
    cfgFile,
    stringify({
      agent: { data_dir: path.join(dir, 'data'), log_level: 'warn' },
      collector: { url: col.wsUrl, token: col.token, allow_insecure: true },
      batch: { flush_ms: 50 },
      probes: [{ kind: 'software', interval_s: 3600, jitter_pct: 0, uos_apps_dir: apps }],
    }),
  );
  const api = async (p: string) => {
    const r = await fetch(`${col.url}${p}`, { headers: { authorization: `Bearer ${apiToken}` } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const metric = async (re: RegExp) => Number(re.exec(await (await fetch(`${col.url}/metrics`)).text())?.[1] ?? 0);
  const docs = (outcome: string) => metric(new RegExp(`watchpost_software_documents_total\\{outcome="${outcome}"\\} (\\d+)`));
  const points = () => metric(/watchpost_ingest_points_total\{source="agent"\} (\d+)/);
  /** One agent life: start, wait until its software run reached the collector, stop. */
  const runAgent = async (until: () => Promise<boolean>) => {
    const before = await points();
    const a = spawnPeer(process.execPath, [CLI, 'agent', '--config', cfgFile]);
    try {
      // The run's own samples (software, watchpost_probe) arrive after its document: both are in.
      await waitFor('software run at the collector', async () => (await points()) >= before + 2 && (await until()), 30_000, a.output);
    } finally {
      await stopProcess(a.proc);
    }
  };

  await runAgent(async () => (await api('/api/software/machine?agent=test-agent')).status === 200);
  const installed = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}\\n'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('ii')).length;
  let m = await api('/api/software/machine?agent=test-agent');
  t.equal((m.body.machine as { packages: number }).packages, installed, 'the collector holds every installed dpkg package');
  t.equal(await docs('baseline'), 1);

  // An app-store app appears, the agent restarts: one "installed" change, dated.
  mkdirSync(path.join(apps, 'com.xunlei.download'));
  writeFileSync(
    path.join(apps, 'com.xunlei.download', 'info'),
    JSON.stringify({ appid: 'com.xunlei.download', name: '迅雷', version: '1.0.0.6', arch: ['amd64'] }),
  );
  await runAgent(async () => (await docs('changed')) === 1);
  let ch = await api('/api/software/changes?from=2000-01-01');
  t.same(
    (ch.body.changes as { change: string; name: string; new_version: string }[]).map((c) => [c.change, c.name, c.new_version]),
    [['installed', '迅雷', '1.0.0.6']],
  );
  const f = await api('/api/software/findings');
  t.same((f.body.totals as Record<string, number>).forbidden, 1, 'the policy sees it');

  // Restart with nothing changed: the agent's gate (hash in its state dir) sends nothing.
  await runAgent(async () => true);
  t.equal(await docs('unchanged'), 0, 'no resend of an unchanged list after a restart');

  rmSync(path.join(apps, 'com.xunlei.download'), { recursive: true });
  await runAgent(async () => (await docs('changed')) === 2);
  ch = await api('/api/software/changes?from=2000-01-01&agent=test-agent');
  t.same(
    (ch.body.changes as { change: string; name: string }[]).map((c) => [c.change, c.name]),
    [
      ['installed', '迅雷'],
      ['removed', '迅雷'],
    ],
    'each change exactly once',
  );
  m = await api('/api/software/machine?agent=test-agent');
  t.equal((m.body.findings as unknown[]).length, 0);
  t.equal((await api('/api/software/machines')).status, 200);
  const noAuth = await fetch(`${col.url}/api/software/machines`);
  t.equal(noAuth.status, 401, 'the API needs a token');
});
