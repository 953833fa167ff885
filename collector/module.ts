import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/schema/collector.ts';
import type { Ingest } from './ingest/ingest.ts';
import type { Inventory } from './ingest/inventory.ts';
import type { Metrics } from './metrics.ts';
import type { CollectorServer } from './server.ts';
import type { AgentRegistry } from './store/agents.ts';
import type { AuditLog } from './store/audit.ts';
import type { Spool } from './store/spool.ts';

/** What a collector module (alerts, uptime, inspections, console…) gets to plug into. */
export interface CollectorContext {
  config: CollectorConfig;
  db: DatabaseSync;
  audit: AuditLog;
  agents: AgentRegistry;
  ingest: Ingest;
  inventory: Inventory;
  server: CollectorServer;
  metrics: Metrics;
  spool: Spool;
  log: Logger;
  now(): number;
  /** Other modules by name, once started (e.g. reports look up the uptime ledger). */
  modules: Map<string, unknown>;
}

/**
 * A collector module. `start` is called once after the store and server exist and before
 * the server listens; it registers migrations beforehand via registerMigrations at import
 * time, ingest listeners and routes. `stop` is called in reverse order at shutdown.
 */
export interface CollectorModule {
  name: string;
  start(ctx: CollectorContext): Promise<unknown> | unknown;
  stop?(): Promise<void> | void;
}
