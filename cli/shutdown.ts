import type { Logger } from 'pino';

/**
 * Keeps the process alive until SIGINT/SIGTERM, then runs `stop` once (a second signal
 * exits at once). Resolves with the exit code.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (sig: string) => {
      if (stopping) {
        log.warn({ signal: sig }, 'second signal: exiting without a clean stop');
        process.exit(130);
      }
      stopping = true;
      log.info({ signal: sig }, 'stopping');
      stop().then(
        () => resolve(0),
        (e) => {
          log.error({ err: (e as Error).message }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
