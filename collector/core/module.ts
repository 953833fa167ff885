import type http from 'node:http';
import type https from 'node:https';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../../config/schema/collector.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Inventory } from '../ingest/inventory.ts';
import type { Metrics } from '../../lib/metrics.ts';
import type { Handler, RouteOptions } from '../http/router.ts';
import type { AgentRegistry } from '../store/agents.ts';
import type { AuditLog } from '../store/audit.ts';
import type { Spool } from '../store/spool.ts';

/**
 * The part of the collector's server (collector/server.ts) a module sees: it adds routes while it
 * starts, asks which agents are connected, and may listen on the underlying server's events.
 */
export interface ModuleServer {
  readonly server: http.Server | https.Server;
  route(method: string, pattern: string, h: Handler, opts?: RouteOptions): void;
  connectedAgents(): string[];
}

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
  server: ModuleServer;
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
