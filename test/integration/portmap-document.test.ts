import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { collectorProcess } from '../peers/collector.ts';
import { startSnmpsim } from '../peers/snmpsim.ts';
import { FIXTURES, removeDir, spawnPeer, stopProcess, tempDir, waitFor } from '../peers/util.ts';

const CLI = path.resolve(import.meta.dirname, '../../cli/watchpost.ts');

// The port map's whole path: a real agent process polls a switch (snmpsimd replaying the
// Huawei S5720 forwarding tables), sends one `portmap` document per poll through its outbox,
// and the collector's cabling register places the MACs on their ports.
t.test('portmap documents from a real agent reach the cabling register', { skip: FIXTURES ? false : '../shared/fixtures is absent' }, async (t) => {
  const sim = await startSnmpsim([{ name: 'public', file: path.join(FIXTURES!, 'snmprec', 'fdb_huawei_s5720-36c.snmprec') }], { quiet: true });
  t.teardown(() => sim.stop());
  const apiToken = newToken();
  const col = await collectorProcess({
    alerts: { api_tokens: [{ name: 'test', token_sha256: hashToken(apiToken) }] },
    inventory: { devices: [{ name: 'sw-a-3f', kind: 'switch', building: 'A', floor: '3', shaft: 'A-3' }] },
  });
  t.teardown(() => col.stop());
  const dir = tempDir('portmap-agent');
  t.teardown(() => removeDir(dir));
  const cfgFile = path.join(dir, 'agent.yaml');
  writeFileSync(
    cfgFile,
    stringify({
      agent: { data_dir: path.join(dir, 'data'), log_level: 'warn' },
      collector: { url: col.wsUrl, token: col.token, allow_insecure: true },
      batch: { flush_ms: 50 },
      probes: [{ kind: 'portmap', interval_s: 3600, jitter_pct: 0, devices: [{ name: 'sw-a-3f', host: '127.0.0.1', port: sim.port }] }],
    }),
  );
  const api = async (p: string) =>
    (await (await fetch(`${col.url}${p}`, { headers: { authorization: `Bearer ${apiToken}` } })).json()) as {
      ports?: { port: string; nodes?: unknown[] }[];
      hits?: unknown[];
    };
  const agent = spawnPeer(process.execPath, [CLI, 'agent', '--config', cfgFile]);
  t.teardown(() => stopProcess(agent.proc));
  let ports: { port: string; nodes?: unknown[] }[] = [];
  await waitFor(
    "the register to hold the switch's ports",
    async () => {
      ports = (await api('/api/cabling/ports?switch=sw-a-3f')).ports ?? [];
      return ports.some((p) => (p.nodes?.length ?? 0) > 0);
    },
    40_000,
    agent.output,
  );
  const withNodes = ports.filter((p) => (p.nodes?.length ?? 0) > 0);
  t.ok(withNodes.length >= 1, `${withNodes.length} ports with devices on them: ${withNodes.map((p) => p.port).join(', ')}`);
  t.notOk(
    withNodes.some((p) => p.port === 'XGigabitEthernet0/0/1'),
    'the uplink with 24 MACs behind it places nobody',
  );
});
