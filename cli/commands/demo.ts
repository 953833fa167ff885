import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent } from '../../agent/main.ts';
import { startCollector } from '../../collector/main.ts';
import { parseConfig } from '../../config/load.ts';
import { agentConfigSchema } from '../../config/schema/agent.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { DEVICES, OUTAGE_CAMERA } from '../../demo/building.ts';
import { demoSecrets, scheduleOutage, startDemoPeers, writeDemoConfigs } from '../../demo/run.ts';
import { createLogger } from '../../lib/log.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { onShutdown } from '../shutdown.ts';

const HELP = `usage: watchpost demo [--dir .watchpost/demo] [--port 8080] [--influx URL|none]
                     [--outage-after-s 120] [--outage-for-s 300]

Starts a simulated building on loopback and watches it with the real product: a collector
(with the console) and one agent whose own probes poll the simulated devices over the real
protocols — switches and a printer over SNMP (net-snmp's agent serving device recordings),
ONVIF cameras, ping targets on 127.x, a local HTTPS portal, and this machine's own health.
About two minutes after start the parking camera goes offline for five minutes, so an alert
fires, escalates and resolves; notifications go to the console's notifications page.

When Debian's influxd is installed it is started on a free port with its data in the demo
folder (or give --influx URL; --influx none to skip), so charts and reports have metrics.
The console password and the API token are made once per demo folder and printed at every
start. WATCHPOST_PORT, WATCHPOST_DEMO_DIR and WATCHPOST_INFLUX_URL also set the options.`;

const num = (v: string | undefined, name: string, dflt: number) => {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, not "${v}"`);
  return Number(v);
};

export const command: Command = {
  summary: 'a simulated building on loopback, watched by a collector (with the console) and a local agent',
  async run(argv) {
    const { values } = parse(argv, { dir: { type: 'string' }, port: { type: 'string' }, influx: { type: 'string' }, 'outage-after-s': { type: 'string' }, 'outage-for-s': { type: 'string' } }, false);
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const dir = path.resolve(values.dir ?? process.env.WATCHPOST_DEMO_DIR ?? '.watchpost/demo');
    const port = num(values.port ?? process.env.WATCHPOST_PORT, 'port', 8080);
    const influxOpt = values.influx ?? process.env.WATCHPOST_INFLUX_URL;
    const log = createLogger(process.env.WATCHPOST_LOG_LEVEL ?? 'warn', 'watchpost-demo');
    const peers = await startDemoPeers(dir, { influx: influxOpt === undefined });
    const influx = influxOpt && influxOpt !== 'none' ? influxOpt : peers.influx?.url;
    const { agentFile, collectorFile } = writeDemoConfigs(dir, port, peers, influx);
    const ccfg = parseConfig(readFileSync(collectorFile, 'utf8'), collectorFile, collectorConfigSchema);
    const acfg = parseConfig(readFileSync(agentFile, 'utf8'), agentFile, agentConfigSchema);
    let collector;
    try {
      collector = await startCollector(ccfg, log);
    } catch (e) {
      // The simulated devices are this process's own: stop them before saying what went wrong.
      await peers.stop();
      throw e;
    }
    const secrets = demoSecrets(dir);
    const users = collector.modules.console?.users;
    if (users) {
      if (!users.get('admin')) users.add('demo', 'admin', secrets.password, 'admin', 'Demo administrator');
      else if (!users.check('admin', secrets.password)) users.setPassword('demo', 'admin', secrets.password);
    }
    const agent = await startAgent(acfg, log);
    const say = (l: string) => console.log(l);
    const cancel = scheduleOutage(peers, num(values['outage-after-s'], 'outage-after-s', 120), num(values['outage-for-s'], 'outage-for-s', 300), say);
    const recorded = [...peers.snmp.values()].some((s) => s.source.startsWith('recording'));
    console.log(
      [
        '',
        `Watchpost demo: a simulated building (${DEVICES.length} devices on loopback) watched by a collector and a local agent.`,
        `  console:     ${collector.url}/console/  (user admin, password ${secrets.password})`,
        `  api token:   ${secrets.apiToken}`,
        `  devices:     ${peers.snmp.size} SNMP (${recorded ? 'from the shared device recordings' : 'synthesized: ../shared/fixtures is absent'}), ${peers.cameras.size} ONVIF cameras, ${DEVICES.filter((d) => 'ping' in d.sim).length} PCs (ping 127.0.0.x), a HTTPS portal`,
        `  InfluxDB:    ${influx ?? `${influxOpt === 'none' ? 'not used (--influx none)' : 'not installed'} — state, console and reports work from the state DB; metrics wait in the spool (apt install influxdb, or WATCHPOST_INFLUX_URL)`}`,
        `  outage:      ${OUTAGE_CAMERA} goes offline in ${values['outage-after-s'] ?? 120} s for ${values['outage-for-s'] ?? 300} s`,
        `  configs:     ${collectorFile}, ${agentFile}`,
        `  health:      ${collector.url}/healthz`,
        `  try:         npx watchpost check host --json`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
    return onShutdown(log, async () => {
      cancel();
      await agent.stop(3000);
      await collector.stop({ flushMs: 3000 });
      await peers.stop();
    });
  },
};
