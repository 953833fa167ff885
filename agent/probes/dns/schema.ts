import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { RCODES, TYPES } from './wire.ts';

export const dnsTargetSchema = z.strictObject({
  /** The DNS server to ask (an address; the probe does not resolve the resolver). */
  server: z.union([z.ipv4(), z.ipv6()], { error: 'an IPv4 or IPv6 address' }),
  port: z.number().int().min(1).max(65535).default(53),
  domain: z.string().min(1).max(253),
  record_type: z.enum(Object.keys(TYPES) as [keyof typeof TYPES, ...(keyof typeof TYPES)[]]).default('A'),
  /** udp falls back to TCP when the answer is truncated, as resolvers do; tcp asks over TCP only. */
  transport: z.enum(['udp', 'tcp']).default('udp'),
  timeout_ms: z.number().int().positive().max(60_000).default(2_000),
  /** Values that must all be among the answers of record_type (addresses, names, "10 mx.example.cn", TXT text). */
  expect: z.array(z.string().min(1)).default([]),
  expect_rcode: z.enum(RCODES).default('NOERROR'),
  name: z.string().min(1).max(128).optional(),
  tags: z.record(z.string(), z.string()).default({}),
});

export const dnsSchema = probeSchema(
  'dns',
  { interval_s: 60, timeout_ms: 30_000 },
  {
    targets: z.array(dnsTargetSchema).min(1),
    concurrency: z.number().int().min(1).max(1024).default(32),
  },
);

export type DnsConfig = z.infer<typeof dnsSchema>;
export type DnsTarget = z.infer<typeof dnsTargetSchema>;
