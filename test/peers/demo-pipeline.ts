import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { startAgent, type RunningAgent } from '../../agent/main.ts';
import { startCollector, type RunningCollector, type StartOptions } from '../../collector/main.ts';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { parseConfig } from '../../config/load.ts';
import { agentConfigSchema } from '../../config/schema/agent.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { startInfluxd, type InfluxPeer } from './influxd.ts';
import { removeDir, tempDir } from './util.ts';

/** A running demo pipeline; `stop` stops the agent, collector and influxd and deletes their data. */
export interface DemoPipeline {
  influx: InfluxPeer;
  collector: RunningCollector;
  agent: RunningAgent;
  database: string;
  /** The enrolled agent's name (it also is the host probe's `host` tag). */
  agentName: string;
  /** The host tag the agent's probes write: the agent's name (agent.name). */
  host: string;
  /**
   * Posts line protocol (ms timestamps) to the collector's /write, like Telegraf would: as
   * the enrolled agent (its samples get `agent` and its location) or as a plain write client.
   */
  write(lines: readonly string[], as?: 'agent' | 'http'): Promise<void>;
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
 * the given modules and options) ← agent (startAgent, host probe every 2 s) enrolled in the
 * collector's agent store under the name `demo-pc-0301`, which the inventory places.
 */
export async function startDemoPipeline(modules: StartOptions): Promise<DemoPipeline> {
  const dir = tempDir('demo');
  const influx = await startInfluxd();
  const database = 'watchpost';
  const log = pino({ level: 'silent' });
  let collector: RunningCollector | undefined;
  let agent: RunningAgent | undefined;
  let agentToken = '';
  const writeToken = newToken();
  const agentName = 'demo-pc-0301';
  try {
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
    collector = await startCollector(ccfg, log, modules);
    const { token } = collector.ctx.agents.enroll(agentName, 'test', { building: 'A', floor: '3' });
    agentToken = token;
    const acfg = parseConfig(
      stringify({
        agent: { name: agentName, data_dir: path.join(dir, 'agent') },
        collector: { url: `ws://127.0.0.1:${collector.port}/v1/agent`, token, allow_insecure: true },
        batch: { flush_ms: 100 },
        probes: [{ kind: 'host', interval_s: 2, timeout_ms: 30_000 }],
      }),
      'demo-agent.yaml',
      agentConfigSchema,
    );
    agent = await startAgent(acfg, log);
  } catch (e) {
    // A pipeline that fails half-way must not leave influxd or the collector running.
    await agent?.stop(0);
    await collector?.stop();
    await influx.destroy();
    removeDir(dir);
    throw e;
  }
  const [col, ag] = [collector, agent];
  return {
    influx,
    collector: col,
    agent: ag,
    database,
    agentName,
    host: agentName,
    async write(lines, as = 'http') {
      const res = await fetch(`http://127.0.0.1:${col.port}/write?precision=ms`, {
        method: 'POST',
        headers: { authorization: `Token ${as === 'agent' ? agentToken : writeToken}` },
        body: lines.join('\n') + '\n',
      });
      if (res.status !== 204) throw new Error(`/write answered ${res.status}: ${await res.text()}`);
    },
    async stop() {
      await ag.stop(500);
      await col.stop({ flushMs: 500 });
      await influx.destroy();
      removeDir(dir);
    },
  };
}
