import type { DatabaseSync } from 'node:sqlite';
import type { PortmapSnapshot } from '../../lib/portmap-snapshot.ts';
import type { Event } from '../../protocol/sample.ts';
import { registerMigrations } from '../store/db.ts';

registerMigrations({
  id: '430_cabling_register',
  sql: `
    CREATE TABLE cabling_nodes (
      mac TEXT PRIMARY KEY,
      switch TEXT NOT NULL,
      port TEXT NOT NULL,
      if_index INTEGER NOT NULL,
      vlan INTEGER,
      agent TEXT NOT NULL,
      first_seen_ms INTEGER NOT NULL,
      port_since_ms INTEGER NOT NULL,
      last_seen_ms INTEGER NOT NULL,
      lost_reported INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX cabling_nodes_port ON cabling_nodes (switch, port);
    CREATE TABLE cabling_ips (
      mac TEXT NOT NULL,
      ip TEXT NOT NULL,
      first_seen_ms INTEGER NOT NULL,
      last_seen_ms INTEGER NOT NULL,
      PRIMARY KEY (mac, ip)
    );
    CREATE INDEX cabling_ips_ip ON cabling_ips (ip);
    CREATE TABLE cabling_moves (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      mac TEXT NOT NULL,
      from_switch TEXT NOT NULL,
      from_port TEXT NOT NULL,
      to_switch TEXT NOT NULL,
      to_port TEXT NOT NULL,
      time_ms INTEGER NOT NULL
    );
    CREATE INDEX cabling_moves_mac ON cabling_moves (mac, id);
    CREATE TABLE cabling_ports (
      switch TEXT NOT NULL,
      port TEXT NOT NULL,
      if_index INTEGER NOT NULL,
      oper_status TEXT NOT NULL,
      speed_mbps REAL,
      pvid INTEGER,
      edge INTEGER NOT NULL,
      mac_count INTEGER NOT NULL,
      reasons TEXT NOT NULL,
      last_seen_ms INTEGER NOT NULL,
      PRIMARY KEY (switch, port)
    );
    CREATE TABLE cabling_records (
      switch TEXT NOT NULL,
      port TEXT NOT NULL,
      patch_panel TEXT NOT NULL DEFAULT '',
      cable_label TEXT NOT NULL DEFAULT '',
      wall_socket TEXT NOT NULL DEFAULT '',
      room TEXT NOT NULL DEFAULT '',
      note TEXT NOT NULL DEFAULT '',
      updated_ms INTEGER NOT NULL,
      updated_by TEXT NOT NULL,
      PRIMARY KEY (switch, port)
    );
  `,
});

export const RECORD_FIELDS = ['patch_panel', 'cable_label', 'wall_socket', 'room', 'note'] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];
export type PortRecord = { switch: string; port: string } & Record<RecordField, string>;

/** Event kinds the register raises (alert rules of `type: event` match them). */
export const CABLING_EVENTS = { unknown: 'cabling_unknown_device', moved: 'cabling_device_moved', lost: 'cabling_port_lost_device' } as const;

/** A MAC the register has placed on a switch port (the last edge port it was seen on). */
export interface Node {
  mac: string;
  switch: string;
  port: string;
  if_index: number;
  vlan: number | null;
  agent: string;
  first_seen_ms: number;
  port_since_ms: number;
  last_seen_ms: number;
  /** 1 once the node was reported lost (unseen for lostAfterMs); back to 0 when seen again. */
  lost_reported: number;
}
/** One move of a MAC from one edge port to another. */
export interface Move {
  mac: string;
  from_switch: string;
  from_port: string;
  to_switch: string;
  to_port: string;
  time_ms: number;
}

/** Who a MAC is: the OUI vendor, and the inventory device whose address is one of its IPs. */
export interface Identity {
  vendor(mac: string): string;
  /** The inventory device or agent (name) for an IP or MAC, when one is known. */
  device(ip: string | null, mac: string): string | undefined;
  /** IPs of the devices and agents whose name contains `text` (case-insensitive), for search by host name. */
  addressesOf(text: string): string[];
}

