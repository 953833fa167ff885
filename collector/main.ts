import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/schema/collector.ts';
import { VERSION } from '../lib/version.ts';
import { type AlertsApi, startAlerts } from './alerts/module.ts';
import { type CablingHandle, startCabling } from './cabling/module.ts';
import { type ConfigStore, startConfigs } from './configs/module.ts';
import { type ConsoleHandle, startConsole } from './console/module.ts';
import { UserStore } from './security/users.ts';
import { type DeviceService, startDevices } from './devices/module.ts';
import { Ingest } from './ingest/ingest.ts';
import { Inventory } from './ingest/inventory.ts';
import { startInspections } from './inspections/module.ts';
import type { InspectionService } from './inspections/service.ts';
import { type Maintenance, startMaintenance } from './maintenance/module.ts';
import { Metrics } from '../lib/metrics.ts';
import type { CollectorContext } from './core/module.ts';
import { type ReportService, startReports } from './reports/module.ts';
import { ClientCerts } from './security/client-certs.ts';
import { type SelfMetrics, type SelfMetricsOptions, startSelfMetrics } from './self/module.ts';
import { CollectorServer, loadTls } from './server.ts';
import { type SoftwareService, startSoftware } from './software/module.ts';
import { AgentRegistry } from './store/agents.ts';
import { AuditLog, auditAnchorFile } from './store/audit.ts';
import { openStateDb } from './store/db.ts';
import { InfluxWriter } from './store/influx-writer.ts';
import { Spool } from './store/spool.ts';
import { startUptime, type UptimeService } from './uptime/module.ts';

/** The running modules' handles; a module that is off (config, or not chosen) is absent. */
export interface Modules {
  self?: SelfMetrics;
  maintenance?: Maintenance;
  uptime?: UptimeService;
  software?: SoftwareService;
  configs?: ConfigStore;
  cabling?: CablingHandle;
  alerts?: AlertsApi;
  inspections?: InspectionService;
  devices?: DeviceService;
  reports?: ReportService;
  console?: ConsoleHandle;
}

export type ModuleName = keyof Modules;

export interface StartOptions {
  now?: () => number;
  /** The modules to start (every one by default); tests start a few. */
  modules?: readonly ModuleName[];
  /** Handles to use instead of starting those modules (tests: a fake maintenance source). */
  given?: Partial<Modules>;
  /** Shorter intervals for tests. */
  selfMetrics?: SelfMetricsOptions;
  uptime?: { writeIntervalMs?: number };
}

export interface RunningCollector {
  port: number;
  url: string;
  ctx: CollectorContext;
  modules: Modules;
  writer?: InfluxWriter | undefined;
  stop(opts?: { flushMs?: number }): Promise<void>;
}

/**
 * The modules, started in dependency order: each `start` gets the handles of the modules it
 * uses and returns its own. Adding one: a folder under collector/ with a module.ts exporting
 * its start function and handle type, a field in Modules, and one line here.
 */
function startModules(ctx: CollectorContext, opts: StartOptions): Modules {
  const cfg = ctx.config;
  const m: Modules = { ...opts.given };
  const on = (n: ModuleName) => !(n in m) && (opts.modules?.includes(n) ?? true);
  if (on('self')) m.self = startSelfMetrics(ctx, opts.selfMetrics);
  if (on('maintenance')) m.maintenance = startMaintenance(ctx);
  if (on('uptime')) m.uptime = startUptime(ctx, { maintenance: m.maintenance }, opts.uptime);
  if (on('software')) m.software = startSoftware(ctx);
  if (on('configs')) m.configs = startConfigs(ctx);
  if (on('cabling')) m.cabling = startCabling(ctx);
  if (on('alerts') && cfg.alerts.enabled) m.alerts = startAlerts(ctx, { maintenance: m.maintenance });
  if (on('inspections')) m.inspections = startInspections(ctx, { alerts: m.alerts, software: m.software, cabling: m.cabling });
  // The console's users exist before the device API, which accepts their sessions.
  const users = on('console') && cfg.console.enabled ? new UserStore(ctx.db, ctx.audit, ctx.now) : undefined;
  if (on('devices'))
    m.devices = startDevices(ctx, { uptime: m.uptime, alerts: m.alerts, maintenance: m.maintenance, configs: m.configs, inspections: m.inspections, users });
  if (on('reports')) m.reports = startReports(ctx, { uptime: m.uptime, alerts: m.alerts, cabling: m.cabling, inspections: m.inspections });
  if (users) {
    m.console = startConsole(ctx, {
      users,
      devices: m.devices,
      alerts: m.alerts,
      maintenance: m.maintenance,
      inspections: m.inspections,
      reports: m.reports,
      software: m.software,
      cabling: m.cabling,
    });
  }
  return m;
}

