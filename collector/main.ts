import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/schema/collector.ts';
import { VERSION } from '../lib/version.ts';
import { Ingest } from './ingest/ingest.ts';
import { Inventory } from './ingest/inventory.ts';
import { Metrics } from './metrics.ts';
import type { CollectorContext, CollectorModule } from './module.ts';
import { modules as defaultModules } from './modules.ts';
import { ClientCerts } from './security/client-certs.ts';
import { CollectorServer, loadTls } from './server.ts';
import { AgentRegistry } from './store/agents.ts';
import { AuditLog, auditAnchorFile } from './store/audit.ts';
import { openStateDb } from './store/db.ts';
import { InfluxWriter } from './store/influx-writer.ts';
import { Spool } from './store/spool.ts';

export interface RunningCollector {
  port: number;
  url: string;
  ctx: CollectorContext;
  writer?: InfluxWriter | undefined;
  stop(opts?: { flushMs?: number }): Promise<void>;
}

/** Wiring only: store → ingest → spool → InfluxDB writer, server, modules. */
export async function startCollector(cfg: CollectorConfig, log: Logger, opts: { modules?: CollectorModule[]; now?: () => number } = {}): Promise<RunningCollector> {
  const now = opts.now ?? Date.now;
  const dataDir = cfg.collector.data_dir;
  const db: DatabaseSync = openStateDb(dataDir);
  const audit = new AuditLog(db, cfg.collector.audit_hash, now, auditAnchorFile(dataDir));
  if (audit.anchorIfMissing()) log.warn({ audit_head: audit.head() }, 'audit log had no anchor file (data directory of an earlier version, or the file was deleted): anchored its current head');
  const agents = new AgentRegistry(db, audit, now);
  for (const a of cfg.agents) {
    const { name, token_sha256, ...loc } = a;
    agents.addStatic(name, token_sha256, Object.fromEntries(Object.entries(loc).filter(([, v]) => v !== undefined)) as Record<string, string>);
  }
  const metrics = new Metrics();
  const spool = new Spool(dataDir, cfg.spool.max_bytes, { log: log.child({ component: 'spool' }), metrics });
  const inventory = new Inventory(cfg.inventory.devices);
  const ingest = new Ingest({ spool, inventory, metrics, log: log.child({ component: 'ingest' }), maxFutureMs: cfg.ingest.max_future_s * 1000, now });
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
  const ctx: CollectorContext = { config: cfg, db, audit, agents, ingest, inventory, server, metrics, spool, log, now, modules: new Map() };
  const mods = opts.modules ?? defaultModules;
  for (const m of mods) ctx.modules.set(m.name, await m.start(ctx));
  const port = await server.listen();
  writer?.start();
  const url = `${cfg.tls ? 'https' : 'http'}://${cfg.collector.listen_host}:${port}`;
  log.info({ url, influxdb: cfg.influxdb?.url ?? 'not configured (spooling)', data_dir: dataDir, version: VERSION, audit_head: audit.head() }, 'collector started');
  // The audit chain's head in the log every hour: a second anchor, outside the data directory.
  const auditHeadTimer = setInterval(() => log.info({ audit_head: audit.head() }, 'audit log head'), 3_600_000).unref();
  return {
    port,
    url,
    ctx,
    writer,
    async stop({ flushMs = 0 } = {}) {
      clearInterval(auditHeadTimer);
      await server.close();
      for (const m of [...mods].reverse()) await m.stop?.();
      await writer?.stop(flushMs);
      spool.close();
      db.close();
    },
  };
}
