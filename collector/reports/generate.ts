import type { CollectorConfig } from '../../config/schema/collector.ts';
import { gatherReportData, type InspectionFacts, type ReportData, type ReportSourceDeps } from './data.ts';
import type { Lang } from '../i18n/index.ts';
import { influxReader, type InfluxReader } from '../store/influx-reader.ts';
import { findFont } from '../../lib/pdf-font.ts';
import { renderReport } from './pdf.ts';
import { monthPeriod } from '../../lib/month-period.ts';

export interface GenerateOptions {
  config: CollectorConfig;
  month: string;
  lang: Lang;
  inspections?: InspectionFacts | undefined;
  uptime?: ReportSourceDeps['uptime'];
  alerts?: ReportSourceDeps['alerts'];
  cabling?: ReportSourceDeps['cabling'];
  /** Overrides the reader made from config.influxdb (tests, bench). */
  influx?: InfluxReader | undefined;
  now?: () => number;
}

/**
 * Gathers a month's data and renders the PDF. Throws RangeError for a bad month,
 * ReportFontError when no CJK font is usable, and InfluxDB errors as they come.
 */
export async function generateReport(o: GenerateOptions): Promise<{ pdf: Buffer; data: ReportData }> {
  const period = monthPeriod(o.month, o.config.reports.timezone);
  const font = findFont(o.config.reports.font_path, o.config.reports.font_name);
  const influx = o.influx ?? (o.config.influxdb ? influxReader(o.config.influxdb) : undefined);
  const data = await gatherReportData(period, {
    config: o.config,
    influx,
    inspections: o.inspections,
    uptime: o.uptime,
    alerts: o.alerts,
    cabling: o.cabling,
    now: o.now,
  });
  return { pdf: await renderReport(data, o.lang, font), data };
}

export function reportFileName(month: string, lang: Lang): string {
  return `watchpost-report-${month}-${lang}.pdf`;
}
