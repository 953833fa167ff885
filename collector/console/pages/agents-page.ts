import type { AgentView } from '../../store/agents.ts';
import { html } from '../ui/html.ts';
import { layout, t, when, type PageCtx } from '../ui/layout.ts';
import { translator } from '../../i18n/index.ts';

// The words of this page only; the shared ones (agents, connected, never…) come from collector/i18n/messages/console.ts.
const WORDS = {
  en: {
    version: 'Version',
    probes: 'Probes',
    last_batch: 'Last batch',
    host: 'Host',
    source: 'Enrolled by',
    enrolled: 'enrollment',
    config: 'collector config',
    disconnected: 'disconnected',
    revoked: 'revoked',
    none: 'No agents are enrolled or configured. Enroll one with `watchpost enroll NAME`.',
    batches: '{n} batches, {s} samples since it connected',
    connected_at: 'connected {at}',
  },
  zh: {
    version: '版本',
    probes: '探针',
    last_batch: '最近数据',
    host: '主机',
    source: '来源',
    enrolled: '注册',
    config: '采集器配置',
    disconnected: '离线',
    revoked: '已吊销',
    none: '尚无采集端。用 `watchpost enroll 名称` 注册一个。',
    batches: '连接以来 {n} 批、{s} 条数据',
    connected_at: '{at} 连接',
  },
} as const;
const w = translator(WORDS);

function place(tags: Record<string, string>): string {
  return [tags.building, tags.shaft ? `shaft ${tags.shaft}` : tags.floor ? `${tags.floor}F` : '', tags.room].filter(Boolean).join(' · ');
}

/**
 * The agents page: every agent the collector accepts (enrolled, or listed in its config),
 * connected or not, with the version and probes its hello announced and when its last batch
 * arrived — the first thing to look at when a floor's data stops.
 */
export function agentsPage(p: PageCtx, agents: readonly AgentView[]): string {
  if (!agents.length) return layout(p, t(p, 'agents'), html`<p class="muted">${w(p, 'none')}</p>`);
  return layout(
    p,
    t(p, 'agents'),
    html`<div class="scroll"><table id="agents"><tr><th>${t(p, 'agent')}</th><th>${t(p, 'status')}</th><th>${w(p, 'version')}</th><th>${w(p, 'probes')}</th><th>${w(p, 'last_batch')}</th><th>${t(p, 'last_seen')}</th><th>${w(p, 'host')}</th><th>${t(p, 'location')}</th><th>${w(p, 'source')}</th></tr>
${agents.map(
  (a) => html`<tr class="${a.revoked_ms ? 'fail' : a.connected ? '' : 'warn'}" data-agent="${a.name}"><td>${a.name}</td>
<td>${a.revoked_ms ? w(p, 'revoked') : a.connected ? t(p, 'connected') : w(p, 'disconnected')}${a.connected && a.connected_ms ? html`<br><span class="muted">${w(p, 'connected_at', { at: when(p, a.connected_ms) })}</span>` : ''}</td>
<td>${a.version ?? '—'}</td><td>${a.probes.length ? a.probes.join(', ') : '—'}</td>
<td>${a.last_batch_ms ? when(p, a.last_batch_ms) : '—'}${a.batches ? html`<br><span class="muted">${w(p, 'batches', { n: a.batches, s: a.samples })}</span>` : ''}</td>
<td>${a.connected ? t(p, 'connected') : a.last_seen_ms ? when(p, a.last_seen_ms) : t(p, 'never')}</td>
<td>${a.hostname ?? '—'}${a.last_addr ? html`<br><span class="muted">${a.last_addr}</span>` : ''}</td><td>${place(a.tags)}</td><td>${a.source === 'config' ? w(p, 'config') : w(p, 'enrolled')}</td></tr>`,
)}</table></div>`,
  );
}
