import { createHash } from 'node:crypto';
import type { DeviceDetail, DeviceView, Reason } from '../../devices/module.ts';
import { fill, type Lang } from '../../i18n/index.ts';
import { html, Safe } from '../ui/html.ts';
import { csrfField, layout, type PageCtx, when } from '../ui/layout.ts';

/** Words of the device and alert pages (kept here: the page's own vocabulary). */
const W = {
  en: {
    up: 'up',
    down: 'down',
    degraded: 'degraded',
    unknown: 'unknown',
    maintenance: 'maintenance',
    firing: 'firing',
    pending: 'pending',
    acknowledged: 'acknowledged',
    resolved: 'resolved',
    suppressed: 'suppressed',
    critical: 'critical',
    warning: 'warning',
    info: 'info',
    all: 'all',
    building: 'Building',
    floor: 'Floor',
    shaft: 'Shaft',
    kind: 'Kind',
    status: 'Status',
    search: 'Name or IP',
    filter: 'Filter',
    device: 'Device',
    location: 'Location',
    since: 'Since',
    for: 'For',
    reasons: 'Why',
    last_seen: 'Last seen',
    agent: 'Polled by',
    alerts: 'Alerts',
    problems: 'Problems first',
    none: 'No devices match.',
    refreshed: 'updated',
    uptime24: 'Uptime 24 h',
    uptime30: 'Uptime this month',
    addresses: 'Addresses',
    latest: 'Latest readings',
    ports: 'Switch ports',
    port: 'Port',
    oper: 'Link',
    speed: 'Speed Mb/s',
    in_bps: 'In b/s',
    out_bps: 'Out b/s',
    errors: 'Errors/s',
    neighbour: 'LLDP neighbour',
    open_alerts: 'Open alerts',
    recent_alerts: 'Recent alerts',
    history: 'Availability, last 24 h',
    charts: 'History',
    grafana: 'Open in Grafana',
    unregistered: 'unregistered',
    age: 'Age',
    left: 'Left to on-site deadline',
    overdue: 'overdue by {d}',
    note: 'Note',
    ack: 'Acknowledge',
    suppressed_by: 'suppressed by {x}',
    silenced_by: 'silenced by maintenance window {x}',
    resolved_history: 'Resolved',
    days: 'Last days',
    severity: 'Severity',
    rule: 'Rule',
    summary: 'Summary',
    state: 'State',
    acked_by: 'acknowledged by {who}',
    no_alerts: 'No active alerts.',
    alerts_off: 'Alerts are not enabled.',
    measurement: 'Measurement',
    value: 'Value',
    reason_resolved: 'Resolved because',
    monitored: '{p} % of the {d} it was monitored',
    never_monitored: 'not monitored yet',
  },
  'zh-CN': {
    up: '正常',
    down: '离线',
    degraded: '异常',
    unknown: '未知',
    maintenance: '维护中',
    firing: '告警中',
    pending: '待定',
    acknowledged: '已确认',
    resolved: '已恢复',
    suppressed: '已抑制',
    critical: '严重',
    warning: '警告',
    info: '提示',
    all: '全部',
    building: '楼栋',
    floor: '楼层',
    shaft: '竖井',
    kind: '类型',
    status: '状态',
    search: '名称或 IP',
    filter: '筛选',
    device: '设备',
    location: '位置',
    since: '起始',
    for: '持续',
    reasons: '原因',
    last_seen: '最后上报',
    agent: '采集代理',
    alerts: '告警',
    problems: '问题设备优先',
    none: '没有符合条件的设备。',
    refreshed: '已更新',
    uptime24: '24 小时可用率',
    uptime30: '本月可用率',
    addresses: '地址',
    latest: '最新读数',
    ports: '交换机端口',
    port: '端口',
    oper: '链路',
    speed: '速率 Mb/s',
    in_bps: '入 b/s',
    out_bps: '出 b/s',
    errors: '错误/秒',
    neighbour: 'LLDP 邻居',
    open_alerts: '当前告警',
    recent_alerts: '近期告警',
    history: '最近 24 小时可用性',
    charts: '历史曲线',
    grafana: '在 Grafana 中打开',
    unregistered: '未登记',
    age: '已持续',
    left: '距 2 小时到场时限',
    overdue: '已超时 {d}',
    note: '备注',
    ack: '确认',
    suppressed_by: '被 {x} 抑制',
    silenced_by: '维护窗口 {x} 静默中',
    resolved_history: '已恢复',
    days: '最近天数',
    severity: '级别',
    rule: '规则',
    summary: '摘要',
    state: '状态',
    acked_by: '已由 {who} 确认',
    no_alerts: '没有当前告警。',
    alerts_off: '告警未启用。',
    measurement: '指标',
    value: '值',
    reason_resolved: '恢复原因',
    monitored: '实际监测 {d} 内为 {p} %',
    never_monitored: '尚未监测',
  },
} as const;
type Key = keyof (typeof W)['en'];

