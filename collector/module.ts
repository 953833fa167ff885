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

/**
 * What every collector module's `start` gets (collector/main.ts wires them): the store,
 * ingest, the server to register routes on. The modules a module uses come as a second,
 * typed argument; its `start` returns its own typed handle.
 */
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
  /**
   * Registers what a module does at shutdown (clear timers, flush, close channels). Called
   * after the server has closed and before the state DB closes, in reverse order of registering.
   */
  onStop(fn: () => void | Promise<void>): void;
}
