import type { Delivery } from '../../notify/dispatcher.ts';
import { subject } from '../../notify/render.ts';
import type { Notification } from '../../notify/types.ts';
import { html } from '../ui/html.ts';
import { layout, when, type PageCtx } from '../ui/layout.ts';
import { translator } from '../../i18n/index.ts';

const WORDS = {
  en: {
    title: 'Notifications',
    channel: 'Channel',
    to: 'To',
    receiver: 'Receiver',
    status: 'Status',
    what: 'Notification',
    at: 'Queued',
    sent: 'Sent',
    none: 'No notifications yet.',
    off: 'The alerts module is not running.',
    all: 'all channels',
    inbox: 'Console inbox notifications are delivered here; the others show how their delivery went.',
    queued: 'queued',
    sending: 'sending',
    failed: 'failed',
    ok: 'sent',
    firing: 'firing',
    repeat: 'repeat',
    escalation: 'escalation',
    acknowledged: 'acknowledged',
    resolved: 'resolved',
    budget: 'SMS budget',
  },
  zh: {
    title: '通知',
    channel: '渠道',
    to: '发往',
    receiver: '接收人',
    status: '状态',
    what: '通知内容',
    at: '排队时间',
    sent: '发送时间',
    none: '还没有通知。',
    off: '告警模块未运行。',
    all: '全部渠道',
    inbox: '控制台收件箱的通知在此查看；其他渠道显示发送结果。',
    queued: '排队中',
    sending: '发送中',
    failed: '失败',
    ok: '已发送',
    firing: '告警',
    repeat: '重复提醒',
    escalation: '升级',
    acknowledged: '已确认',
    resolved: '已恢复',
    budget: '短信额度',
  },
} as const;
type Word = keyof (typeof WORDS)['en'];
const w = translator(WORDS);
const CHANNELS = ['console', 'email', 'sms', 'webhook', 'dingtalk', 'wecom'];

/**
 * Every notification the collector queued, newest first: the console inbox (the `console`
 * channel, which the demo's alerts go to) and how each email, SMS and robot message fared.
 */
export function notificationsPage(p: PageCtx, rows: (Delivery & { notification: Notification })[] | undefined, channel: string | undefined): string {
  if (!rows) return layout(p, w(p, 'title'), html`<p class="muted">${w(p, 'off')}</p>`);
  const shown = channel ? rows.filter((r) => r.channel === channel) : rows;
  const status = (s: Delivery['status']) => w(p, s === 'sent' ? 'ok' : s);
  return layout(
    p,
    w(p, 'title'),
    html`<p class="muted">${w(p, 'inbox')}</p>
<form method="get" action="/console/notifications"><label>${w(p, 'channel')} <select name="channel" class="auto"><option value="">${w(p, 'all')}</option>${CHANNELS.map((c) => html`<option value="${c}"${c === channel ? html` selected` : ''}>${c}</option>`)}</select></label> <button>OK</button></form>
${
  shown.length
    ? html`<div class="scroll"><table id="notifications"><tr><th>${w(p, 'at')}</th><th>${w(p, 'what')}</th><th>${w(p, 'channel')}</th><th>${w(p, 'to')}</th><th>${w(p, 'status')}</th><th>${w(p, 'sent')}</th></tr>
${shown.map((r) => {
  const n = r.notification;
  const first = n.alerts[0];
  return html`<tr class="${r.status === 'failed' ? 'fail' : n.kind === 'resolved' ? '' : n.kind === 'escalation' ? 'warn' : ''}" data-kind="${n.kind}" data-channel="${r.channel}"><td>${when(p, r.created_ms)}</td><td><strong>${w(p, n.kind as Word) ?? n.kind}</strong>${n.level ? ` L${n.level}` : ''} · ${first ? `${first.target}: ${first.summary || first.rule}` : subject(n)}${n.alerts.length > 1 ? ` (+${n.alerts.length - 1})` : ''}</td><td>${r.channel}</td><td>${r.address} <span class="muted">(${r.receiver})</span></td><td>${status(r.status)}${r.error ? html`<br><span class="muted">${r.error}</span>` : ''}</td><td>${when(p, r.sent_ms)}</td></tr>`;
})}</table></div>`
    : html`<p class="muted">${w(p, 'none')}</p>`
}`,
  );
}
