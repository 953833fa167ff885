import type http from 'node:http';
import type { AuditLog } from '../store/audit.ts';
import { HttpError } from '../http/respond.ts';
import { html, type Safe } from '../console/ui/html.ts';
import type { Form } from '../http/body.ts';
import { redirect, sendHtml } from '../http/respond.ts';
import { csrfField, layout, when, type PageCtx } from '../console/ui/layout.ts';
import { csvToRecords, CsvError, recordsToCsv } from './csv.ts';
import { RECORD_FIELDS, type CablingRegister, type PortRecord, type SearchHit } from './register.ts';
import { translator } from '../i18n/index.ts';

const en = {
  title: 'Cabling',
  search: 'Search',
  search_hint: 'IP, MAC, host name, room or socket',
  switches: 'Switches',
  switch: 'Switch',
  port: 'Port',
  ports: 'Ports',
  edge_ports: 'Edge ports',
  devices: 'Devices',
  vlan: 'VLAN',
  status: 'Status',
  speed: 'Speed',
  connected: 'Connected',
  uplink: 'uplink',
  mac: 'MAC',
  ip: 'IP',
  vendor: 'Vendor',
  device: 'Inventory device',
  last_seen: 'Last seen',
  since: 'On this port since',
  no_hits: 'Nothing found.',
  no_switches: 'No port map yet: add a portmap probe to an agent.',
  patch_panel: 'Patch panel',
  cable_label: 'Cable label',
  wall_socket: 'Wall socket',
  room: 'Room',
  note: 'Note',
  save: 'Save',
  edit: 'Edit',
  moved_from: 'moved here from',
  export_csv: 'Export CSV',
  import_csv: 'Import CSV',
  import: 'Import',
  lldp: 'LLDP neighbour',
  cdp: 'CDP neighbour',
  switch_mac: 'switch behind it',
  aggregate: 'aggregate',
  trunk: 'trunk',
  too_many_macs: 'too many MACs',
};
const zh: typeof en = {
  title: '综合布线',
  search: '查找',
  search_hint: 'IP、MAC、主机名、房间或信息点',
  switches: '交换机',
  switch: '交换机',
  port: '端口',
  ports: '端口数',
  edge_ports: '接入端口',
  devices: '终端数',
  vlan: 'VLAN',
  status: '状态',
  speed: '速率',
  connected: '所接终端',
  uplink: '上联',
  mac: 'MAC',
  ip: 'IP',
  vendor: '厂商',
  device: '台账设备',
  last_seen: '最后发现',
  since: '接入本端口自',
  no_hits: '没有找到。',
  no_switches: '还没有端口表：请在采集端添加 portmap 探针。',
  patch_panel: '配线架位置',
  cable_label: '线缆标签',
  wall_socket: '墙面信息点',
  room: '房间',
  note: '备注',
  save: '保存',
  edit: '编辑',
  moved_from: '移自',
  export_csv: '导出 CSV',
  import_csv: '导入 CSV',
  import: '导入',
  lldp: 'LLDP 邻居',
  cdp: 'CDP 邻居',
  switch_mac: '下挂交换机',
  aggregate: '链路聚合',
  trunk: 'Trunk',
  too_many_macs: 'MAC 过多',
};
type Key = keyof typeof en;
const tt = translator({ en, zh });
// On a phone each row becomes a card: a 48-port table does not fit 390 px.
const scroll = (inner: Safe) =>
  html`<style>@media (max-width:640px){table.cab,table.cab tbody,table.cab tr,table.cab td{display:block}table.cab tr:first-child{display:none}table.cab tr{border-bottom:1px solid #dde3e9;padding:.3rem 0}table.cab td{border:0;padding:.1rem .5rem}table.cab td[data-l]::before{content:attr(data-l) ": ";color:#6b7785}}</style><div style="overflow-x:auto">${inner}</div>`;

