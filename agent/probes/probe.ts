import type { ParseArgsOptionsConfig } from 'node:util';
import type { Logger } from 'pino';
import type { Event, Sample } from '../../protocol/sample.ts';
import type { ProbeEventKind } from '../../protocol/event-kinds.ts';

/**
 * The Probe contract (Telegraf's input plugin model). A probe kind is declared once, in one
 * file under agent/probes/, as a ProbeDefinition: its config schema and a factory that does
 * no I/O. The scheduler calls `collect(signal)` at the configured interval; the signal aborts
 * at `timeout_ms` or at shutdown. A target that is down is data (`up=0`, `result_code`,
 * `error_class`); collect throws only when the probe itself cannot work (a ProbeError with a
 * class), and the scheduler records that as an error of that class.
 */
export interface Probe {
  collect(signal: AbortSignal): Promise<Sample[]>;
  /** Long-running probes (trap receivers) start listening here; periodic probes omit it. */
  start?(): Promise<void>;
  close?(): Promise<void>;
}

/** What a probe gets from the agent: a child logger, the clock, and a way to push events or samples. */
export interface ProbeContext {
  log: Logger;
  now(): number;
  /** For push-style probes (traps) and for state changes noticed during collect (reboot detected); kinds as declared in event-kinds.ts. */
  emitEvent(event: Event & { kind: ProbeEventKind }): void;
  emitSamples(samples: Sample[]): void;
  /** A directory the probe may keep state in (config backups, last snapshot hash). */
  stateDir: string;
  /**
   * The `host` tag this agent reports under: `agent.name`, which defaults to the machine's
   * host name (Telegraf's agent.hostname). Probes tag their own samples with it so every
   * measurement of one agent carries the same host.
   */
  host?: string | undefined;
  /**
   * Sends an inventory document (`document` frame): a whole list that is not a metric per
   * item (installed software, a port map). The agent sends it only when its hash differs
   * from the last one sent for this probe and kind, or when the last was sent more than
   * `resendMs` ago (0: every time — a port map whose last-seen times are the news); the frame
   * goes through the outbox like batches. Returns the body's hash and whether it was queued.
   * Absent where nothing takes documents (some tests).
   */
  emitDocument?(kind: string, body: unknown, opts: { resendMs: number }): { hash: string; queued: boolean };
}

/** `watchpost check <kind>` presentation of a kind: its options, the config they make and its JSON (agent/probes/<kind>/check.ts). */
export type ProbeCli<C extends ProbeBaseConfig = ProbeBaseConfig> = NonNullable<ProbeDefinition<C>['cli']>;

/** Monitoring Plugins exit codes. */
export const ExitCode = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CheckStatus {
  code: ExitCodeValue;
  summary: string;
}

/**
 * A probe kind, declared once in agent/probes/<kind>/probe.ts and listed in agent/probes/all/.
 * The agent calls `create` once per configured instance at start (and again when the config
 * changes); `watchpost check <kind>` calls it once for its single run. `create` does no I/O and
 * does not throw: the config was validated by `schema` (agent/probes/all/schemas.ts) before, and
 * a probe that cannot work says so from `collect` with a ProbeError. `cli` (in the kind's
 * check.ts) is what `watchpost check` needs and nothing else reads; `budget` and `status` are
 * the run's declared cost and its Monitoring Plugins verdict.
 */
export interface ProbeDefinition<C extends ProbeBaseConfig = ProbeBaseConfig> {
  kind: string;
  description: string;
  create(config: C, ctx: ProbeContext): Probe;
  /** `watchpost check <kind>` support: extra CLI options and how they map onto a raw config entry. */
  cli?: {
    options: ParseArgsOptionsConfig;
    toConfig(values: Record<string, string | boolean | (string | boolean)[] | undefined>): Record<string, unknown>;
    /** Structured JSON for `--json` when the probe defines a richer shape than its samples. */
    toJson?(samples: Sample[], events: Event[], extra: CheckExtra): unknown;
    /** Reads check-only options (a policy file) once before the run; the result is passed to toJson and status as extra.prepared. May throw ConfigError. */
    prepare?(values: Record<string, string | boolean | (string | boolean)[] | undefined>): Promise<unknown>;
    /** When true, toJson's output is the document's body, for shapes an issue fixes exactly (check adds summary, and status where the body has none). */
    jsonDocument?: boolean;
    /** One line of `--help` per option (cli/commands/check.ts has the wording of the common ones). */
    help?: Record<string, string>;
    /** Options without which a check makes no sense (`check snmp` without --host): a usage error, never a default target. */
    required?: string[];
  };
  /**
   * The cost the probe declares for one run with this config (wall ms). The scheduler reports it
   * as watchpost_probe.budget_ms and counts runs over it (over_budget_total), so a probe that
   * grows expensive on a machine shows in the agent's self-metrics.
   */
  budget?(config: C): { run_ms: number };
  /** Monitoring Plugins status of one run, for `watchpost check`. Default: OK if collect succeeded. */
  status?(samples: Sample[], config: C, extra?: CheckExtra): CheckStatus;
}

/** What a one-shot `watchpost check` run hands to toJson and status besides samples. */
export interface CheckExtra {
  /** Documents the probe emitted (emitDocument), last per kind. */
  documents: Map<string, unknown>;
  /** Every document emitted, in order (a port map sends one per switch). */
  list: { kind: string; body: unknown }[];
  prepared: unknown;
}

export interface ProbeBaseConfig {
  kind: string;
  name?: string | undefined;
  interval_s: number;
  timeout_ms: number;
  jitter_pct: number;
  tags: Record<string, string>;
}

/** A failure of the probe itself, with a stable class for self-metrics and alerting. */
export class ProbeError extends Error {
  readonly errorClass: string;
  constructor(errorClass: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.errorClass = errorClass;
  }
}

/** Classifies any thrown value into an error class, by type and code — never by message text. */
export function errorClass(e: unknown): string {
  if (e instanceof ProbeError) return e.errorClass;
  if (e instanceof Error) {
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'timeout';
    const code = (e as NodeJS.ErrnoException).code;
    switch (code) {
      case 'ENOENT':
        return 'not_found';
      case 'EACCES':
      case 'EPERM':
        return 'permission';
      case 'ECONNREFUSED':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ECONNRESET':
        return 'unreachable';
      case 'ETIMEDOUT':
        return 'timeout';
    }
  }
  return 'internal';
}

/** Rejects when the signal aborts, so a probe whose library ignores signals still ends on time. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * A signal that aborts after ms with a TimeoutError. Unlike AbortSignal.timeout its timer
 * keeps the process alive, so a one-shot run (`watchpost check`) waits for its timeout
 * instead of exiting with the run still pending. Call clear() when the run ends.
 */
export function timeoutSignal(ms: number): { signal: AbortSignal; clear(): void } {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  return { signal: ac.signal, clear: () => clearTimeout(t) };
}

/**
 * A Probe whose implementation module is imported on first use (start, or the first collect
 * of a one-shot `watchpost check`). A ProbeDefinition whose implementation pulls in a large
 * library or much code creates its probe with it, so an agent loads only the kinds it runs;
 * create() stays free of I/O. A failing import rejects start()/collect() like a broken probe.
 */
export function lazyProbe(load: () => Promise<Probe>): Probe {
  let loaded: Promise<Probe> | undefined;
  const get = () => (loaded ??= load());
  return {
    async start() {
      await (await get()).start?.();
    },
    async collect(signal) {
      return (await get()).collect(signal);
    },
    async close() {
      if (loaded) await (await loaded).close?.();
    },
  };
}