export function dw(lang: Lang, k: Key | string, v: Record<string, string> = {}): string {
  const d = W[lang] as Record<string, string>;
  return fill(d[k] ?? k, v);
}

/** "3 h 20 min", "2 d 4 h", "45 s" (zh: 3 小时 20 分). */
export function duration(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const zh = lang !== 'en';
  const u = zh ? { d: ' 天', h: ' 小时', m: ' 分', s: ' 秒' } : { d: ' d', h: ' h', m: ' min', s: ' s' };
  if (s < 60) return `${s}${u.s}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}${u.m}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}${u.h}${m % 60 ? ` ${m % 60}${u.m}` : ''}`;
  return `${Math.floor(h / 24)}${u.d}${h % 24 ? ` ${h % 24}${u.h}` : ''}`;
}

export function placeOf(d: { building: string | null; floor: string | null; shaft: string | null; room: string | null }, lang: Lang = 'zh-CN'): string {
  return [d.building, d.floor ? `${d.floor}F` : '', d.shaft ? `${lang === 'en' ? 'shaft' : '竖井'} ${d.shaft}` : '', d.room].filter(Boolean).join(' · ');
}

const ZH_REASON: Record<string, (r: Reason) => string> = {
  never_seen: () => '尚无任何采样：没有采集任务覆盖它',
  silence: (r) => `已 ${String(r.value)} 秒无数据（上限 ${String(r.threshold)} 秒）`,
  maintenance: () => '维护窗口内',
  snapshot: (r) =>
    (({ black: '截图全黑', frozen: '画面冻结', uniform: '画面单色' }) as Record<string, string>)[String(r.value)] ?? `截图异常：${String(r.value)}`,
  stream: (r) => `视频流失败（${String(r.value)}）`,
  clock_drift: (r) => `时钟偏差 ${String(r.value)} 秒（上限 ${String(r.threshold)} 秒）`,
  ping_loss: (r) => `丢包 ${String(r.value)}%（上限 ${String(r.threshold)}%）`,
  reachability: (r) => `不可达（${String(r.value)}）`,
  supply: (r) => `耗材用尽：${String(r.value)}`,
  waste: (r) => `废粉盒已满：${String(r.value)}`,
};

/** A reason in the page's language (the API keeps the English message). */
export function reasonText(lang: Lang, r: Reason): string {
  return lang === 'en' ? r.message : (ZH_REASON[r.check]?.(r) ?? r.message);
}

/**
 * The overview's refresh: fetches the same page with partial=1 every 20 s and swaps the
 * live part in. It is the console's only script, allowed by its hash (LIVE_CSP).
 */
