/**
 * When and how long to wait before trying a request again. Time is injected (`sleep`, `now`,
 * `random`) so the policy is tested without waiting.
 */
import { ApiError } from '../errors.js';

/** Statuses worth another attempt: the request may succeed later. Any other status fails at once. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

export interface BackoffPolicy {
  /** The ceiling of the first retry's delay; doubles with each retry. */
  baseDelayMs: number;
  /** No backoff delay is longer than this. */
  maxDelayMs: number;
  /** The longest `Retry-After` we wait for; a longer one fails at once, saying so. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/** "Full jitter": a random delay between 0 and base·2^(retry-1), capped. `retry` counts from 1. */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RetryOptions {
  retries: number;
  /**
   * The longest one attempt may take. It also sets the call's deadline: its attempts, and the waits
   * the server imposes (`Retry-After`), share `attemptTimeoutMs × (retries + 1)`; the backoff the
   * action announces and its pacing (`pace`) come on top. Later attempts get what is left.
   */
  attemptTimeoutMs?: number;
  policy?: BackoffPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /**
   * Awaited before each attempt, outside the call's deadline: the action's own pacing (`rate_limit`)
   * must not eat the time the attempts and the server's waits share.
   */
  pace?: () => Promise<void>;
  /** Told before each wait, so the log says why and how long. */
  onRetry?: (info: { error: ApiError; attempt: number; attempts: number; delayMs: number }) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

const seconds = (ms: number): string => `${Math.ceil(ms / 1000)} s`;

/**
 * Calls `attempt` until it succeeds, fails with an error that is not retryable, or `retries`
 * retries or the call's time are spent. `attempt` gets its 1-based number, the number of attempts,
 * and how long it may take.
 */
export async function withRetries<T>(
  attempt: (n: number, attempts: number, timeoutMs: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  const attempts = options.retries + 1;
  const attemptTimeout = options.attemptTimeoutMs ?? Number.POSITIVE_INFINITY;
  const limit = attemptTimeout * attempts;
  let left = limit;
  for (let n = 1; ; n++) {
    await options.pace?.();
    const started = now();
    try {
      // Whole milliseconds (timers take no fractions), never none.
      return await attempt(n, attempts, Math.max(1, Math.floor(Math.min(attemptTimeout, left))));
    } catch (error) {
      left -= now() - started;
      if (!(error instanceof ApiError) || !error.retryable || n >= attempts) throw error;
      const retryAfter = error.retryAfterMs;
      const giveUp = (why: string): ApiError =>
        new ApiError(`${error.message}; ${why}`, {
          kind: 'retry-after',
          retryable: false,
          status: error.status,
          retryAfterMs: retryAfter,
          cause: error,
        });
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
        throw giveUp(
          `the server asked to retry after ${seconds(retryAfter)}, longer than the ${seconds(policy.maxRetryAfterMs)} the action waits`,
        );
      }
      if (retryAfter !== undefined && retryAfter >= left) {
        throw giveUp(
          `the server asked to retry after ${seconds(retryAfter)}, past the call's deadline (${seconds(Math.max(0, left))} left of timeout × (retries + 1) = ${seconds(limit)})`,
        );
      }
      if (left <= 0)
        throw giveUp(`no time left for another attempt within timeout × (retries + 1) = ${seconds(limit)}`);
      // A server's Retry-After is spent from the call's time; the action's own backoff is announced on top.
      if (retryAfter !== undefined) left -= retryAfter;
      const delayMs = retryAfter ?? backoffDelay(n, policy, random);
      options.onRetry?.({ error, attempt: n, attempts, delayMs });
      await wait(delayMs);
    }
  }
}
