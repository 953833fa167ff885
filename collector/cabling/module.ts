import type { Event } from '../../protocol/sample.ts';
import type { CollectorContext } from '../core/module.ts';
import { apiActor } from '../http/auth.ts';
import { DocumentError, type Source } from '../ingest/ingest.ts';
import { PORTMAP_DOCUMENT } from '../../lib/portmap-snapshot.ts';
import { readBody } from '../http/body.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import { csvToRecords, CsvError, recordsToCsv } from './csv.ts';
import { ouiVendor } from './oui.ts';
import { createCablingRegister, RECORD_FIELDS, type CablingRegister, type IngestSummary, type RecordField } from './register.ts';
import { portmapSnapshotSchema } from './snapshot-schema.ts';

/**
 * The cabling module's handle. `ingestDocument` is the one entry for a port map
 * from the wire: it validates the body as a PortmapSnapshot (throws HttpError 400 naming the
 * bad path) and hands it to the register; events it raises go through ingest, so alert rules
 * of `type: event` on the CABLING_EVENTS kinds fire on them.
 */
export interface CablingHandle {
  register: CablingRegister;
  ingestDocument(agent: string, body: unknown, now: number): IngestSummary;
}

const SOURCE: Source = { kind: 'http', name: 'collector-cabling', tags: {} };
/** An inventory device's addresses: `address` may be one or a list. */
const addressesOf = (d: { address?: string | string[] | undefined }): string[] =>
  d.address === undefined ? [] : Array.isArray(d.address) ? d.address : [d.address];
/** A node unseen this long has left its port: longer than a night with the PC off and the FDB aged out. */
export const LOST_AFTER_MS = 24 * 3600_000;

export function startCabling(ctx: CollectorContext): CablingHandle {
  // Agents name the PCs they run on by the address they connect from, when that address is
  // theirs alone (several agents behind one NAT address name nobody). Re-read once a minute.
  let agentsAt = new Map<string, string>();
  let agentsRead = -Infinity;
  const agentByIp = () => {
    if (ctx.now() - agentsRead < 60_000) return agentsAt;
    agentsRead = ctx.now();
    const seen = new Map<string, string | null>();
    for (const a of ctx.agents.list()) {
      if (a.revoked_ms || !a.last_addr) continue;
      const ip = a.last_addr.replace(/^::ffff:/, '');
      seen.set(ip, seen.has(ip) ? null : a.name);
    }
    agentsAt = new Map([...seen].filter((e): e is [string, string] => e[1] !== null));
    return agentsAt;
  };
  const register = createCablingRegister(ctx.db, {
    identity: {
      vendor: ouiVendor,
      device: (ip) => (ip ? (ctx.inventory.devices.find((d) => addressesOf(d).includes(ip))?.name ?? agentByIp().get(ip)) : undefined),
      addressesOf: (text) => {
        const t = text.toLowerCase();
        const ips = ctx.inventory.devices.filter((d) => d.name.toLowerCase().includes(t)).flatMap(addressesOf);
        for (const [ip, name] of agentByIp()) if (name.toLowerCase().includes(t)) ips.push(ip);
        return ips;
      },
    },
    emit: (events: Event[]) => ctx.ingest.accept(SOURCE, [], events),
    lostAfterMs: LOST_AFTER_MS,
  });
  const handle: CablingHandle = {
    register,
    ingestDocument(agent, body, now) {
      const p = portmapSnapshotSchema.safeParse(body);
      if (!p.success)
        throw new HttpError(
          400,
          `bad portmap snapshot: ${p.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        );
      const { events: _e, ...summary } = register.ingest(agent, p.data, now);
      return summary;
    },
  };

  // Agents' port maps arrive as `portmap` document frames (one per switch per poll).
  ctx.ingest.onDocument(PORTMAP_DOCUMENT, (doc, source) => {
    try {
      handle.ingestDocument(source.name, doc.body, ctx.now());
    } catch (e) {
      if (e instanceof HttpError) throw new DocumentError(e.message);
      throw e;
    }
  });
  const str = (v: unknown, name: string) => {
    if (typeof v !== 'string' || !v.trim()) throw new HttpError(400, `"${name}" must be a non-empty string`);
    return v.trim();
  };
  // A script (or a poller that is not a Watchpost agent) can post snapshots too.
  ctx.server.route('POST', '/api/cabling/snapshot', async (req, res) => {
    const actor = apiActor(ctx.config, req);
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 16 << 20)).toString('utf8'));
    } catch {
      throw new HttpError(400, 'body must be a PortmapSnapshot as JSON (lib/portmap-snapshot.ts)');
    }
    sendJson(res, 200, handle.ingestDocument(actor, body, ctx.now()));
  });
  ctx.server.route('GET', '/api/cabling/search', (req, res, url) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, { hits: register.search(url.searchParams.get('q') ?? '') });
  });
  ctx.server.route('GET', '/api/cabling/ports', (req, res, url) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, { switch: url.searchParams.get('switch'), ports: register.ports(str(url.searchParams.get('switch'), 'switch')) });
  });
  ctx.server.route('GET', '/api/cabling/history', (req, res, url) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, { moves: register.history(str(url.searchParams.get('mac'), 'mac')) });
  });
  ctx.server.route('POST', '/api/cabling/record', async (req, res) => {
    const actor = apiActor(ctx.config, req);
    let b: Record<string, unknown>;
    try {
      b = JSON.parse((await readBody(req, 16 * 1024)).toString('utf8'));
    } catch {
      throw new HttpError(400, 'body must be JSON: {"switch":…,"port":…,"room":…}');
    }
    const fields: Partial<Record<RecordField, string>> = {};
    for (const k of RECORD_FIELDS) {
      if (b[k] === undefined) continue;
      if (typeof b[k] !== 'string') throw new HttpError(400, `"${k}" must be a string`);
      fields[k] = b[k];
    }
    const unknown = Object.keys(b).filter((k) => k !== 'switch' && k !== 'port' && !(RECORD_FIELDS as readonly string[]).includes(k));
    if (unknown.length) throw new HttpError(400, `unknown field(s) ${unknown.join(', ')}; allowed: switch, port, ${RECORD_FIELDS.join(', ')}`);
    const sw = str(b.switch, 'switch');
    const port = str(b.port, 'port');
    const r = register.setRecord(sw, port, fields, actor, ctx.now());
    ctx.audit.append(actor, 'cabling.record_set', `port:${sw}/${port}`, { before: r.before, after: r.after });
    sendJson(res, 200, { record: r.after });
  });
  ctx.server.route('GET', '/api/cabling/records.csv', (req, res, url) => {
    apiActor(ctx.config, req);
    const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'zh';
    const text = recordsToCsv(register.records(), lang);
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="cabling-${lang}.csv"`,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });
  ctx.server.route('POST', '/api/cabling/records.csv', async (req, res) => {
    const actor = apiActor(ctx.config, req);
    let rows;
    try {
      rows = csvToRecords((await readBody(req, 4 << 20)).toString('utf8'));
    } catch (e) {
      if (e instanceof CsvError) throw new HttpError(400, e.message);
      throw e;
    }
    const changed = register.importRecords(rows, actor, ctx.now());
    for (const r of changed)
      ctx.audit.append(actor, 'cabling.record_set', `port:${r.after.switch}/${r.after.port}`, { before: r.before, after: r.after, via: 'csv' });
    sendJson(res, 200, { rows: rows.length, changed: changed.length });
  });
  return handle;
}
