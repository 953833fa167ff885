import { z } from 'zod';
import { probeSchema } from '../probe-schema.ts';

export const checkSchema = z.strictObject({
  name: z.string().min(1).describe('The check\'s name (tag check).'),
  command: z.string().min(1).describe('Command to run.'),
  timeout_ms: z.number().int().positive().max(600_000).default(10_000).describe('How long the command may run.'),
  /** The check is ok when the exit code is 0 and, if given, stdout matches this regex. */
  expect: z.string().optional().describe('The check is ok when the exit code is 0 and, if given, stdout matches this regex.'),
  /** Regex whose first group, parsed as a number, becomes the `value` field. */
  value_regex: z.string().optional().describe('Regex whose first group, parsed as a number, becomes the `value` field.'),
});

export const targetSchema = z.strictObject({
  host: z.string().min(1).describe('The server\'s or switch\'s address.'),
  port: z.number().int().min(1).max(65535).default(22).describe('SSH port.'),
  name: z.string().min(1).optional().describe('The `device` tag; default: host.'),
  username: z.string().min(1).describe('SSH user.'),
  password: z.string().optional().describe('Password (printed as <secret>); or private_key_path.'),
  private_key_path: z.string().optional().describe('Private key file (OpenSSH format); or password.'),
  host_key_sha256: z.string().optional().describe('The host key\'s SHA-256 fingerprint (hex or base64, as `ssh-keygen -l` prints it); a different key is refused.'),
  connect_timeout_ms: z.number().int().positive().max(120_000).default(10_000).describe('Timeout of connecting and logging in.'),
  vendor: z.enum(['huawei', 'h3c', 'cisco', 'ruijie', 'linux']).optional().describe('Chooses the config command and the volatile lines for config_backup.'),
  checks: z.array(checkSchema).default([]).describe('Commands to run on each connection.'),
  config_backup: z.boolean().default(false).describe('Back up the running config; a change sends config_changed with the diff.'),
  /** Overrides the vendor's config command. */
  config_command: z.string().optional().describe('Overrides the vendor\'s config command.'),
  config_timeout_ms: z.number().int().positive().max(600_000).default(30_000).describe('How long reading the config may take.'),
  /** Extra regexes for lines to ignore when comparing configs. */
  volatile_lines: z.array(z.string()).default([]).describe('Extra regexes for lines to ignore when comparing configs.'),
});

export const sshSchema = probeSchema('ssh', { interval_s: 3600, timeout_ms: 120_000 }, { targets: z.array(targetSchema).min(1).describe('The servers and switches to log in to.') });
export type SshConfig = z.infer<typeof sshSchema>;
export type SshTargetConfig = z.infer<typeof targetSchema>;
