import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { privateDir, writePrivateFile } from '../../../lib/private-fs.ts';
import path from 'node:path';
import type { InspectionService } from '../../inspections/service.ts';
import type { ItemResult } from '../../inspections/store.ts';
import { HttpError, redirect, sendFile, sendHtml } from '../../http/respond.ts';
import { inspectionPage, iw } from '../pages/inspection-page.ts';
import * as pages from '../pages/pages.ts';
import type { ConsoleEnv, ConsolePages, ConsoleRequest } from './request.ts';

const PHOTO_RE = /^[a-f0-9]{32}\.(jpg|png)$/;
const RESULTS = ['pass', 'warn', 'fail', 'na'];

/** jpg or png by the file's magic bytes (never by its name or the browser's content type). */
function photoKind(data: Buffer): 'jpg' | 'png' | undefined {
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return undefined;
}

/** Inspections (schedules, runs, the checklist, sign-off), their photos, and the problem list. */
export function registerInspectionPages(r: ConsolePages, env: ConsoleEnv): void {
  const { deps, photoDir } = env;
  const svc = deps.inspections;
  /** The inspection pages 404 as unknown pages when the module does not run. */
  const running = (c: ConsoleRequest): InspectionService => {
    if (!svc) throw new HttpError(404, `no page ${c.url.pathname}`);
    return svc;
  };
  r.add('GET', '/console/inspections', ({ p, res, headers }) =>
    sendHtml(res, 200, pages.inspectionsPage(p, svc?.statuses() ?? [], svc?.store.list(50) ?? []), headers()),
  );
  r.add('POST', '/console/inspections/start', async ({ res, headers, need, actor, field }) => {
    need('engineer');
    if (!svc) throw new HttpError(404, 'inspections are not running');
    const id = await svc.start(actor, field('schedule'));
    return redirect(res, `/console/inspections/${id}`, headers());
  });
  r.add('GET', '/console/inspections/:id(\\d+)', (c) => {
    const id = Number(c.params.id);
    const rec = running(c).store.get(id);
    if (!rec) throw new HttpError(404, `no inspection ${id}`);
    return sendHtml(c.res, 200, inspectionPage(c.p, rec), c.headers());
  });
  r.add('POST', '/console/inspections/:id(\\d+)/items', (c) => saveChecklist(env, running(c), c));
  r.add('POST', '/console/inspections/:id(\\d+)/item', (c) => {
    const s = running(c);
    const id = Number(c.params.id);
    c.need('engineer');
    const result = c.field('result') as ItemResult;
    if (!RESULTS.includes(result)) throw new HttpError(400, 'result must be pass, warn, fail or na');
    let photo: string | null = null;
    const f = c.form?.files.get('photo');
    if (f) {
      const kind = photoKind(f.data);
      if (!kind) throw new HttpError(415, 'photos must be JPEG or PNG');
      photo = savePhoto(photoDir, kind, f.data);
    }
    s.record(c.actor, id, c.intField('seq'), { result, note: c.field('note').slice(0, 2000), photo });
    return redirect(c.res, `/console/inspections/${id}?msg=saved`, c.headers());
  });
  r.add('POST', '/console/inspections/:id(\\d+)/sign', (c) => {
    const s = running(c);
    const id = Number(c.params.id);
    c.need('engineer');
    s.sign(c.actor, id, c.field('summary').slice(0, 4000));
    return redirect(c.res, `/console/inspections/${id}?msg=saved`, c.headers());
  });
  r.add('GET', '/console/photos/:file', ({ params, res }) => {
    const file = params.file!;
    if (!PHOTO_RE.test(file) || !existsSync(path.join(photoDir, file))) throw new HttpError(404, 'no such photo');
    return sendFile(res, readFileSync(path.join(photoDir, file)), file.endsWith('.png') ? 'image/png' : 'image/jpeg');
  });
  r.add('GET', '/console/problems', ({ p, res, headers }) => sendHtml(res, 200, pages.problemsPage(p, svc?.store.problems() ?? []), headers()));
  r.add('POST', '/console/problems/close', ({ res, headers, need, actor, field, intField }) => {
    need('engineer');
    if (!svc) throw new HttpError(404, 'inspections are not running');
    svc.store.closeProblem(actor, intField('id'), field('resolution').slice(0, 2000));
    return redirect(res, '/console/problems?msg=saved', headers());
  });
}

function savePhoto(photoDir: string, kind: 'jpg' | 'png', data: Buffer): string {
  privateDir(photoDir);
  const photo = `${randomBytes(16).toString('hex')}.${kind}`;
  writePrivateFile(path.join(photoDir, photo), data);
  return photo;
}

/** The whole checklist in one submit: record what changed, then sign if asked. */
function saveChecklist({ photoDir }: ConsoleEnv, svc: InspectionService, c: ConsoleRequest) {
  const { p, res, headers, field, form, actor } = c;
  const id = Number(c.params.id);
  c.need('engineer');
  const r = svc.store.get(id);
  if (!r) throw new HttpError(404, `no inspection ${id}`);
  const manual = r.items.filter((i) => i.mode === 'manual');
  const drafts = new Map(manual.map((i) => [i.seq, { result: field(`result-${i.seq}`), note: field(`note-${i.seq}`).slice(0, 2000) }]));
  const summary = field('summary').slice(0, 4000);
  const again = (status: number, opts: { error: string; missing?: Set<number> }) =>
    sendHtml(res, status, inspectionPage(p, svc.store.get(id) ?? r, { ...opts, drafts, summary }), headers());
  const photos = new Map<number, 'jpg' | 'png'>();
  for (const i of manual) {
    const f = form?.files.get(`photo-${i.seq}`);
    if (!f) continue;
    const kind = photoKind(f.data);
    if (!kind) return again(415, { error: iw(p, 'bad_photo', { item: i.label }) });
    photos.set(i.seq, kind);
  }
  for (const i of manual) {
    const d = drafts.get(i.seq)!;
    const kind = photos.get(i.seq);
    if (d.result === '' && !kind) continue;
    if (d.result !== '' && !RESULTS.includes(d.result)) throw new HttpError(400, `result-${i.seq} must be pass, warn, fail or na`);
    const result = (d.result || i.result) as ItemResult | null;
    if (!result) continue; // a photo for an item not checked yet waits for its result
    const photo = kind ? savePhoto(photoDir, kind, form!.files.get(`photo-${i.seq}`)!.data) : i.photo;
    if (result === i.result && d.note === i.note && photo === i.photo) continue;
    svc.record(actor, id, i.seq, { result, note: d.note, photo });
  }
  if (field('action') === 'sign') {
    const now = svc.store.get(id)!;
    const miss = new Set(now.items.filter((i) => i.mode === 'manual' && i.result === null).map((i) => i.seq));
    if (miss.size)
      return again(400, {
        error: iw(p, 'missing', {
          items: now.items
            .filter((i) => miss.has(i.seq))
            .map((i) => i.label)
            .join(p.lang === 'en' ? ', ' : '、'),
        }),
        missing: miss,
      });
    svc.sign(actor, id, summary);
  }
  return redirect(res, `/console/inspections/${id}?msg=saved`, headers());
}
