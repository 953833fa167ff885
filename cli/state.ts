import { loadConfig } from '../config/load.ts';
import { collectorConfigSchema, type CollectorConfig } from '../config/schema/collector.ts';
import { AgentRegistry } from '../collector/store/agents.ts';
import { AuditLog, auditAnchorFile } from '../collector/store/audit.ts';
import { openStateDb } from '../collector/store/db.ts';

/** Opens the collector's state store for offline admin commands (enroll, audit). */
export function openState(configFile: string | undefined, dataDir: string | undefined) {
  let cfg: CollectorConfig | undefined;
  if (configFile) cfg = loadConfig(configFile, collectorConfigSchema);
  const dir = dataDir ?? cfg?.collector.data_dir ?? './.watchpost/collector';
  const db = openStateDb(dir);
  const audit = new AuditLog(db, cfg?.collector.audit_hash ?? 'sha256', Date.now, auditAnchorFile(dir));
  return { db, audit, agents: new AgentRegistry(db, audit), dir };
}

/** Who runs an admin command, for the audit log. */
export function cliActor(): string {
  return `cli:${process.env.SUDO_USER ?? process.env.USER ?? process.env.USERNAME ?? 'unknown'}`;
}