/** Wiring only: store → ingest → spool → InfluxDB writer, server, modules. */
export async function startCollector(cfg: CollectorConfig, log: Logger, opts: StartOptions = {}): Promise<RunningCollector> {
  const now = opts.now ?? Date.now;
  const dataDir = cfg.collector.data_dir;
  const db: DatabaseSync = openStateDb(dataDir);
  const audit = new AuditLog(db, cfg.collector.audit_hash, now, auditAnchorFile(dataDir));
  if (audit.anchorIfMissing())
    log.warn(
      { audit_head: audit.head() },
      'audit log had no anchor file (data directory of an earlier version, or the file was deleted): anchored its current head',
    );
  const agents = new AgentRegistry(db, audit, now);
  for (const a of cfg.agents) {
    const { name, token_sha256, ...loc } = a;
    agents.addStatic(name, token_sha256, Object.fromEntries(Object.entries(loc).filter(([, v]) => v !== undefined)) as Record<string, string>);
  }
  const metrics = new Metrics();
  const spool = new Spool(dataDir, cfg.spool.max_bytes, { log: log.child({ component: 'spool' }), metrics });
  const inventory = new Inventory(cfg.inventory.devices);
  const ingest = new Ingest({
    spool,
    inventory,
    metrics,
    log: log.child({ component: 'ingest' }),
    maxFutureMs: cfg.ingest.max_future_s * 1000,
    warnPastMs: cfg.ingest.warn_past_s * 1000,
    now,
  });
  let writer: InfluxWriter | undefined;
  if (cfg.influxdb) writer = new InfluxWriter(cfg.influxdb, spool, metrics, log.child({ component: 'influx' }));
  metrics.gauge('watchpost_spool_points', 'Points waiting in the spool for InfluxDB', () => spool.stats().points);
  metrics.gauge('watchpost_spool_bytes', 'Bytes waiting in the spool for InfluxDB', () => spool.stats().bytes);
  const started = Date.now();
  metrics.gauge('watchpost_uptime_seconds', 'Seconds since the collector started', () => Math.round((Date.now() - started) / 1000));
  const writeTokens = new Map(cfg.http_write.tokens.map((t) => [t.token_sha256.toLowerCase(), t.name]));
  const server: CollectorServer = new CollectorServer({
    host: cfg.collector.listen_host,
    port: cfg.collector.listen_port,
    tls: loadTls(cfg.tls),
    maxFrameBytes: cfg.ingest.max_frame_bytes,
    agents,
    ingest,
    metrics,
    log: log.child({ component: 'server' }),
    writeTokens,
    httpWriteEnabled: cfg.http_write.enabled,
    limits: cfg.limits,
    clientCerts: new ClientCerts(db, audit, now),
    requireClientCert: cfg.tls?.require_client_cert,
    health: () => ({
      version: VERSION,
      influxdb: writer ? (writer.healthy ? 'up' : 'down') : 'not_configured',
      spool_points: spool.stats().points,
      agents_connected: server.connectedAgents().length,
    }),
  });
  const stops: (() => void | Promise<void>)[] = [];
  const ctx: CollectorContext = { config: cfg, db, audit, agents, ingest, inventory, server, metrics, spool, log, now, onStop: (fn) => stops.push(fn) };
  const modules = startModules(ctx, opts);
  const port = await server.listen();
  writer?.start();
  const url = `${cfg.tls ? 'https' : 'http'}://${cfg.collector.listen_host}:${port}`;
  log.info(
    { url, influxdb: cfg.influxdb?.url ?? 'not configured (spooling)', data_dir: dataDir, version: VERSION, audit_head: audit.head() },
    'collector started',
  );
  // The audit chain's head in the log every hour: a second anchor, outside the data directory.
  const auditHeadTimer = setInterval(() => log.info({ audit_head: audit.head() }, 'audit log head'), 3_600_000).unref();
  return {
    port,
    url,
    ctx,
    modules,
    writer,
    async stop({ flushMs = 0 } = {}) {
      clearInterval(auditHeadTimer);
      await server.close();
      for (const fn of stops.reverse()) await fn();
      await writer?.stop(flushMs);
      spool.close();
      db.close();
    },
  };
}
