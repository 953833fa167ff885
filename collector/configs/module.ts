import type { DatabaseSync } from 'node:sqlite';
import { joinParts, sha256 } from '../../protocol/config-parts.ts';
import { diffLines, type LineDiff } from '../../lib/line-diff.ts';
import type { Event } from '../../protocol/sample.ts';
import type { CollectorContext } from '../core/module.ts';
import { apiActor } from '../http/auth.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import { registerMigrations } from '../store/db.ts';

registerMigrations({
  id: '420_configs_versions',
  sql: `
    CREATE TABLE config_versions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      device TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      text TEXT NOT NULL,
      lines INTEGER NOT NULL,
      command TEXT NOT NULL DEFAULT '',
      agent TEXT NOT NULL,
      taken_ms INTEGER NOT NULL
    );
    CREATE INDEX config_versions_device ON config_versions (device, id);
  `,
});

export interface ConfigVersion {
  id: number;
  device: string;
  sha256: string;
  lines: number;
  command: string;
  agent: string;
  taken_ms: number;
}

/**
 * Switch configuration versions, from the ssh probe's config_backup/config_changed events.
 * The configs module's handle; methods throw HttpError(404) for unknown ids.
 */
export interface ConfigStore {
  /** Stores a version unless it equals the device's latest; returns the stored version or undefined. */
  store(device: string, text: string, meta: { agent: string; command: string; taken_ms: number }): ConfigVersion | undefined;
  devices(): (ConfigVersion & { versions: number })[];
  versions(device: string): ConfigVersion[];
  text(id: number): string;
  /** Diff between two versions of a device; defaults: the latest against the one before it. */
  diff(device: string, fromId?: number, toId?: number): { from: ConfigVersion | null; to: ConfigVersion; diff: LineDiff };
}

const COLS = 'id, device, sha256, lines, command, agent, taken_ms';

export function createConfigStore(db: DatabaseSync): ConfigStore {
  const latest = db.prepare(`SELECT ${COLS} FROM config_versions WHERE device = ? ORDER BY id DESC LIMIT 1`);
  const insert = db.prepare('INSERT INTO config_versions (device, sha256, text, lines, command, agent, taken_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const byId = db.prepare(`SELECT ${COLS}, text FROM config_versions WHERE id = ?`);
  const list = db.prepare(`SELECT ${COLS} FROM config_versions WHERE device = ? ORDER BY id`);
  const devs = db.prepare(
    `SELECT ${COLS}, (SELECT COUNT(*) FROM config_versions c WHERE c.device = v.device) AS versions FROM config_versions v WHERE id IN (SELECT MAX(id) FROM config_versions GROUP BY device) ORDER BY device`,
  );
  const get = (id: number) => {
    const r = byId.get(id) as (ConfigVersion & { text: string }) | undefined;
    if (!r) throw new HttpError(404, `no config version ${id}`);
    return r;
  };
  return {
    store(device, text, meta) {
      const hash = sha256(text);
      const last = latest.get(device) as ConfigVersion | undefined;
      if (last?.sha256 === hash) return undefined;
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      const r = insert.run(device, hash, text, lines, meta.command, meta.agent, meta.taken_ms);
      return { id: Number(r.lastInsertRowid), device, sha256: hash, lines, command: meta.command, agent: meta.agent, taken_ms: meta.taken_ms };
    },
    devices: () => devs.all() as unknown as (ConfigVersion & { versions: number })[],
    versions: (device) => list.all(device) as unknown as ConfigVersion[],
    text: (id) => get(id).text,
    diff(device, fromId, toId) {
      const all = list.all(device) as unknown as ConfigVersion[];
      if (!all.length) throw new HttpError(404, `no config versions for ${device}`);
      const to = toId !== undefined ? get(toId) : get(all[all.length - 1]!.id);
      const prevIdx = all.findIndex((v) => v.id === to.id) - 1;
      const from = fromId !== undefined ? get(fromId) : prevIdx >= 0 ? get(all[prevIdx]!.id) : null;
      if (to.device !== device || (from && from.device !== device)) throw new HttpError(400, 'versions belong to another device');
      const { text: toText, ...toMeta } = to;
      const fromMeta = from ? (({ text: _t, ...m }) => m)(from) : null;
      return {
        from: fromMeta,
        to: toMeta,
        diff: diffLines(from?.text ?? '', toText, { from: from ? `${device} #${from.id}` : '/dev/null', to: `${device} #${to.id}` }),
      };
    },
  };
}

const KINDS = new Set(['config_backup', 'config_changed']);
const idParam = (v: string | null, name: string) => {
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw new HttpError(400, `bad "${name}": ${v}`);
  return Number(v);
};

/**
 * Keeps every configuration version the ssh probes report (text reassembled from the event's
 * parts, checked against its sha256) and serves them: GET /api/configs (devices),
 * /api/configs/versions?device=, /api/configs/text?id=, /api/configs/diff?device=[&from=&to=].
 */
export function startConfigs(ctx: CollectorContext): ConfigStore {
  const store = createConfigStore(ctx.db);
  ctx.ingest.addListener({
    onEvents(events: readonly Event[], source) {
      for (const e of events) {
        if (!KINDS.has(e.kind)) continue;
        const text = joinParts(e.attrs);
        if (sha256(text) !== e.attrs.sha256) {
          ctx.log.warn({ device: e.target, agent: source.name }, 'config event with a text that does not match its sha256: not stored');
          continue;
        }
        const v = store.store(e.target, text, { agent: source.name, command: String(e.attrs.command ?? ''), taken_ms: e.time });
        if (v) ctx.audit.append(source.name, 'config.version_stored', e.target, { id: v.id, sha256: v.sha256, lines: v.lines });
      }
    },
  });
  ctx.server.route('GET', '/api/configs', (req, res) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, { devices: store.devices() });
  });
  ctx.server.route('GET', '/api/configs/versions', (req, res, url) => {
    // Device configs hold credentials (communities, password hashes): API token only.
    apiActor(ctx.config, req);
    const device = url.searchParams.get('device');
    if (!device) throw new HttpError(400, 'missing "device"');
    sendJson(res, 200, { device, versions: store.versions(device) });
  });
  ctx.server.route('GET', '/api/configs/text', (req, res, url) => {
    apiActor(ctx.config, req);
    const id = idParam(url.searchParams.get('id'), 'id');
    if (id === undefined) throw new HttpError(400, 'missing "id"');
    const text = store.text(id);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  ctx.server.route('GET', '/api/configs/diff', (req, res, url) => {
    apiActor(ctx.config, req);
    const device = url.searchParams.get('device');
    if (!device) throw new HttpError(400, 'missing "device"');
    sendJson(res, 200, store.diff(device, idParam(url.searchParams.get('from'), 'from'), idParam(url.searchParams.get('to'), 'to')));
  });
  return store;
}
