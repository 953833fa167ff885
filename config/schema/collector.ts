import { z } from 'zod';
import { locationShape, logLevel } from './common.ts';
import { alertsSchema, maintenanceSchema, notifySchema } from './alerts.ts';
import { didYouMean } from '../measurements.ts';
import { consoleConfigSchema, inspectionsConfigSchema, reportsConfigSchema } from './inspections-reports.ts';
import { softwarePolicySchema } from '../../lib/software-policy-schema.ts';

const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a SHA-256 hex digest (64 hex characters): `watchpost token hash` prints it');

export const deviceSchema = z.strictObject({
  /** The name samples carry in their `device`/`host`/`camera` tag. */
  name: z.string().min(1).describe('The name samples carry in their `device`/`host`/`camera` tag.'),
  kind: z
    .enum(['switch', 'router', 'camera', 'nvr', 'pc', 'printer', 'server', 'ups', 'other'])
    .default('other')
    .describe('What kind of device it is: the report section, device pages and inspection scope follow from it.'),
  /** IP address or host name samples name it by (ping `url`, camera URL host…); a list when it has several. */
  address: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('IP address or host name samples name it by (ping `url`, camera URL host…); a list when it has several.'),
  /** The device this one is reached through (a camera's access switch): used for alert suppression. */
  parent: z.string().optional().describe("The device this one is reached through (a camera's access switch): used for alert suppression."),
  /**
   * The local day (YYYY-MM-DD, reports.timezone) monitoring of this device began: the monthly
   * report counts its availability from then, and from its first sample when that is later.
   */
  monitored_since: z.iso
    .date({ error: 'expected a date like 2026-10-20 (the local day monitoring of this device began)' })
    .optional()
    .describe(
      'The local day (YYYY-MM-DD, reports.timezone) monitoring of this device began: the monthly report counts its availability from then, and from its first sample when that is later.',
    ),
  ...locationShape,
});

