/**
 * Pacing many API calls: at most `concurrency` recipients at once, at most `rate_limit` calls a
 * minute across all of them, and a server's "slow down" (a 429, or any Retry-After) pausing every
 * caller, not just the one that was told. Time is injected so tests do not wait.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
};

/**
 * Starts of calls are spaced evenly, `60 s / perMinute` apart, so no minute ever holds more than
 * `perMinute` of them; spacing rather than bursts also keeps the API's own limiter calm.
 */
export class RateLimiter {
  readonly #interval: number;
  readonly #clock: Clock;
  #next = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(perMinute: number, clock: Clock = realClock) {
    this.#interval = 60_000 / perMinute;
    this.#clock = clock;
  }

  /** Resolves when the caller may start its call. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.#clock.now();
      const at = Math.max(now, this.#next, this.#pausedUntil);
      this.#next = at + this.#interval;
      if (at > now) await this.#clock.sleep(at - now);
      // A pause that began while this caller waited holds it too.
      if (this.#clock.now() >= this.#pausedUntil) return;
    }
  }

  /** No call starts for `ms`: the server asked everyone to wait. */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }
}

/** `fn` over `items`, at most `concurrency` at once; results in the order of `items`. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