const LIVE_JS = `(function(){var el=document.getElementById('live');if(!el||!window.fetch)return;function tick(){var q=new URLSearchParams(location.search);q.set('partial','1');fetch(location.pathname+'?'+q.toString(),{credentials:'same-origin',headers:{accept:'text/html'}}).then(function(r){return r.ok?r.text():null}).then(function(t){if(t!==null){el.innerHTML=t;el.setAttribute('data-refreshed',String(Date.now()))}}).catch(function(){})}setInterval(tick,20000)})();`;
const LIVE_HASH = createHash('sha256').update(LIVE_JS).digest('base64');

/** The CSP of pages with the refresh script: the console's, plus that one script and fetches to itself. */
export const LIVE_CSP = `default-src 'none'; script-src 'sha256-${LIVE_HASH}'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

export const STYLE = html`<style>
.wrap{overflow-x:auto;max-width:100%}.chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}.chip{padding:.25rem .6rem;border-radius:1rem;background:#fff;border:1px solid #cfd8e1;text-decoration:none;color:inherit}
.chip{white-space:nowrap}.chip b{font-size:1.1em}.st-down{background:#fbe1de}.st-degraded{background:#fdf1d2}.st-unknown{background:#e6e9ee}.st-maintenance{background:#e3ecf8}.st-up{background:#e3f4e8}
form.filters{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end}form.filters label{display:flex;flex-direction:column;font-size:.85em}form.filters select,form.filters input{max-width:9rem}
td.reasons{min-width:12rem}main{box-sizing:border-box;max-width:100%}svg{max-width:100%;height:auto}
@media (max-width:600px){td,th{padding:.3rem .35rem;font-size:.9em}h1{font-size:1.3em}}
</style>`;

export const statusCell = (p: PageCtx, s: string) => html`<span class="chip st-${s}" data-status="${s}">${dw(p.lang, s)}</span>`;

/** The live part of the overview (what the refresh replaces). */
export function overviewLive(p: PageCtx, all: DeviceView[], shown: DeviceView[], now: number): Safe {
  const counts = new Map<string, number>();
  for (const d of all) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  const L = p.lang;
  return html`<div class="chips" id="counts">${(['down', 'degraded', 'unknown', 'maintenance', 'up'] as const).map(
    (s) => html`<a class="chip st-${s}" href="?status=${s}" data-count="${s}">${dw(L, s)} <b>${counts.get(s) ?? 0}</b></a>`,
  )}<a class="chip" href="?">${dw(L, 'all')} <b>${all.length}</b></a></div>
<div class="wrap"><table id="devices"><tr><th>${dw(L, 'status')}</th><th>${dw(L, 'device')}</th><th>${dw(L, 'location')}</th><th>${dw(L, 'for')}</th><th>${dw(L, 'reasons')}</th><th>${dw(L, 'kind')}</th><th>${dw(L, 'last_seen')}</th><th>${dw(L, 'alerts')}</th></tr>
${shown.map(
  (
    d,
  ) => html`<tr data-device="${d.name}" data-status="${d.status}"><td>${statusCell(p, d.status)}</td><td><a href="/console/devices/${encodeURIComponent(d.name)}">${d.name}</a>${d.address && d.address !== d.name ? html`<br><span class="muted">${d.address}</span>` : ''}</td>
<td>${placeOf(d, L)}</td><td>${duration(now - Date.parse(d.since), L)}</td><td class="reasons">${d.reasons.map((r) => reasonText(L, r)).join('; ')}</td><td>${d.kind === 'unregistered' ? dw(L, 'unregistered') : d.kind}</td><td>${d.last_seen ? when(p, Date.parse(d.last_seen)) : '—'}</td><td>${d.alerts_open || ''}</td></tr>`,
)}</table></div>${shown.length ? '' : html`<p class="muted">${dw(L, 'none')}</p>`}`;
}

/** The console's home page: counts by status, filters, problem devices first, self-refreshing. */
export function devicesOverviewPage(p: PageCtx, all: DeviceView[], shown: DeviceView[], q: URLSearchParams, now: number, title: string, after: Safe): string {
  const L = p.lang;
  const opts = (k: 'building' | 'floor' | 'shaft' | 'kind') => [...new Set(all.map((d) => d[k]).filter((x): x is string => !!x))].sort();
  const sel = (k: 'building' | 'floor' | 'shaft' | 'kind' | 'status', values: string[]) =>
    html`<label>${dw(L, k)}<select name="${k}"><option value="">${dw(L, 'all')}</option>${values.map((v) => html`<option value="${v}" ${q.get(k) === v ? html`selected` : ''}>${k === 'status' || v === 'unregistered' ? dw(L, v) : v}</option>`)}</select></label>`;
  return layout(
    p,
    title,
    html`${STYLE}<form class="filters" method="get" action="/console/">${sel('building', opts('building'))}${sel('floor', opts('floor'))}${sel('shaft', opts('shaft'))}${sel('kind', opts('kind'))}${sel('status', ['down', 'degraded', 'unknown', 'maintenance', 'up'])}
<label>${dw(L, 'search')}<input name="q" type="search" value="${q.get('q') ?? ''}"></label><button type="submit">${dw(L, 'filter')}</button></form>
<div id="live" aria-live="polite">${overviewLive(p, all, shown, now)}</div>${after}<script>${new Safe(LIVE_JS)}</script>`,
  );
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const fmtNum = (v: unknown) =>
  typeof v === 'number' ? (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(Math.round(v * 100) / 100)) : String(v ?? '');

/** A 24-hour availability bar from the status history. */
function timeline(p: PageCtx, hist: DeviceDetail['history'], status: string, now: number): Safe {
  const from = now - 86_400_000;
  const color: Record<string, string> = { up: '#3c9a5f', down: '#c0392b', degraded: '#e0a526', unknown: '#aab4bf', maintenance: '#4a7bbf' };
  const spans: { s: string; a: number; b: number }[] = [];
  let cur = 'unknown';
  let at = from;
  for (const h of hist) {
    const t = Date.parse(h.at);
    if (t <= from) {
      cur = h.status;
      continue;
    }
    spans.push({ s: cur, a: at, b: t });
    cur = h.status;
    at = t;
  }
  spans.push({ s: hist.length ? cur : status, a: at, b: now });
  const x = (t: number) => ((t - from) / 86_400_000) * 600;
  return html`<svg viewBox="0 0 600 34" width="600" role="img" aria-label="${dw(p.lang, 'history')}">${spans.map((s) => html`<rect x="${x(s.a).toFixed(1)}" y="0" width="${Math.max(0.5, x(s.b) - x(s.a)).toFixed(1)}" height="22" fill="${color[s.s] ?? '#aab4bf'}"><title>${dw(p.lang, s.s)} ${when(p, s.a)}–${when(p, s.b)}</title></rect>`)}
<text x="0" y="33" font-size="10">-24h</text><text x="575" y="33" font-size="10">now</text></svg>`;
}

/** A small line chart of one InfluxQL series ([time ms, value][]). */
export function lineChart(title: string, points: [number, number][], unit: string): Safe {
  if (points.length < 2) return html``;
  const t0 = points[0]![0];
  const t1 = points[points.length - 1]![0];
  const vs = points.map((x) => x[1]);
  const lo = Math.min(0, ...vs);
  const hi = Math.max(...vs, lo + 1e-9);
  const X = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * 580 + 10;
  const Y = (v: number) => 90 - ((v - lo) / (hi - lo)) * 80;
  return html`<figure><figcaption>${title} (${unit}) · max ${fmtNum(hi)}</figcaption><svg viewBox="0 0 600 100" width="600" role="img" aria-label="${title}"><polyline fill="none" stroke="#1f3a56" stroke-width="1.5" points="${points.map(([t, v]) => `${X(t).toFixed(1)},${Y(v).toFixed(1)}`).join(' ')}"/><line x1="10" y1="90" x2="590" y2="90" stroke="#cfd8e1"/></svg></figure>`;
}

/** Uptime over the whole period, and over the time it was monitored (unknown time is no outage). */
function uptimeCell(L: Lang, pct: number | null, c: DeviceDetail['coverage']['last_24h']): Safe {
  if (pct === null || !c) return html`—`;
  const seen = c.up_ms + c.down_ms;
  if (!seen) return html`${dw(L, 'never_monitored')}`;
  return html`${pct.toFixed(2)} % <span class="muted">· ${dw(L, 'monitored', { p: (c.monitored_uptime_pct ?? 0).toFixed(2), d: duration(seen, L) })}</span>`;
}

/** The page of one device. `charts` are drawn already (InfluxQL, when InfluxDB is configured). */
export function devicePage(p: PageCtx, d: DeviceDetail, now: number, charts: Safe[], grafana: string | undefined): string {
  const L = p.lang;
  const ports = (d.latest.interface ?? []).sort((a, b) => Number(a.tags.ifIndex ?? 0) - Number(b.tags.ifIndex ?? 0));
  const lldp = new Map(
    (d.latest.lldp_neighbor ?? []).map((n) => [
      n.tags.local_port ?? '',
      `${String(n.fields.remote_sys_name ?? '')} ${String(n.fields.remote_port ?? '')}`.trim(),
    ]),
  );
  const readings = Object.entries(d.latest).filter(([m]) => m !== 'interface' && m !== 'lldp_neighbor');
  const alertRow = (a: DeviceDetail['alerts']['open'][number]) =>
    html`<tr class="${a.severity === 'critical' ? 'critical' : 'warn'}"><td>${dw(L, a.severity)}</td><td>${a.rule}</td><td>${a.summary}</td><td>${dw(L, a.state)}</td><td>${a.fired ? when(p, Date.parse(a.fired)) : ''}</td><td>${a.resolved ? when(p, Date.parse(a.resolved)) : ''}</td></tr>`;
  return layout(
    p,
    d.name,
    html`${STYLE}<p>${statusCell(p, d.status)} ${dw(L, 'since')} ${when(p, Date.parse(d.since))} (${duration(now - Date.parse(d.since), L)})</p>
${d.reasons.length ? html`<ul id="reasons">${d.reasons.map((r) => html`<li data-check="${r.check}">${reasonText(L, r)}${r.threshold !== null ? html` <span class="muted">[${r.check}: ${String(r.value)} / ${String(r.threshold)}]</span>` : ''}</li>`)}</ul>` : ''}
<div class="wrap"><table><tr><th>${dw(L, 'kind')}</th><td>${d.kind === 'unregistered' ? dw(L, 'unregistered') : d.kind}</td></tr><tr><th>${dw(L, 'location')}</th><td>${placeOf(d, L)}${d.site ? ` (${d.site})` : ''}</td></tr>
<tr><th>${dw(L, 'addresses')}</th><td>${d.addresses.join(', ') || '—'}</td></tr><tr><th>${dw(L, 'agent')}</th><td>${d.agent ?? '—'}</td></tr><tr><th>${dw(L, 'last_seen')}</th><td>${d.last_seen ? when(p, Date.parse(d.last_seen)) : '—'}</td></tr>
<tr><th>${dw(L, 'uptime24')}</th><td>${uptimeCell(L, d.uptime_24h_pct, d.coverage.last_24h)}</td></tr><tr><th>${dw(L, 'uptime30')}</th><td>${uptimeCell(L, d.uptime_month_pct, d.coverage.month)}</td></tr></table></div>
${grafana ? html`<p><a href="${grafana}" rel="noopener">${dw(L, 'grafana')}</a></p>` : ''}
<h2>${dw(L, 'history')}</h2>${timeline(p, d.history, d.status, now)}
${charts.length ? html`<h2>${dw(L, 'charts')}</h2>${charts}` : ''}
${
  ports.length
    ? html`<h2>${dw(L, 'ports')}</h2><div class="wrap"><table id="ports"><tr><th>${dw(L, 'port')}</th><th>${dw(L, 'oper')}</th><th>${dw(L, 'speed')}</th><th>${dw(L, 'in_bps')}</th><th>${dw(L, 'out_bps')}</th><th>${dw(L, 'errors')}</th><th>${dw(L, 'neighbour')}</th></tr>
${ports.map((x) => {
  const up = num(x.fields.oper_status) === 1;
  return html`<tr class="${up ? '' : 'warn'}"><td>${x.tags.ifName ?? x.tags.ifIndex}${x.fields.ifAlias ? html`<br><span class="muted">${String(x.fields.ifAlias)}</span>` : ''}</td><td>${up ? dw(L, 'up') : dw(L, 'down')}</td><td>${fmtNum(x.fields.speed_mbps)}</td><td>${fmtNum(x.fields.in_bps)}</td><td>${fmtNum(x.fields.out_bps)}</td><td>${fmtNum((num(x.fields.in_errors_per_s) ?? 0) + (num(x.fields.out_errors_per_s) ?? 0))}</td><td>${lldp.get(x.tags.ifName ?? '') ?? ''}</td></tr>`;
})}</table></div>`
    : ''
}
${
  readings.length
    ? html`<h2>${dw(L, 'latest')}</h2><div class="wrap"><table id="latest"><tr><th>${dw(L, 'measurement')}</th><th>${dw(L, 'value')}</th><th>${dw(L, 'last_seen')}</th></tr>
${readings.flatMap(([m, list]) =>
  list.slice(0, 20).map(
    (x) =>
      html`<tr><td>${m}${x.tags.entity ? ` ${x.tags.entity}` : ''}</td><td>${Object.entries(x.fields)
        .filter(([k]) => !['sys_descr', 'ntp_servers'].includes(k))
        .map(([k, v]) => `${k}=${fmtNum(v)}`)
        .join(' ')}</td><td>${when(p, Date.parse(x.time))}</td></tr>`,
  ),
)}</table></div>`
    : ''
}
<h2>${dw(L, 'open_alerts')}</h2>${d.alerts.open.length ? html`<div class="wrap"><table>${d.alerts.open.map(alertRow)}</table></div>` : html`<p class="muted">${dw(L, 'no_alerts')}</p>`}
${d.alerts.recent.length ? html`<h2>${dw(L, 'recent_alerts')}</h2><div class="wrap"><table>${d.alerts.recent.map(alertRow)}</table></div>` : ''}`,
  );
}

/** One alert on the alert list, as the console module assembles it. */
export interface AlertRow {
  id: number;
  rule: string;
  target: string;
  severity: string;
  state: string;
  summary: string;
  labels: Record<string, string>;
  started_ms: number;
  fired_ms?: number | undefined;
  resolved_ms?: number | undefined;
  acked_by?: string | undefined;
  ack_note?: string | undefined;
  resolved_reason?: string | undefined;
  silenced: boolean;
  /** Who suppresses it: the parent device's alert target, or undefined. */
  suppressor?: string | undefined;
  /** The maintenance window silencing it now. */
  window?: string | undefined;
}

/** The alert list: open alerts with location, age, time to the on-site deadline, ack with note; resolved history with filters. */
export function alertListPage(
  p: PageCtx,
  open: AlertRow[] | undefined,
  resolved: AlertRow[],
  q: URLSearchParams,
  now: number,
  deadlineMs: number,
  title: string,
): string {
  const L = p.lang;
  if (!open) return layout(p, title, html`<p class="muted">${dw(L, 'alerts_off')}</p>`);
  const loc = (a: AlertRow) =>
    placeOf({ building: a.labels.building ?? null, floor: a.labels.floor ?? null, shaft: a.labels.shaft ?? null, room: a.labels.room ?? null }, L);
  const openTable = html`<div class="wrap"><table><tr><th>#</th><th>${dw(L, 'severity')}</th><th>${dw(L, 'device')}</th><th>${dw(L, 'location')}</th><th>${dw(L, 'summary')}</th><th>${dw(L, 'age')}</th><th>${dw(L, 'left')}</th><th>${dw(L, 'state')}</th><th></th></tr>
${open.map((a) => {
  const fired = a.fired_ms ?? a.started_ms;
  const left = fired + deadlineMs - now;
  return html`<tr class="${a.severity === 'critical' ? 'critical' : a.severity === 'warning' ? 'warn' : ''}" data-alert="${a.id}" data-target="${a.target}"><td>${a.id}</td><td>${dw(L, a.severity)}</td><td><a href="/console/devices/${encodeURIComponent(a.target)}">${a.target}</a><br><span class="muted">${a.rule}</span></td><td data-col="location">${loc(a)}</td><td>${a.summary}</td>
<td>${duration(now - fired, L)}</td><td data-col="left">${left >= 0 ? duration(left, L) : dw(L, 'overdue', { d: duration(-left, L) })}</td>
<td>${a.acked_by ? dw(L, 'acked_by', { who: a.acked_by }) : dw(L, a.state)}${a.ack_note ? html`<br><span class="muted">${a.ack_note}</span>` : ''}${a.suppressor ? html`<br>${dw(L, 'suppressed_by', { x: a.suppressor })}` : ''}${a.silenced ? html`<br>${dw(L, 'silenced_by', { x: a.window ?? '' })}` : ''}</td>
<td>${p.canEdit && !a.acked_by && (a.state === 'firing' || a.state === 'suppressed') ? html`<form method="post" action="/console/alerts/ack">${csrfField(p)}<input type="hidden" name="id" value="${a.id}"><input name="note" aria-label="${dw(L, 'note')} ${a.id}" placeholder="${dw(L, 'note')}" maxlength="2000"><button>${dw(L, 'ack')}</button></form>` : ''}</td></tr>`;
})}</table></div>`;
  return layout(
    p,
    title,
    html`${STYLE}${open.length ? openTable : html`<p class="muted">${dw(L, 'no_alerts')}</p>`}
<h2>${dw(L, 'resolved_history')}</h2><form class="filters" method="get" action="/console/alerts"><label>${dw(L, 'search')}<input name="q" value="${q.get('q') ?? ''}"></label>
<label>${dw(L, 'severity')}<select name="severity"><option value="">${dw(L, 'all')}</option>${['critical', 'warning', 'info'].map((s) => html`<option value="${s}" ${q.get('severity') === s ? html`selected` : ''}>${dw(L, s)}</option>`)}</select></label>
<label>${dw(L, 'days')}<input name="days" type="number" min="1" max="366" value="${q.get('days') ?? '7'}"></label><button>${dw(L, 'filter')}</button></form>
<div class="wrap"><table id="resolved"><tr><th>#</th><th>${dw(L, 'severity')}</th><th>${dw(L, 'device')}</th><th>${dw(L, 'location')}</th><th>${dw(L, 'summary')}</th><th>${dw(L, 'since')}</th><th>${dw(L, 'resolved')}</th><th>${dw(L, 'reason_resolved')}</th></tr>
${resolved.map((a) => html`<tr data-resolved="${a.id}"><td>${a.id}</td><td>${dw(L, a.severity)}</td><td>${a.target}<br><span class="muted">${a.rule}</span></td><td>${loc(a)}</td><td>${a.summary}</td><td>${when(p, a.fired_ms ?? a.started_ms)}</td><td>${when(p, a.resolved_ms)}</td><td>${a.resolved_reason ?? ''}</td></tr>`)}</table></div>`,
  );
}
