import { z } from 'zod';
import { didYouMean, EVENT_KINDS, MEASUREMENTS } from '../measurements.ts';

/** Alerts, notification channels and maintenance windows: the collector's `alerts:`, `notify:` and `maintenance:` sections. */

const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a SHA-256 hex digest (64 hex characters): `watchpost token hash` prints it');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:MM');
const severity = z.enum(['info', 'warning', 'critical']);
const where = z.record(z.string(), z.string()).default({}).describe('Tag equality filters: only samples with these tag values.');
const name = z
  .string()
  .superRefine((v, ctx) => {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${v}" is not a valid rule name`,
        params: {
          fix: 'a rule name may contain only lower-case letters a-z, digits 0-9, "_", "." and "-", and starts with a letter or digit (e.g. "disk-full")',
        },
      });
    }
  })
  .describe("The rule's unique name (the `rule` label).");

const common = {
  name,
  severity: severity.default('warning').describe('Severity of the alerts this rule raises.'),
  /** Text of the alert; `{target}`, `{value}` and any label in braces are replaced. */
  summary: z.string().optional().describe('Text of the alert; `{target}`, `{value}` and any label in braces are replaced.'),
  /** Extra labels for routing (team, area…). */
  labels: z.record(z.string(), z.string()).default({}).describe('Extra labels for routing (team, area…).'),
};

export const thresholdRule = z.strictObject({
  ...common,
  type: z.literal('threshold').describe('`threshold`: fires while `field op fire` holds on a measurement.'),
  measurement: z.string().min(1).describe('The measurement (docs/measurements.md) whose samples are compared.'),
  /** The measurement comes from Telegraf or another /write client: not checked against what the built-in probes write. */
  external: z
    .boolean()
    .default(false)
    .describe('The measurement comes from Telegraf or another /write client: not checked against what the built-in probes write.'),
  field: z.string().min(1).describe('The field compared with `fire`.'),
  /** Tag equality filters. */
  where,
  /** Tag naming the alert's target; default: the first of device, camera, host, url, agent. */
  target_tag: z.string().optional().describe("Tag naming the alert's target; default: the first of device, camera, host, url, agent."),
  op: z.enum(['>', '>=', '<', '<=', '==', '!=']).describe('How the field is compared with `fire`.'),
  /** Fires when `value op fire` holds for `for_s`. */
  fire: z.union([z.number(), z.string(), z.boolean()]).describe('Fires when `value op fire` holds for `for_s`.'),
  /** Hysteresis: clears only once the value is back past this (default: the fire threshold). Numeric rules only. */
  clear: z.number().optional().describe('Hysteresis: clears only once the value is back past this (default: the fire threshold). Numeric rules only.'),
  for_s: z.number().min(0).default(0).describe('How long the condition must hold before the alert fires (0: at once).'),
});

export const absenceRule = z.strictObject({
  ...common,
  type: z.literal('absence').describe('`absence`: fires when a target stops sending a measurement.'),
  measurement: z.string().min(1).describe('The measurement whose absence is watched.'),
  /** The measurement comes from Telegraf or another /write client: not checked against what the built-in probes write. */
  external: z
    .boolean()
    .default(false)
    .describe('The measurement comes from Telegraf or another /write client: not checked against what the built-in probes write.'),
  where,
  target_tag: z.string().optional().describe("Tag naming the alert's target; default: the first of device, camera, host, url, agent."),
  /** Fires when a target that reported before has sent nothing for this long. */
  for_s: z.number().min(1).describe('Fires when a target that reported before has sent nothing for this long.'),
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
  type: z.literal('event').describe('`event`: fires on events (traps, reboots, config changes…) from agents and the collector.'),
  /** Event kinds, as the probes declare them (snmp_trap, snmp_reboot, config_changed…; config/measurements.ts EVENT_KINDS). */
  kinds: z
    .array(z.string().min(1).superRefine(checkEventKind))
    .min(1)
    .describe('Event kinds, as the probes declare them (snmp_trap, snmp_reboot, config_changed…; see config/measurements.ts EVENT_KINDS).'),
  min_severity: severity.default('info').describe('Events below this severity are ignored.'),
  /** Event alerts have no "clear" sample: they resolve on their own after this. */
  resolve_after_s: z.number().positive().default(900).describe('Event alerts have no "clear" sample: they resolve on their own after this.'),
});