function hitsTable(p: PageCtx, hits: SearchHit[]): Safe {
  if (!hits.length) return html`<p class="muted">${tt(p, 'no_hits')}</p>`;
  return scroll(html`<table class="cab"><tr><th>${tt(p, 'ip')} / ${tt(p, 'mac')}</th><th>${tt(p, 'device')}</th><th>${tt(p, 'switch')} · ${tt(p, 'port')}</th><th>${tt(p, 'vlan')}</th><th>${tt(p, 'room')} · ${tt(p, 'wall_socket')}</th><th>${tt(p, 'last_seen')}</th></tr>
${hits.map(
  (
    h,
  ) => html`<tr><td>${h.ips.join(', ') || '—'}<br><code>${h.mac}</code><br><span class="muted">${h.vendor}</span></td><td data-l="${tt(p, 'device')}">${h.inventory_device ?? '—'}</td>
<td><a href="/console/cabling/switch?name=${encodeURIComponent(h.switch)}">${h.switch}</a><br>${h.port}${h.moves.map((m) => html`<br><span class="muted">${when(p, m.time_ms)} ${tt(p, 'moved_from')} ${m.from_switch} ${m.from_port}</span>`)}</td><td data-l="${tt(p, 'vlan')}">${h.vlan ?? '—'}</td><td data-l="${tt(p, 'room')}">${h.record?.room || '—'}<br>${h.record?.wall_socket ?? ''}</td><td data-l="${tt(p, 'last_seen')}">${when(p, h.last_seen_ms)}</td></tr>`,
)}</table>`);
}

function recordForm(p: PageCtx, sw: string, port: string, r: PortRecord | null): Safe {
  const shown = html`${RECORD_FIELDS.filter((k) => r?.[k]).map((k) => html`<div><span class="muted">${tt(p, k)}:</span> ${r![k]}</div>`)}`;
  if (!p.canEdit) return shown;
  // Folded, so a 48-port switch stays one screen per few ports; opens without script.
  return html`${shown}<details><summary>${tt(p, 'edit')}</summary><form method="post" action="/console/cabling/record">${csrfField(p)}<input type="hidden" name="switch" value="${sw}"><input type="hidden" name="port" value="${port}">
${RECORD_FIELDS.map((k) => html`<label style="display:block">${tt(p, k)} <input name="${k}" value="${r?.[k] ?? ''}" size="14" maxlength="200"></label>`)}<button>${tt(p, 'save')}</button></form></details>`;
}

/**
 * The console's cabling pages (/console/cabling…), called by the console's handler with the
 * logged-in session's page context; returns false for paths it does not serve. Edits need the
 * engineer role and the session's CSRF token (checked by the console before this is called).
 */
