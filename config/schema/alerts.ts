import { z } from 'zod';
import { didYouMean, EVENT_KINDS, MEASUREMENTS } from '../measurements.ts';

/** Alerts, notification channels and maintenance windows: the collector's `alerts:`, `notify:` and `maintenance:` sections. */

const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a SHA-256 hex digest (64 hex characters): `watchpost token hash` prints it');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:MM');
const severity = z.enum(['info', 'warning', 'critical']);
const where = z.record(z.string(), z.string()).default({});
const name = z.string().superRefine((v, ctx) => {
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(v)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" is not a valid rule name`,
      params: { fix: 'a rule name may contain only lower-case letters a-z, digits 0-9, "_", "." and "-", and starts with a letter or digit (e.g. "disk-full")' },
    });
  }
});

const common = {
  name,
  severity: severity.default('warning'),
  /** Text of the alert; `{target}`, `{value}` and any label in braces are replaced. */
  summary: z.string().optional(),
  /** Extra labels for routing (team, area…). */
  labels: z.record(z.string(), z.string()).default({}),
};

export const thresholdRule = z.strictObject({
  ...common,
  type: z.literal('threshold'),
  measurement: z.string().min(1),
  /** The measurement comes from Telegraf or another /write client: not checked against what the built-in probes write. */
  external: z.boolean().default(false),
  field: z.string().min(1),
  /** Tag equality filters. */
  where,
  /** Tag naming the alert's target; default: the first of device, camera, host, url, agent. */
  target_tag: z.string().optional(),
  op: z.enum(['>', '>=', '<', '<=', '==', '!=']),
  /** Fires when `value op fire` holds for `for_s`. */
  fire: z.union([z.number(), z.string(), z.boolean()]),
  /** Hysteresis: clears only once the value is back past this (default: the fire threshold). Numeric rules only. */
  clear: z.number().optional(),
  for_s: z.number().min(0).default(0),
});

export const absenceRule = z.strictObject({
  ...common,
  type: z.literal('absence'),
  measurement: z.string().min(1),
  /** The measurement comes from Telegraf or another /write client: not checked against what the built-in probes write. */
  external: z.boolean().default(false),
  where,
  target_tag: z.string().optional(),
  /** Fires when a target that reported before has sent nothing for this long. */
  for_s: z.number().min(1),
});

function checkEventKind(kind: string, ctx: z.RefinementCtx): void {
  if (EVENT_KINDS.includes(kind)) return;
  // A typo, or the probe's prefix left out (trap for snmp_trap).
  const m = didYouMean(kind, EVENT_KINDS) ?? EVENT_KINDS.find((k) => k.endsWith(`_${kind}`) || k.startsWith(`${kind}_`));
  ctx.addIssue({
    code: 'custom',
    message: `no probe or collector module emits event kind "${kind}"${m ? ` (did you mean "${m}"?)` : ''}`,
    params: { fix: m ? `use "${m}"` : `use one of: ${EVENT_KINDS.join(', ')}` },
  });
}

export const eventRule = z.strictObject({
  ...common,
  type: z.literal('event'),
  /** Event kinds, as the probes declare them (snmp_trap, snmp_reboot, config_changed…; config/measurements.ts EVENT_KINDS). */
  kinds: z.array(z.string().min(1).superRefine(checkEventKind)).min(1),
  min_severity: severity.default('info'),
  /** Event alerts have no "clear" sample: they resolve on their own after this. */
  resolve_after_s: z.number().positive().default(900),
});

export const inspectionRule = z.strictObject({
  ...common,
  type: z.literal('inspection'),
  /** Fires (warning) this many days before due; overdue inspections fire at `overdue_severity`. */
  due_within_days: z.number().min(0).default(3),
  overdue_severity: severity.default('critical'),
});

/**
 * Certificate or domain expiry (x509_cert / domain samples from the http and tls probes):
 * fires when the days left fall under the largest threshold, and notifies once more each time
 * a smaller one is crossed, never as a daily repeat; the smallest threshold is critical. A
 * sample's own `expiry_thresholds_days` field (the target's expiry_days) overrides thresholds_days.
 */
export const expiryRule = z.strictObject({
  ...common,
  type: z.literal('expiry'),
  measurement: z.enum(['x509_cert', 'domain']).default('x509_cert'),
  /** Seconds left: chain_expiry (leaf and intermediates) or expiry (the leaf, or the domain). */
  field: z.string().min(1).default('chain_expiry'),
  where,
  /** Default: source for x509_cert, domain for domain. */
  target_tag: z.string().optional(),
  thresholds_days: z.array(z.number().int().min(0).max(3650)).min(1).max(8).default([30, 14, 7]),
});

