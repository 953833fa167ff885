import { existsSync, readFileSync } from 'node:fs';
import { HttpError, sendFile, sendHtml } from '../../http/respond.ts';
import { isLang } from '../../i18n/index.ts';
import { ReportFontError } from '../../../lib/pdf-font.ts';
import { previousMonth } from '../../../lib/month-period.ts';
import * as pages from '../pages/pages.ts';
import type { ConsoleEnv, ConsolePages } from './request.ts';

/** Monthly reports: the list and a download (stored, or rendered on demand). */
export function registerReportPages(r: ConsolePages, env: ConsoleEnv): void {
  const { ctx, deps, tz } = env;
  r.add('GET', '/console/reports', ({ p, res, headers }) =>
    sendHtml(res, 200, pages.reportsPage(p, previousMonth(ctx.now(), tz), deps.reports?.runs() ?? []), headers()),
  );
  r.add('GET', '/console/reports/download', async ({ p, url, res }) => {
    const month = url.searchParams.get('month') ?? '';
    const lang = url.searchParams.get('lang') ?? p.lang;
    if (!isLang(lang)) throw new HttpError(400, 'lang must be zh-CN or en');
    const svcR = deps.reports;
    if (!svcR) throw new HttpError(404, 'reports are not running');
    const stored = svcR.runs().find((x) => x.month === month && x.lang === lang);
    let pdf: Buffer;
    try {
      pdf = stored && existsSync(stored.file) ? readFileSync(stored.file) : await svcR.render(month, lang);
    } catch (e) {
      if (e instanceof RangeError || e instanceof ReportFontError) throw new HttpError(400, e.message);
      throw e;
    }
    return sendFile(res, pdf, 'application/pdf', `watchpost-report-${month}-${lang}.pdf`);
  });
}