export async function cablingPage(a: {
  route: string;
  post: boolean;
  url: URL;
  res: http.ServerResponse;
  p: PageCtx;
  form: Form | undefined;
  actor: string;
  need(role: 'engineer'): void;
  headers(): Record<string, string | string[]>;
  register: CablingRegister | undefined;
  audit: AuditLog;
  now(): number;
}): Promise<boolean> {
  const { route, post, url, res, p, form, register } = a;
  if (!route.startsWith('/console/cabling')) return false;
  if (!register) throw new HttpError(404, 'the cabling register is not running');
  const field = (k: string) => (form?.fields.get(k) ?? '').trim();
  if (route === '/console/cabling' && !post) {
    const q = url.searchParams.get('q') ?? '';
    const sws = register.switches();
    const body = html`<form method="get" action="/console/cabling" style="display:flex;gap:.5rem;flex-wrap:wrap"><input name="q" value="${q}" placeholder="${tt(p, 'search_hint')}" style="flex:1;min-width:12rem" autofocus><button>${tt(p, 'search')}</button></form>
${q ? hitsTable(p, register.search(q)) : ''}
<h2>${tt(p, 'switches')}</h2>${
      sws.length
        ? scroll(
            html`<table><tr><th>${tt(p, 'switch')}</th><th>${tt(p, 'ports')}</th><th>${tt(p, 'edge_ports')}</th><th>${tt(p, 'devices')}</th><th>${tt(p, 'last_seen')}</th></tr>${sws.map((s) => html`<tr><td><a href="/console/cabling/switch?name=${encodeURIComponent(s.switch)}">${s.switch}</a></td><td>${s.ports}</td><td>${s.edge_ports}</td><td>${s.nodes}</td><td>${when(p, s.last_seen_ms)}</td></tr>`)}</table>`,
          )
        : html`<p class="muted">${tt(p, 'no_switches')}</p>`
    }
<p><a href="/console/cabling/export?lang=zh">${tt(p, 'export_csv')} (中文)</a> · <a href="/console/cabling/export?lang=en">${tt(p, 'export_csv')} (English)</a></p>
${p.canEdit ? html`<form method="post" action="/console/cabling/import" enctype="multipart/form-data">${csrfField(p)}<label>${tt(p, 'import_csv')} <input type="file" name="csv" accept=".csv,text/csv" required></label> <button>${tt(p, 'import')}</button></form>` : ''}`;
    sendHtml(res, 200, layout(p, tt(p, 'title'), body), a.headers());
    return true;
  }
  if (route === '/console/cabling/switch' && !post) {
    const sw = url.searchParams.get('name') ?? '';
    const ports = register.ports(sw);
    if (!ports.length) throw new HttpError(404, `no port map for switch "${sw}"`);
    const body =
      scroll(html`<table class="cab"><tr><th>${tt(p, 'port')}</th><th>${tt(p, 'status')}</th><th>${tt(p, 'connected')}</th><th>${tt(p, 'patch_panel')} · ${tt(p, 'wall_socket')} · ${tt(p, 'room')}</th></tr>
${ports.map(
  (x) => html`<tr><td><strong>${x.port}</strong>${x.record?.cable_label ? html`<br><span class="muted">${x.record.cable_label}</span>` : ''}</td>
<td>${x.oper_status || '—'}${x.speed_mbps ? ` · ${x.speed_mbps >= 1000 ? `${x.speed_mbps / 1000}G` : `${x.speed_mbps}M`}` : ''}${x.pvid !== null ? ` · ${tt(p, 'vlan')} ${x.pvid}` : ''}${x.edge ? '' : html`<br><span class="muted">${tt(p, 'uplink')}: ${x.reasons.map((r) => tt(p, r as Key)).join(', ')}${x.mac_count ? ` (${x.mac_count} MAC)` : ''}</span>`}</td>
<td>${x.nodes.map((n) => html`<div>${n.inventory_device ? html`<strong>${n.inventory_device}</strong> ` : ''}${n.ips.join(', ')} <code>${n.mac}</code> <span class="muted">${n.vendor} · ${tt(p, 'since')} ${when(p, n.port_since_ms)}</span></div>`)}</td>
<td>${recordForm(p, sw, x.port, x.record)}</td></tr>`,
)}</table>`);
    sendHtml(res, 200, layout(p, `${tt(p, 'title')} · ${sw}`, body), a.headers());
    return true;
  }
  if (route === '/console/cabling/record' && post) {
    a.need('engineer');
    const sw = field('switch');
    const port = field('port');
    if (!sw || !port) throw new HttpError(400, 'switch and port are required');
    const fields: Partial<Record<(typeof RECORD_FIELDS)[number], string>> = {};
    for (const k of RECORD_FIELDS) if (form?.fields.has(k)) fields[k] = field(k).slice(0, 200);
    const r = register.setRecord(sw, port, fields, a.actor, a.now());
    a.audit.append(a.actor, 'cabling.record_set', `port:${sw}/${port}`, { before: r.before, after: r.after, via: 'console' });
    redirect(res, `/console/cabling/switch?name=${encodeURIComponent(sw)}&msg=saved`, a.headers());
    return true;
  }
  if (route === '/console/cabling/export' && !post) {
    const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'zh';
    const text = recordsToCsv(register.records(), lang);
    res.writeHead(200, { ...a.headers(), 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="cabling-${lang}.csv"` });
    res.end(text);
    return true;
  }
  if (route === '/console/cabling/import' && post) {
    a.need('engineer');
    const f = form?.files.get('csv');
    if (!f) throw new HttpError(400, 'choose a CSV file');
    let rows: PortRecord[];
    try {
      rows = csvToRecords(f.data.toString('utf8'));
    } catch (e) {
      if (e instanceof CsvError) throw new HttpError(400, e.message);
      throw e;
    }
    for (const r of register.importRecords(rows, a.actor, a.now()))
      a.audit.append(a.actor, 'cabling.record_set', `port:${r.after.switch}/${r.after.port}`, { before: r.before, after: r.after, via: 'console-csv' });
    redirect(res, '/console/cabling?msg=saved', a.headers());
    return true;
  }
  return false;
}
