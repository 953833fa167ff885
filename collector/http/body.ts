import type http from 'node:http';
import { HttpError } from './respond.ts';

/** Reads a request body up to `limit` bytes; a larger one is a 413, never buffered whole. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new HttpError(413, `body larger than ${limit} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Decompresses a gzip body, stopping at `limit` bytes of output: a body that would inflate past
 * it (a gzip bomb) is a 413, a body that is not gzip a 400. Off the main thread (libuv's pool).
 */
export async function gunzipBounded(body: Buffer, limit: number): Promise<Buffer> {
  const { gunzip } = await import('node:zlib');
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: limit }, (err, out) => {
      if (!err) resolve(out);
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new HttpError(413, `body larger than ${limit} bytes once decompressed`));
      else reject(new HttpError(400, `body is not valid gzip (${(err as NodeJS.ErrnoException).code ?? 'zlib error'})`));
    });
  });
}

/** Reads and parses a JSON body up to `limit` bytes; anything unparsable is a 400 with `message`. */
export async function readJson(req: http.IncomingMessage, limit: number, message = 'body must be JSON'): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, message);
  }
}

/** A JSON object or array body (an empty body or a JSON scalar reads as `{}`); unparsable is a 400. */
export async function readJsonObject(req: http.IncomingMessage, limit: number): Promise<Record<string, unknown> | unknown[]> {
  const body = await readBody(req, limit);
  try {
    const v = JSON.parse(body.toString('utf8') || '{}');
    return typeof v === 'object' && v ? v : {};
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
}

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface Form {
  /** The last value of each field. */
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
  /** Every value of a field sent several times (a multiple select, repeated checkboxes). */
  lists?: Map<string, string[]>;
}

function listsOf(pairs: Iterable<[string, string]>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
}

export function parseCookies(h: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (h ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* a malformed cookie is ignored */
    }
  }
  return out;
}

function parseMultipart(body: Buffer, boundary: string): Form {
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  if (pos < 0) throw new HttpError(400, 'malformed multipart body');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    pos += 2; // CRLF after the boundary
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new HttpError(400, 'malformed multipart part');
    const head = body.subarray(pos, headEnd).toString('utf8');
    const next = body.indexOf(delim, headEnd + 4);
    if (next < 0) throw new HttpError(400, 'unterminated multipart body');
    const data = body.subarray(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const ctype = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1]?.trim() ?? 'application/octet-stream';
    if (name !== undefined) {
      if (filename !== undefined) {
        if (data.length) files.set(name, { filename, contentType: ctype, data: Buffer.from(data) });
      } else fields.set(name, data.toString('utf8'));
    }
    pos = next;
  }
  return { fields, files };
}

/** Reads an urlencoded or multipart form up to `limit` bytes (413 beyond). */
export async function readForm(req: http.IncomingMessage, limit: number): Promise<Form> {
  const ct = req.headers['content-type'] ?? '';
  const body = await readBody(req, limit);
  if (ct.startsWith('multipart/form-data')) {
    const b = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(ct);
    const boundary = b?.[1] ?? b?.[2];
    if (!boundary) throw new HttpError(400, 'multipart body without a boundary');
    return parseMultipart(body, boundary.trim());
  }
  if (ct.startsWith('application/x-www-form-urlencoded') || ct === '') {
    const params = [...new URLSearchParams(body.toString('utf8'))];
    return { fields: new Map(params), files: new Map(), lists: listsOf(params) };
  }
  throw new HttpError(415, `unsupported form encoding ${ct}`);
}
