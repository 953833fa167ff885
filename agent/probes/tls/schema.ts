import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { expiryThresholdsSchema, ipProtocolSchema } from '../net/schema.ts';

export const tlsTargetSchema = z
  .strictObject({
    host: z.string().min(1).max(253).describe('Host name or address.'),
    port: z.number().int().min(1).max(65535).describe('Port (465 SMTPS, 993 IMAPS, 636 LDAPS, 25 with starttls: smtp…).'),
    /** Plain TLS from the first byte (SMTPS 465, IMAPS 993, LDAPS 636), or a STARTTLS dialogue first. */
    starttls: z
      .enum(['none', 'smtp', 'imap', 'pop3'])
      .default('none')
      .describe('Plain TLS from the first byte (SMTPS 465, IMAPS 993, LDAPS 636), or a STARTTLS dialogue first.'),
    /** The name to verify and send as SNI; defaults to host. */
    server_name: z.string().min(1).max(253).optional().describe('The name to verify and send as SNI; defaults to host.'),
    name: z.string().min(1).max(128).optional().describe('A display name (tag target_name).'),
    ca_file: z.string().min(1).optional().describe('PEM file that replaces the system trust store for this target.'),
    cert_file: z.string().min(1).optional().describe('Client certificate (PEM), with key_file.'),
    key_file: z.string().min(1).optional().describe("Client certificate's key (PEM)."),
    ip_protocol: ipProtocolSchema.describe('Address family: ip4, ip6 or any.'),
    ip_fallback: z.boolean().default(true).describe('When the preferred family has no address, use the other one.'),
    dns_ms: z.number().int().positive().max(600_000).default(5_000).describe('Name resolution timeout.'),
    connect_ms: z.number().int().positive().max(600_000).default(5_000).describe('Connect timeout.'),
    /** The STARTTLS dialogue (greeting, EHLO, STARTTLS). */
    starttls_ms: z.number().int().positive().max(600_000).default(10_000).describe('The STARTTLS dialogue (greeting, EHLO, STARTTLS).'),
    tls_ms: z.number().int().positive().max(600_000).default(5_000).describe('TLS handshake timeout.'),
    expiry_days: expiryThresholdsSchema.describe('Days before expiry at which a certificate or domain warns; the smallest is critical.'),
    domain_expires: z.iso
      .date({ error: 'a date written YYYY-MM-DD' })
      .optional()
      .describe("The domain's registration expiry from the inventory (WHOIS is unreachable from an intranet)."),
    tags: z.record(z.string(), z.string()).default({}).describe("Tags added to this target's samples."),
  })
  .superRefine((t, ctx) => {
    if ((t.cert_file === undefined) !== (t.key_file === undefined))
      ctx.addIssue({ code: 'custom', path: ['cert_file'], message: 'cert_file and key_file go together' });
  });

export const tlsSchema = probeSchema(
  'tls',
  { interval_s: 3600, timeout_ms: 60_000 },
  {
    targets: z.array(tlsTargetSchema).min(1).describe('The TLS services to check.'),
    concurrency: z.number().int().min(1).max(1024).default(32).describe('Targets checked at once.'),
  },
);

export type TlsConfig = z.infer<typeof tlsSchema>;
export type TlsTarget = z.infer<typeof tlsTargetSchema>;
