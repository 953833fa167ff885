import { html, type Safe } from '../console/ui/html.ts';
import { layout, type PageCtx, when } from '../console/ui/layout.ts';
import { monthPeriod } from '../../lib/month-period.ts';
import { fmtLocal, localParts } from '../../lib/zoned-time.ts';
import type { SoftwareService } from './module.ts';
import { translator } from '../i18n/index.ts';

const en = {
  title: 'Software',
  machines: 'Machines',
  machine: 'Machine',
  os: 'Operating system',
  edition: 'Edition',
  activation: 'Activation',
  office: 'Office suites',
  programs: 'Programs',
  forbidden: 'Forbidden',
  unreviewed: 'Unreviewed',
  received: 'List received',
  failed: 'Failed sources',
  search: 'Which machines have',
  find: 'Find',
  results: 'Machines with “{q}”',
  none: 'None.',
  licensing: 'Licences',
  rule: 'Rule',
  installed: 'Installed',
  licensed: 'Licensed',
  changes: 'Changes',
  changes_month: 'Changes in {m}',
  change: 'Change',
  name: 'Name',
  version: 'Version',
  publisher: 'Publisher',
  arch: 'Arch',
  install_date: 'Installed on',
  source: 'Source',
  scope: 'Scope',
  findings: 'Findings',
  action: 'Action',
  when: 'When',
  no_lists: 'No machine has sent its software list yet (the agents need the `software` probe).',
  unknown_machine: 'No software list from this machine.',
  prev: '← previous month',
  next: 'next month →',
  installed_c: 'installed',
  removed_c: 'removed',
  upgraded_c: 'upgraded',
  downgraded_c: 'downgraded',
  forbidden_a: 'forbidden',
  requires_license_a: 'requires licence',
  unreviewed_a: 'unreviewed',
  exceeded: 'over the licences held',
  stale: 'out of date',
  forbidden_h: 'Forbidden software installed',
};
const zh: typeof en = {
  title: '软件',
  machines: '计算机',
  machine: '计算机',
  os: '操作系统',
  edition: '版本',
  activation: '激活状态',
  office: '办公套件',
  programs: '软件数',
  forbidden: '禁用软件',
  unreviewed: '未审核',
  received: '清单接收时间',
  failed: '采集失败的来源',
  search: '查找安装了某软件的计算机',
  find: '查找',
  results: '安装了“{q}”的计算机',
  none: '无。',
  licensing: '许可证',
  rule: '规则',
  installed: '已安装',
  licensed: '持有许可',
  changes: '变更',
  changes_month: '{m} 的变更',
  change: '变更',
  name: '名称',
  version: '版本号',
  publisher: '发布者',
  arch: '架构',
  install_date: '安装日期',
  source: '来源',
  scope: '范围',
  findings: '检查结果',
  action: '处理',
  when: '时间',
  no_lists: '尚无计算机发送软件清单（代理需配置 `software` 探针）。',
  unknown_machine: '没有该计算机的软件清单。',
  prev: '← 上个月',
  next: '下个月 →',
  installed_c: '安装',
  removed_c: '卸载',
  upgraded_c: '升级',
  downgraded_c: '降级',
  forbidden_a: '禁止',
  requires_license_a: '需许可',
  unreviewed_a: '未审核',
  exceeded: '超出持有的许可数',
  stale: '已过期',
  forbidden_h: '已安装的禁用软件',
};
type Key = keyof typeof en;
const s = translator({ en, zh });

const ACTIVATION_ZH: Record<string, string> = {
  licensed: '已激活',
  unlicensed: '未激活',
  grace: '宽限期',
  non_genuine: '非正版宽限期',
  notification: '通知模式',
  not_applicable: '不适用',
  unknown: '未知',
};
const act = (p: PageCtx, a: string) => (p.lang === 'en' ? a.replace('_', ' ') : (ACTIVATION_ZH[a] ?? a));
const actCls = (a: string) => (a === 'licensed' || a === 'not_applicable' ? '' : a === 'unknown' ? 'warn' : 'fail');
const enc = encodeURIComponent;
const CSS = html`<style>.sw-wrap{overflow-x:auto}.sw-wrap th{white-space:nowrap}.sw-wide table{min-width:640px}.sw-bad{color:#b03a2e;font-weight:600}td.nw{white-space:nowrap}form.sw-q{display:flex;gap:.4rem;flex-wrap:wrap;margin:.5rem 0}form.sw-q input{flex:1;min-width:10rem}</style>`;

/** A wide table scrolls inside its box on a phone instead of widening the page. */
const wrap = (t: Safe) => html`<div class="sw-wrap">${t}</div>`;
/** Tables of seven columns keep a readable width and scroll sideways on a phone. */
const wide = (t: Safe) => html`<div class="sw-wrap sw-wide">${t}</div>`;

