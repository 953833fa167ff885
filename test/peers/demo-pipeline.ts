import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { startAgent, type RunningAgent } from '../../agent/main.ts';
import { startCollector, type RunningCollector } from '../../collector/main.ts';
import type { CollectorModule } from '../../collector/module.ts';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { parseConfig } from '../../config/load.ts';
import { agentConfigSchema } from '../../config/schema/agent.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { startInfluxd, type InfluxPeer } from './influxd.ts';
import { removeDir, tempDir } from './util.ts';

export interface DemoPipeline {
  influx: InfluxPeer;
  collector: RunningCollector;
  agent: RunningAgent;
  database: string;
  /** The enrolled agent's name (it also is the host probe's `host` tag). */
  agentName: string;
  stop(): Promise<void>;
}

/** Inventory entries the demo uses: one of each device kind, placed in building A. */
export const DEMO_INVENTORY = [
  { name: 'demo-pc-0301', kind: 'pc', site: 'hq', building: 'A', floor: '3', room: '301', role: 'office' },
  { name: 'sw-a-3f-01', kind: 'switch', site: 'hq', building: 'A', floor: '3', shaft: 'A-1', room: 'shaft-3', role: 'access' },
  { name: 'cam-a-1f-lobby', kind: 'camera', site: 'hq', building: 'A', floor: '1', room: 'lobby', role: 'cctv' },
  { name: 'prn-a-3f-01', kind: 'printer', site: 'hq', building: 'A', floor: '3', room: '302', role: 'office' },
];

/**
 * The real pipeline on loopback, in this process: influxd ← collector (startCollector, with
 * the given modules) ← agent (startAgent, host probe every second) enrolled in the
 * collector's agent store under the name `demo-pc-0301`, which the inventory places.
 */
export async function startDemoPipeline(modules: CollectorModule[]): Promise<DemoPipeline> {
  const dir = tempDir('demo');
  const influx = await startInfluxd();
  const database = 'watchpost';
  const log = pino({ level: 'silent' });
  const writeToken = newToken();
  const ccfg = parseConfig(
    stringify({
      collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'collector') },
      influxdb: { url: influx.url, database },
      inventory: { devices: DEMO_INVENTORY },
      http_write: { tokens: [{ name: 'seed', token_sha256: hashToken(writeToken) }] },
    }),
    'demo-collector.yaml',
    collectorConfigSchema,
  );
  const collector = await startCollector(ccfg, log, { modules });
  const agentName = 'demo-pc-0301';
  const { token } = collector.ctx.agents.enroll(agentName, 'test', { building: 'A', floor: '3' });
  const acfg = parseConfig(
    stringify({
      agent: { name: agentName, data_dir: path.join(dir, 'agent') },
      collector: { url: `ws://127.0.0.1:${collector.port}/v1/agent`, token, allow_insecure: true },
      batch: { flush_ms: 100 },
      probes: [{ kind: 'host', interval_s: 1, timeout_ms: 5000 }],
    }),
    'demo-agent.yaml',
    agentConfigSchema,
  );
  const agent = await startAgent(acfg, log);
  return {
    influx,
    collector,
    agent,
    database,
    agentName,
    async stop() {
      await agent.stop(500);
      await collector.stop({ flushMs: 500 });
      await influx.destroy();
      removeDir(dir);
    },
  };
}
