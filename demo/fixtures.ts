import { accessSync } from 'node:fs';
import path from 'node:path';

/**
 * The shared fixtures folder (../shared/fixtures next to the repository: real device
 * recordings), or undefined when this checkout does not have it — a user's clone.
 */
export const SHARED_FIXTURES = (() => {
  const p = path.resolve(import.meta.dirname, '../../shared/fixtures');
  try {
    accessSync(p);
    return p;
  } catch {
    return undefined;
  }
})();