export const collectorConfigSchema = z
  .strictObject({
    collector: z
      .strictObject({
        listen_host: z.string().default('127.0.0.1').describe('Address the HTTP and WebSocket server listens on.'),
        listen_port: z.number().int().min(0).max(65535).default(8080).describe('Port it listens on.'),
        data_dir: z.string().default('./.watchpost/collector').describe('Where the spool, the state DB and reports are kept.'),
        log_level: logLevel.describe('Log level (pino).'),
        /** URL people use to reach the console (for links in emails). */
        public_url: z.url().optional().describe('URL people use to reach the console (for links in emails).'),
        audit_hash: z.enum(['sha256', 'sm3']).default('sha256').describe("Hash of the audit log's chain (sm3 for 国密)."),
      })
      .prefault({})
      .describe('The collector process itself.'),
    tls: z
      .strictObject({
        cert_file: z.string().describe('Server certificate (PEM).'),
        key_file: z.string().describe('Its private key (PEM).'),
        /** CA for client certificates (mTLS); without it agents authenticate by token only. */
        client_ca_file: z.string().optional().describe('CA for client certificates (mTLS); without it agents authenticate by token only.'),
        /** Agents must also present a client certificate from `watchpost enroll --cert` (the console and /write are not affected). */
        require_client_cert: z
          .boolean()
          .default(false)
          .describe('Agents must also present a client certificate from `watchpost enroll --cert` (the console and /write are not affected).'),
      })
      .refine((t) => !t.require_client_cert || t.client_ca_file, {
        path: ['client_ca_file'],
        message: 'require_client_cert needs client_ca_file (the ca.pem from `watchpost certs init`)',
      })
      .optional()
      .describe('TLS for the HTTP and WebSocket server (`watchpost certs init`); without it the collector speaks plain HTTP.'),
    /** Rate limits per client address (collector/security/rate-limit.ts). */
    limits: z
      .strictObject({
        /** Failed authentications (agent WebSocket, /write) per address and token prefix per minute; the console login has its own limits. */
        auth_failures_per_min: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(10)
          .describe(
            'Failed authentications (agent WebSocket, /write) allowed per address and token prefix per minute before that token gets 429s there; other tokens from the address keep working. The console login has its own limits (console.login_max_failures).',
          ),
        /** Requests per second per address on module routes (/api/…, console); /write, /healthz and /metrics are not limited. */
        api_requests_per_s: z
          .number()
          .positive()
          .max(100_000)
          .default(20)
          .describe('Requests per second per address on module routes (/api/…, console); /write, /healthz and /metrics are not limited.'),
        api_burst: z.number().int().min(1).max(100_000).default(100).describe('Requests per address allowed in a burst above api_requests_per_s.'),
        /** Open connections per address (agents behind one NAT share an address: raise this then). */
        max_connections_per_ip: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(256)
          .describe('Open connections per address (agents behind one NAT share an address: raise this then).'),
      })
      .prefault({})
      .describe('Rate limits per client address (collector/security/rate-limit.ts).'),
    influxdb: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }).describe('InfluxDB base URL, e.g. http://127.0.0.1:8086.'),
        database: z.string().min(1).default('watchpost').describe('Database (or the DBRP-mapped bucket).'),
        retention_policy: z.string().optional().describe("Retention policy to write into (default: the database's default)."),
        username: z.string().optional().describe('InfluxDB 1.x user.'),
        password: z.string().optional().describe('InfluxDB 1.x password.'),
        token: z.string().optional().describe('API token (InfluxDB 2.x/3.x v1 API).'),
        batch_points: z.number().int().min(1).max(100_000).default(5000).describe('Points per write.'),
        timeout_ms: z.number().int().positive().default(10_000).describe('Timeout of one write.'),
        create_database: z.boolean().default(true).describe('Create the database at start when it does not exist (InfluxDB 1.x).'),
        /** Writes in flight at once; each covers its own run of spool rows. */
        concurrency: z.number().int().min(1).max(16).default(2).describe('Writes in flight at once; each covers its own run of spool rows.'),
        /** A write with fewer than batch_points waits this long for more (Telegraf's flush_interval). */
        flush_interval_ms: z
          .number()
          .int()
          .min(0)
          .max(60_000)
          .default(500)
          .describe("A write with fewer than batch_points waits this long for more (Telegraf's flush_interval)."),
      })
      .optional()
      .describe('Where metrics are written (InfluxDB 1.x /write; 2.x and 3.x through their v1 API). Without it metrics wait in the spool.'),
    spool: z
      .strictObject({
        max_bytes: z
          .number()
          .int()
          .min(1024 * 1024)
          .default(4 * 1024 * 1024 * 1024)
          .describe("Largest spool size; at it the collector refuses new batches (they wait in the agents' outboxes)."),
      })
      .prefault({})
      .describe('The write-ahead spool between ingest and InfluxDB.'),
    ingest: z
      .strictObject({
        /** Largest WebSocket message or /write body accepted. */
        max_frame_bytes: z
          .number()
          .int()
          .min(1024)
          .max(256 * 1024 * 1024)
          .default(16 * 1024 * 1024)
          .describe('Largest WebSocket message or /write body accepted.'),
        /** Samples more than this far in the future are rejected (clock of the sender is wrong). */
        max_future_s: z
          .number()
          .positive()
          .default(600)
          .describe(
            "Samples more than this far in the future are rejected (clock of the sender is wrong); an agent's whole batch is refused and stays in its outbox.",
          ),
        /** Samples older than this are accepted but counted (watchpost_ingest_points_past_total) and logged: a clock far behind, or a replay. */
        warn_past_s: z
          .number()
          .positive()
          .default(7 * 86_400)
          .describe('Samples older than this are accepted but counted (watchpost_ingest_points_past_total) and logged: a clock far behind, or a replay.'),
      })
      .prefault({})
      .describe('Limits on what senders may send.'),
    /** Agents with fixed tokens (token hashes), besides those enrolled with `watchpost enroll`. */
    agents: z
      .array(
        z.strictObject({
          name: z.string().min(1).describe("The agent's name."),
          token_sha256: sha256Hex.describe('SHA-256 of its token (`watchpost token hash TOKEN`).'),
          ...locationShape,
        }),
      )
      .default([])
      .describe('Agents with fixed tokens (token hashes), besides those enrolled with `watchpost enroll`.'),
    /** Telegraf and other line-protocol senders on POST /write and /api/v2/write. */
    http_write: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Accept line protocol on /write and /api/v2/write.'),
        tokens: z
          .array(
            z.strictObject({
              name: z.string().min(1).describe("The sender's name."),
              token_sha256: sha256Hex.describe('SHA-256 of its token (`watchpost token hash TOKEN`); the token is sent as password or `Authorization: Token`.'),
            }),
          )
          .default([])
          .describe('Senders allowed to write (token hashes from `watchpost token hash`).'),
      })
      .prefault({})
      .describe('Telegraf and other line-protocol senders on POST /write and /api/v2/write.'),
    inventory: z
      .strictObject({
        devices: z.array(deviceSchema).default([]).describe('Every device, with its location.'),
      })
      .prefault({})
      .describe("The building's devices: names, addresses, location, parents."),
    /** Alert rules, routing tree, receivers, duty calendar (collector/alerts). */
    alerts: alertsSchema.describe('Alert rules, routing tree, receivers, duty calendar (collector/alerts).'),
    /** Notification channels, retry loop and SMS budget (collector/notify). */
    notify: notifySchema.describe('Notification channels, retry loop and SMS budget (collector/notify).'),
    /** Maintenance windows (collector/maintenance): silence notifications, excluded from uptime. */
    maintenance: maintenanceSchema.describe('Maintenance windows (collector/maintenance): silence notifications, excluded from uptime.'),
    inspections: inspectionsConfigSchema.describe('Inspection schedules and the automatic checklist (collector/inspections).'),
    reports: reportsConfigSchema.describe('The monthly report (collector/reports).'),
    console: consoleConfigSchema.describe('The web console (collector/console).'),
    /** Installed software (collector/software): the licensing policy, in the same format as a `watchpost check software --policy` file. */
    software: z
      .strictObject({
        policy: softwarePolicySchema.prefault({}).describe('The licensing policy: rules tried in order, the first match decides.'),
      })
      .prefault({})
      .describe('Installed software (collector/software): the licensing policy, in the same format as a `watchpost check software --policy` file.'),
    /** Device state (collector/devices): the health thresholds that make a reachable device `degraded`. */
    devices: z
      .strictObject({
        /** A camera whose clock is off by more than this is degraded. */
        clock_drift_s: z.number().positive().default(10).describe('A camera whose clock is off by more than this is degraded.'),
        /** A temperature sensor above this (°C) is degraded. */
        temperature_max_c: z.number().default(65).describe('A temperature sensor above this (°C) is degraded.'),
        /** A CPU or memory sensor above this (%) is degraded. */
        utilisation_max_pct: z.number().min(0).max(100).default(95).describe('A CPU or memory sensor above this (%) is degraded.'),
        /** Ping loss above this (%) while replies still come is degraded. */
        loss_max_pct: z.number().min(0).max(100).default(20).describe('Ping loss above this (%) while replies still come is degraded.'),
        /** A site or TLS service whose certificate (or an intermediate) expires within this many days is degraded. */
        certificate_min_days: z
          .number()
          .int()
          .min(0)
          .max(365)
          .default(14)
          .describe('A site or TLS service whose certificate (or an intermediate) expires within this many days is degraded.'),
        /** How often states are re-evaluated for silence and maintenance. */
        eval_interval_ms: z.number().int().min(100).max(60_000).default(5000).describe('How often states are re-evaluated for silence and maintenance.'),
      })
      .prefault({})
      .describe('Device state (collector/devices): the health thresholds that make a reachable device `degraded`.'),
    /** Uptime ledger (collector/uptime): when a silent target turns unknown, the office time zone, the 24 h compliance bar. */
    uptime: z
      .strictObject({
        silence_s: z.number().int().min(10).max(86_400).default(300).describe('A target silent for this long counts as unknown from its last report on.'),
        write_interval_s: z.number().int().min(5).max(3600).default(60).describe('How often camera_uptime and device_uptime are written.'),
        timezone: z
          .string()
          .min(1)
          .refine((tz) => {
            try {
              new Intl.DateTimeFormat('en', { timeZone: tz });
              return true;
            } catch {
              return false;
            }
          }, 'unknown IANA time zone')
          .default('Asia/Shanghai')
          .describe('IANA time zone of calendar months.'),
        compliant_24h_pct: z
          .number()
          .min(0)
          .max(100)
          .default(99.5)
          .describe('A camera up at least this share of the last 24 h is compliant (camera_uptime.compliant_24h).'),
      })
      .prefault({})
      .describe('Uptime ledger (collector/uptime): when a silent target turns unknown, the office time zone, the 24 h compliance bar.'),
  })
  .superRefine((c, ctx) => {
    // Cross-references: what one section names must exist in another.
    const first = new Map<string, number>();
    c.inventory.devices.forEach((d, i) => {
      const j = first.get(d.name);
      if (j !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['inventory', 'devices', i, 'name'],
          message: `device name "${d.name}" is used twice (also inventory.devices[${j}])`,
          params: { fix: 'give each device a unique name (samples and alerts are matched by it)' },
        });
      else first.set(d.name, i);
    });
    c.inventory.devices.forEach((d, i) => {
      if (d.parent === undefined || first.has(d.parent)) return;
      const m = didYouMean(d.parent, first.keys());
      ctx.addIssue({
        code: 'custom',
        path: ['inventory', 'devices', i, 'parent'],
        message: `unknown parent "${d.parent}"${m ? ` (did you mean "${m}"?)` : ''}`,
        params: { fix: m ? `use "${m}"` : 'name a device listed under inventory.devices' },
      });
    });
    const configured = {
      email: c.notify.email !== undefined,
      sms: c.notify.sms.providers.length > 0,
      webhook: c.notify.webhook !== undefined,
      dingtalk: c.notify.dingtalk !== undefined,
    };
    c.alerts.receivers.forEach((r, i) => {
      for (const ch of ['email', 'sms', 'webhook', 'dingtalk'] as const) {
        if (r[ch].length && !configured[ch]) {
          ctx.addIssue({
            code: 'custom',
            path: ['alerts', 'receivers', i, ch],
            message: `receiver "${r.name}" sends ${ch} but notify.${ch} is not configured: nothing would be sent`,
            params: {
              fix: ch === 'sms' ? 'add a provider under notify.sms.providers, or remove the numbers' : `configure notify.${ch}, or remove the ${ch} addresses`,
            },
          });
        }
      }
    });
  });

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
export type DeviceConfig = z.infer<typeof deviceSchema>;