export const ruleSchema = z.discriminatedUnion('type', [thresholdRule, absenceRule, eventRule, inspectionRule, expiryRule]);
/** Reports a threshold/absence rule on a measurement or field no built-in probe writes (config/measurements.ts). */
export function checkRuleTarget(r: z.infer<typeof ruleSchema>, path: (string | number)[], ctx: z.RefinementCtx): void {
  if ((r.type !== 'threshold' && r.type !== 'absence') || r.external) return;
  const fields = MEASUREMENTS[r.measurement];
  if (fields === undefined) {
    const m = didYouMean(r.measurement, Object.keys(MEASUREMENTS));
    ctx.addIssue({
      code: 'custom', path: [...path, 'measurement'],
      message: `no built-in probe writes measurement "${r.measurement}"${m ? ` (did you mean "${m}"?)` : ''}`,
      params: { fix: m ? `use "${m}"` : 'use a measurement from docs/measurements.md, or set external: true for data written by Telegraf' },
    });
    return;
  }
  if (r.type === 'threshold' && fields && !fields.includes(r.field)) {
    const f = didYouMean(r.field, fields);
    ctx.addIssue({
      code: 'custom', path: [...path, 'field'],
      message: `measurement "${r.measurement}" has no field "${r.field}"${f ? ` (did you mean "${f}"?)` : ''}`,
      params: { fix: f ? `use "${f}"` : `use one of: ${fields.join(', ')}` },
    });
  }
}

export const rulesFileSchema = z.strictObject({ rules: z.array(ruleSchema) }).superRefine((f, ctx) => f.rules.forEach((r, i) => checkRuleTarget(r, ['rules', i], ctx)));

const timeClass = z.enum(['working_hours', 'off_hours', 'night', 'workday', 'weekend', 'holiday']);

export interface RouteConfig {
  match: Record<string, string>;
  match_re: Record<string, string>;
  when: z.infer<typeof timeClass>[];
  receiver?: string | undefined;
  continue: boolean;
  group_by?: string[] | undefined;
  group_wait_s?: number | undefined;
  repeat_interval_s?: number | undefined;
  escalate?: { after_s: number; receiver: string }[] | undefined;
  routes: RouteConfig[];
}

export const routeSchema: z.ZodType<RouteConfig, unknown> = z.lazy(() =>
  z.strictObject({
    /** Label equality (severity, rule, target, building, floor, shaft, device_kind, any rule label). */
    match: z.record(z.string(), z.string()).default({}),
    /** Label regular expressions (anchored). */
    match_re: z.record(z.string(), z.string().refine((s) => { try { new RegExp(s); return true; } catch { return false; } }, 'invalid regular expression')).default({}),
    /** Time classes, any of which must hold at notification time (from the duty calendar). */
    when: z.array(timeClass).default([]),
    receiver: z.string().optional(),
    continue: z.boolean().default(false),
    group_by: z.array(z.string()).optional(),
    group_wait_s: z.number().min(0).optional(),
    repeat_interval_s: z.number().min(0).optional(),
    /** Escalation chain: who is told when the alert is still not acknowledged after `after_s`. */
    escalate: z.array(z.strictObject({ after_s: z.number().positive(), receiver: z.string() })).optional(),
    routes: z.array(routeSchema).default([]),
  }),
);

export const receiverSchema = z.strictObject({
  name: z.string().min(1),
  email: z.array(z.string().email()).default([]),
  /** Mobile numbers (+86… or 11 digits). */
  sms: z.array(z.string().regex(/^\+?\d{6,15}$/, 'expected a phone number like +8613800138000')).default([]),
  webhook: z.array(z.url()).default([]),
  dingtalk: z.array(z.url()).default([]),
  wecom: z.array(z.url()).default([]),
  /** Console inboxes (any name, e.g. "duty"): shown on the console's notifications page; needs no server. */
  console: z.array(z.string().min(1).max(64)).default([]),
});

export const alertsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    rules: z.array(ruleSchema).default([]),
    /** More rules, each file `{rules: [...]}` with the same schema. */
    rules_files: z.array(z.string()).default([]),
    eval_interval_ms: z.number().int().min(10).max(60_000).default(1000),
    timezone: z.string().default('Asia/Shanghai'),
    working_hours: z.strictObject({ start: hhmm.default('08:30'), end: hhmm.default('17:30') }).prefault({}),
    /** Holiday calendars (format: README "Calendar file format"), e.g. /etc/watchpost/calendar/cn-2026.yaml. */
    calendar_files: z.array(z.string()).default([]),
    ack: z
      .strictObject({
        /** HMAC key for acknowledgement links (at least 32 characters). */
        secret: z.string().min(32).optional(),
        link_ttl_s: z.number().int().positive().default(86_400),
      })
      .prefault({}),
    /** Bearer tokens for the alerts and maintenance API (`watchpost ack`). */
    api_tokens: z.array(z.strictObject({ name: z.string().min(1), token_sha256: sha256Hex })).default([]),
    group_wait_s: z.number().min(0).default(10),
    repeat_interval_s: z.number().min(0).default(3600),
    flap: z.strictObject({ window_s: z.number().positive().default(900), max_fires: z.number().int().min(2).default(4) }).prefault({}),
    /** The contract's on-site repair time: alerts not resolved within it are flagged as breaches. */
    sla: z.strictObject({ resolve_within_s: z.number().positive().default(7200) }).prefault({}),
    route: routeSchema.default({ match: {}, match_re: {}, when: [], continue: false, routes: [] }),
    receivers: z.array(receiverSchema).default([]),
  })
  .superRefine((a, ctx) => {
    const names = new Set(a.receivers.map((r) => r.name));
    const walk = (r: RouteConfig, path: (string | number)[]) => {
      if (r.receiver && !names.has(r.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `unknown receiver "${r.receiver}" (define it under alerts.receivers)` });
      r.escalate?.forEach((e, i) => {
        if (!names.has(e.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'escalate', i, 'receiver'], message: `unknown receiver "${e.receiver}"` });
      });
      r.routes.forEach((c, i) => walk(c, [...path, 'routes', i]));
    };
    walk(a.route, ['route']);
    const seen = new Set<string>();
    a.rules.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `duplicate rule name "${r.name}"` });
      seen.add(r.name);
      checkRuleTarget(r, ['rules', i], ctx);
    });
    })
  .prefault({});

