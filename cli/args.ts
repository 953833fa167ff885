import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** A wrong command line: reported as one line and exit code 2, without a stack trace. */
export class UsageError extends Error {}

/** parseArgs with strict checking, turning its errors into UsageError. */
export function parse<O extends ParseArgsOptionsConfig>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
