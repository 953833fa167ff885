import type { DeviceDetail } from '../../devices/module.ts';
import { html } from '../ui/html.ts';
import { dw, placeOf, STYLE, statusCell } from './device-pages.ts';
import { layout, when, type PageCtx } from '../ui/layout.ts';
import { translator } from '../../i18n/index.ts';

const WORDS = {
  en: {
    title: 'Websites',
    site: 'Site',
    url: 'URL',
    response: 'Response',
    cert: 'Certificate',
    cert_left: '{d} days left',
    cert_expired: 'expired',
    cert_bad: 'invalid',
    domain: 'Domain',
    error: 'Last error',
    none: 'No website checks yet: add an http probe with targets (docs/websites.md).',
    chain: '(chain: {cn})',
  },
  zh: {
    title: '网站与证书',
    site: '网站',
    url: '地址',
    response: '响应时间',
    cert: '证书',
    cert_left: '剩余 {d} 天',
    cert_expired: '已过期',
    cert_bad: '无效',
    domain: '域名',
    error: '最近错误',
    none: '尚无网站检查：为 http 探针配置 targets（见 docs/websites.md）。',
    chain: '（证书链：{cn}）',
  },
} as const;
const w = translator(WORDS);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** One row of the websites view, from a device's latest http_response, x509_cert and domain samples. */
export interface SiteRow {
  device: DeviceDetail;
  urls: { url: string; ms: number | null; ok: boolean; error: string }[];
  cert: { days: number | null; valid: boolean; cn: string; chain_cn: string } | null;
  domain_days: number | null;
}

export function siteRow(d: DeviceDetail): SiteRow | undefined {
  const http = d.latest.http_response ?? [];
  if (!http.length && !d.latest.x509_cert?.length) return undefined;
  const certs = (d.latest.x509_cert ?? []).map((c) => ({
    days: num(c.fields.chain_expiry) ?? num(c.fields.expiry),
    valid: c.fields.verification === 'valid',
    cn: c.tags.common_name ?? '',
    chain_cn: String(c.fields.chain_expiry_common_name ?? ''),
  }));
  // The certificate that ends first is the one to watch.
  const cert = certs.sort((a, b) => (a.days ?? Infinity) - (b.days ?? Infinity))[0];
  const dom = (d.latest.domain ?? []).map((x) => num(x.fields.expiry)).filter((x): x is number => x !== undefined);
  return {
    device: d,
    urls: http.map((h) => {
      const rt = num(h.fields.response_time);
      return {
        url: h.tags.server ?? '',
        ms: rt === undefined ? null : Math.round(rt * 1000),
        ok: h.fields.result_type === 'success',
        error: h.fields.result_type === 'success' ? '' : String(h.fields.error ?? h.fields.result_type ?? ''),
      };
    }),
    cert: cert ? { days: cert.days === undefined ? null : Math.floor(cert.days / 86_400), valid: cert.valid, cn: cert.cn, chain_cn: cert.chain_cn } : null,
    domain_days: dom.length ? Math.floor(Math.min(...dom) / 86_400) : null,
  };
}

/**
 * The websites view: every checked site as a device (its state and reasons from the device
 * model), each URL's response time and last error, the certificate that expires first
 * (intermediates included, the trust anchor not) and the domain registration.
 */
export function websitesPage(p: PageCtx, rows: SiteRow[]): string {
  if (!rows.length) return layout(p, w(p, 'title'), html`<p class="muted">${w(p, 'none')}</p>`);
  return layout(
    p,
    w(p, 'title'),
    html`${STYLE}<div class="wrap"><table id="websites"><tr><th>${dw(p.lang, 'status')}</th><th>${w(p, 'site')}</th><th>${w(p, 'url')} · ${w(p, 'response')}</th><th>${w(p, 'cert')}</th><th>${w(p, 'domain')}</th><th>${w(p, 'error')}</th><th>${dw(p.lang, 'last_seen')}</th></tr>
${rows.map((r) => {
  const d = r.device;
  const certText = !r.cert
    ? '—'
    : !r.cert.valid
      ? w(p, 'cert_bad')
      : r.cert.days === null
        ? '—'
        : r.cert.days < 0
          ? w(p, 'cert_expired')
          : w(p, 'cert_left', { d: r.cert.days });
  const errors = [...r.urls.filter((u) => u.error).map((u) => u.error), ...d.reasons.map((x) => x.message)];
  return html`<tr data-site="${d.name}" class="${d.status === 'down' ? 'fail' : d.status === 'degraded' ? 'warn' : ''}"><td>${statusCell(p, d.status)}</td><td><a href="/console/devices/${encodeURIComponent(d.name)}">${d.name}</a><br><span class="muted">${placeOf(d, p.lang)}</span></td>
<td>${r.urls.map((u) => html`<div>${u.url} · ${u.ms === null ? '—' : `${u.ms} ms`}</div>`)}</td>
<td data-cert-days="${r.cert?.days ?? ''}">${certText}${r.cert?.chain_cn && r.cert.chain_cn !== r.cert.cn ? html`<br><span class="muted">${w(p, 'chain', { cn: r.cert.chain_cn })}</span>` : ''}</td>
<td>${r.domain_days === null ? '—' : w(p, 'cert_left', { d: r.domain_days })}</td><td>${errors.join('; ') || '—'}</td><td>${when(p, d.last_seen ? Date.parse(d.last_seen) : null)}</td></tr>`;
})}</table></div>`,
  );
}