export const inspectionRule = z.strictObject({
  ...common,
  type: z.literal('inspection').describe('`inspection`: fires when an inspection is due soon or overdue.'),
  /** Fires (warning) this many days before due; overdue inspections fire at `overdue_severity`. */
  due_within_days: z.number().min(0).default(3).describe('Fires (warning) this many days before due; overdue inspections fire at `overdue_severity`.'),
  overdue_severity: severity.default('critical').describe('Severity of the alert for an overdue inspection.'),
});

/**
 * Certificate or domain expiry (x509_cert / domain samples from the http and tls probes):
 * fires when the days left fall under the largest threshold, and notifies once more each time
 * a smaller one is crossed, never as a daily repeat; the smallest threshold is critical. A
 * sample's own `expiry_thresholds_days` field (the target's expiry_days) overrides thresholds_days.
 */
export const expiryRule = z.strictObject({
  ...common,
  type: z.literal('expiry').describe('`expiry`: certificate or domain expiry, notified once per threshold crossed.'),
  measurement: z.enum(['x509_cert', 'domain']).default('x509_cert').describe('x509_cert (certificates) or domain (domain registrations).'),
  /** Seconds left: chain_expiry (leaf and intermediates) or expiry (the leaf, or the domain). */
  field: z.string().min(1).default('chain_expiry').describe('Seconds left: chain_expiry (leaf and intermediates) or expiry (the leaf, or the domain).'),
  where,
  /** Default: source for x509_cert, domain for domain. */
  target_tag: z.string().optional().describe('Default: source for x509_cert, domain for domain.'),
  thresholds_days: z
    .array(z.number().int().min(0).max(3650))
    .min(1)
    .max(8)
    .default([30, 14, 7])
    .describe('Days left at which the alert fires and notifies again; the smallest is critical.'),
});

export const ruleSchema = z.discriminatedUnion('type', [thresholdRule, absenceRule, eventRule, inspectionRule, expiryRule]);
/** Reports a threshold/absence rule on a measurement or field no built-in probe writes (config/measurements.ts). */
export function checkRuleTarget(r: z.infer<typeof ruleSchema>, path: (string | number)[], ctx: z.RefinementCtx): void {
  if ((r.type !== 'threshold' && r.type !== 'absence') || r.external) return;
  const fields = MEASUREMENTS[r.measurement];
  if (fields === undefined) {
    const m = didYouMean(r.measurement, Object.keys(MEASUREMENTS));
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'measurement'],
      message: `no built-in probe writes measurement "${r.measurement}"${m ? ` (did you mean "${m}"?)` : ''}`,
      params: { fix: m ? `use "${m}"` : 'use a measurement from docs/measurements.md, or set external: true for data written by Telegraf' },
    });
    return;
  }
  if (r.type === 'threshold' && fields && !fields.includes(r.field)) {
    const f = didYouMean(r.field, fields);
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'field'],
      message: `measurement "${r.measurement}" has no field "${r.field}"${f ? ` (did you mean "${f}"?)` : ''}`,
      params: { fix: f ? `use "${f}"` : `use one of: ${fields.join(', ')}` },
    });
  }
}

export const rulesFileSchema = z
  .strictObject({ rules: z.array(ruleSchema) })
  .superRefine((f, ctx) => f.rules.forEach((r, i) => checkRuleTarget(r, ['rules', i], ctx)));

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
    match: z
      .record(z.string(), z.string())
      .default({})
      .describe('Label equality (severity, rule, target, building, floor, shaft, device_kind, any rule label).'),
    /** Label regular expressions (anchored). */
    match_re: z
      .record(
        z.string(),
        z.string().refine((s) => {
          try {
            new RegExp(s);
            return true;
          } catch {
            return false;
          }
        }, 'invalid regular expression'),
      )
      .default({})
      .describe('Label regular expressions (anchored).'),
    /** Time classes, any of which must hold at notification time (from the duty calendar). */
    when: z.array(timeClass).default([]).describe('Time classes, any of which must hold at notification time (from the duty calendar).'),
    receiver: z.string().optional().describe('Who is told about alerts this route matches (a name under alerts.receivers); inherited by child routes.'),
    continue: z.boolean().default(false).describe('Go on to the next sibling route after this one matched.'),
    group_by: z.array(z.string()).optional().describe('Labels that group alerts into one message (default: rule).'),
    group_wait_s: z.number().min(0).optional().describe('Alerts that fire within this long for the same receiver and group go out as one message; inherited.'),
    repeat_interval_s: z.number().min(0).optional().describe('How often a still-firing alert is notified again (0: never); inherited.'),
    /** Escalation chain: who is told when the alert is still not acknowledged after `after_s`. */
    escalate: z
      .array(z.strictObject({ after_s: z.number().positive().describe('Seconds after the alert fired.'), receiver: z.string().describe('Who is told then.') }))
      .optional()
      .describe('Escalation chain: who is told when the alert is still not acknowledged after `after_s`.'),
    routes: z.array(routeSchema).default([]).describe('Child routes, tried in order; the first match wins unless it says continue.'),
  }),
);

