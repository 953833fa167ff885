import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { freePort, spawnPeer, stopProcess, tempDir, waitFor } from './util.ts';

const CLI = path.resolve(import.meta.dirname, '../../cli/watchpost.ts');

export interface CollectorProcess {
  url: string;
  wsUrl: string;
  port: number;
  dir: string;
  token: string;
  writeToken: string;
  configFile: string;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
  pid(): number | undefined;
}

/**
 * A collector as a real child process (`watchpost collector`), so tests can SIGKILL it.
 * `extra` is merged into its config (influxdb, inventory…).
 */
export async function collectorProcess(extra: Record<string, unknown> = {}): Promise<CollectorProcess> {
  const dir = tempDir('collector');
  const port = await freePort();
  const token = newToken();
  const writeToken = newToken();
  const cfg = {
    collector: { listen_host: '127.0.0.1', listen_port: port, data_dir: path.join(dir, 'data'), log_level: 'warn' },
    agents: [{ name: 'test-agent', token_sha256: hashToken(token), building: 'A', floor: '3' }],
    http_write: { tokens: [{ name: 'telegraf', token_sha256: hashToken(writeToken) }] },
    ...extra,
  };
  const configFile = path.join(dir, 'collector.yaml');
  writeFileSync(configFile, stringify(cfg));
  const url = `http://127.0.0.1:${port}`;
  let peer: ReturnType<typeof spawnPeer> | undefined;
  const self: CollectorProcess = {
    url,
    wsUrl: `ws://127.0.0.1:${port}/v1/agent`,
    port,
    dir,
    token,
    writeToken,
    configFile,
    async start() {
      const p = (peer = spawnPeer(process.execPath, [CLI, 'collector', '--config', configFile]));
      await waitFor(
        'collector',
        async () => {
          if (p.proc.exitCode !== null) throw new Error(`collector exited with code ${p.proc.exitCode}:\n${p.output()}`);
          return (await fetch(`${url}/healthz`)).ok;
        },
        20_000,
        p.output,
      );
    },
    async stop(signal = 'SIGTERM') {
      if (peer) await stopProcess(peer.proc, signal);
    },
    output: () => peer?.output() ?? '',
    pid: () => peer?.proc.pid,
  };
  await self.start();
  return self;
}
