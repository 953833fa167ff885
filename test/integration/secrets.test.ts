import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { freePort, removeDir, spawnPeer, stopProcess, tempDir, waitFor } from '../peers/util.ts';

const CLI = path.resolve(import.meta.dirname, '../../cli/watchpost.ts');

// A real collector and a real agent run at log level trace with every kind of secret in their
// configs; the agent connects and sends, a client with a wrong token is refused, the InfluxDB
// writer fails against a closed port. Then every byte they printed, --check-config output,
// /metrics, /healthz, `audit list`, `enroll --list` and the files in their data directories
// are searched for the secrets.
t.test('no secret appears in config dumps, logs, metrics or data files of a real run', async (t) => {
  const dir = tempDir('secrets');
  t.teardown(() => removeDir(dir));
  const port = await freePort();
  const deadPort = await freePort();
  const agentToken = newToken();
  const writeToken = newToken();
  const wrongToken = newToken();
  const secrets = {
    agentToken,
    writeToken,
    wrongToken,
    influxPassword: 'Infl0x-pa55word-d0-not-leak',
    influxToken: 'influx-token-7c0ffee7c0ffee7c0ffee',
  };
  const colCfg = path.join(dir, 'collector.yaml');
  writeFileSync(
    colCfg,
    stringify({
      collector: { listen_host: '127.0.0.1', listen_port: port, data_dir: path.join(dir, 'collector'), log_level: 'trace' },
      influxdb: {
        url: `http://127.0.0.1:${deadPort}`,
        database: 'w',
        username: 'watchpost',
        password: secrets.influxPassword,
        token: secrets.influxToken,
        timeout_ms: 500,
      },
      agents: [{ name: 'pc-0301', token_sha256: hashToken(agentToken) }],
      http_write: { tokens: [{ name: 'telegraf', token_sha256: hashToken(writeToken) }] },
    }),
  );
  const agentCfg = path.join(dir, 'agent.yaml');
  writeFileSync(
    agentCfg,
    stringify({
      agent: { name: 'pc-0301', data_dir: path.join(dir, 'agent'), log_level: 'trace' },
      collector: { url: `ws://127.0.0.1:${port}/v1/agent`, token: agentToken, allow_insecure: true },
      batch: { flush_ms: 100 },
      probes: [{ kind: 'host', interval_s: 1 }],
    }),
  );
  let printed = '';
  for (const [cmd, file] of [
    ['collector', colCfg],
    ['agent', agentCfg],
  ] as const) {
    const r = spawnSync(process.execPath, [CLI, cmd, '--config', file, '--check-config'], { encoding: 'utf8' });
    t.equal(r.status, 0, `${cmd} --check-config: ${r.stderr}`);
    t.match(r.stdout, '<secret>', `${cmd} --check-config shows secrets as <secret>`);
    printed += r.stdout + r.stderr;
  }
  const col = spawnPeer(process.execPath, [CLI, 'collector', '--config', colCfg]);
  t.teardown(() => stopProcess(col.proc));
  await waitFor('collector', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 20_000, col.output);
  const agent = spawnPeer(process.execPath, [CLI, 'agent', '--config', agentCfg]);
  t.teardown(() => stopProcess(agent.proc));
  await waitFor(
    'agent data in the collector',
    async () => /watchpost_ingest_points_total\{source="agent"\} [1-9]/.test(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()),
    30_000,
    () => col.output() + agent.output(),
  );
  // A refused client with a token the collector does not know, on both endpoints.
  await new Promise<void>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/agent`, { headers: { authorization: `Bearer ${wrongToken}` } });
    ws.on('unexpected-response', () => resolve());
    ws.on('error', () => resolve());
  });
  const w = await fetch(`http://127.0.0.1:${port}/write?db=w&u=x&p=${wrongToken}`, { method: 'POST', body: 'm v=1' });
  t.equal(w.status, 401);
  const ok = await fetch(`http://127.0.0.1:${port}/api/v2/write?bucket=w`, {
    method: 'POST',
    body: 'm v=1',
    headers: { authorization: `Token ${writeToken}` },
  });
  t.equal(ok.status, 204, 'the right /write token is accepted');
  await waitFor('influx writer failed at least once', async () => /influx/i.test(col.output()), 10_000, col.output);
  printed += await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  printed += await (await fetch(`http://127.0.0.1:${port}/healthz`)).text();
  await stopProcess(agent.proc);
  await stopProcess(col.proc);
  printed += col.output() + agent.output();
  for (const args of [
    ['audit', 'list'],
    ['enroll', '--list'],
  ])
    printed += spawnSync(process.execPath, [CLI, ...args, '--config', colCfg], { encoding: 'utf8' }).stdout;
  t.ok(printed.length > 2000, `${printed.length} characters of output searched`);
  t.match(printed, /"level":(10|20)/, 'trace/debug logs were on');
  // Every file the run left behind (state.db, spool.db, outbox.db and their WAL files).
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(path.join(dir, 'collector'));
  walk(path.join(dir, 'agent'));
  t.ok(files.length >= 3, `${files.length} data files searched`);
  for (const [name, secret] of Object.entries(secrets)) {
    t.notOk(printed.includes(secret), `${name} not in any output`);
    const inFiles = files.filter((f) => readFileSync(f).includes(secret));
    // The agent's own token is in its config only; no data file may hold any secret.
    t.same(inFiles, [], `${name} not in any data file`);
  }
});
