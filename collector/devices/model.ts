import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { CollectorConfig, DeviceConfig } from '../../config/schema/collector.ts';
import type { Sample } from '../../protocol/sample.ts';
import type { Inventory } from '../ingest/inventory.ts';
import { registerMigrations } from '../store/db.ts';
import { findings, type Reason } from './checks.ts';

registerMigrations({
  id: '700_device_state',
  sql: `
    CREATE TABLE device_state (
      name TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      since_ms INTEGER NOT NULL,
      last_seen_ms INTEGER,
      agent TEXT,
      reasons TEXT NOT NULL DEFAULT '[]',
      reach TEXT,
      health TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE device_transitions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      status TEXT NOT NULL,
      at_ms INTEGER NOT NULL,
      reasons TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX device_transitions_name ON device_transitions (name, at_ms);
  `,
});

export type DeviceStatus = 'up' | 'down' | 'degraded' | 'unknown' | 'maintenance';

/** A device's current state (one per inventory device and per unregistered target seen). */
export interface DeviceRecord {
  name: string;
  device: DeviceConfig | undefined;
  status: DeviceStatus;
  since: number;
  lastSeen: number | undefined;
  agent: string | undefined;
  reasons: Reason[];
  /** The last reachability observation (the uptime ledger's). */
  reach: { up: boolean; reason: string } | undefined;
  /** Failing health checks by check key (an entry is deleted when the check passes again). */
  health: Map<string, Reason[]>;
  /** Latest sample per measurement and series (tags), for the device page. */
  latest: Map<string, Sample>;
}

/** What the model asks about maintenance and agent hosts (looked up at call time). */
export interface DeviceModelDeps {
  db: DatabaseSync;
  inventory: Inventory;
  config: CollectorConfig;
  now(): number;
  /** Whether a maintenance window covers the device at t. */
  inMaintenance(name: string, t: number): boolean;
  /** When an agent of this name last reported (now when connected), or undefined. */
  agentSeen(name: string): number | undefined;
}

const MAX_SERIES = 512;
const LAST_SEEN_WRITE_MS = 30_000;

const word: Record<string, string> = {
  unreachable: 'does not answer',
  timeout: 'timed out',
  no_reply: 'no ping reply',
  host_unknown: 'host name does not resolve',
  snmp_no_response: 'SNMP does not answer',
  auth_failed: 'login refused',
};

/**
 * The device-state model: every inventory device and every target samples are about, with
 * a status derived from its samples (never from alerts). Reachability is the uptime
 * ledger's own observation of the same samples (checks.ts), judged at the sample's time
 * with the ledger's silence rule, so a device is down exactly when the ledger has it down
 * and unknown exactly where the ledger counts unknown. State is persisted in the state DB:
 * a restart keeps `since`.
 */
export class DeviceModel {
  private readonly d: DeviceModelDeps;
  private readonly recs = new Map<string, DeviceRecord>();
  private readonly silenceMs: number;
  private readonly st: Record<'save' | 'touch' | 'transition' | 'history', StatementSync>;
  private readonly written = new Map<string, number>();

  constructor(d: DeviceModelDeps) {
    this.d = d;
    this.silenceMs = d.config.uptime.silence_s * 1000;
    this.st = {
      save: d.db.prepare(`INSERT INTO device_state (name, status, since_ms, last_seen_ms, agent, reasons, reach, health) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET status = excluded.status, since_ms = excluded.since_ms, last_seen_ms = excluded.last_seen_ms, agent = excluded.agent,
        reasons = excluded.reasons, reach = excluded.reach, health = excluded.health`),
      touch: d.db.prepare('UPDATE device_state SET last_seen_ms = ?, agent = ? WHERE name = ?'),
      transition: d.db.prepare('INSERT INTO device_transitions (name, status, at_ms, reasons) VALUES (?, ?, ?, ?)'),
      history: d.db.prepare('SELECT status, at_ms, reasons FROM device_transitions WHERE name = ? AND at_ms >= ? ORDER BY id'),
    };
    type Row = {
      name: string;
      status: DeviceStatus;
      since_ms: number;
      last_seen_ms: number | null;
      agent: string | null;
      reasons: string;
      reach: string | null;
      health: string;
    };
    for (const r of d.db.prepare('SELECT * FROM device_state').all() as unknown as Row[]) {
      const dev = d.inventory.device(r.name);
      if (dev && dev.name !== r.name) {
        // Seen by its address before the inventory listed it: the inventory entry takes over.
        d.db.prepare('DELETE FROM device_state WHERE name = ?').run(r.name);
        continue;
      }
      this.recs.set(r.name, {
        name: r.name,
        device: d.inventory.device(r.name),
        status: r.status,
        since: r.since_ms,
        lastSeen: r.last_seen_ms ?? undefined,
        agent: r.agent ?? undefined,
        reasons: JSON.parse(r.reasons),
        reach: r.reach ? JSON.parse(r.reach) : undefined,
        health: new Map(Object.entries(JSON.parse(r.health) as Record<string, Reason[]>)),
        latest: new Map(),
      });
    }
    const now = d.now();
    for (const dev of d.inventory.devices) if (!this.recs.has(dev.name)) this.create(dev.name, dev, now);
  }

  private create(name: string, device: DeviceConfig | undefined, now: number): DeviceRecord {
    const r: DeviceRecord = {
      name,
      device,
      status: 'unknown',
      since: now,
      lastSeen: undefined,
      agent: undefined,
      reasons: [],
      reach: undefined,
      health: new Map(),
      latest: new Map(),
    };
    const j = this.judge(r, now);
    r.status = j.status;
    r.reasons = j.reasons;
    this.recs.set(name, r);
    this.save(r);
    this.st.transition.run(name, r.status, now, JSON.stringify(r.reasons));
    return r;
  }

