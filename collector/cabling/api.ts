import type { CollectorContext } from '../core/module.ts';
import { apiActor } from '../http/auth.ts';
import { readBody } from '../http/body.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import { csvToRecords, CsvError, recordsToCsv } from './csv.ts';
import type { CablingHandle } from './module.ts';
import { RECORD_FIELDS, type RecordField } from './register.ts';

const str = (v: unknown, name: string) => {
  if (typeof v !== 'string' || !v.trim()) throw new HttpError(400, `"${name}" must be a non-empty string`);
  return v.trim();
};

/** The cabling register's API under /api/cabling/ (API token or session; every change audited). */
export function registerCablingRoutes(ctx: CollectorContext, handle: CablingHandle): void {
  const { register } = handle;
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
}
