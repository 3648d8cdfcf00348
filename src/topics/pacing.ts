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
  // Monotonic: a wall clock set back would stretch a wait, one set forward would shorten it.
  now: () => performance.now(),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
};

/**
 * Calls start one at a time, in the order they asked, at least `60 s / perMinute` apart, measured
 * from when each really started: a timer that fires late delays the next start, it never shortens
 * the gap. So no minute ever holds more than `perMinute` calls, and spacing rather than bursts
 * also keeps the API's own limiter calm.
 */
export class RateLimiter {
  readonly #interval: number;
  readonly #clock: Clock;
  #lastStart = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  /** The callers, served one after another. */
  #queue: Promise<void> = Promise.resolve();

  constructor(perMinute: number, clock: Clock = realClock) {
    this.#interval = 60_000 / perMinute;
    this.#clock = clock;
  }

  /**
   * Resolves when the caller may start its call. `wanted` is asked when the caller's turn comes and
   * after each wait: once it says no (the call will not be made), the caller is let go at once and
   * takes no slot from the ones behind it.
   */
  acquire(wanted: () => boolean = () => true): Promise<void> {
    const turn = this.#queue.then(() => this.#waitForSlot(wanted));
    this.#queue = turn;
    return turn;
  }

  /** No call starts for `ms`: the server asked everyone to wait. */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  async #waitForSlot(wanted: () => boolean): Promise<void> {
    for (;;) {
      if (!wanted()) return;
      const now = this.#clock.now();
      // Read again after every sleep: a pause may have begun meanwhile.
      const at = Math.max(this.#lastStart + this.#interval, this.#pausedUntil);
      if (now >= at) {
        this.#lastStart = now;
        return;
      }
      await this.#clock.sleep(at - now);
    }
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
