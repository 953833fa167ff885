import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';
import { RCODES, TYPES } from './wire.ts';

export const dnsTargetSchema = z.strictObject({
  /** The DNS server to ask (an address; the probe does not resolve the resolver). */
  server: z.union([z.ipv4(), z.ipv6()], { error: 'an IPv4 or IPv6 address' }).describe('The DNS server to ask (an address; the probe does not resolve the resolver).'),
  port: z.number().int().min(1).max(65535).default(53).describe('The server\'s port.'),
  domain: z.string().min(1).max(253).describe('The name to ask about.'),
  record_type: z.enum(Object.keys(TYPES) as [keyof typeof TYPES, ...(keyof typeof TYPES)[]]).default('A').describe('Record type to ask for.'),
  /** udp falls back to TCP when the answer is truncated, as resolvers do; tcp asks over TCP only. */
  transport: z.enum(['udp', 'tcp']).default('udp').describe('udp falls back to TCP when the answer is truncated, as resolvers do; tcp asks over TCP only.'),
  timeout_ms: z.number().int().positive().max(60_000).default(2_000).describe('How long to wait for an answer.'),
  /** Values that must all be among the answers of record_type (addresses, names, "10 mx.example.cn", TXT text). */
  expect: z.array(z.string().min(1)).default([]).describe('Values that must all be among the answers of record_type (addresses, names, "10 mx.example.cn", TXT text).'),
  expect_rcode: z.enum(RCODES).default('NOERROR').describe('The response code that counts as up.'),
  name: z.string().min(1).max(128).optional().describe('A display name (tag target_name).'),
  tags: z.record(z.string(), z.string()).default({}).describe('Tags added to this target\'s samples.'),
});

export const dnsSchema = probeSchema(
  'dns',
  { interval_s: 60, timeout_ms: 30_000 },
  {
    targets: z.array(dnsTargetSchema).min(1).describe('The queries to make.'),
    concurrency: z.number().int().min(1).max(1024).default(32).describe('Queries made at once.'),
  },
);

export type DnsConfig = z.infer<typeof dnsSchema>;
export type DnsTarget = z.infer<typeof dnsTargetSchema>;
