import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const checkSchema = z.strictObject({
  name: z.string().min(1),
  command: z.string().min(1),
  timeout_ms: z.number().int().positive().max(600_000).default(10_000),
  /** The check is ok when the exit code is 0 and, if given, stdout matches this regex. */
  expect: z.string().optional(),
  /** Regex whose first group, parsed as a number, becomes the `value` field. */
  value_regex: z.string().optional(),
});

export const targetSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  name: z.string().min(1).optional(),
  username: z.string().min(1),
  password: z.string().optional(),
  private_key_path: z.string().optional(),
  host_key_sha256: z.string().optional(),
  connect_timeout_ms: z.number().int().positive().max(120_000).default(10_000),
  vendor: z.enum(['huawei', 'h3c', 'cisco', 'ruijie', 'linux']).optional(),
  checks: z.array(checkSchema).default([]),
  config_backup: z.boolean().default(false),
  /** Overrides the vendor's config command. */
  config_command: z.string().optional(),
  config_timeout_ms: z.number().int().positive().max(600_000).default(30_000),
  /** Extra regexes for lines to ignore when comparing configs. */
  volatile_lines: z.array(z.string()).default([]),
});

export const sshSchema = probeSchema('ssh', { interval_s: 3600, timeout_ms: 120_000 }, { targets: z.array(targetSchema).min(1) });
export type SshConfig = z.infer<typeof sshSchema>;
export type SshTargetConfig = z.infer<typeof targetSchema>;
