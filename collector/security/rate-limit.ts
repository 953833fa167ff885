/**
 * Rate limiting for the collector, keyed by whatever the caller chooses (client address,
 * address + user name for a login form). Memory is bounded: at most `maxKeys` keys are
 * tracked, and when that is reached the least recently used key is forgotten — which can
 * only ever let a forgotten client in earlier, never lock a good one out.
 *
 * Two shapes, both cheap enough to run before any token lookup or password hash:
 *   - TokenBucket: `rate` requests per second with bursts of `burst` (API, console routes);
 *   - FailureLimiter: at most `max` failures per `windowMs`; while over, `blocked()` says
 *     how long to wait (login, agent/`/write` authentication).
 *
 * and a third for the console's login form:
 *   - BackoffLimiter: failures per key (user name and client address) with exponential backoff,
 *     and what to audit about them (the first failure, the first block, then summaries).
 *
 * Call `blocked(key)` first (answer 429 with Retry-After when it returns a number), then
 * `fail(key)` on a wrong credential and `succeed(key)` on a good one.
 */

/** Map with LRU eviction by re-insertion order; shared by both limiters. */
class BoundedMap<V> {
  private readonly m = new Map<string, V>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value!);
  }
  delete(k: string): void {
    this.m.delete(k);
  }
  get size(): number {
    return this.m.size;
  }
  /** Every entry, oldest use first, without touching their order. */
  entries(): [string, V][] {
    return [...this.m];
  }
}

export interface LimiterOptions {
  /** Largest number of keys remembered (default 10 000: about 1 MB). */
  maxKeys?: number;
  now?: () => number;
}

/** Token bucket per key. `take(key)` returns 0 when allowed, else the milliseconds to wait. */
export class TokenBucket {
  private readonly buckets: BoundedMap<{ tokens: number; at: number }>;
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(opts: LimiterOptions & { ratePerS: number; burst: number }) {
    this.rate = opts.ratePerS / 1000;
    this.burst = opts.burst;
    this.now = opts.now ?? Date.now;
    this.buckets = new BoundedMap(opts.maxKeys ?? 10_000);
  }

  take(key: string, cost = 1): number {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + Math.max(0, t - b.at) * this.rate);
    b.at = t;
    let wait = 0;
    if (b.tokens >= cost) b.tokens -= cost;
    else wait = Math.ceil((cost - b.tokens) / this.rate);
    this.buckets.set(key, b);
    return wait;
  }

  get keys(): number {
    return this.buckets.size;
  }
}

/** Counts failures per key in a fixed window; `blocked(key)` is the milliseconds left, or 0. */
export class FailureLimiter {
  private readonly windows: BoundedMap<{ start: number; failures: number }>;
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(opts: LimiterOptions & { max: number; windowMs: number }) {
    this.max = opts.max;
    this.windowMs = opts.windowMs;
    this.now = opts.now ?? Date.now;
    this.windows = new BoundedMap(opts.maxKeys ?? 10_000);
  }

  private current(key: string): { start: number; failures: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.now() - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  blocked(key: string): number {
    const w = this.current(key);
    if (!w || w.failures < this.max) return 0;
    return Math.max(1, w.start + this.windowMs - this.now());
  }

  /** Records a failure; returns true when this failure crossed the limit (log it once). */
  fail(key: string): boolean {
    const w = this.current(key) ?? { start: this.now(), failures: 0 };
    w.failures++;
    this.windows.set(key, w);
    return w.failures === this.max;
  }

  /** A success clears the key's failures (a user who finally typed the right password). */
  succeed(key: string): void {
    this.windows.delete(key);
  }

  get keys(): number {
    return this.windows.size;
  }
}

/** A run of failures for one key, as the audit log gets it. */
export interface FailureStreak {
  /** Wrong credentials checked. */
  failures: number;
  /** Tries refused unchecked while the key was blocked. */
  refused: number;
  first_ms: number;
  last_ms: number;
}

interface Streak extends FailureStreak {
  until: number;
  /** failures + refused when an audit row last described this streak, and when. */
  reported: number;
  reported_ms: number;
}

/**
 * Failures per key with exponential backoff. The first `free - 1` failures cost nothing; the
 * `free`-th blocks the key for `baseMs`, each later one for twice the one before, at most
 * `maxMs`. A streak ends `resetMs` after its last failure (or at a success). Tries while blocked
 * are refused without a check and only counted (`refuse`): a flood neither lengthens the block
 * nor earns one audit row per try. What to audit is decided here: `fail` says when a failure is
 * the streak's first or starts its first block, and `succeed`/`drain` hand back a summary of
 * what no audit row has described yet — so a streak writes at most first + block + one summary
 * per `resetMs` while it lasts.
 */
export class BackoffLimiter {
  private readonly streaks: BoundedMap<Streak>;
  private readonly free: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly resetMs: number;
  private readonly now: () => number;