/** A node with what the register knows about it: IPs (newest first), vendor, name and its port's record. */
export interface SearchHit extends Node {
  ips: string[];
  /** The latest moves of this MAC, oldest first (at most 5). */
  moves: Move[];
  vendor: string;
  inventory_device: string | null;
  record: PortRecord | null;
}

/** The monthly report's cabling figures (collector/reports). */
export interface CablingReportFacts {
  switches: number;
  devices: number;
  new_devices: number;
  moves: number;
  unknown: { switch: string; port: string; mac: string; ips: string[]; vendor: string; first_seen_ms: number }[];
}

/** What one snapshot changed: nodes attached for the first time, moved, lost, and how many of the new ones nobody names. */
export interface IngestSummary {
  attached: number;
  moved: number;
  lost: number;
  unknown: number;
}

/**
 * The cabling and terminal register: which device is on which switch port, where that port's
 * cable goes, and what changed. The collector calls `ingest` once per PortmapSnapshot (however
 * it arrives); it updates nodes, IPs, ports and moves in one transaction and returns the
 * events it raised (also passed to `emit`). Record edits are validated and returned; the
 * caller audit-logs them with the actor.
 */
export interface CablingRegister {
  ingest(agent: string, snap: PortmapSnapshot, now: number): IngestSummary & { events: Event[] };
  search(q: string): SearchHit[];
  ports(sw: string): ({ switch: string; port: string; if_index: number; oper_status: string; speed_mbps: number | null; pvid: number | null; edge: boolean; mac_count: number; reasons: string[] } & { nodes: SearchHit[]; record: PortRecord | null })[];
  history(mac: string): Move[];
  /**
   * For the monthly inspection of one switch: ports whose device changed since `sinceMs` (a
   * device arrived, by first sighting or by a move, or left by a move) and the devices now on
   * it that no inventory entry names.
   */
  inspect(sw: string, sinceMs: number): { changed: { port: string; mac: string; change: 'new' | 'moved_in' | 'moved_out'; time_ms: number }[]; unknown: { port: string; mac: string; ips: string[]; vendor: string }[] };
  /** The monthly report's figures for [fromMs, toMs): devices now on edge ports, first seen and moves in the period, and the unknown ones. */
  reportFacts(fromMs: number, toMs: number): CablingReportFacts;
  /** Every switch a snapshot has come from, with its port and node counts. */
  switches(): { switch: string; ports: number; edge_ports: number; nodes: number; last_seen_ms: number }[];
  record(sw: string, port: string): PortRecord | null;
  records(): PortRecord[];
  /** Sets the records of an imported sheet; returns those that changed (unchanged rows are skipped). */
  importRecords(rows: readonly PortRecord[], by: string, now: number): { before: PortRecord | null; after: PortRecord }[];
  /** Sets the given fields of a port's record; returns the record before and after. */
  setRecord(sw: string, port: string, fields: Partial<Record<RecordField, string>>, by: string, now: number): { before: PortRecord | null; after: PortRecord };
}

/** How the register names devices, where its events go, and when a device counts as gone. */
export interface RegisterOptions {
  identity: Identity;
  emit(events: Event[]): void;
  /** A node not seen for this long has left its port ("port lost its device"). */
  lostAfterMs: number;
}

const normMac = (s: string) => {
  const h = s.toLowerCase().replace(/[^0-9a-f]/g, '');
  return h.length === 12 ? h.match(/../g)!.join(':') : null;
};

