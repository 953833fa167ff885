import type { Alert } from '../../alerts/store.ts';
import type { AgentRecord } from '../../store/agents.ts';
import type { DeviceConfig } from '../../../config/schema/collector.ts';
import type { ScheduleStatus } from '../../inspections/schedule.ts';
import type { InspectionRecord, ProblemRecord } from '../../inspections/store.ts';
import { html, type Safe } from '../ui/html.ts';
import { csrfField, layout, type PageCtx, t, when } from '../ui/layout.ts';
import type { User } from '../../security/users.ts';
import type { SmsUsage } from '../../notify/budget.ts';

export function loginPage(p: PageCtx, loginCsrf: string, error?: string): string {
  return layout(
    p,
    t(p, 'login'),
    html`<form method="post" action="/console/login"><input type="hidden" name="_csrf" value="${loginCsrf}">
<p><label>${t(p, 'username')}<br><input name="username" autocomplete="username" required></label></p>
<p><label>${t(p, 'password')}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">${t(p, 'login')}</button></p></form>`,
    error,
  );
}

function locationOf(d: { building?: string | undefined; floor?: string | undefined; shaft?: string | undefined; room?: string | undefined }): string {
  return [d.building, d.shaft ? `shaft ${d.shaft}` : d.floor ? `${d.floor}F` : '', d.room].filter(Boolean).join(' · ');
}

/** The agents and when each last reported (under the device overview). */
export function agentsTable(p: PageCtx, agents: (AgentRecord & { connected: boolean })[]): Safe {
  return html`<h2>${t(p, 'agents')}</h2><div style="overflow-x:auto"><table><tr><th>${t(p, 'agent')}</th><th>${t(p, 'location')}</th><th>${t(p, 'status')}</th><th>${t(p, 'last_seen')}</th></tr>
${agents.map((a) => html`<tr class="${a.connected ? '' : 'warn'}"><td>${a.name}</td><td>${locationOf(a.tags)}</td><td>${a.connected ? t(p, 'connected') : a.revoked_ms ? 'revoked' : '—'}</td><td>${a.last_seen_ms ? when(p, a.last_seen_ms) : t(p, 'never')}</td></tr>`)}</table></div>`;
}

