import type { AlertView, Notification } from './types.ts';

const KIND_ZH: Record<string, string> = {
  firing: '告警',
  repeat: '告警(重复提醒)',
  escalation: '告警升级',
  acknowledged: '已确认',
  resolved: '已恢复',
  budget: '短信额度',
};
const SEV_ZH: Record<string, string> = { critical: '严重', warning: '警告', info: '提示' };

function fmtTime(ms: number): string {
  // Beijing time for people; ISO for machines is in the JSON body.
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ') + ' (UTC+8)';
}

function line(a: AlertView): string {
  const loc = [a.labels.building && `${a.labels.building}栋`, a.labels.floor && `${a.labels.floor}层`, a.labels.shaft && `竖井${a.labels.shaft}`, a.labels.room]
    .filter(Boolean)
    .join(' ');
  return `[${SEV_ZH[a.severity] ?? a.severity}/${a.severity}] ${a.target}${loc ? ` (${loc})` : ''}: ${a.summary}${a.value !== undefined ? ` = ${a.value}` : ''}`;
}

/** Subject line shared by email, robots and webhooks. */
export function subject(n: Notification): string {
  const first = n.alerts[0];
  const more = n.alerts.length > 1 ? ` (+${n.alerts.length - 1})` : '';
  return `[Watchpost ${KIND_ZH[n.kind] ?? n.kind} / ${n.kind.toUpperCase()}] ${first ? `${first.target} ${first.rule}` : ''}${more}`;
}

/** Plain-text body, Chinese first then English. */
export function textBody(n: Notification): string {
  const out: string[] = [];
  out.push(`${KIND_ZH[n.kind] ?? n.kind} — ${n.kind}${n.level ? ` (升级第 ${n.level} 级 / escalation level ${n.level})` : ''}`, '');
  for (const a of n.alerts) {
    out.push(line(a));
    out.push(
      `  告警编号 / alert id: ${a.id}   触发 / fired: ${fmtTime(a.fired_ms)}${a.resolved_ms ? `   恢复 / resolved: ${fmtTime(a.resolved_ms)}` : ''}${a.acked_by ? `   确认人 / acked by: ${a.acked_by}` : ''}`,
    );
    if (a.suppressed.length) out.push(`  下游已抑制 / suppressed behind it (${a.suppressed.length}): ${a.suppressed.join(', ')}`);
  }
  if (n.ack_url) out.push('', `确认告警 / acknowledge: ${n.ack_url}`);
  if (n.ack_code) out.push(`短信回复 / reply by SMS: ${n.ack_code}`);
  return out.join('\n');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function htmlBody(n: Notification): string {
  const rows = n.alerts
    .map(
      (a) =>
        `<tr><td>${a.id}</td><td>${esc(SEV_ZH[a.severity] ?? a.severity)} / ${a.severity}</td><td>${esc(a.target)}</td><td>${esc(a.summary)}${a.value !== undefined ? ` = ${esc(a.value)}` : ''}</td><td>${esc(fmtTime(a.fired_ms))}</td><td>${a.suppressed.length ? esc(a.suppressed.join(', ')) : ''}</td></tr>`,
    )
    .join('');
  const ack = n.ack_url ? `<p><a href="${esc(n.ack_url)}">确认告警 / Acknowledge</a></p>` : '';
  return `<!doctype html><html><body><h2>${esc(subject(n))}</h2><table border="1" cellpadding="4"><tr><th>编号 ID</th><th>级别 Severity</th><th>对象 Target</th><th>内容 Summary</th><th>触发 Fired</th><th>已抑制 Suppressed</th></tr>${rows}</table>${ack}</body></html>`;
}

/** Markdown for DingTalk/WeCom robots. */
export function markdownBody(n: Notification): string {
  const lines = [`### ${subject(n)}`, ...n.alerts.map((a) => `- ${line(a)}${a.suppressed.length ? ` (抑制 ${a.suppressed.length})` : ''}`)];
  if (n.ack_url) lines.push('', `[确认 / Acknowledge](${n.ack_url})`);
  return lines.join('\n');
}

/**
 * Template parameters for SMS (providers send only pre-approved templates, so the text is
 * fixed there and only these values vary). Values are kept short: each provider caps one
 * variable (Tencent 12 chars on some templates, Aliyun 35).
 */
export function smsParams(n: Notification): Record<string, string> {
  const a = n.alerts[0];
  return {
    kind: KIND_ZH[n.kind] ?? n.kind,
    target: (a?.target ?? '').slice(0, 35),
    summary: (a ? `${a.summary}${n.alerts.length > 1 ? ` 等${n.alerts.length}条` : ''}` : '').slice(0, 35),
    code: n.ack_code ?? '',
    time: a ? fmtTime(a.fired_ms).slice(5, 16) : '',
  };
}

/** SMS parts for a text: 70 chars in one message, 67 per part when longer (UCS-2); GSM-7 160/153. */
export function smsParts(text: string): number {
  const chars = [...text];
  // eslint-disable-next-line no-control-regex
  const gsm = chars.every((c) => /^[\x20-\x7e\n\r]$/.test(c));
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  return chars.length <= single ? 1 : Math.ceil(chars.length / multi);
}

/** Fills `${name}` placeholders of an approved template text (for counting parts). */
export function fillTemplate(text: string, params: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\{(\d+)\}/g, (_m, name: string | undefined, idx: string | undefined) => {
    if (name !== undefined) return params[name] ?? '';
    return Object.values(params)[Number(idx) - 1] ?? '';
  });
}