function shiftMonth(month: string, d: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + d;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** /console/software: machines with OS, activation and counts; search; licence totals; the month's changes link. */
export function softwareOverview(p: PageCtx, svc: SoftwareService | undefined, q: string, now: number): string {
  if (!svc) return layout(p, s(p, 'title'), html`<p class="muted">${s(p, 'no_lists')}</p>`);
  const machines = svc.store.machines();
  const fleet = svc.findings();
  const byAgent = new Map(fleet.machines.map((m) => [m.agent, m]));
  const lp = localParts(now, p.tz);
  const month = `${lp.y}-${String(lp.m).padStart(2, '0')}`;
  const hits = q ? svc.store.search(q, 500) : [];
  const body = html`${CSS}
<form class="sw-q" method="get" action="/console/software"><label for="q">${s(p, 'search')}</label><input id="q" name="q" value="${q}" placeholder="WPS, 迅雷, Office…"><button>${s(p, 'find')}</button></form>
${q ? html`<h2>${s(p, 'results', { q })}</h2>${hits.length ? wrap(html`<table><tr><th>${s(p, 'machine')}</th><th>${s(p, 'name')}</th><th>${s(p, 'version')}</th><th>${s(p, 'scope')}</th></tr>${hits.map((r) => html`<tr><td><a href="/console/software/machine?agent=${enc(r.agent)}">${r.agent}</a></td><td>${r.name}</td><td>${r.version}</td><td>${r.scope}</td></tr>`)}</table>`) : html`<p class="muted">${s(p, 'none')}</p>`}` : ''}
<p><a href="/console/software/changes?month=${month}">${s(p, 'changes_month', { m: month })}</a></p>
${fleet.licensing.length ? html`<h2>${s(p, 'licensing')}</h2>${wrap(html`<table><tr><th>${s(p, 'rule')}</th><th>${s(p, 'installed')}</th><th>${s(p, 'licensed')}</th></tr>${fleet.licensing.map((l) => html`<tr class="${l.exceeded ? 'fail' : ''}"><td>${l.rule}</td><td>${l.installed}</td><td>${l.licensed}${l.exceeded ? html` <strong>${s(p, 'exceeded')}</strong>` : ''}</td></tr>`)}</table>`)}` : ''}
${(() => {
  const bad = fleet.machines.flatMap((m) => m.forbidden.map((f) => ({ agent: m.agent, ...f })));
  return bad.length
    ? html`<h2>${s(p, 'forbidden_h')} (${bad.length})</h2>${wrap(html`<table><tr><th>${s(p, 'machine')}</th><th>${s(p, 'name')}</th><th>${s(p, 'version')}</th><th>${s(p, 'rule')}</th></tr>${bad.map((f) => html`<tr class="fail"><td><a href="/console/software/machine?agent=${enc(f.agent)}">${f.agent}</a></td><td>${f.name}</td><td>${f.version}</td><td>${f.rule ?? ''}</td></tr>`)}</table>`)}`
    : '';
})()}
<h2>${s(p, 'machines')}</h2>
${
  machines.length
    ? wide(html`<table><tr><th>${s(p, 'machine')}</th><th>${s(p, 'os')}</th><th>${s(p, 'activation')}</th><th>${s(p, 'programs')}</th><th>${s(p, 'forbidden')}</th><th>${s(p, 'unreviewed')}</th><th>${s(p, 'received')}</th></tr>
${machines.map((m) => {
  const f = byAgent.get(m.agent);
  const bad = (f?.forbidden.length ?? 0) > 0;
  // Agents resend an unchanged list daily: one older than two days is out of date, whatever it says.
  const stale = now - m.received_ms > 2 * 86_400_000;
  return html`<tr class="${bad ? 'fail' : actCls(m.os_activation) || (stale ? 'warn' : '')}"><td><a href="/console/software/machine?agent=${enc(m.agent)}">${m.agent}</a></td><td>${m.os_name} ${m.os_version}${m.os_edition ? html` <span class="muted">${m.os_edition}</span>` : ''}</td><td>${act(p, m.os_activation)}</td><td>${m.packages}</td><td>${f?.forbidden.length ?? 0}</td><td>${f?.unreviewed ?? 0}</td><td>${when(p, m.received_ms)}${stale ? html` <strong>${s(p, 'stale')}</strong>` : ''}</td></tr>`;
})}</table>`)
    : html`<p class="muted">${s(p, 'no_lists')}</p>`
}`;
  return layout(p, s(p, 'title'), body);
}

/** /console/software/machine?agent=: one machine's list, findings and history. */
export function softwareMachine(p: PageCtx, svc: SoftwareService | undefined, agent: string): string {
  const m = svc?.store.machine(agent);
  if (!svc || !m) return layout(p, agent || s(p, 'machine'), html`<p class="err">${s(p, 'unknown_machine')}</p>`);
  const rows = svc.store.installed(agent).sort((a, b) => a.name.localeCompare(b.name));
  const findings = svc.policy.findings(rows).filter((f) => f.action !== 'unreviewed');
  const changes = svc.store.changes(0, Number.MAX_SAFE_INTEGER, agent).reverse().slice(0, 200);
  const body = html`${CSS}
<p><a href="/console/software">← ${s(p, 'title')}</a></p>
${wrap(html`<table><tr><th>${s(p, 'os')}</th><td>${m.os_name} ${m.os_version}</td></tr><tr><th>${s(p, 'edition')}</th><td>${m.os_edition || '—'}</td></tr>
<tr class="${actCls(m.os_activation)}"><th>${s(p, 'activation')}</th><td>${act(p, m.os_activation)}</td></tr>
<tr><th>${s(p, 'office')}</th><td>${m.office.length ? m.office.map((o) => html`<div class="${o.kind !== 'wps' && actCls(o.activation) ? 'sw-bad' : ''}">${o.product} ${o.version} (${o.kind}) — ${act(p, o.activation)}</div>`) : '—'}</td></tr>
<tr><th>${s(p, 'received')}</th><td>${when(p, m.received_ms)}</td></tr>
${
  Object.keys(m.errors).length
    ? html`<tr class="warn"><th>${s(p, 'failed')}</th><td>${Object.entries(m.errors)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}</td></tr>`
    : ''
}</table>`)}
${findings.length ? html`<h2>${s(p, 'findings')}</h2>${wrap(html`<table><tr><th>${s(p, 'name')}</th><th>${s(p, 'version')}</th><th>${s(p, 'rule')}</th><th>${s(p, 'action')}</th></tr>${findings.map((f) => html`<tr class="${f.action === 'forbidden' ? 'fail' : ''}"><td>${f.name}</td><td>${f.version}</td><td>${f.rule ?? ''}</td><td>${s(p, `${f.action}_a` as Key)}</td></tr>`)}</table>`)}` : ''}
${changes.length ? html`<h2>${s(p, 'changes')}</h2>${wrap(html`<table><tr><th>${s(p, 'when')}</th><th>${s(p, 'change')}</th><th>${s(p, 'name')}</th><th>${s(p, 'version')}</th></tr>${changes.map((c) => html`<tr><td class="nw">${fmtLocal(c.time_ms, p.tz)}</td><td>${s(p, `${c.change}_c` as Key)}</td><td>${c.name}</td><td>${c.old_version && c.new_version ? `${c.old_version} → ${c.new_version}` : (c.new_version ?? c.old_version ?? '')}</td></tr>`)}</table>`)}` : ''}
<h2>${s(p, 'programs')} (${rows.length})</h2>
${wide(html`<table><tr><th>${s(p, 'name')}</th><th>${s(p, 'version')}</th><th>${s(p, 'publisher')}</th><th>${s(p, 'arch')}</th><th>${s(p, 'install_date')}</th><th>${s(p, 'source')}</th><th>${s(p, 'scope')}</th></tr>
${rows.map((r) => html`<tr><td>${r.name}</td><td>${r.version}</td><td>${r.publisher}</td><td>${r.arch}</td><td class="nw">${r.install_date ?? '—'}</td><td>${r.source}</td><td>${r.scope}</td></tr>`)}</table>`)}`;
  return layout(p, agent, body);
}

/** /console/software/changes?month=YYYY-MM: every change in the office's local month, newest first. */
export function softwareChanges(p: PageCtx, svc: SoftwareService | undefined, month: string): string {
  const { startMs, endMs } = monthPeriod(month, p.tz);
  const list = (svc?.store.changes(startMs, endMs) ?? []).reverse();
  const body = html`${CSS}<p><a href="/console/software">← ${s(p, 'title')}</a> · <a href="?month=${shiftMonth(month, -1)}">${s(p, 'prev')}</a> · <a href="?month=${shiftMonth(month, 1)}">${s(p, 'next')}</a></p>
${list.length ? wrap(html`<table><tr><th>${s(p, 'when')}</th><th>${s(p, 'machine')}</th><th>${s(p, 'change')}</th><th>${s(p, 'name')}</th><th>${s(p, 'version')}</th></tr>${list.map((c) => html`<tr class="${c.change === 'removed' ? 'warn' : ''}"><td class="nw">${fmtLocal(c.time_ms, p.tz)}</td><td><a href="/console/software/machine?agent=${enc(c.agent)}">${c.agent}</a></td><td>${s(p, `${c.change}_c` as Key)}</td><td>${c.name}</td><td>${c.old_version && c.new_version ? `${c.old_version} → ${c.new_version}` : (c.new_version ?? c.old_version ?? '')}</td></tr>`)}</table>`) : html`<p class="muted">${s(p, 'none')}</p>`}`;
  return layout(p, s(p, 'changes_month', { m: month }), body);
}

/** Whether `v` is a YYYY-MM month. */
export const isMonth = (v: string | null): v is string => !!v && /^\d{4}-(0[1-9]|1[0-2])$/.test(v);
