import type { DeviceConfig } from '../../../config/schema/collector.ts';
import { fmtLocal, localInstant } from '../../../lib/zoned-time.ts';
import { html, type Safe } from '../ui/html.ts';
import type { StoredWindow } from '../../maintenance/windows.ts';
import { csrfField, layout, t, type PageCtx } from '../ui/layout.ts';
import { translator } from '../../i18n/index.ts';

const WORDS = {
  en: {
    tz: 'times in {tz}',
    pick: 'Devices (hold Ctrl or Shift to pick several)',
    all: 'All devices (the whole site)',
    reason: 'Reason',
    by: 'Created by',
    every: 'every {days} at {at} for {min} min',
    everything: 'all devices',
    need_name: 'Give the window a name.',
    need_targets: 'Pick the devices the work affects, or tick "All devices".',
    bad_time: 'Enter the {which} as a date and time.',
    end_before: 'The end must be after the start.',
    unknown: 'Not in the inventory: {names}.',
    too_long: 'A one-off window is at most 31 days; use a recurring window in the config for regular work.',
    start: 'start',
    end: 'end',
  },
  zh: {
    tz: '时间为 {tz}',
    pick: '设备（按住 Ctrl 或 Shift 可多选）',
    all: '全部设备（整个站点）',
    reason: '原因',
    by: '创建人',
    every: '每{days} {at} 起 {min} 分钟',
    everything: '全部设备',
    need_name: '请填写窗口名称。',
    need_targets: '请选择受影响的设备，或勾选“全部设备”。',
    bad_time: '请填写{which}日期和时间。',
    end_before: '结束时间必须晚于开始时间。',
    unknown: '不在设备清单中：{names}。',
    too_long: '一次性窗口最长 31 天；定期工作请在配置中设置周期窗口。',
    start: '开始',
    end: '结束',
  },
} as const;
export const mw = translator(WORDS);

const DAYS_ZH: Record<string, string> = { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' };

/** What the engineer typed, kept when the form comes back with an error. */
export interface MaintenanceDraft {
  name: string;
  targets: string[];
  all: boolean;
  start: string;
  end: string;
  reason: string;
}

/** `datetime-local` value ("2026-12-03T16:00") of an instant in tz. */
export function toLocalInput(ms: number, tz: string): string {
  return fmtLocal(ms, tz).replace(' ', 'T');
}

/** The instant a `datetime-local` value means in tz; undefined when it is not one. */
export function fromLocalInput(v: string, tz: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(v.trim());
  if (!m) return undefined;
  return localInstant(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, tz);
}

/**
 * Checks a draft against the inventory; returns the window to store, or the errors (in the
 * page's language) by field.
 */
export function checkDraft(
  p: Pick<PageCtx, 'lang' | 'tz'>,
  d: MaintenanceDraft,
  inventory: readonly DeviceConfig[],
): { ok: true; window: { name: string; targets: string[]; start: string; end: string; reason?: string } } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!d.name.trim()) errors.name = mw(p, 'need_name');
  const known = new Set(inventory.map((x) => x.name));
  const unknown = d.targets.filter((x) => !known.has(x));
  if (unknown.length) errors.targets = mw(p, 'unknown', { names: unknown.join(', ') });
  else if (!d.all && d.targets.length === 0) errors.targets = mw(p, 'need_targets');
  const s = fromLocalInput(d.start, p.tz);
  const e = fromLocalInput(d.end, p.tz);
  if (s === undefined) errors.start = mw(p, 'bad_time', { which: mw(p, 'start') });
  if (e === undefined) errors.end = mw(p, 'bad_time', { which: mw(p, 'end') });
  if (s !== undefined && e !== undefined) {
    if (e <= s) errors.end = mw(p, 'end_before');
    else if (e - s > 31 * 86_400_000) errors.end = mw(p, 'too_long');
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    window: {
      name: d.name.trim(),
      targets: d.all ? [] : d.targets,
      start: new Date(s!).toISOString(),
      end: new Date(e!).toISOString(),
      ...(d.reason.trim() ? { reason: d.reason.trim() } : {}),
    },
  };
}

function place(d: DeviceConfig): string {
  return [d.building, d.shaft ? `${d.shaft}` : d.floor ? `${d.floor}F` : '', d.room].filter(Boolean).join(' · ');
}

function describeRecurring(p: PageCtx, r: unknown): string {
  const x = r as { days?: string[]; start?: string; duration_min?: number } | undefined;
  if (!x?.days) return '';
  const days = x.days.map((d) => (p.lang === 'en' ? d[0]!.toUpperCase() + d.slice(1) : (DAYS_ZH[d] ?? d))).join(p.lang === 'en' ? ', ' : '、');
  return mw(p, 'every', { days, at: x.start ?? '', min: x.duration_min ?? 0 });
}

