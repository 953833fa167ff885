import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { expiryThresholdsSchema, ipProtocolSchema } from '../net/schema.ts';
import { JsonPathError, parseAssertion } from './json-path.ts';
import { decoderFor } from './charset.ts';

/** Per-phase timeouts (blackbox_exporter's phases); the probe's timeout_ms still bounds the whole run. */
export const phaseTimeoutsSchema = z
  .strictObject({
    dns_ms: z.number().int().positive().max(600_000).default(5_000).describe('Name resolution.'),
    connect_ms: z.number().int().positive().max(600_000).default(5_000).describe('TCP connect.'),
    tls_ms: z.number().int().positive().max(600_000).default(5_000).describe('TLS handshake.'),
    /** Request sent to first response byte. */
    processing_ms: z.number().int().positive().max(600_000).default(10_000).describe('Request sent to first response byte.'),
    /** First byte to the end of the body. */
    transfer_ms: z.number().int().positive().max(600_000).default(10_000).describe('First byte to the end of the body.'),
  })
  .prefault({});

const regexString = z
  .string()
  .min(1)
  .superRefine((v, ctx) => {
    try {
      new RegExp(v, 'u');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(e as Error).message}` });
    }
  });

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const httpTargetSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).describe('The site or API (tag server, credentials blanked).'),
    /** A display name for the site (tags `site`). */
    name: z.string().min(1).max(128).optional().describe('A display name for the site (tags `site`).'),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET').describe('Request method.'),
    headers: z
      .record(z.string(), z.string().regex(/^[^\r\n]*$/, 'no line breaks in header values'))
      .superRefine((h, ctx) => {
        for (const k of Object.keys(h)) {
          if (!headerName.test(k))
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message: `"${k}" is not a header name (letters, digits, - and no spaces; on the command line: --header 'Name: value')`,
            });
        }
      })
      .default({})
      .describe('Request headers.'),
    body: z.string().optional().describe('Request body (not with GET or HEAD).'),
    /** Sent as Content-Type when there is a body and headers do not set one. */
    body_content_type: z.string().default('application/json').describe('Sent as Content-Type when there is a body and headers do not set one.'),
    basic_auth: z
      .strictObject({ username: z.string().describe('User name.'), password: z.string().describe('Password.') })
      .optional()
      .describe('HTTP basic authentication (printed as <secret>; dropped on a redirect to another origin).'),
    bearer_token: z.string().min(1).optional().describe('Sent as Authorization: Bearer (printed as <secret>; dropped on a redirect to another origin).'),
    /** PEM files; ca_file replaces the system trust store for this target. */
    ca_file: z.string().min(1).optional().describe('PEM files; ca_file replaces the system trust store for this target.'),
    cert_file: z.string().min(1).optional().describe('Client certificate (PEM), with key_file.'),
    key_file: z.string().min(1).optional().describe("Client certificate's key (PEM)."),
    /** Verify the chain and host name; when off, an invalid certificate is reported but the request still goes out. */
    tls_verify: z
      .boolean()
      .default(true)
      .describe('Verify the chain and host name; when off, an invalid certificate is reported but the request still goes out.'),
    /** http://[user:password@]host:port of an HTTP proxy; https targets go through CONNECT. */
    proxy: z
      .url({ protocol: /^http$/, error: 'an http:// proxy URL' })
      .optional()
      .describe('http://[user:password@]host:port of an HTTP proxy; https targets go through CONNECT.'),
    ip_protocol: ipProtocolSchema.describe('Address family: ip4, ip6 or any.'),
    /** When the preferred family has no address, use the other one. */
    ip_fallback: z.boolean().default(true).describe('When the preferred family has no address, use the other one.'),
    max_redirects: z.number().int().min(0).max(30).default(10).describe('Redirects followed at most (too_many_redirects beyond).'),
    phase_timeouts: phaseTimeoutsSchema.describe("Per-phase timeouts (blackbox_exporter's phases); the probe's timeout_ms still bounds the whole run."),
    /** Status codes that count as up; empty: any 2xx. */
    expect_status: z.array(z.number().int().min(100).max(599)).default([]).describe('Status codes that count as up; empty: any 2xx.'),
    /** Texts that must all appear in the decoded body, and texts none of which may. */
    keywords: z.array(z.string().min(1)).default([]).describe('Texts that must all appear in the decoded body, and texts none of which may.'),
    keywords_absent: z.array(z.string().min(1)).default([]).describe('Texts none of which may appear in the decoded body.'),
    regex: regexString.optional().describe('A regular expression the decoded body must match.'),
    regex_absent: regexString.optional().describe('A regular expression the decoded body must not match.'),
    /** Assertions on a JSON body, all of which must hold (see json-path.ts): `$.code == 0`. */
    json_assert: z
      .array(
        z.string().superRefine((v, ctx) => {
          try {
            parseAssertion(v);
          } catch (e) {
            if (e instanceof JsonPathError) ctx.addIssue({ code: 'custom', message: e.message });
            else throw e;
          }
        }),
      )
      .default([])
      .describe('Assertions on a JSON body, all of which must hold (see json-path.ts): `$.code == 0`.'),
    /** The charset for a body that declares none (BOM, Content-Type and meta are read first). */
    default_charset: z
      .string()
      .default('utf-8')
      .refine((v) => decoderFor(v) !== undefined, 'an encoding label such as utf-8, gbk, gb18030 or big5')
      .describe('The charset for a body that declares none (BOM, Content-Type and meta are read first).'),
    max_body_bytes: z
      .number()
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(2 * 1024 * 1024)
      .describe('The most body read; a larger body fails (body_too_large).'),
    /** A response slower than this (ms) makes `watchpost check` warn; 0 disables. */
    warn_response_ms: z.number().min(0).default(0).describe('A response slower than this (ms) makes `watchpost check` warn; 0 disables.'),
    expiry_days: expiryThresholdsSchema.describe(
      'Days before expiry at which a certificate or domain warns; the smallest is critical. Alert rules notify once per threshold crossed.',
    ),
    /** The domain's registration expiry from the inventory (WHOIS is unreachable from an intranet). */
    domain_expires: z.iso
      .date({ error: 'a date written YYYY-MM-DD' })
      .optional()
      .describe("The domain's registration expiry from the inventory (WHOIS is unreachable from an intranet)."),
    tags: z.record(z.string(), z.string()).default({}).describe("Tags added to this target's samples."),
  })
  .superRefine((t, ctx) => {
    if ((t.cert_file === undefined) !== (t.key_file === undefined))
      ctx.addIssue({ code: 'custom', path: ['cert_file'], message: 'cert_file and key_file go together' });
    if (t.basic_auth && t.bearer_token) ctx.addIssue({ code: 'custom', path: ['bearer_token'], message: 'use basic_auth or bearer_token, not both' });
    if (t.body !== undefined && (t.method === 'GET' || t.method === 'HEAD'))
      ctx.addIssue({ code: 'custom', path: ['body'], message: `a ${t.method} request has no body; use method: POST` });
  });

export const httpSchema = probeSchema(
  'http',
  { interval_s: 60, timeout_ms: 60_000 },
  {
    targets: z.array(httpTargetSchema).min(1).describe('The sites and APIs to check.'),
    /** Targets probed at once. */
    concurrency: z.number().int().min(1).max(1024).default(32).describe('Targets probed at once.'),
  },
);

export type HttpConfig = z.infer<typeof httpSchema>;
export type HttpTarget = z.infer<typeof httpTargetSchema>;
export type PhaseTimeouts = z.infer<typeof phaseTimeoutsSchema>;
