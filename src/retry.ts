/**
 * When and how long to wait before trying a request again. Time is injected (`sleep`, `now`,
 * `random`) so the policy is tested without waiting.
 */
import { ApiError } from './errors.js';

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
  policy?: BackoffPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told before each wait, so the log says why and how long. */
  onRetry?: (info: { error: ApiError; attempt: number; attempts: number; delayMs: number }) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Calls `attempt` until it succeeds, fails with an error that is not retryable, or `retries`
 * retries are spent. `attempt` gets its 1-based number and the total number of attempts.
 */
export async function withRetries<T>(
  attempt: (n: number, attempts: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const attempts = options.retries + 1;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n, attempts);
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable || n >= attempts) throw error;
      if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs) {
        throw new ApiError(
          `${error.message}; the server asked to retry after ${Math.ceil(error.retryAfterMs / 1000)} s, ` +
            `longer than the ${policy.maxRetryAfterMs / 1000} s the action waits`,
          { kind: 'retry-after', retryable: false, status: error.status, retryAfterMs: error.retryAfterMs },
        );
      }
      const delayMs = error.retryAfterMs ?? backoffDelay(n, policy, random);
      options.onRetry?.({ error, attempt: n, attempts, delayMs });
      await wait(delayMs);
    }
  }
}