export function overviewPage(
  p: PageCtx,
  agents: (AgentRecord & { connected: boolean })[],
  devices: readonly DeviceConfig[],
  alertsByTarget: Map<string, Alert[]>,
): string {
  const groups = new Map<string, DeviceConfig[]>();
  for (const d of devices) {
    const k = locationOf(d) || '—';
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  const status = (name: string) => {
    const a = alertsByTarget.get(name) ?? [];
    const worst = a.find((x) => x.severity === 'critical') ?? a[0];
    return worst
      ? { cls: worst.severity === 'critical' ? 'critical' : 'warn', text: `${worst.severity}: ${worst.summary || worst.rule}` }
      : { cls: '', text: t(p, 'ok') };
  };
  return layout(
    p,
    t(p, 'overview'),
    html`<h2>${t(p, 'agents')}</h2><table><tr><th>${t(p, 'agent')}</th><th>${t(p, 'location')}</th><th>${t(p, 'status')}</th><th>${t(p, 'last_seen')}</th></tr>
${agents.map((a) => html`<tr class="${a.connected ? '' : 'warn'}"><td>${a.name}</td><td>${locationOf(a.tags)}</td><td>${a.connected ? t(p, 'connected') : a.revoked_ms ? 'revoked' : '—'}</td><td>${a.last_seen_ms ? when(p, a.last_seen_ms) : t(p, 'never')}</td></tr>`)}</table>
${[...groups.entries()].map(
  ([loc, ds]) => html`<h2>${loc}</h2><table><tr><th>${t(p, 'device')}</th><th>${t(p, 'kind')}</th><th>${t(p, 'address')}</th><th>${t(p, 'status')}</th></tr>
${ds.map((d) => {
  const s = status(d.name);
  return html`<tr class="${s.cls}"><td>${d.name}</td><td>${d.kind}</td><td>${d.address ?? ''}</td><td>${s.text}</td></tr>`;
})}</table>`,
)}`,
  );
}

export function inspectionsPage(p: PageCtx, schedules: ScheduleStatus[], runs: InspectionRecord[]): string {
  return layout(
    p,
    t(p, 'inspections'),
    html`<table><tr><th>${t(p, 'schedule')}</th><th>${t(p, 'period')}</th><th>${t(p, 'due')}</th><th>${t(p, 'owner')}</th><th>${t(p, 'status')}</th><th></th></tr>
${schedules.map(
  (
    s,
  ) => html`<tr class="${s.overdue ? 'fail' : s.reminder ? 'warn' : ''}"><td>${s.title}</td><td>${s.period.label}</td><td>${when(p, s.due_ms)}</td><td>${s.owner}</td><td>${s.overdue ? t(p, 'overdue') : s.done_id ? t(p, 'done') : '—'}</td>
<td>${p.canEdit ? html`<form method="post" action="/console/inspections/start">${csrfField(p)}<input type="hidden" name="schedule" value="${s.id}"><button>${t(p, 'start_run')}</button></form>` : ''}</td></tr>`,
)}</table>
<h2>${t(p, 'recent_runs')}</h2><table><tr><th>#</th><th>${t(p, 'schedule')}</th><th>${t(p, 'period')}</th><th>${t(p, 'started')}</th><th>${t(p, 'signed')}</th><th>${t(p, 'fail')}</th></tr>
${runs.map(
  (
    r,
  ) => html`<tr><td><a href="/console/inspections/${r.id}">${r.id}</a></td><td><a href="/console/inspections/${r.id}">${r.title}</a></td><td>${r.period}</td><td>${when(p, r.started_ms)} · ${r.started_by}</td>
<td>${r.signed_ms ? `${when(p, r.signed_ms)} · ${r.signed_by}` : t(p, 'not_signed')}</td><td>${r.items.filter((i) => i.result === 'fail').length}</td></tr>`,
)}</table>`,
  );
}

export function problemsPage(p: PageCtx, problems: ProblemRecord[]): string {
  return layout(
    p,
    t(p, 'problems'),
    problems.length
      ? html`<table><tr><th>#</th><th>${t(p, 'problem')}</th><th>${t(p, 'device')}</th><th>${t(p, 'owner')}</th><th>${t(p, 'due')}</th><th>${t(p, 'status')}</th><th></th></tr>
${problems.map(
  (
    x,
  ) => html`<tr class="${x.closed_ms ? '' : x.severity}"><td>${x.id}</td><td>${x.title}</td><td>${x.device}</td><td>${x.owner}</td><td>${when(p, x.due_ms)}</td><td>${x.closed_ms ? `${t(p, 'closed')} ${when(p, x.closed_ms)} · ${x.resolution}` : t(p, 'open')}</td>
<td>${p.canEdit && !x.closed_ms ? html`<form method="post" action="/console/problems/close">${csrfField(p)}<input type="hidden" name="id" value="${x.id}"><input name="resolution" placeholder="${t(p, 'resolution')}" required> <button>${t(p, 'close')}</button></form>` : ''}</td></tr>`,
)}</table>`
      : html`<p class="muted">${t(p, 'no_problems')}</p>`,
  );
}

export function reportsPage(p: PageCtx, defaultMonth: string, runs: { month: string; lang: string; generated_ms: number; bytes: number }[]): string {
  return layout(
    p,
    t(p, 'reports'),
    html`<form method="get" action="/console/reports/download"><label>${t(p, 'month')} <input type="month" name="month" value="${defaultMonth}" required></label>
<label>${t(p, 'language')} <select name="lang"><option value="zh-CN" ${p.lang === 'zh-CN' ? html`selected` : ''}>中文</option><option value="en" ${p.lang === 'en' ? html`selected` : ''}>English</option></select></label>
<button>${t(p, 'download')}</button></form>
${runs.length ? html`<h2>${t(p, 'generated')}</h2><table><tr><th>${t(p, 'month')}</th><th>${t(p, 'language')}</th><th>${t(p, 'started')}</th><th>KB</th></tr>${runs.map((r) => html`<tr><td><a href="/console/reports/download?month=${r.month}&amp;lang=${r.lang}">${r.month}</a></td><td>${r.lang}</td><td>${when(p, r.generated_ms)}</td><td>${Math.round(r.bytes / 1024)}</td></tr>`)}</table>` : ''}`,
  );
}

export function smsPage(p: PageCtx, u: SmsUsage | undefined): string {
  if (!u) return layout(p, t(p, 'sms'), html`<p class="muted">${t(p, 'alerts_off')}</p>`);
  return layout(
    p,
    t(p, 'sms'),
    html`<table><tr><th>${t(p, 'quota')} ${u.year}</th><th>${t(p, 'used')}</th><th>${t(p, 'today')}</th><th>${t(p, 'daily_cap')}</th></tr>
<tr class="${u.used_pct >= 90 ? 'fail' : u.used_pct >= 75 ? 'warn' : ''}"><td>${u.quota}</td><td>${u.used_parts} (${u.used_pct.toFixed(1)}%)</td><td>${u.today_parts}</td><td>${u.daily_cap}</td></tr></table>
<h2>${t(p, 'by_purpose')}</h2><table>${Object.entries(u.by_purpose).map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>`)}</table>
<h2>${t(p, 'month')}</h2><table>${Object.entries(u.by_month).map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>`)}</table>`,
  );
}

export function usersPage(p: PageCtx, users: User[]): string {
  return layout(
    p,
    t(p, 'users'),
    html`<table><tr><th>${t(p, 'username')}</th><th>${t(p, 'role')}</th><th>${t(p, 'started')}</th><th>${t(p, 'status')}</th></tr>
${users.map((u) => html`<tr><td>${u.username}</td><td>${u.role}</td><td>${when(p, u.created_ms)}</td><td>${u.disabled_ms ? 'disabled' : ''}</td></tr>`)}</table>
<fieldset><legend>${t(p, 'add_user')}</legend><form method="post" action="/console/users">${csrfField(p)}
<label>${t(p, 'username')} <input name="username" required></label> <label>${t(p, 'password')} <input name="password" type="password" minlength="10" required></label>
<label>${t(p, 'role')} <select name="role"><option>viewer</option><option selected>engineer</option><option>admin</option></select></label> <button>${t(p, 'add_user')}</button></form></fieldset>`,
  );
}

export function errorPage(p: PageCtx, status: number, message: string): string {
  return layout(p, `${t(p, 'error')} ${status}`, html``, message);
}