  private save(r: DeviceRecord): void {
    this.st.save.run(
      r.name,
      r.status,
      r.since,
      r.lastSeen ?? null,
      r.agent ?? null,
      JSON.stringify(r.reasons),
      r.reach ? JSON.stringify(r.reach) : null,
      JSON.stringify(Object.fromEntries(r.health)),
    );
    if (r.lastSeen !== undefined) this.written.set(r.name, r.lastSeen);
  }

  /** Status and reasons of a record at time t (`since` is decided by the caller). */
  private judge(r: DeviceRecord, t: number): { status: DeviceStatus; reasons: Reason[]; from?: number } {
    if (this.d.inMaintenance(r.name, t))
      return { status: 'maintenance', reasons: [{ check: 'maintenance', value: true, threshold: null, message: 'in a maintenance window' }] };
    const agentSeen = this.d.agentSeen(r.name);
    const seen = Math.max(r.lastSeen ?? -Infinity, agentSeen ?? -Infinity);
    if (!Number.isFinite(seen))
      return {
        status: 'unknown',
        reasons: [{ check: 'never_seen', value: null, threshold: null, message: 'no sample about it has arrived yet: nothing polls it' }],
      };
    if (t - seen > this.silenceMs) {
      const s = Math.round((t - seen) / 1000);
      return {
        status: 'unknown',
        from: seen,
        reasons: [{ check: 'silence', value: s, threshold: this.silenceMs / 1000, message: `nothing heard for ${s} s (limit ${this.silenceMs / 1000} s)` }],
      };
    }
    if (r.reach && !r.reach.up)
      return { status: 'down', reasons: [{ check: 'reachability', value: r.reach.reason, threshold: null, message: word[r.reach.reason] ?? r.reach.reason }] };
    const bad = [...r.health.values()].flat();
    if (bad.length) return { status: 'degraded', reasons: bad };
    return { status: 'up', reasons: [] };
  }

  private apply(r: DeviceRecord, t: number): boolean {
    const j = this.judge(r, t);
    const same = j.status === r.status && JSON.stringify(j.reasons) === JSON.stringify(r.reasons);
    if (same) return false;
    if (j.status !== r.status) {
      // Silence starts where the ledger's known time ends: at the last sample.
      r.since = j.from ?? t;
      this.st.transition.run(r.name, j.status, r.since, JSON.stringify(j.reasons));
    }
    r.status = j.status;
    r.reasons = j.reasons;
    this.save(r);
    return true;
  }

  /** The record a target (name, address, URL) belongs to, created for unregistered targets. */
  recordFor(target: string, now: number): DeviceRecord {
    const dev = this.d.inventory.device(target);
    const name = dev?.name ?? target;
    return this.recs.get(name) ?? this.create(name, dev, now);
  }

  /** Ingest listener entry: samples of DEVICE_MEASUREMENTS, in arrival order. */
  onSamples(samples: readonly Sample[]): void {
    const now = this.d.now();
    for (const s of samples) {
      const subj = this.d.inventory.subject((k) => s.tags[k]);
      if (!subj || subj.self) continue;
      const r = this.recordFor(subj.target, now);
      if (r.lastSeen !== undefined && s.time < r.lastSeen) continue;
      const f = findings(s, this.d.config.devices);
      // A gap longer than the silence limit was unknown time, as the ledger counts it.
      if (r.lastSeen !== undefined && s.time - r.lastSeen > this.silenceMs) this.apply(r, s.time);
      r.lastSeen = s.time;
      if (s.tags.agent) r.agent = s.tags.agent;
      if (f.reach) r.reach = f.reach;
      for (const [k, v] of f.health) {
        if (v.length) r.health.set(k, v);
        else r.health.delete(k);
      }
      const key = `${s.measurement}\u0000${Object.entries(s.tags)
        .filter(([k]) => k !== 'agent')
        .sort()
        .join(',')}`;
      if (r.latest.has(key) || r.latest.size < MAX_SERIES) r.latest.set(key, s);
      if (!this.apply(r, s.time) && s.time - (this.written.get(r.name) ?? 0) > LAST_SEEN_WRITE_MS) {
        this.st.touch.run(r.lastSeen, r.agent ?? null, r.name);
        this.written.set(r.name, s.time);
      }
    }
  }

  /** Re-judges every device at `now` (silence, maintenance, agents): called periodically. */
  tick(): void {
    const now = this.d.now();
    for (const r of this.recs.values()) this.apply(r, now);
  }

  /** Writes every record's last_seen (at shutdown). */
  flush(): void {
    for (const r of this.recs.values())
      if (r.lastSeen !== undefined && this.written.get(r.name) !== r.lastSeen) this.st.touch.run(r.lastSeen, r.agent ?? null, r.name);
  }

  /** When the agent of this name last reported (an agent's own host is seen through its connection). */
  agentSeen(name: string): number | undefined {
    return this.d.agentSeen(name);
  }

  list(): DeviceRecord[] {
    return [...this.recs.values()];
  }

  get(nameOrAddress: string): DeviceRecord | undefined {
    return this.recs.get(nameOrAddress) ?? this.recs.get(this.d.inventory.nameOf(nameOrAddress));
  }

  /** Status changes of a device since fromMs, oldest first. */
  history(name: string, fromMs = 0): { status: DeviceStatus; at: number; reasons: Reason[] }[] {
    return (this.st.history.all(name, fromMs) as { status: DeviceStatus; at_ms: number; reasons: string }[]).map((h) => ({
      status: h.status,
      at: h.at_ms,
      reasons: JSON.parse(h.reasons),
    }));
  }
}