/** The register's prepared statements. */
function prepareQueries(db: DatabaseSync) {
  return {
    node: db.prepare('SELECT * FROM cabling_nodes WHERE mac = ?'),
    insertNode: db.prepare('INSERT INTO cabling_nodes (mac, switch, port, if_index, vlan, agent, first_seen_ms, port_since_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    seen: db.prepare('UPDATE cabling_nodes SET last_seen_ms = ?, vlan = ?, if_index = ?, agent = ?, lost_reported = 0 WHERE mac = ?'),
    move: db.prepare('UPDATE cabling_nodes SET switch = ?, port = ?, if_index = ?, vlan = ?, agent = ?, port_since_ms = ?, last_seen_ms = ?, lost_reported = 0 WHERE mac = ?'),
    addMove: db.prepare('INSERT INTO cabling_moves (mac, from_switch, from_port, to_switch, to_port, time_ms) VALUES (?, ?, ?, ?, ?, ?)'),
    stale: db.prepare('SELECT * FROM cabling_nodes WHERE switch = ? AND last_seen_ms < ? AND lost_reported = 0'),
    reported: db.prepare('UPDATE cabling_nodes SET lost_reported = 1 WHERE mac = ?'),
    ip: db.prepare('INSERT INTO cabling_ips (mac, ip, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?) ON CONFLICT (mac, ip) DO UPDATE SET last_seen_ms = excluded.last_seen_ms'),
    ipsOf: db.prepare('SELECT ip FROM cabling_ips WHERE mac = ? ORDER BY last_seen_ms DESC'),
    port: db.prepare(
      `INSERT INTO cabling_ports (switch, port, if_index, oper_status, speed_mbps, pvid, edge, mac_count, reasons, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (switch, port) DO UPDATE SET if_index = excluded.if_index, oper_status = excluded.oper_status, speed_mbps = excluded.speed_mbps, pvid = excluded.pvid, edge = excluded.edge, mac_count = excluded.mac_count, reasons = excluded.reasons, last_seen_ms = excluded.last_seen_ms`,
    ),
    portsOf: db.prepare('SELECT * FROM cabling_ports WHERE switch = ? ORDER BY if_index'),
    nodesOnPort: db.prepare('SELECT * FROM cabling_nodes WHERE switch = ? AND port = ? ORDER BY mac'),
    othersOnPort: db.prepare('SELECT COUNT(*) AS n FROM cabling_nodes WHERE switch = ? AND port = ? AND mac <> ? AND last_seen_ms >= ?'),
    history: db.prepare('SELECT mac, from_switch, from_port, to_switch, to_port, time_ms FROM cabling_moves WHERE mac = ? ORDER BY id'),
    record: db.prepare('SELECT switch, port, patch_panel, cable_label, wall_socket, room, note FROM cabling_records WHERE switch = ? AND port = ?'),
    records: db.prepare('SELECT switch, port, patch_panel, cable_label, wall_socket, room, note FROM cabling_records ORDER BY switch, port'),
    upsertRecord: db.prepare(
      `INSERT INTO cabling_records (switch, port, patch_panel, cable_label, wall_socket, room, note, updated_ms, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (switch, port) DO UPDATE SET patch_panel = excluded.patch_panel, cable_label = excluded.cable_label, wall_socket = excluded.wall_socket, room = excluded.room, note = excluded.note, updated_ms = excluded.updated_ms, updated_by = excluded.updated_by`,
    ),
    byIp: db.prepare('SELECT DISTINCT mac FROM cabling_ips WHERE ip = ?'),
    like: db.prepare('SELECT * FROM cabling_nodes WHERE mac LIKE ? OR switch LIKE ? OR port LIKE ? ORDER BY switch, port LIMIT 200'),
    nodesPresent: db.prepare('SELECT * FROM cabling_nodes WHERE lost_reported = 0 AND first_seen_ms < ? ORDER BY switch, port, mac'),
    movesIn: db.prepare('SELECT COUNT(*) AS n FROM cabling_moves WHERE time_ms >= ? AND time_ms < ?'),
    nodesOfSwitch: db.prepare('SELECT * FROM cabling_nodes WHERE switch = ? ORDER BY port, mac'),
    movesFrom: db.prepare('SELECT mac, from_switch, from_port, to_switch, to_port, time_ms FROM cabling_moves WHERE from_switch = ? AND time_ms >= ? ORDER BY id'),
    switches: db.prepare(
      'SELECT p.switch, COUNT(*) AS ports, SUM(p.edge) AS edge_ports, (SELECT COUNT(*) FROM cabling_nodes n WHERE n.switch = p.switch) AS nodes, MAX(p.last_seen_ms) AS last_seen_ms FROM cabling_ports p GROUP BY p.switch ORDER BY p.switch',
    ),
    recordLike: db.prepare('SELECT switch, port FROM cabling_records WHERE room LIKE ? OR wall_socket LIKE ? OR cable_label LIKE ? OR patch_panel LIKE ? LIMIT 200'),
  };
}

type Queries = ReturnType<typeof prepareQueries>;

/** What ingesting and searching share: the port records, a node as a search hit, a node described for a message. */
function registerHelpers(q: Queries, opts: RegisterOptions) {
  const recordOf = (sw: string, port: string) => (q.record.get(sw, port) as PortRecord | undefined) ?? null;
  const hit = (n: Node): SearchHit => {
    const ips = (q.ipsOf.all(n.mac) as { ip: string }[]).map((r) => r.ip);
    const moves = (q.history.all(n.mac) as unknown as Move[]).slice(-5);
    return { ...n, ips, moves, vendor: opts.identity.vendor(n.mac), inventory_device: opts.identity.device(ips[0] ?? null, n.mac) ?? null, record: recordOf(n.switch, n.port) };
  };
  const describe = (mac: string, ips: string[]) => {
    const v = opts.identity.vendor(mac);
    return `${mac}${v ? ` (${v})` : ''}${ips.length ? ` ${ips.join(', ')}` : ''}`;
  };

  return { recordOf, hit, describe };
}

/**
 * One switch's snapshot into the register, in one transaction: ARP addresses, ports, edge
 * nodes attached or moved (events for unknown and moved nodes), nodes gone long enough lost.
 */
function ingestSnapshot(db: DatabaseSync, q: Queries, opts: RegisterOptions, h: ReturnType<typeof registerHelpers>, agent: string, snap: PortmapSnapshot): IngestSummary & { events: Event[] } {
  const { recordOf, describe } = h;
  const out: IngestSummary & { events: Event[] } = { attached: 0, moved: 0, lost: 0, unknown: 0, events: [] };
  // A switch that did not answer says nothing about its ports: nothing moves, nothing is lost.
  if (!snap.up) return out;
  const sw = snap.device;
  const arpIps = new Map<string, string[]>();
  db.exec('BEGIN');
  try {
    for (const a of snap.arp) {
      q.ip.run(a.mac, a.ip, snap.time, snap.time);
      arpIps.set(a.mac, [...(arpIps.get(a.mac) ?? []), a.ip]);
    }
    for (const p of snap.ports) q.port.run(sw, p.ifName, p.ifIndex, p.operStatus, p.speedMbps, p.pvid, p.edge ? 1 : 0, p.macCount, p.reasons.join(','), snap.time);
    const ev = (kind: string, severity: Event['severity'], target: string, message: string, attrs: Event['attrs']) => out.events.push({ kind, target, severity, message, attrs, time: snap.time });
    for (const e of snap.entries) {
      if (!e.edge) continue;
      const old = q.node.get(e.mac) as Node | undefined;
      const ips = (q.ipsOf.all(e.mac) as { ip: string }[]).map((r) => r.ip);
      const rec = recordOf(sw, e.ifName);
      const where = { switch: sw, port: e.ifName, vlan: e.vlan ?? -1, room: rec?.room ?? '', wall_socket: rec?.wall_socket ?? '' };
      if (!old) {
        q.insertNode.run(e.mac, sw, e.ifName, e.ifIndex, e.vlan, agent, snap.time, snap.time, snap.time);
        out.attached++;
        const known = opts.identity.device(ips[0] ?? null, e.mac);
        if (!known) {
          out.unknown++;
          ev(CABLING_EVENTS.unknown, 'warning', sw, `unknown device ${describe(e.mac, ips)} on ${sw} ${e.ifName}${rec?.room ? ` (${rec.room})` : ''}`, { mac: e.mac, ip: ips[0] ?? '', vendor: opts.identity.vendor(e.mac), ...where });
        }
      } else if (old.switch !== sw || old.port !== e.ifName) {
        // Only a newer sighting moves a node: two switches' snapshots may arrive out of order.
        if (snap.time < old.last_seen_ms) continue;
        q.move.run(sw, e.ifName, e.ifIndex, e.vlan, agent, snap.time, snap.time, e.mac);
        q.addMove.run(e.mac, old.switch, old.port, sw, e.ifName, snap.time);
        out.moved++;
        const name = opts.identity.device(ips[0] ?? null, e.mac);
        ev(CABLING_EVENTS.moved, 'info', sw, `${name ?? describe(e.mac, ips)} moved from ${old.switch} ${old.port} to ${sw} ${e.ifName}`, { mac: e.mac, from_switch: old.switch, from_port: old.port, ...where });
      } else q.seen.run(Math.max(old.last_seen_ms, snap.time), e.vlan, e.ifIndex, agent, e.mac);
    }
    for (const n of q.stale.all(sw, snap.time - opts.lostAfterMs) as unknown as Node[]) {
      q.reported.run(n.mac);
      // The port lost its device only when nothing else is there now.
      if ((q.othersOnPort.get(sw, n.port, n.mac, snap.time - opts.lostAfterMs) as { n: number }).n > 0) continue;
      out.lost++;
      const ips = (q.ipsOf.all(n.mac) as { ip: string }[]).map((r) => r.ip);
      const rec = recordOf(sw, n.port);
      ev(CABLING_EVENTS.lost, 'warning', sw, `${sw} ${n.port}${rec?.room ? ` (${rec.room})` : ''} lost its device ${opts.identity.device(ips[0] ?? null, n.mac) ?? describe(n.mac, ips)} (last seen ${new Date(n.last_seen_ms).toISOString()})`, {
        mac: n.mac,
        switch: sw,
        port: n.port,
        last_seen_ms: n.last_seen_ms,
        room: rec?.room ?? '',
        wall_socket: rec?.wall_socket ?? '',
      });
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
  if (out.events.length) opts.emit(out.events);
  return out;
}

export function createCablingRegister(db: DatabaseSync, opts: RegisterOptions): CablingRegister {
  const q = prepareQueries(db);
  const h = registerHelpers(q, opts);
  const { recordOf, hit } = h;
  return {
    ingest: (agent, snap, _now) => ingestSnapshot(db, q, opts, h, agent, snap),

    search(text) {
      const s = text.trim();
      if (!s) return [];
      const found = new Map<string, Node>();
      const add = (n: Node | undefined) => n && found.set(n.mac, n);
      const mac = normMac(s);
      if (mac) add(q.node.get(mac) as Node | undefined);
      for (const r of q.byIp.all(s) as { mac: string }[]) add(q.node.get(r.mac) as Node | undefined);
      // Host names: the inventory device whose name matches, through its address.
      const pat = `%${s.toLowerCase().replace(/[%_]/g, '')}%`;
      for (const n of q.like.all(pat, pat, pat) as unknown as Node[]) add(n);
      for (const r of q.recordLike.all(pat, pat, pat, pat) as { switch: string; port: string }[]) for (const n of q.nodesOnPort.all(r.switch, r.port) as unknown as Node[]) add(n);
      for (const ip of opts.identity.addressesOf(s)) for (const r of q.byIp.all(ip) as { mac: string }[]) add(q.node.get(r.mac) as Node | undefined);
      return [...found.values()].map(hit);
    },

    ports(sw) {
      return (q.portsOf.all(sw) as Record<string, unknown>[]).map((p) => ({
        switch: sw,
        port: String(p.port),
        if_index: Number(p.if_index),
        oper_status: String(p.oper_status),
        speed_mbps: p.speed_mbps === null ? null : Number(p.speed_mbps),
        pvid: p.pvid === null ? null : Number(p.pvid),
        edge: p.edge === 1,
        mac_count: Number(p.mac_count),
        reasons: String(p.reasons).split(',').filter(Boolean),
        // What is on the port now: a node reported lost is history (search still finds it).
        nodes: (q.nodesOnPort.all(sw, String(p.port)) as unknown as Node[]).filter((n) => !n.lost_reported).map(hit),
        record: recordOf(sw, String(p.port)),
      }));
    },
    inspect(sw, sinceMs) {
      const changed: { port: string; mac: string; change: 'new' | 'moved_in' | 'moved_out'; time_ms: number }[] = [];
      for (const n of q.nodesOfSwitch.all(sw) as unknown as Node[]) {
        if (n.port_since_ms < sinceMs) continue;
        changed.push({ port: n.port, mac: n.mac, change: n.first_seen_ms === n.port_since_ms ? 'new' : 'moved_in', time_ms: n.port_since_ms });
      }
      for (const m of q.movesFrom.all(sw, sinceMs) as unknown as Move[]) changed.push({ port: m.from_port, mac: m.mac, change: 'moved_out', time_ms: m.time_ms });
      const unknown = (q.nodesOfSwitch.all(sw) as unknown as Node[])
        .filter((n) => !n.lost_reported)
        .map(hit)
        .filter((h) => !h.inventory_device)
        .map((h) => ({ port: h.port, mac: h.mac, ips: h.ips, vendor: h.vendor }));
      return { changed: changed.sort((a, b) => a.time_ms - b.time_ms), unknown };
    },
    reportFacts(fromMs, toMs) {
      const now = (q.nodesPresent.all(toMs) as unknown as Node[]).map(hit);
      return {
        switches: (q.switches.all() as unknown[]).length,
        devices: now.length,
        new_devices: now.filter((n) => n.first_seen_ms >= fromMs).length,
        moves: (q.movesIn.get(fromMs, toMs) as { n: number }).n,
        unknown: now.filter((n) => !n.inventory_device).map((n) => ({ switch: n.switch, port: n.port, mac: n.mac, ips: n.ips, vendor: n.vendor, first_seen_ms: n.first_seen_ms })),
      };
    },
    switches: () =>
      q.switches.all() as unknown as { switch: string; ports: number; edge_ports: number; nodes: number; last_seen_ms: number }[],
    history: (mac) => q.history.all(normMac(mac) ?? mac) as unknown as Move[],
    record: recordOf,
    records: () => q.records.all() as unknown as PortRecord[],
    importRecords(rows, by, now) {
      const changed: { before: PortRecord | null; after: PortRecord }[] = [];
      for (const { switch: sw, port, ...fields } of rows) {
        const before = recordOf(sw, port);
        if (before && RECORD_FIELDS.every((k) => before[k] === fields[k])) continue;
        changed.push(this.setRecord(sw, port, fields, by, now));
      }
      return changed;
    },
    setRecord(sw, port, fields, by, now) {
      const before = recordOf(sw, port);
      const after: PortRecord = { switch: sw, port, patch_panel: '', cable_label: '', wall_socket: '', room: '', note: '', ...(before ?? {}) };
      for (const k of RECORD_FIELDS) if (fields[k] !== undefined) after[k] = fields[k]!.trim();
      q.upsertRecord.run(sw, port, after.patch_panel, after.cable_label, after.wall_socket, after.room, after.note, now, by);
      return { before, after };
    },
  };
}
