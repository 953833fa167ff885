import { z } from 'zod';

/** Where an inspection looks: inventory devices matching every given location tag. */
const scopeShape = {
  building: z.string().optional().describe('Only devices in this building.'),
  floor: z.string().optional().describe('Only devices on this floor.'),
  shaft: z.string().optional().describe('Only devices in this shaft.'),
  /** `office` = devices with no shaft; `shaft` = devices in any shaft. */
  area: z.enum(['office', 'shaft', 'any']).default('any').describe('`office` = devices with no shaft; `shaft` = devices in any shaft.'),
  /** Explicit device names (the critical server). */
  devices: z.array(z.string().min(1)).default([]).describe('Explicit device names (the critical server).'),
};

export const inspectionScheduleSchema = z.strictObject({
  /** Stable id, used in the state DB and the `inspection` measurement's scope tag. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, _ . - (e.g. network-shaft-a1)').describe('Stable id, used in the state DB and the `inspection` measurement\'s scope tag.'),
  title: z.string().min(1).describe('Title shown in the console and the report.'),
  kind: z.enum(['network', 'cctv', 'pc', 'server']).describe('What is inspected: the automatic checklist and default manual items follow from it.'),
  every: z.enum(['weekly', 'monthly', 'quarterly']).describe('How often it is due.'),
  /** Days before the end of the period when a reminder is raised. */
  remind_days_before: z.number().int().min(0).max(60).default(3).describe('Days before the end of the period when a reminder is raised.'),
  owner: z.string().optional().describe('Who problems found are assigned to.'),
  scope: z.strictObject(scopeShape).prefault({}).describe('Which inventory devices it covers.'),
  /** Manual checklist items recorded on site; defaults depend on the kind. */
  manual_items: z.array(z.string().min(1)).optional().describe('Manual checklist items recorded on site; defaults depend on the kind.'),
});

export const inspectionsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Track inspections.'),
    /** How often due dates, reminders and overdue alerts are evaluated. */
    check_interval_s: z.number().int().min(10).max(86_400).default(300).describe('How often due dates, reminders and overdue alerts are evaluated.'),
    /** Where photos of manual findings are kept (default: <data_dir>/inspection-photos). */
    photo_dir: z.string().optional().describe('Where photos of manual findings are kept (default: <data_dir>/inspection-photos).'),
    max_photo_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024).describe('Largest photo accepted.'),
    /** Days a new problem has to be closed by, unless the engineer sets a date. */
    problem_due_days: z.number().int().min(1).max(365).default(14).describe('Days a new problem has to be closed by, unless the engineer sets a date.'),
    thresholds: z
      .strictObject({
        port_errors_warn: z.number().int().min(0).default(1).describe('New port errors since the previous inspection at which the item warns.'),
        port_errors_fail: z.number().int().min(0).default(1000).describe('New port errors at which it fails.'),
        flaps_warn: z.number().int().min(0).default(5).describe('Port flaps at which it warns.'),
        temperature_warn_c: z.number().default(55).describe('Peak temperature (°C) at which it warns.'),
        temperature_fail_c: z.number().default(70).describe('Peak temperature (°C) at which it fails.'),
        camera_uptime_24h_pct: z.number().min(0).max(100).default(99).describe('Camera uptime over 24 h (%) under which it fails.'),
        camera_uptime_month_pct: z.number().min(0).max(100).default(98).describe('Camera uptime over the period (%) under which it fails.'),
        clock_drift_warn_s: z.number().min(0).default(5).describe('Camera clock drift at which it warns.'),
        clock_drift_fail_s: z.number().min(0).default(60).describe('Camera clock drift at which it fails.'),
        patch_warn_days: z.number().min(0).default(30).describe('Days since the last patch at which a PC warns.'),
        patch_fail_days: z.number().min(0).default(60).describe('Days since the last patch at which it fails.'),
        disk_used_warn_pct: z.number().min(0).max(100).default(85).describe('Disk used (%) at which it warns.'),
        disk_used_fail_pct: z.number().min(0).max(100).default(95).describe('Disk used (%) at which it fails.'),
      })
      .prefault({}).describe('Pass/warn/fail limits of the automatic checklist.'),
    schedules: z.array(inspectionScheduleSchema).default([]).describe('The contract\'s inspections.'),
  })
  .prefault({});