  constructor(opts: LimiterOptions & { free: number; baseMs: number; maxMs: number; resetMs: number }) {
    this.free = opts.free;
    this.baseMs = opts.baseMs;
    this.maxMs = opts.maxMs;
    this.resetMs = opts.resetMs;
    this.now = opts.now ?? Date.now;
    this.streaks = new BoundedMap(opts.maxKeys ?? 10_000);
  }

  private ended(s: Streak, t: number): boolean {
    return t - s.last_ms >= this.resetMs && t >= s.until;
  }

  private unreported(s: Streak): FailureStreak | undefined {
    if (s.failures + s.refused === s.reported) return undefined;
    s.reported = s.failures + s.refused;
    s.reported_ms = this.now();
    return { failures: s.failures, refused: s.refused, first_ms: s.first_ms, last_ms: s.last_ms };
  }

  /** Milliseconds until the key may try again; 0 when it may try now. */
  blocked(key: string): number {
    const s = this.streaks.get(key);
    return s ? Math.max(0, s.until - this.now()) : 0;
  }

  /** Counts a try refused while blocked. */
  refuse(key: string): void {
    const t = this.now();
    const s = this.streaks.get(key) ?? { failures: 0, refused: 0, first_ms: t, last_ms: t, until: 0, reported: 0, reported_ms: t };
    s.refused++;
    this.streaks.set(key, s);
  }

  /**
   * Records a wrong credential. `report` is 'first' for a streak's first failure and 'blocked'
   * for the one that starts its first block; `ended` is the summary of a previous streak of
   * this key that ended with something left unreported.
   */
  fail(key: string): { failures: number; blockedMs: number; report?: 'first' | 'blocked'; ended?: FailureStreak } {
    const t = this.now();
    let s = this.streaks.get(key);
    let ended: FailureStreak | undefined;
    if (s && this.ended(s, t)) {
      ended = this.unreported(s);
      s = undefined;
    }
    s ??= { failures: 0, refused: 0, first_ms: t, last_ms: t, until: 0, reported: 0, reported_ms: t };
    s.failures++;
    s.last_ms = t;
    let report: 'first' | 'blocked' | undefined;
    if (s.failures === 1) report = 'first';
    let blockedMs = 0;
    if (s.failures >= this.free) {
      blockedMs = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(30, s.failures - this.free));
      s.until = t + blockedMs;
      if (s.failures === this.free) report = 'blocked';
    }
    if (report) {
      s.reported = s.failures + s.refused;
      s.reported_ms = t;
    }
    this.streaks.set(key, s);
    return { failures: s.failures, blockedMs, ...(report ? { report } : {}), ...(ended ? { ended } : {}) };
  }

  /** A success ends the key's streak; returns what of it no audit row has described yet. */
  succeed(key: string): FailureStreak | undefined {
    const s = this.streaks.get(key);
    if (!s) return undefined;
    this.streaks.delete(key);
    return this.unreported(s);
  }

  /**
   * Summaries due: of streaks that ended (then forgotten) and of streaks still running whose
   * last audit row is `resetMs` old. Call it from a timer; each summary is handed out once.
   */
  drain(): [string, FailureStreak][] {
    const t = this.now();
    const out: [string, FailureStreak][] = [];
    for (const [k, s] of this.streaks.entries()) {
      const ended = this.ended(s, t);
      if (ended || t - s.reported_ms >= this.resetMs) {
        const u = this.unreported(s);
        if (u) out.push([k, u]);
      }
      if (ended) this.streaks.delete(k);
    }
    return out;
  }

  get keys(): number {
    return this.streaks.size;
  }
}

/** Counts open connections per key; `open` returns false when the key is at its limit. */
export class ConnectionLimiter {
  private readonly open_ = new Map<string, number>();
  private readonly max: number;
  constructor(maxPerKey: number) {
    this.max = maxPerKey;
  }
  open(key: string): boolean {
    const n = this.open_.get(key) ?? 0;
    if (n >= this.max) return false;
    this.open_.set(key, n + 1);
    return true;
  }
  close(key: string): void {
    const n = (this.open_.get(key) ?? 1) - 1;
    if (n <= 0) this.open_.delete(key);
    else this.open_.set(key, n);
  }
  get keys(): number {
    return this.open_.size;
  }
}
