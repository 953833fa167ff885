import { writeFileSync } from 'node:fs';
import { AlertStore, slaReport } from '../../collector/alerts/store.ts';
import { InspectionStore } from '../../collector/inspections/store.ts';
import type { AlertsProvider, UptimeProvider } from '../../collector/reports/data.ts';
import { generateReport } from '../../collector/reports/generate.ts';
import { LANGS, type Lang } from '../../collector/i18n/index.ts';
import { findFont, ReportFontError } from '../../lib/pdf-font.ts';
import { licensingReportData } from '../../collector/software/report-data.ts';
import { renderLicensingReport } from '../../collector/software/report-pdf.ts';
import { createSoftwareStore } from '../../collector/software/store.ts';
import { PolicyEngine } from '../../lib/software-policy.ts';
import { UptimeLedger } from '../../collector/uptime/ledger.ts';
import { Inventory } from '../../collector/ingest/inventory.ts';
import { createMaintenance } from '../../collector/maintenance/module.ts';
import { previousMonth } from '../../lib/month-period.ts';
import { localParts } from '../../lib/zoned-time.ts';
import { loadConfig } from '../../config/load.ts';
import { collectorConfigSchema, type CollectorConfig } from '../../config/schema/collector.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { openState } from '../state.ts';

const HELP = `usage: watchpost report --month 2026-10 [--lang zh-CN|en] --out report.pdf [--config collector.yaml] [--data-dir DIR]
       watchpost report --kind licensing --year 2026 [--lang zh-CN|en] --out licensing.pdf [--config collector.yaml] [--data-dir DIR]

Writes the monthly operations and inspection report as PDF, from InfluxDB (config influxdb)
and the collector's state DB (inspections, problems). --month defaults to last month.
--kind licensing writes the annual software-licensing (正版化) report from the state DB's
software lists and the config's software.policy; --year defaults to this year.`;

export const command: Command = {
  summary:
    'write the monthly PDF report (`report --month 2026-10 --lang zh-CN --out report.pdf`) or the annual licensing report (`--kind licensing --year 2026`)',
  async run(argv) {
    const { values } = parse(
      argv,
      {
        month: { type: 'string' },
        kind: { type: 'string' },
        year: { type: 'string' },
        lang: { type: 'string' },
        out: { type: 'string', short: 'o' },
        config: { type: 'string', short: 'c' },
        'data-dir': { type: 'string' },
      },
      false,
    );
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const file = values.config ?? process.env.WATCHPOST_COLLECTOR_CONFIG;
    const cfg = file ? loadConfig(file, collectorConfigSchema) : collectorConfigSchema.parse({});
    const lang = (values.lang ?? cfg.reports.default_lang) as Lang;
    if (!LANGS.includes(lang)) throw new UsageError(`--lang must be one of ${LANGS.join(', ')}`);
    if (!values.out) throw new UsageError('--out FILE is required');
    const kind = values.kind ?? 'monthly';
    if (kind !== 'monthly' && kind !== 'licensing') throw new UsageError(`--kind must be monthly or licensing, not "${kind}"`);
    if (kind === 'licensing') return licensingReport(cfg, file, values['data-dir'], values.year, lang, values.out);
    const month = values.month ?? previousMonth(Date.now(), cfg.reports.timezone);
    const st = openState(file, values['data-dir']);
    try {
      // Alerts the collector's alerts module recorded in the state DB win over alert_state in InfluxDB.
      const alertStore = new AlertStore(st.db);
      let alerts: AlertsProvider | undefined;
      if (alertStore.list({ limit: 1 }).length)
        alerts = { sla: (f, t) => slaReport(alertStore.firedBetween(f, t), f, t, cfg.alerts.sla.resolve_within_s, Date.now()) };
      // The uptime ledger the collector kept in the state DB: exact up/down/unknown time per
      // target, with the same maintenance windows the collector excludes.
      const maintenance = createMaintenance({ db: st.db, config: cfg, inventory: new Inventory(cfg.inventory.devices), audit: st.audit, now: Date.now });
      const ledger = new UptimeLedger(st.db, { silenceMs: cfg.uptime.silence_s * 1000, maintenance });
      const uptime: UptimeProvider | undefined = ledger.targets().length
        ? { ledger, report: (target: string, from: number, to: number) => ledger.report(target, from, to, Date.now()) }
        : undefined;
      const { pdf, data } = await generateReport({ config: cfg, month, lang, inspections: new InspectionStore(st.db, st.audit), alerts, uptime });
      writeFileSync(values.out, pdf);
      console.error(
        `${values.out}: ${pdf.length} bytes; ${data.devices.length} network devices, ${data.cameras.length} cameras, ${data.pcs.length} PCs, ${data.alerts.length} alerts, ${data.inspections.length} inspections${cfg.influxdb ? '' : ' (no influxdb configured: metrics sections are empty)'}`,
      );
      return 0;
    } catch (e) {
      if (e instanceof ReportFontError || e instanceof RangeError) {
        console.error(`watchpost report: ${e.message}`);
        return 2;
      }
      throw e;
    } finally {
      st.db.close();
    }
  },
};

async function licensingReport(
  cfg: CollectorConfig,
  file: string | undefined,
  dataDir: string | undefined,
  yearArg: string | undefined,
  lang: Lang,
  out: string,
): Promise<number> {
  const year = yearArg === undefined ? localParts(Date.now(), cfg.reports.timezone).y : Number(yearArg);
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UsageError(`--year must be a year like 2026, not "${yearArg}"`);
  const st = openState(file, dataDir);
  try {
    const store = createSoftwareStore(st.db);
    const data = licensingReportData(store, new PolicyEngine(cfg.software.policy.rules), {
      year,
      tz: cfg.reports.timezone,
      organisation: cfg.reports.organisation,
      contractor: cfg.reports.contractor,
      now: Date.now(),
    });
    const pdf = await renderLicensingReport(data, lang, findFont(cfg.reports.font_path, cfg.reports.font_name));
    writeFileSync(out, pdf);
    console.error(
      `${out}: ${pdf.length} bytes; ${data.machines.length} machines, ${data.forbidden_now.length} forbidden installed, ${data.forbidden_removed.length} removed in ${year}, ${data.licensing.length} licence rules`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ReportFontError) {
      console.error(`watchpost report: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    st.db.close();
  }
}
