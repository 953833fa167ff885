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
 * The console's login form uses FailureLimiter: call `blocked(key)` first (answer 429 with
 * Retry-After when it returns a number), then `fail(key)` on a wrong password and
 * `succeed(key)` on a good one.
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
