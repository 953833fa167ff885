import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { expiryThresholdsSchema, ipProtocolSchema } from '../http/schema.ts';

export const tlsTargetSchema = z
  .strictObject({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    /** Plain TLS from the first byte (SMTPS 465, IMAPS 993, LDAPS 636), or a STARTTLS dialogue first. */
    starttls: z.enum(['none', 'smtp', 'imap', 'pop3']).default('none'),
    /** The name to verify and send as SNI; defaults to host. */
    server_name: z.string().min(1).max(253).optional(),
    name: z.string().min(1).max(128).optional(),
    ca_file: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    ip_protocol: ipProtocolSchema,
    ip_fallback: z.boolean().default(true),
    dns_ms: z.number().int().positive().max(600_000).default(5_000),
    connect_ms: z.number().int().positive().max(600_000).default(5_000),
    /** The STARTTLS dialogue (greeting, EHLO, STARTTLS). */
    starttls_ms: z.number().int().positive().max(600_000).default(10_000),
    tls_ms: z.number().int().positive().max(600_000).default(5_000),
    expiry_days: expiryThresholdsSchema,
    domain_expires: z.iso.date({ error: 'a date written YYYY-MM-DD' }).optional(),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((t, ctx) => {
    if ((t.cert_file === undefined) !== (t.key_file === undefined)) ctx.addIssue({ code: 'custom', path: ['cert_file'], message: 'cert_file and key_file go together' });
  });

export const tlsSchema = probeSchema(
  'tls',
  { interval_s: 3600, timeout_ms: 60_000 },
  {
    targets: z.array(tlsTargetSchema).min(1),
    concurrency: z.number().int().min(1).max(1024).default(32),
  },
);

export type TlsConfig = z.infer<typeof tlsSchema>;
export type TlsTarget = z.infer<typeof tlsTargetSchema>;
