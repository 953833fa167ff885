import { z } from 'zod';

/** Where an inspection looks: inventory devices matching every given location tag. */
const scopeShape = {
  building: z.string().optional(),
  floor: z.string().optional(),
  shaft: z.string().optional(),
  /** `office` = devices with no shaft; `shaft` = devices in any shaft. */
  area: z.enum(['office', 'shaft', 'any']).default('any'),
  /** Explicit device names (the critical server). */
  devices: z.array(z.string().min(1)).default([]),
};

export const inspectionScheduleSchema = z.strictObject({
  /** Stable id, used in the state DB and the `inspection` measurement's scope tag. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, _ . - (e.g. network-shaft-a1)'),
  title: z.string().min(1),
  kind: z.enum(['network', 'cctv', 'pc', 'server']),
  every: z.enum(['weekly', 'monthly', 'quarterly']),
  /** Days before the end of the period when a reminder is raised. */
  remind_days_before: z.number().int().min(0).max(60).default(3),
  owner: z.string().optional(),
  scope: z.strictObject(scopeShape).prefault({}),
  /** Manual checklist items recorded on site; defaults depend on the kind. */
  manual_items: z.array(z.string().min(1)).optional(),
});

export const inspectionsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** How often due dates, reminders and overdue alerts are evaluated. */
    check_interval_s: z.number().int().min(10).max(86_400).default(300),
    /** Where photos of manual findings are kept (default: <data_dir>/inspection-photos). */
    photo_dir: z.string().optional(),
    max_photo_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
    /** Days a new problem has to be closed by, unless the engineer sets a date. */
    problem_due_days: z.number().int().min(1).max(365).default(14),
    thresholds: z
      .strictObject({
        port_errors_warn: z.number().int().min(0).default(1),
        port_errors_fail: z.number().int().min(0).default(1000),
        flaps_warn: z.number().int().min(0).default(5),
        temperature_warn_c: z.number().default(55),
        temperature_fail_c: z.number().default(70),
        camera_uptime_24h_pct: z.number().min(0).max(100).default(99),
        camera_uptime_month_pct: z.number().min(0).max(100).default(98),
        clock_drift_warn_s: z.number().min(0).default(5),
        clock_drift_fail_s: z.number().min(0).default(60),
        patch_warn_days: z.number().min(0).default(30),
        patch_fail_days: z.number().min(0).default(60),
        disk_used_warn_pct: z.number().min(0).max(100).default(85),
        disk_used_fail_pct: z.number().min(0).max(100).default(95),
      })
      .prefault({}),
    schedules: z.array(inspectionScheduleSchema).default([]),
  })
  .prefault({});

export const reportsConfigSchema = z
  .strictObject({
    organisation: z.string().default('Watchpost'),
    contractor: z.string().default(''),
    /** Month boundaries and times in the report are in this IANA time zone. */
    timezone: z.string().default('Asia/Shanghai'),
    default_lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
    /** A TTF/OTF/TTC with CJK glyphs; when absent, well-known Debian and Windows paths are tried. */
    font_path: z.string().optional(),
    /** The face inside a .ttc collection (PostScript name). */
    font_name: z.string().optional(),
    /** Where generated reports are kept (default: <data_dir>/reports). */
    out_dir: z.string().optional(),
    /** Cameras must be up this share of each day (contract). */
    camera_24h_target_pct: z.number().min(0).max(100).default(99),
    device_availability_target_pct: z.number().min(0).max(100).default(99.5),
    /** Time allowed from alert to engineer on site. */
    onsite_sla_minutes: z.number().int().min(1).default(120),
    /** Yearly SMS budget in message parts, when the notify module does not report one. */
    sms_yearly_budget_parts: z.number().int().min(0).optional(),
    schedule: z
      .strictObject({
        enabled: z.boolean().default(false),
        /** Hour of the 1st of the month (report time zone) after which last month's report is made. */
        hour: z.number().int().min(0).max(23).default(6),
        langs: z.array(z.enum(['zh-CN', 'en'])).min(1).default(['zh-CN']),
      })
      .prefault({}),
    email: z
      .strictObject({
        smtp_host: z.string(),
        smtp_port: z.number().int().min(1).max(65535).default(587),
        /** Implicit TLS (port 465); otherwise STARTTLS is used when offered. */
        secure: z.boolean().default(false),
        username: z.string().optional(),
        password: z.string().optional(),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
      })
      .optional(),
  })
  .prefault({});

export const consoleConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    session_ttl_h: z.number().min(0.1).max(24 * 30).default(12),
    /** Failed logins allowed per user name and per client address within the window. */
    login_max_failures: z.number().int().min(1).default(5),
    login_window_s: z.number().int().min(10).default(900),
    default_lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
    /** Set the Secure flag on the session cookie (behind TLS). Defaults to on when tls is configured. */
    secure_cookies: z.boolean().optional(),
    /** Grafana base URL (e.g. http://grafana.lan:3000): device pages link to the matching dashboard. */
    grafana_url: z.url().optional(),
  })
  .prefault({});

export type InspectionsConfig = z.infer<typeof inspectionsConfigSchema>;
export type InspectionSchedule = z.infer<typeof inspectionScheduleSchema>;
export type ReportsConfig = z.infer<typeof reportsConfigSchema>;
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
