import type { Lang } from '../../i18n/index.ts';
import { type ConsoleKey, ct } from '../../i18n/messages/console.ts';
import { fmtLocal } from '../../../lib/zoned-time.ts';
import type { User } from '../../security/users.ts';
import { html, type Safe } from './html.ts';

/**
 * The console's page frame, shared by the console's own pages and the pages modules render
 * (cabling, software): the request context, navigation, CSS and the small formatting helpers.
 */

/** What a page needs to know about the request: who, which language, the CSRF token for forms. */
export interface PageCtx {
  lang: Lang;
  tz: string;
  user?: User | undefined;
  csrf?: string | undefined;
  path: string;
  msg?: string | undefined;
  canEdit: boolean;
}

const CSS = `
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:0;color:#1d2733;background:#f5f7f9}
header{background:#1f3a56;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#dfe9f3;text-decoration:none}header a.on{color:#fff;font-weight:600;border-bottom:2px solid #fff}
header form{margin-left:auto}main{padding:1rem;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1rem}th,td{border-bottom:1px solid #dde3e9;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#e8edf2}tr.fail td{background:#fbe1de}tr.warn td{background:#fdf1d2}tr.critical td{background:#fbe1de}
.msg{background:#e3f4e8;padding:.5rem;border-left:4px solid #3c9a5f}.err{background:#fbe1de;padding:.5rem;border-left:4px solid #c0392b}
button{cursor:pointer}input,select,textarea{font:inherit}fieldset{background:#fff;border:1px solid #dde3e9;margin:.5rem 0}
.muted{color:#6b7785}.inline{display:inline}
.scroll{overflow-x:auto;max-width:100%}.scroll table{min-width:40rem}.scroll td:first-child{min-width:6rem}
.bad{outline:2px solid #c0392b}span.err{display:inline-block;padding:.1rem .4rem;margin-top:.2rem}fieldset{min-width:0}select{width:100%;max-width:40rem}select.auto{width:auto}input.note-in,textarea{width:100%;max-width:40rem;box-sizing:border-box}tr.missing td{background:#fdf1d2}input[type=file]{max-width:100%}
@media(max-width:640px){#manual-items,#manual-items tbody,#manual-items tr,#manual-items td{display:block;width:auto}#manual-items tr:first-child{display:none}#manual-items td{border:0;padding:.2rem .5rem}#manual-items tr{border-bottom:1px solid #dde3e9;padding:.3rem 0}}
`;

export function t(p: PageCtx, k: ConsoleKey, v?: Record<string, string | number>): string {
  return ct(p.lang, k, v);
}

export function csrfField(p: PageCtx): Safe {
  return html`<input type="hidden" name="_csrf" value="${p.csrf ?? ''}">`;
}

export function when(p: PageCtx, ms: number | null | undefined): string {
  return ms ? fmtLocal(ms, p.tz) : '—';
}

const NAV: [string, ConsoleKey][] = [
  ['/console/', 'overview'],
  ['/console/alerts', 'alerts'],
  ['/console/websites', 'websites'],
  ['/console/agents', 'agents'],
  ['/console/notifications', 'notifications'],
  ['/console/maintenance', 'maintenance'],
  ['/console/inspections', 'inspections'],
  ['/console/problems', 'problems'],
  ['/console/cabling', 'cabling'],
  ['/console/software', 'software'],
  ['/console/reports', 'reports'],
  ['/console/sms', 'sms'],
];

export function layout(p: PageCtx, title: string, body: Safe, error?: string): string {
  const other: Lang = p.lang === 'en' ? 'zh-CN' : 'en';
  const nav = p.user
    ? html`${NAV.map(([href, k]) => html`<a href="${href}" class="${p.path === href ? 'on' : ''}">${t(p, k)}</a>`)}${p.user.role === 'admin' ? html`<a href="/console/users" class="${p.path === '/console/users' ? 'on' : ''}">${t(p, 'users')}</a>` : ''}
      <a href="?lang=${other}">${other === 'en' ? 'English' : '中文'}</a>
      <form method="post" action="/console/logout" class="inline">${csrfField(p)}<span class="muted">${p.user.username} (${p.user.role})</span> <button>${t(p, 'logout')}</button></form>`
    : html`<a href="?lang=${other}">${other === 'en' ? 'English' : '中文'}</a>`;
  return html`<!doctype html><html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title} · ${t(p, 'app')}</title><style>${CSS}</style></head>
<body><header><strong>${t(p, 'app')}</strong>${nav}</header><main><h1>${title}</h1>${p.msg ? html`<p class="msg">${p.msg}</p>` : ''}${error ? html`<p class="err" role="alert">${error}</p>` : ''}${body}</main></body></html>`
    .s;
}
