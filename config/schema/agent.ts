import { z } from 'zod';
import type { ProbeBaseConfig } from '../../agent/probes/probe.ts';
import { probeSchemas, schemaOf } from '../../agent/probes/all/schemas.ts';
import { logLevel } from './common.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A `probes[]` entry validated by the schema of its own kind, so that an unknown key in a
 * probe is reported at its own path (`probes[2].timeout_msec`) with that probe's fix, rather
 * than as a failed union of every probe kind.
 */
function probeEntry() {
  return z.unknown().transform((value, ctx) => {
    const kinds = Object.keys(probeSchemas);
    if (!isRecord(value) || typeof value.kind !== 'string') {
      ctx.addIssue({ code: 'invalid_value', values: kinds, input: isRecord(value) ? value.kind : value, path: ['kind'], message: 'each probe needs a "kind"' });
      return z.NEVER;
    }
    const schema = schemaOf(value.kind);
    if (!schema) {
      ctx.addIssue({ code: 'invalid_value', values: kinds, input: value.kind, path: ['kind'], message: `unknown probe kind "${value.kind}"` });
      return z.NEVER;
    }
    const r = schema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, input: undefined } as never);
      return z.NEVER;
    }
    return r.data;
  });
}

export const agentConfigSchema = z
  .strictObject({
    agent: z
      .strictObject({
        /** Display name; identity on the collector comes from the token, not from this. */
        name: z.string().min(1).max(128).optional().describe('Display name; identity on the collector comes from the token, not from this.'),
        data_dir: z.string().default('./.watchpost/agent').describe("Where the agent keeps its outbox (spool) and the probes' state."),
        log_level: logLevel.describe('Log level (pino).'),
      })
      .prefault({})
      .describe('The agent itself.'),
    collector: z
      .strictObject({
        url: z.url({ protocol: /^wss?$/ }).describe("The collector's agent endpoint: wss://HOST:PORT/v1/agent (ws:// only with allow_insecure)."),
        token: z.string().min(16).optional().describe("The agent's token from `watchpost enroll NAME` (give this or token_file)."),
        token_file: z.string().optional().describe('A file holding the token (give this or token).'),
        /** CA bundle (PEM) that signs the collector's certificate; pinned instead of the system store. */
        ca_file: z.string().optional().describe("CA bundle (PEM) that signs the collector's certificate; pinned instead of the system store."),
        /** Client certificate and key for mTLS (`watchpost enroll NAME --cert`). */
        cert_file: z.string().optional().describe('Client certificate and key for mTLS (`watchpost enroll NAME --cert`).'),
        key_file: z.string().optional().describe("The client certificate's key (goes with cert_file)."),
        server_name: z.string().optional().describe("The name to verify the collector's certificate against, when it differs from the URL's host."),
        /** Plain ws:// sends the token in clear text: it must be allowed explicitly. */
        allow_insecure: z.boolean().default(false).describe('Plain ws:// sends the token in clear text: it must be allowed explicitly.'),
        heartbeat_s: z.number().positive().default(15).describe('Interval of the WebSocket ping that finds dead connections.'),
        max_in_flight: z.number().int().min(1).max(1000).default(16).describe('Batches sent and not yet acknowledged at most.'),
        reconnect_min_ms: z.number().int().positive().default(500).describe('Reconnect backoff: the first delay (capped full-jitter exponential backoff).'),
        reconnect_max_ms: z.number().int().positive().default(30_000).describe('Reconnect backoff: the longest delay.'),
      })
      .describe('The collector this agent sends to.'),
    batch: z
      .strictObject({
        max_samples: z.number().int().min(1).max(100_000).default(5000).describe('A batch is closed at this many samples…'),
        flush_ms: z.number().int().min(10).default(1000).describe('…or this long after its first sample, whichever comes first.'),
      })
      .prefault({})
      .describe('How samples are grouped into batches for the outbox.'),
    outbox: z
      .strictObject({
        max_bytes: z
          .number()
          .int()
          .min(1024)
          .default(256 * 1024 * 1024)
          .describe('Largest outbox size on disk; beyond it when_full decides what goes (dropped samples are counted).'),
        max_age_h: z.number().positive().default(168).describe('Batches older than this are dropped (and counted).'),
        when_full: z.enum(['drop_oldest', 'drop_newest']).default('drop_oldest').describe('Which samples go when the outbox is full.'),
        /** How often the agent reports its outbox depth and drop counters (watchpost_outbox). */
        self_metrics_s: z.number().positive().default(60).describe('How often the agent reports its outbox depth and drop counters (watchpost_outbox).'),
      })
      .prefault({})
      .describe('The outbox (SQLite) that keeps batches until the collector acknowledges them.'),
    /** Tags added to every sample this agent sends (site, building, floor…). */
    tags: z.record(z.string(), z.string()).default({}).describe('Tags added to every sample this agent sends (site, building, floor…).'),
    probes: z.array(probeEntry()).default([]).describe('The probes this agent runs, each chosen by its `kind` (see Probes).'),
  })
  .superRefine((c, ctx) => {
    if (!c.collector.token === !c.collector.token_file) {
      ctx.addIssue({ code: 'custom', path: ['collector', 'token'], message: 'exactly one of "token" and "token_file" is needed' });
    }
    if (!c.collector.cert_file !== !c.collector.key_file) {
      ctx.addIssue({
        code: 'custom',
        path: ['collector', c.collector.cert_file ? 'key_file' : 'cert_file'],
        message: 'cert_file and key_file go together (both from `watchpost enroll NAME --cert`)',
      });
    }
    if (c.collector.url.startsWith('ws://') && !c.collector.allow_insecure) {
      ctx.addIssue({
        code: 'custom',
        path: ['collector', 'url'],
        message: 'plain ws:// would send the agent token unencrypted; use wss:// (see `watchpost certs init`) or set allow_insecure: true',
      });
    }
    const names = new Set<string>();
    c.probes.forEach((p, i) => {
      const n = (p as ProbeBaseConfig).name ?? (p as ProbeBaseConfig).kind;
      if (names.has(n))
        ctx.addIssue({ code: 'custom', path: ['probes', i, 'name'], message: `probe name "${n}" is used twice: give each probe a unique name` });
      names.add(n);
    });
  });

export type AgentConfig = z.infer<typeof agentConfigSchema>;
