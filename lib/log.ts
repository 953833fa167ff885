import { pino, type Logger } from 'pino';

/** Key paths pino blanks out, in addition to callers never logging config unredacted. */
const REDACT = [
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'community',
  '*.community',
  'auth_key',
  '*.auth_key',
  'priv_key',
  '*.priv_key',
  'secret',
  '*.secret',
];

/**
 * Structured logs (pino) to stderr, so stdout stays clean for `watchpost check` output.
 * ERROR means data loss or an operator must act; WARN, degraded but self-healing.
 */
export function createLogger(level = 'info', name = 'watchpost'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '<secret>' } }, pino.destination({ fd: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