export const reportsConfigSchema = z
  .strictObject({
    organisation: z.string().default('Watchpost').describe('The client organisation on the report\'s cover.'),
    contractor: z.string().default('').describe('The contractor on the cover.'),
    /** Month boundaries and times in the report are in this IANA time zone. */
    timezone: z.string().default('Asia/Shanghai').describe('Month boundaries and times in the report are in this IANA time zone.'),
    default_lang: z.enum(['zh-CN', 'en']).default('zh-CN').describe('Language of reports when none is asked for.'),
    /** A TTF/OTF/TTC with CJK glyphs; when absent, well-known Debian and Windows paths are tried. */
    font_path: z.string().optional().describe('A TTF/OTF/TTC with CJK glyphs; when absent, well-known Debian and Windows paths are tried.'),
    /** The face inside a .ttc collection (PostScript name). */
    font_name: z.string().optional().describe('The face inside a .ttc collection (PostScript name).'),
    /** Where generated reports are kept (default: <data_dir>/reports). */
    out_dir: z.string().optional().describe('Where generated reports are kept (default: <data_dir>/reports).'),
    /** Cameras must be up this share of each day (contract). */
    camera_24h_target_pct: z.number().min(0).max(100).default(99).describe('Cameras must be up this share of each day (contract).'),
    device_availability_target_pct: z.number().min(0).max(100).default(99.5).describe('Device availability target (%) the report measures against.'),
    /** Time allowed from alert to engineer on site. */
    onsite_sla_minutes: z.number().int().min(1).default(120).describe('Time allowed from alert to engineer on site.'),
    /** Yearly SMS budget in message parts, when the notify module does not report one. */
    sms_yearly_budget_parts: z.number().int().min(0).optional().describe('Yearly SMS budget in message parts, when the notify module does not report one.'),
    schedule: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Make reports on schedule.'),
        /** Hour of the 1st of the month (report time zone) after which last month's report is made. */
        hour: z.number().int().min(0).max(23).default(6).describe('Hour of the 1st of the month (report time zone) after which last month\'s report is made.'),
        langs: z.array(z.enum(['zh-CN', 'en'])).min(1).default(['zh-CN']).describe('Languages to make.'),
      })
      .prefault({}).describe('Make last month\'s reports on the 1st by themselves.'),
    email: z
      .strictObject({
        smtp_host: z.string().describe('SMTP relay host.'),
        smtp_port: z.number().int().min(1).max(65535).default(587).describe('SMTP port.'),
        /** Implicit TLS (port 465); otherwise STARTTLS is used when offered. */
        secure: z.boolean().default(false).describe('Implicit TLS (port 465); otherwise STARTTLS is used when offered.'),
        username: z.string().optional().describe('SMTP user.'),
        password: z.string().optional().describe('SMTP password.'),
        from: z.string().min(3).describe('Sender address.'),
        to: z.array(z.string().min(3)).min(1).describe('Recipients.'),
      })
      .optional().describe('Email scheduled reports (nodemailer).'),
  })
  .prefault({});

export const consoleConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the console at /console/.'),
    session_ttl_h: z.number().min(0.1).max(24 * 30).default(12).describe('How long a login lasts.'),
    /** Failed logins allowed per user name and per client address within the window. */
    login_max_failures: z.number().int().min(1).default(5).describe('Wrong passwords for one user name from one client address before that pair is refused for 30 s, doubling with each further failure up to login_window_s (four times as many per address, across user names). Other addresses are never locked out.'),
    login_window_s: z.number().int().min(10).default(900).describe('The longest login block; a run of failures is forgotten after four quiet windows.'),
    default_lang: z.enum(['zh-CN', 'en']).default('zh-CN').describe('Language for visitors without a choice.'),
    /** Set the Secure flag on the session cookie (behind TLS). Defaults to on when tls is configured. */
    secure_cookies: z.boolean().optional().describe('Set the Secure flag on the session cookie (behind TLS). Defaults to on when tls is configured.'),
    /** Grafana base URL (e.g. http://grafana.lan:3000): device pages link to the matching dashboard. */
    grafana_url: z.url().optional().describe('Grafana base URL (e.g. http://grafana.lan:3000): device pages link to the matching dashboard.'),
  })
  .prefault({});

export type InspectionsConfig = z.infer<typeof inspectionsConfigSchema>;
export type InspectionSchedule = z.infer<typeof inspectionScheduleSchema>;
export type ReportsConfig = z.infer<typeof reportsConfigSchema>;
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