const template = z.strictObject({ code: z.string().min(1), params: z.array(z.string()).default([]), text: z.string().optional() });
const templates = z.record(z.string(), template);

export const aliyunProvider = z.strictObject({
  kind: z.literal('aliyun'),
  name: z.string().default('aliyun'),
  endpoint: z.url().default('https://dysmsapi.aliyuncs.com'),
  access_key_id: z.string().min(1),
  access_key_secret: z.string().min(1),
  sign_name: z.string().min(1),
  region: z.string().default('cn-hangzhou'),
  templates,
});
export const tencentProvider = z.strictObject({
  kind: z.literal('tencent'),
  name: z.string().default('tencent'),
  endpoint: z.url().default('https://sms.tencentcloudapi.com'),
  secret_id: z.string().min(1),
  secret_key: z.string().min(1),
  sdk_app_id: z.string().min(1),
  sign_name: z.string().min(1),
  region: z.string().default('ap-guangzhou'),
  templates,
});

export const notifySchema = z
  .strictObject({
    email: z
      .strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(587),
        security: z.enum(['tls', 'starttls', 'none']).default('starttls'),
        username: z.string().optional(),
        password: z.string().optional(),
        from: z.string().min(3),
        timeout_ms: z.number().int().positive().default(15_000),
        /** CA certificate (PEM) of a relay with a private CA. */
        ca_file: z.string().optional(),
        tls_insecure: z.boolean().default(false),
      })
      .optional(),
    sms: z
      .strictObject({
        /** Tried in order: a provider-side failure fails over to the next. */
        providers: z.array(z.discriminatedUnion('kind', [aliyunProvider, tencentProvider])).default([]),
        max_per_number_per_hour: z.number().int().positive().default(12),
        budget: z
          .strictObject({
            yearly_quota: z.number().int().positive().default(200_000),
            daily_cap: z.number().int().positive().default(2000),
            warn_pct: z.array(z.number().positive().max(100)).default([80, 95]),
            /** Receiver told (by email etc.) when a warning level is crossed. */
            warn_receiver: z.string().optional(),
          })
          .prefault({}),
        /** Uplink (SMS reply) callbacks: POST /api/sms/uplink/<provider>/<token>. */
        uplink: z.strictObject({ token: z.string().min(16).optional(), max_age_s: z.number().positive().default(300) }).prefault({}),
      })
      .prefault({}),
    webhook: z.strictObject({ secret: z.string().min(16) }).optional(),
    dingtalk: z.strictObject({ secret: z.string().optional() }).optional(),
    retry: z
      .strictObject({
        max_attempts: z.number().int().min(1).default(8),
        base_ms: z.number().int().positive().default(2000),
        max_ms: z.number().int().positive().default(300_000),
        timeout_ms: z.number().int().positive().default(15_000),
        concurrency: z.number().int().positive().default(8),
      })
      .prefault({}),
  })
  .prefault({});

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const instant = z.union([z.iso.datetime({ offset: true }), z.date().transform((d) => d.toISOString())]);

export const windowSchema = z
  .strictObject({
    name: z.string().min(1),
    /** Target names (devices, cameras, hosts, agents); empty with an empty `match` means everything. */
    targets: z.array(z.string()).default([]),
    /** Inventory location match (building, floor, shaft, room, role, kind). */
    match: z.record(z.string(), z.string()).default({}),
    /** One-off window. */
    start: instant.optional(),
    end: instant.optional(),
    /** Recurring window in alerts.timezone. */
    recurring: z
      .strictObject({
        days: z.array(weekday).min(1),
        start: hhmm,
        duration_min: z.number().int().positive().max(7 * 24 * 60),
      })
      .optional(),
    reason: z.string().optional(),
  })
  .refine((w) => (w.start && w.end) || w.recurring, 'a window needs start and end, or recurring');

export const maintenanceSchema = z.strictObject({ windows: z.array(windowSchema).default([]) }).prefault({});

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type RuleConfig = z.infer<typeof ruleSchema>;
export type NotifyConfig = z.infer<typeof notifySchema>;
export type ReceiverConfig = z.infer<typeof receiverSchema>;
export type MaintenanceConfig = z.infer<typeof maintenanceSchema>;
export type WindowConfig = z.infer<typeof windowSchema>;