export const receiverSchema = z.strictObject({
  name: z.string().min(1).describe("The receiver's name, used by routes and escalations."),
  email: z.array(z.string().email()).default([]).describe('Email addresses (needs notify.email).'),
  /** Mobile numbers (+86… or 11 digits). */
  sms: z
    .array(z.string().regex(/^\+?\d{6,15}$/, 'expected a phone number like +8613800138000'))
    .default([])
    .describe('Mobile numbers (+86… or 11 digits).'),
  webhook: z.array(z.url()).default([]).describe('Webhook URLs (JSON, signed with notify.webhook.secret).'),
  dingtalk: z.array(z.url()).default([]).describe('DingTalk robot URLs (signed with notify.dingtalk.secret when set).'),
  wecom: z.array(z.url()).default([]).describe('WeCom (企业微信) robot URLs.'),
  /** Console inboxes (any name, e.g. "duty"): shown on the console's notifications page; needs no server. */
  console: z
    .array(z.string().min(1).max(64))
    .default([])
    .describe('Console inboxes (any name, e.g. "duty"): shown on the console\'s notifications page; needs no server.'),
});

export const alertsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Evaluate rules and send notifications.'),
    rules: z.array(ruleSchema).default([]).describe('Alert rules; more in rules_files.'),
    /** More rules, each file `{rules: [...]}` with the same schema. */
    rules_files: z.array(z.string()).default([]).describe('More rules, each file `{rules: [...]}` with the same schema.'),
    eval_interval_ms: z.number().int().min(10).max(60_000).default(1000).describe('How often rules are evaluated.'),
    timezone: z.string().default('Asia/Shanghai').describe('IANA time zone of working hours, the holiday calendar and time classes.'),
    working_hours: z
      .strictObject({ start: hhmm.default('08:30').describe('Start of the working day.'), end: hhmm.default('17:30').describe('End of the working day.') })
      .prefault({})
      .describe('Working hours (local HH:MM) for the working_hours and off_hours time classes.'),
    /** Holiday calendars (format: docs/alerts.md, "Calendar file format"), e.g. /etc/watchpost/calendar/cn-2026.yaml. */
    calendar_files: z
      .array(z.string())
      .default([])
      .describe('Holiday calendars (format: docs/alerts.md, "Calendar file format"), e.g. /etc/watchpost/calendar/cn-2026.yaml.'),
    ack: z
      .strictObject({
        /** HMAC key for acknowledgement links (at least 32 characters). */
        secret: z.string().min(32).optional().describe('HMAC key for acknowledgement links (at least 32 characters).'),
        link_ttl_s: z.number().int().positive().default(86_400).describe('How long an acknowledgement link stays valid.'),
      })
      .prefault({})
      .describe('Acknowledgement links in emails.'),
    /** Bearer tokens for the alerts and maintenance API (`watchpost ack`). */
    api_tokens: z
      .array(
        z.strictObject({
          name: z.string().min(1).describe('Who holds the token (audit log).'),
          token_sha256: sha256Hex.describe('SHA-256 of the token (`watchpost token hash TOKEN`).'),
        }),
      )
      .default([])
      .describe('Bearer tokens for the alerts and maintenance API (`watchpost ack`).'),
    group_wait_s: z
      .number()
      .min(0)
      .default(10)
      .describe('Default for routes: alerts fired within this long for the same receiver and rule go out as one message.'),
    repeat_interval_s: z.number().min(0).default(3600).describe('Default for routes: how often a still-firing alert is notified again (0: never).'),
    flap: z
      .strictObject({
        window_s: z.number().positive().default(900).describe('The window fires are counted in.'),
        max_fires: z.number().int().min(2).default(4).describe('Fires within the window beyond which notifications are held.'),
      })
      .prefault({})
      .describe('Flapping: more than max_fires fires within window_s hold notifications.'),
    /** The contract's on-site repair time: alerts not resolved within it are flagged as breaches. */
    sla: z
      .strictObject({ resolve_within_s: z.number().positive().default(7200).describe('Time from firing to resolved within which an alert meets the SLA.') })
      .prefault({})
      .describe("The contract's on-site repair time: alerts not resolved within it are flagged as breaches."),
    route: routeSchema
      .default({ match: {}, match_re: {}, when: [], continue: false, routes: [] })
      .describe('The routing tree: which receiver is told, when, and who next (escalate).'),
    receivers: z.array(receiverSchema).default([]).describe('Who can be notified, and by which channels.'),
  })
  .superRefine((a, ctx) => {
    const names = new Set(a.receivers.map((r) => r.name));
    const walk = (r: RouteConfig, path: (string | number)[]) => {
      if (r.receiver && !names.has(r.receiver))
        ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `unknown receiver "${r.receiver}" (define it under alerts.receivers)` });
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

const template = z.strictObject({
  code: z.string().min(1).describe("The approved template's code."),
  params: z.array(z.string()).default([]).describe('Its parameter names in order, filled from the notification (kind, target, summary, code…).'),
  text: z.string().optional().describe('The approved text with ${name} placeholders, for counting billed parts.'),
});
const templates = z.record(z.string(), template).describe('Approved templates by purpose (alert, budget…).');

export const aliyunProvider = z.strictObject({
  kind: z.literal('aliyun').describe('Aliyun SMS (SendSms 2017-05-25).'),
  name: z.string().default('aliyun').describe("The provider's name in logs and deliveries."),
  endpoint: z.url().default('https://dysmsapi.aliyuncs.com').describe('API endpoint.'),
  access_key_id: z.string().min(1).describe('AccessKey ID.'),
  access_key_secret: z.string().min(1).describe('AccessKey secret.'),
  sign_name: z.string().min(1).describe('Approved SMS signature (签名).'),
  region: z.string().default('cn-hangzhou').describe('API region.'),
  templates,
});
export const tencentProvider = z.strictObject({
  kind: z.literal('tencent').describe('Tencent Cloud SMS (SendSms 2021-01-11).'),
  name: z.string().default('tencent').describe("The provider's name in logs and deliveries."),
  endpoint: z.url().default('https://sms.tencentcloudapi.com').describe('API endpoint.'),
  secret_id: z.string().min(1).describe('SecretId.'),
  secret_key: z.string().min(1).describe('SecretKey.'),
  sdk_app_id: z.string().min(1).describe('SMS SdkAppId.'),
  sign_name: z.string().min(1).describe('Approved SMS signature (签名).'),
  region: z.string().default('ap-guangzhou').describe('API region.'),
  templates,
});

export const notifySchema = z
  .strictObject({
    email: z
      .strictObject({
        host: z.string().min(1).describe('SMTP relay host.'),
        port: z.number().int().min(1).max(65535).default(587).describe('SMTP port.'),
        security: z.enum(['tls', 'starttls', 'none']).default('starttls').describe('tls: implicit TLS (465); starttls: upgrade after connecting; none: plain.'),
        username: z.string().optional().describe('SMTP user, when the relay needs authentication.'),
        password: z.string().optional().describe('SMTP password.'),
        from: z.string().min(3).describe('Sender address.'),
        timeout_ms: z.number().int().positive().default(15_000).describe('Timeout of one delivery.'),
        /** CA certificate (PEM) of a relay with a private CA. */
        ca_file: z.string().optional().describe('CA certificate (PEM) of a relay with a private CA.'),
        tls_insecure: z.boolean().default(false).describe("Do not verify the relay's certificate (prefer ca_file)."),
      })
      .optional()
      .describe('Email through an SMTP relay (nodemailer).'),
    sms: z
      .strictObject({
        /** Tried in order: a provider-side failure fails over to the next. */
        providers: z
          .array(z.discriminatedUnion('kind', [aliyunProvider, tencentProvider]))
          .default([])
          .describe('Tried in order: a provider-side failure fails over to the next.'),
        max_per_number_per_hour: z.number().int().positive().default(12).describe('At most this many messages to one number per hour.'),
        budget: z
          .strictObject({
            yearly_quota: z.number().int().positive().default(200_000).describe('Billed parts allowed per year.'),
            daily_cap: z.number().int().positive().default(2000).describe('Billed parts allowed per day.'),
            warn_pct: z
              .array(z.number().positive().max(100))
              .default([80, 95])
              .describe('Shares of the yearly quota at which a warning is logged, audit-logged and sent to warn_receiver.'),
            /** Receiver told (by email etc.) when a warning level is crossed. */
            warn_receiver: z.string().optional().describe('Receiver told (by email etc.) when a warning level is crossed.'),
          })
          .prefault({})
          .describe('Budget of billed message parts.'),
        /** Uplink (SMS reply) callbacks: POST /api/sms/uplink/<provider>/<token>. */
        uplink: z
          .strictObject({
            token: z.string().min(16).optional().describe('The secret last part of the uplink URL; without it replies are not accepted.'),
            max_age_s: z.number().positive().default(300).describe('Replies sent longer ago than this are ignored.'),
          })
          .prefault({})
          .describe('Uplink (SMS reply) callbacks: POST /api/sms/uplink/<provider>/<token>.'),
      })
      .prefault({})
      .describe('SMS through Aliyun or Tencent Cloud, with a yearly budget.'),
    webhook: z
      .strictObject({ secret: z.string().min(16).describe('HMAC-SHA256 key of X-Watchpost-Signature.') })
      .optional()
      .describe('Webhook deliveries: the HMAC secret for X-Watchpost-Signature.'),
    dingtalk: z
      .strictObject({ secret: z.string().optional().describe("The robot's 加签 secret.") })
      .optional()
      .describe('DingTalk robots: the 加签 secret, when the robot has one.'),
    retry: z
      .strictObject({
        max_attempts: z.number().int().min(1).default(8).describe('Attempts per delivery, the first included.'),
        base_ms: z.number().int().positive().default(2000).describe('First backoff delay.'),
        max_ms: z.number().int().positive().default(300_000).describe('Longest backoff delay.'),
        timeout_ms: z.number().int().positive().default(15_000).describe('Timeout of one attempt.'),
        concurrency: z.number().int().positive().default(8).describe('Deliveries in flight at once.'),
      })
      .prefault({})
      .describe("The dispatcher's one retry loop (exponential backoff, honours Retry-After)."),
  })
  .prefault({});

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const instant = z.union([z.iso.datetime({ offset: true }), z.date().transform((d) => d.toISOString())]);

export const windowSchema = z
  .strictObject({
    name: z.string().min(1).describe("The window's name."),
    /** Target names (devices, cameras, hosts, agents); empty with an empty `match` means everything. */
    targets: z.array(z.string()).default([]).describe('Target names (devices, cameras, hosts, agents); empty with an empty `match` means everything.'),
    /** Inventory location match (building, floor, shaft, room, role, kind). */
    match: z.record(z.string(), z.string()).default({}).describe('Inventory location match (building, floor, shaft, room, role, kind).'),
    /** One-off window. */
    start: instant.optional().describe('One-off window.'),
    end: instant.optional().describe('End of a one-off window (ISO 8601 with offset).'),
    /** Recurring window in alerts.timezone. */
    recurring: z
      .strictObject({
        days: z.array(weekday).min(1).describe('Days of the week it recurs on.'),
        start: hhmm.describe('Local start time (HH:MM).'),
        duration_min: z
          .number()
          .int()
          .positive()
          .max(7 * 24 * 60)
          .describe('Length in minutes.'),
      })
      .optional()
      .describe('Recurring window in alerts.timezone.'),
    reason: z.string().optional().describe('Why (shown in the console and the audit log).'),
  })
  .refine((w) => (w.start && w.end) || w.recurring, 'a window needs start and end, or recurring');

export const maintenanceSchema = z
  .strictObject({ windows: z.array(windowSchema).default([]).describe('Windows in which notifications are silenced and uptime is not counted.') })
  .prefault({});

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type RuleConfig = z.infer<typeof ruleSchema>;
export type NotifyConfig = z.infer<typeof notifySchema>;
export type ReceiverConfig = z.infer<typeof receiverSchema>;
export type MaintenanceConfig = z.infer<typeof maintenanceSchema>;
export type WindowConfig = z.infer<typeof windowSchema>;
