import { evidenceText } from '../../inspections/evidence.ts';
import type { InspectionRecord } from '../../inspections/store.ts';
import { html } from '../ui/html.ts';
import { csrfField, layout, t, when, type PageCtx } from '../ui/layout.ts';
import { translator } from '../../i18n/index.ts';

const WORDS = {
  en: {
    not_checked: 'not checked',
    save_all: 'Save',
    sign_all: 'Save and sign off',
    missing: 'Record these items before signing: {items}.',
    missing_mark: 'not recorded yet',
    bad_photo: 'Photo for "{item}" is not a JPEG or PNG picture; the other entries are kept below.',
    all_list: 'show all {n}',
    photo_kept: 'photo saved',
  },
  zh: {
    not_checked: '未检查',
    save_all: '保存',
    sign_all: '保存并签字确认',
    missing: '签字前请填写这些项目：{items}。',
    missing_mark: '尚未填写',
    bad_photo: '“{item}”的照片不是 JPEG 或 PNG 图片；其他填写内容已保留。',
    all_list: '展开全部 {n} 个',
    photo_kept: '已存照片',
  },
} as const;
export const iw = translator(WORDS);

/** What the engineer entered for one manual item, kept when the form comes back. */
export interface ItemDraft {
  result: string;
  note: string;
}

/**
 * An inspection run: automatic items with their evidence in words, and the manual checklist
 * as ONE form (every item's result, note and photo, the sign-off summary) with one submit.
 * Items nobody recorded show "not checked", never a pre-selected 正常/pass.
 */
export function inspectionPage(
  p: PageCtx,
  r: InspectionRecord,
  opts: { error?: string; drafts?: Map<number, ItemDraft>; missing?: Set<number>; summary?: string } = {},
): string {
  const editable = p.canEdit && r.signed_ms === null;
  const res = (x: string | null) => (x ? t(p, x as 'pass') : iw(p, 'not_checked'));
  const auto = r.items.filter((i) => i.mode === 'auto');
  const manual = r.items.filter((i) => i.mode === 'manual');
  const missing = opts.missing ?? new Set<number>();
  const checklist = manual.map((i) => {
    const d = opts.drafts?.get(i.seq);
    const cur = d ? d.result : (i.result ?? '');
    const note = d ? d.note : i.note;
    return html`<tr class="${missing.has(i.seq) ? 'missing' : (i.result ?? '')}" data-seq="${i.seq}"><td>${i.label}${missing.has(i.seq) ? html`<br><span class="err">${iw(p, 'missing_mark')}</span>` : ''}</td>
<td>${editable ? html`<select name="result-${i.seq}" form="checklist" aria-label="${t(p, 'result')} ${i.label}" class="${missing.has(i.seq) ? 'bad' : ''}"><option value=""${cur === '' ? html` selected` : ''}>${iw(p, 'not_checked')}</option>${(['pass', 'warn', 'fail', 'na'] as const).map((o) => html`<option value="${o}"${cur === o ? html` selected` : ''}>${t(p, o)}</option>`)}</select>` : res(i.result)}</td>
<td>${editable ? html`<input name="note-${i.seq}" form="checklist" value="${note}" aria-label="${t(p, 'note')} ${i.label}" class="note-in"><br><input type="file" name="photo-${i.seq}" form="checklist" accept="image/jpeg,image/png" capture="environment" aria-label="${t(p, 'photo')} ${i.label}">` : html`<span class="note">${i.note}</span>`}</td>
<td>${i.photo ? html`<a href="/console/photos/${i.photo}"><img src="/console/photos/${i.photo}" alt="${t(p, 'photo')}" height="48"></a>` : ''}</td></tr>`;
  });
  return layout(
    p,
    `${r.title} · ${r.period}`,
    html`<p>${r.signed_ms ? t(p, 'signed_by', { who: r.signed_by ?? '', when: when(p, r.signed_ms) }) : t(p, 'not_signed')}${r.summary ? html` — ${r.summary}` : ''}</p>
<h2>${t(p, 'items')} (${t(p, 'auto')})</h2><div class="scroll"><table id="auto-items"><tr><th>${t(p, 'device')}</th><th>${t(p, 'item')}</th><th>${t(p, 'result')}</th><th>${t(p, 'evidence')}</th></tr>
${auto.map((i) => {
  const ev = evidenceText(i.code, i.evidence, p.lang);
  return html`<tr class="${i.result ?? ''}"><td>${i.device}</td><td>${i.label}</td><td>${res(i.result)}</td><td>${ev.text}${ev.list ? html`<details><summary>${iw(p, 'all_list', { n: ev.list.length })}</summary>${ev.list.join(', ')}</details>` : ''}</td></tr>`;
})}</table></div>
<h2>${t(p, 'items')} (${t(p, 'manual')})</h2>
${editable ? html`<form method="post" action="/console/inspections/${r.id}/items" enctype="multipart/form-data" id="checklist">${csrfField(p)}</form>` : ''}
<div><table id="manual-items"><tr><th>${t(p, 'item')}</th><th>${t(p, 'result')}</th><th>${t(p, 'note')} / ${t(p, 'photo')}</th><th></th></tr>
${checklist}</table></div>
${
  editable
    ? html`<fieldset><legend>${t(p, 'sign')}</legend><p><label>${t(p, 'sign_summary')}<br><textarea name="summary" form="checklist" rows="3">${opts.summary ?? ''}</textarea></label></p>
<p><button form="checklist" name="action" value="save">${iw(p, 'save_all')}</button> <button form="checklist" name="action" value="sign">${iw(p, 'sign_all')}</button></p></fieldset>`
    : ''
}`,
    opts.error,
  );
}