/**
 * The maintenance page: the windows in the collector's time zone, and a form whose targets
 * are picked from the inventory (by location), with the engineer's input kept on an error.
 */
export function maintenancePage(
  p: PageCtx,
  windows: StoredWindow[] | undefined,
  inventory: readonly DeviceConfig[],
  now: number,
  draft?: MaintenanceDraft,
  errors: Record<string, string> = {},
): string {
  if (!windows) return layout(p, t(p, 'maintenance'), html`<p class="muted">${t(p, 'maint_off')}</p>`);
  const byName = new Map(inventory.map((d) => [d.name, d]));
  const targetText = (w: StoredWindow): string =>
    w.targets.length ? w.targets.map((n) => (byName.get(n) && place(byName.get(n)!) ? `${n} (${place(byName.get(n)!)})` : n)).join(', ') : mw(p, 'everything');
  const at = (iso: string | undefined) => (iso ? fmtLocal(Date.parse(iso), p.tz) : '');
  const slot = Math.ceil(now / 900_000) * 900_000;
  const d: MaintenanceDraft = draft ?? {
    name: '',
    targets: [],
    all: false,
    start: toLocalInput(slot, p.tz),
    end: toLocalInput(slot + 2 * 3_600_000, p.tz),
    reason: '',
  };
  const groups = new Map<string, DeviceConfig[]>();
  for (const dev of inventory) groups.set(place(dev) || '—', [...(groups.get(place(dev) || '—') ?? []), dev]);
  const err = (k: string): Safe | string => (errors[k] ? html`<br><span class="err" id="err-${k}">${errors[k]}</span>` : '');
  const summary = Object.values(errors);
  return layout(
    p,
    t(p, 'maintenance'),
    html`<p class="muted">${mw(p, 'tz', { tz: p.tz })}</p><div class="scroll"><table id="windows"><tr><th>${t(p, 'name')}</th><th>${t(p, 'target')}</th><th>${t(p, 'start')}</th><th>${t(p, 'end')}</th><th>${mw(p, 'reason')}</th><th>${mw(p, 'by')}</th><th></th></tr>
${windows.map(
  (
    w,
  ) => html`<tr data-window="${String(w.id)}"><td>${w.name}</td><td>${targetText(w)}</td><td>${w.start ? at(w.start) : describeRecurring(p, w.recurring)}</td><td>${at(w.end)}</td><td>${(w as { reason?: string }).reason ?? ''}</td><td>${w.created_by}</td>
<td>${p.canEdit && typeof w.id === 'number' ? html`<form method="post" action="/console/maintenance/delete">${csrfField(p)}<input type="hidden" name="id" value="${w.id}"><button>${t(p, 'delete')}</button></form>` : ''}</td></tr>`,
)}</table></div>
${
  p.canEdit
    ? html`<fieldset><legend>${t(p, 'create')}</legend><form method="post" action="/console/maintenance" id="new-window">${csrfField(p)}
<p><label>${t(p, 'name')}<br><input name="name" required value="${d.name}" class="${errors.name ? 'bad' : ''}"></label>${err('name')}</p>
<p><label>${mw(p, 'pick')}<br><select name="targets" multiple size="8" class="${errors.targets ? 'bad' : ''}">${[...groups.entries()].map(
        ([loc, ds]) =>
          html`<optgroup label="${loc}">${ds.map((x) => html`<option value="${x.name}"${d.targets.includes(x.name) ? html` selected` : ''}>${x.name} · ${x.kind}</option>`)}</optgroup>`,
      )}</select></label><br><label><input type="checkbox" name="all" value="1"${d.all ? html` checked` : ''}> ${mw(p, 'all')}</label>${err('targets')}</p>
<p><label>${t(p, 'start')} (${p.tz})<br><input type="datetime-local" name="start" required value="${d.start}" class="${errors.start ? 'bad' : ''}"></label>${err('start')}</p>
<p><label>${t(p, 'end')} (${p.tz})<br><input type="datetime-local" name="end" required value="${d.end}" class="${errors.end ? 'bad' : ''}"></label>${err('end')}</p>
<p><label>${mw(p, 'reason')}<br><textarea name="reason" rows="2">${d.reason}</textarea></label></p>
<p><button>${t(p, 'create')}</button></p></form></fieldset>`
    : ''
}`,
    summary.length ? summary.join(' ') : undefined,
  );
}
