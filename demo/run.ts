import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import { hashToken, newToken } from '../collector/store/agents.ts';
import { createCa, issueCert } from '../collector/security/pki.ts';
import { DEVICES, OUTAGE_CAMERA, SITE, type DemoDevice } from './building.ts';
import { startOnvifSim, type OnvifSim } from './onvif-sim.ts';
import { freeTcpPort, freeUdpPort } from './ports.ts';
import { deviceVariables, synthesizedPrinter, synthesizedSwitch } from './recordings.ts';
import { startRtspStub, type RtspStub } from './rtsp-stub.ts';
import { startSnmpDevice, type SnmpDevice } from './snmp-agent.ts';

export const CAMERA_USER = 'admin';
/** The simulated cameras' password: a demo value, shown in the generated agent config. */
export const CAMERA_PASSWORD = 'Demo#Cam2026';

/** A secret made once per demo data dir and kept there (mode 0600), so every start prints the same one. */
function secretFile(file: string, make: () => string): string {
  if (!existsSync(file)) writeFileSync(file, make() + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

export interface DemoPeers {
  snmp: Map<string, SnmpDevice & { source: string }>;
  cameras: Map<string, OnvifSim>;
  rtsp: RtspStub;
  site: { url: string; caFile: string; close(): Promise<void> };
  influx?: { url: string; stop(): Promise<void> } | undefined;
  stop(): Promise<void>;
}

/** The portal the organisation publishes: HTTPS with a certificate from the demo's own CA. */
async function startSite(dir: string): Promise<DemoPeers['site']> {
  const caFile = path.join(dir, 'site-ca.pem');
  const certFile = path.join(dir, 'site.pem');
  const keyFile = path.join(dir, 'site-key.pem');
  if (!existsSync(certFile)) {
    const ca = createCa({ commonName: 'Watchpost demo CA', days: 3650 });
    const leaf = issueCert(ca, { commonName: 'portal.demo.local', usage: 'server', san: ['portal.demo.local', 'localhost', '127.0.0.1'], days: 90 });
    writeFileSync(caFile, ca.certPem);
    writeFileSync(certFile, leaf.certPem);
    writeFileSync(keyFile, leaf.keyPem, { mode: 0o600 });
  }
  const page = Buffer.from(
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>示范单位门户网站</title></head><body><h1>欢迎访问示范单位门户网站</h1><p>政务公开 · 办事服务 · 互动交流</p></body></html>',
  );
  const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    if (req.url === '/api/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"code":0,"msg":"ok"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
    res.end(page);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return { url: `https://127.0.0.1:${port}/`, caFile, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * Debian's influxd (1.x) on a free loopback port with its data under the demo folder, when
 * it is installed; the demo then writes metrics there. Tied to this process through a small
 * sh wrapper that ends it when our stdin pipe closes, so it never outlives the demo.
 */
async function startInfluxd(dir: string): Promise<DemoPeers['influx']> {
  const bin = ['/usr/bin/influxd', '/usr/local/bin/influxd'].find((p) => existsSync(p));
  if (!bin) return undefined;
  const data = path.join(dir, 'influxdb');
  mkdirSync(data, { recursive: true });
  const port = await freeTcpPort();
  const rpc = await freeTcpPort();
  const conf = path.join(data, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true\nbind-address = "127.0.0.1:${rpc}"\n[meta]\n  dir = "${data}/meta"\n[data]\n  dir = "${data}/data"\n  wal-dir = "${data}/wal"\n  query-log-enabled = false\n[http]\n  enabled = true\n  bind-address = "127.0.0.1:${port}"\n  log-enabled = false\n[monitor]\n  store-enabled = false\n[logging]\n  level = "warn"\n`,
  );
  const script = `"$0" "$@" & p=$!; cat >/dev/null; kill $p 2>/dev/null; wait $p`;
  const child = spawn('sh', ['-c', script, bin, '-config', conf], { stdio: ['pipe', 'ignore', 'ignore'] });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 204) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until || child.exitCode !== null) {
      child.stdin.end();
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Starts every simulated device of the building (and influxd when installed). */
export async function startDemoPeers(dir: string, o: { influx?: boolean } = {}): Promise<DemoPeers> {
  mkdirSync(dir, { recursive: true });
  const snmp = new Map<string, SnmpDevice & { source: string }>();
  const cameras = new Map<string, OnvifSim>();
  const rtsp = await startRtspStub();
  for (const d of DEVICES) {
    if ('snmp' in d.sim) {
      const fb = d.sim.fallback;
      const { vars, source } = deviceVariables(d.sim.snmp, () =>
        fb === 'printer'
          ? synthesizedPrinter()
          : synthesizedSwitch({
              descr:
                fb === 'switch-core'
                  ? 'Huawei Versatile Routing Platform Software, VRP (R) software, Version 5.170 (S5720 V200R011C10SPC600)'
                  : 'H3C Comware Platform Software, Software Version 5.20.99, Release 5501P28',
              objectId: fb === 'switch-core' ? '1.3.6.1.4.1.2011.2.23.375' : '1.3.6.1.4.1.25506.1.1104',
              name: d.name,
              up: fb === 'switch-core' ? [1, 2, 3, 4, 25, 26] : [1, 3, 5, 8, 12, 25],
            }),
      );
      const dev = await startSnmpDevice(vars, { port: await freeUdpPort() });
      snmp.set(d.name, Object.assign(dev, { source }));
    } else if ('onvif' in d.sim) {
      cameras.set(
        d.name,
        await startOnvifSim({
          replies: 'built-in',
          auth: 'wsse',
          user: CAMERA_USER,
          password: CAMERA_PASSWORD,
          clockSkewS: d.floor === '3' ? 3 : 0,
          model: d.sim.model,
          serial: `${d.sim.model}20250611AAWR${randomBytes(4).toString('hex').toUpperCase()}`,
        }),
      );
    }
  }
  const site = await startSite(dir);
  const influx = o.influx === false ? undefined : await startInfluxd(dir);
  return {
    snmp,
    cameras,
    rtsp,
    site,
    influx,
    async stop() {
      await Promise.all([...[...snmp.values()].map((s) => s.close()), ...[...cameras.values()].map((c) => c.stop()), rtsp.close(), site.close()]);
      await influx?.stop();
    },
  };
}

function location(d: DemoDevice) {
  return { site: SITE, building: d.building, floor: d.floor, ...(d.shaft ? { shaft: d.shaft } : {}), room: d.room };
}

/** The demo's console password and API token: made once per data dir, printed at every start. */
export function demoSecrets(dir: string): { password: string; apiToken: string; agentToken: string } {
  mkdirSync(dir, { recursive: true });
  return {
    agentToken: secretFile(path.join(dir, 'agent.token'), newToken),
    password: secretFile(path.join(dir, 'console-password'), () => randomBytes(9).toString('base64url')),
    apiToken: secretFile(path.join(dir, 'api.token'), newToken),
  };
}

/** The demo's collector config: the simulated building's inventory, rules, routes and inspections. */
function demoCollectorConfig(dir: string, port: number, influxUrl: string | undefined, s: ReturnType<typeof demoSecrets>) {
  const inventory = DEVICES.map((d) => ({
    name: d.name,
    kind: d.kind,
    ...('ping' in d.sim ? { address: d.sim.ping } : {}),
    ...(d.parent ? { parent: d.parent } : {}),
    ...location(d),
  }));
  return {
    collector: { listen_host: '127.0.0.1', listen_port: port, data_dir: path.join(dir, 'collector') },
    ...(influxUrl ? { influxdb: { url: influxUrl, database: 'watchpost' } } : {}),
    agents: [{ name: 'poller-a-1f', token_sha256: hashToken(s.agentToken), site: SITE, building: 'A', floor: '1', room: '101 网络机房' }],
    inventory: { devices: inventory },
    alerts: {
      eval_interval_ms: 1000,
      group_wait_s: 5,
      repeat_interval_s: 3600,
      api_tokens: [{ name: 'demo', token_sha256: hashToken(s.apiToken) }],
      // The shipped printer rules (toner, drum, waste, jam, door, offline…), as an installation uses them.
      rules_files: [path.resolve(import.meta.dirname, '../config/rules/printers.yaml')],
      rules: [
        {
          name: 'camera_down',
          type: 'threshold',
          measurement: 'camera',
          field: 'up',
          op: '==',
          fire: 0,
          for_s: 30,
          severity: 'critical',
          summary: '摄像机离线 camera {target} down',
        },
        {
          name: 'switch_down',
          type: 'threshold',
          measurement: 'snmp_device',
          field: 'up',
          op: '==',
          fire: 0,
          for_s: 30,
          severity: 'critical',
          summary: '交换机无响应 switch {target} not answering',
        },
        {
          name: 'host_unreachable',
          type: 'threshold',
          measurement: 'ping',
          field: 'percent_packet_loss',
          op: '>=',
          fire: 100,
          for_s: 60,
          severity: 'warning',
          target_tag: 'url',
          summary: '终端无法 ping 通 {target} unreachable',
        },
        { name: 'disk_full', type: 'threshold', measurement: 'disk', field: 'used_percent', op: '>', fire: 90, clear: 85, for_s: 600, severity: 'warning' },
        { name: 'device_events', type: 'event', kinds: ['snmp_reboot', 'config_changed', 'snmp_trap'], min_severity: 'warning', resolve_after_s: 900 },
        { name: 'inspection_due', type: 'inspection', due_within_days: 7, severity: 'warning' },
      ],
      // The duty engineer first; the supervisor when nobody acknowledged within a minute.
      route: { receiver: 'duty', escalate: [{ after_s: 60, receiver: 'supervisor' }] },
      receivers: [
        { name: 'duty', console: ['值班工程师 duty engineer'] },
        { name: 'supervisor', console: ['项目主管 supervisor'] },
      ],
    },
    inspections: {
      check_interval_s: 60,
      schedules: [
        {
          id: 'network-a',
          title: 'A 座网络及弱电井巡检 Building A network and shafts',
          kind: 'network',
          every: 'monthly',
          owner: 'duty',
          scope: { building: 'A' },
        },
        {
          id: 'cctv-a',
          title: 'A 座视频监控巡检 Building A CCTV',
          kind: 'cctv',
          every: 'weekly',
          remind_days_before: 7,
          owner: 'duty',
          scope: { building: 'A' },
        },
      ],
    },
    reports: { organisation: '示范单位 Demo Organisation', contractor: 'Watchpost 运维 demo' },
  };
}

/** The demo's poller agent config: every probe kind pointed at the simulated devices. */
function demoAgentConfig(dir: string, port: number, peers: DemoPeers, tokenFile: string) {
  const snmpDevice = (name: string) => ({
    name,
    host: '127.0.0.1',
    port: peers.snmp.get(name)!.port,
    community: 'public',
    request_timeout_ms: 1500,
    retries: 0,
  });
  return {
    agent: { name: 'poller-a-1f', data_dir: path.join(dir, 'agent') },
    collector: { url: `ws://127.0.0.1:${port}/v1/agent`, token_file: tokenFile, allow_insecure: true },
    tags: { site: SITE, building: 'A', floor: '1', room: '101 网络机房' },
    probes: [
      { kind: 'host', interval_s: 10 },
      { kind: 'ping', interval_s: 10, targets: DEVICES.flatMap((d) => ('ping' in d.sim ? [d.sim.ping] : [])) },
      { kind: 'snmp', interval_s: 15, devices: DEVICES.filter((d) => 'snmp' in d.sim && d.kind === 'switch').map((d) => snmpDevice(d.name)) },
      { kind: 'printer', interval_s: 30, devices: DEVICES.filter((d) => 'snmp' in d.sim && d.kind === 'printer').map((d) => snmpDevice(d.name)) },
      // Which device is on which port: the floor switches' forwarding tables, every 5 minutes.
      {
        kind: 'portmap',
        interval_s: 300,
        jitter_pct: 0,
        devices: DEVICES.filter((d) => 'snmp' in d.sim && d.kind === 'switch' && d.shaft).map((d) => snmpDevice(d.name)),
      },
      // The organisation's portal: status, keyword, phases, the certificate and its chain, the domain's registration.
      {
        kind: 'http',
        interval_s: 15,
        targets: [
          {
            name: 'portal',
            url: peers.site.url,
            ca_file: peers.site.caFile,
            keywords: ['示范单位门户网站'],
            domain_expires: new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10),
          },
          { name: 'portal', url: `${peers.site.url}api/health`, ca_file: peers.site.caFile, json_assert: ['$.code == 0'] },
        ],
      },
      // This machine's installed software, for the licensing (正版化) pages.
      { kind: 'software', interval_s: 43_200, jitter_pct: 0 },
      {
        kind: 'onvif',
        interval_s: 15,
        timeout_ms: 14_000,
        request_timeout_ms: 3000,
        user: CAMERA_USER,
        password: CAMERA_PASSWORD,
        rtsp_port: peers.rtsp.port,
        cameras: [...peers.cameras.entries()].map(([name, sim]) => ({ name, url: sim.url })),
      },
    ],
  };
}

/**
 * The demo's collector and agent configs, written to the demo folder (they are ordinary
 * config files: copy and edit them for a real building). `outage` moves when the parking
 * camera goes offline, for tests that cannot wait the default two minutes.
 */
export function writeDemoConfigs(
  dir: string,
  port: number,
  peers: DemoPeers,
  influxUrl: string | undefined,
): { agentFile: string; collectorFile: string; tokenFile: string } {
  const s = demoSecrets(dir);
  const tokenFile = path.join(dir, 'agent.token');
  const collector = demoCollectorConfig(dir, port, influxUrl, s);
  const agent = demoAgentConfig(dir, port, peers, tokenFile);
  const header =
    '# Generated by `watchpost demo` at every start (the simulated devices get new ports). Loopback only, plain ws://: for trying Watchpost out, not for production.\n';
  const collectorFile = path.join(dir, 'collector.yaml');
  const agentFile = path.join(dir, 'agent.yaml');
  writeFileSync(collectorFile, header + stringify(collector), { mode: 0o600 });
  writeFileSync(agentFile, header + stringify(agent), { mode: 0o600 });
  return { agentFile, collectorFile, tokenFile };
}

/** Takes the parking camera offline after `afterS` and back after `forS` more; returns a cancel. */
export function scheduleOutage(peers: DemoPeers, afterS: number, forS: number, say: (line: string) => void): () => void {
  const cam = peers.cameras.get(OUTAGE_CAMERA);
  if (!cam || afterS <= 0) return () => {};
  const t1 = setTimeout(() => {
    cam.setMode('reset');
    say(`demo: ${OUTAGE_CAMERA} went offline (back in ${forS} s) — watch its alert fire, escalate and resolve in the console`);
    t2 = setTimeout(() => {
      cam.setMode('ok');
      say(`demo: ${OUTAGE_CAMERA} is back online`);
    }, forS * 1000);
    t2.unref();
  }, afterS * 1000);
  t1.unref();
  let t2: NodeJS.Timeout | undefined;
  return () => {
    clearTimeout(t1);
    if (t2) clearTimeout(t2);
  };
}
