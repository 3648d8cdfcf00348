import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ApiError } from '../../../src/errors.js';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  withRetries,
  type BackoffPolicy,
  type RetryOptions,
} from '../../../src/net/retry.js';

const policy: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };
const ceiling = (retry: number, p: BackoffPolicy = policy): number =>
  Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (retry - 1));

const retryable = (
  message = 'HTTP 503: Service Unavailable',
  extra: { retryAfterMs?: number; status?: number } = {},
): ApiError => new ApiError(message, { kind: 'http', retryable: true, status: extra.status ?? 503, ...extra });
const final = (message = 'HTTP 400: Bad Request'): ApiError =>
  new ApiError(message, { kind: 'http', retryable: false, status: 400 });

/** Injected time: records each wait and never waits. */
function clock(): { sleep: NonNullable<RetryOptions['sleep']>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

/** An attempt function that throws the given errors in turn, then returns 'ok'. */
function script(...errors: unknown[]): {
  attempt: (n: number, attempts: number) => Promise<string>;
  calls: Array<[number, number]>;
} {
  const calls: Array<[number, number]> = [];
  return {
    calls,
    attempt: async (n, attempts) => {
      calls.push([n, attempts]);
      const error = errors[n - 1];
      if (error !== undefined) throw error;
      return 'ok';
    },
  };
}

describe('RETRYABLE_STATUSES', () => {
  it('is exactly 408, 425, 429, 500, 502, 503, 504', () => {
    expect([...RETRYABLE_STATUSES].sort((a, b) => a - b)).toEqual([408, 425, 429, 500, 502, 503, 504]);
  });

  it('does not retry client errors or 501', () => {
    for (const status of [400, 401, 403, 404, 409, 413, 422, 501, 505])
      expect(RETRYABLE_STATUSES.has(status)).toBe(false);
  });
});

describe('backoffDelay: full jitter', () => {
  it('random 0 gives no wait', () => {
    for (let retry = 1; retry <= 10; retry++) expect(backoffDelay(retry, policy, () => 0)).toBe(0);
  });

  it('random close to 1 approaches, but stays below, base·2^(retry-1)', () => {
    const almostOne = 1 - Number.EPSILON;
    expect(backoffDelay(1, policy, () => almostOne)).toBe(999);
    expect(backoffDelay(2, policy, () => almostOne)).toBe(1_999);
    expect(backoffDelay(3, policy, () => almostOne)).toBe(3_999);
    expect(backoffDelay(4, policy, () => 0.999)).toBeGreaterThanOrEqual(7_990);
  });

  it('doubles the ceiling each retry up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((r) => backoffDelay(r, policy, () => 0.5))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000,
    ]);
  });

  it('never exceeds the cap, even for very many retries', () => {
    expect(backoffDelay(1_000, policy, () => 1 - Number.EPSILON)).toBeLessThan(policy.maxDelayMs);
    expect(backoffDelay(1_000, policy, () => 1 - Number.EPSILON)).toBeGreaterThan(policy.maxDelayMs - 2);
  });

  it('is an integer in [0, min(max, base·2^(retry-1))) for any retry, policy and random', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseDelayMs, maxDelayMs, r) => {
          const p = { baseDelayMs, maxDelayMs, maxRetryAfterMs: 60_000 };
          const delay = backoffDelay(retry, p, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling(retry, p));
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 15, 10, 30, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an HTTP date in the future as the time until then', () => {
    expect(parseRetryAfter('Thu, 15 Jan 2026 10:30:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
  });

  it('reads an HTTP date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 14 Jan 2026 10:30:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot use', () => {
    for (const value of [undefined, '', '   ', 'soon', 'abc', '-5', '1.5', '2 seconds later maybe?', 'NaN']) {
      expect(parseRetryAfter(value, now), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('any non-negative integer string is that many seconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.nat({ max: 3 }), (seconds, zeros) => {
        expect(parseRetryAfter('0'.repeat(zeros) + String(seconds), now)).toBe(seconds * 1_000);
      }),
    );
  });
});

describe('withRetries', () => {
  it('returns the first success without waiting', async () => {
    const { sleep, delays } = clock();
    const { attempt, calls } = script();
    await expect(withRetries(attempt, { retries: 3, sleep })).resolves.toBe('ok');
    expect(calls).toEqual([[1, 4]]);
    expect(delays).toEqual([]);
  });

  it('retries retryable ApiErrors until success, telling each attempt its number and the total', async () => {
    const { sleep, delays } = clock();
    const { attempt, calls } = script(retryable(), retryable());
    await expect(withRetries(attempt, { retries: 3, sleep, random: () => 0.5 })).resolves.toBe('ok');
    expect(calls).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    expect(delays).toEqual([500, 1_000]);
  });

  it('stops after retries + 1 attempts with the last error', async () => {
    const { sleep, delays } = clock();
    const last = retryable('HTTP 504: the last one', { status: 504 });
    const { attempt, calls } = script(retryable(), retryable(), retryable(), last, undefined);
    await expect(withRetries(attempt, { retries: 3, sleep, random: () => 0.5 })).rejects.toBe(last);
    expect(calls).toHaveLength(4);
    expect(delays).toEqual([500, 1_000, 2_000]);
  });

  it('makes one attempt when retries is 0', async () => {
    const { sleep, delays } = clock();
    const error = retryable();
    const { attempt, calls } = script(error);
    await expect(withRetries(attempt, { retries: 0, sleep })).rejects.toBe(error);
    expect(calls).toEqual([[1, 1]]);
    expect(delays).toEqual([]);
  });

  it('fails on the first attempt with an error that is not retryable', async () => {
    const { sleep, delays } = clock();
    const error = final();
    const { attempt, calls } = script(error);
    await expect(withRetries(attempt, { retries: 5, sleep })).rejects.toBe(error);
    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('lets anything but an ApiError through at once', async () => {
    for (const thrown of [new Error('bug'), new TypeError('x is undefined'), 'a string', { code: 'ECONNRESET' }]) {
      const { sleep, delays } = clock();
      const { attempt, calls } = script(thrown);
      await expect(withRetries(attempt, { retries: 3, sleep })).rejects.toBe(thrown);
      expect(calls).toHaveLength(1);
      expect(delays).toEqual([]);
    }
  });

  it('waits what Retry-After asked instead of the backoff', async () => {
    const { sleep, delays } = clock();
    const { attempt } = script(
      retryable('HTTP 429', { status: 429, retryAfterMs: 2_000 }),
      retryable(),
      retryable('HTTP 429', { status: 429, retryAfterMs: 0 }),
    );
    await expect(withRetries(attempt, { retries: 3, sleep, random: () => 0.5 })).resolves.toBe('ok');
    expect(delays).toEqual([2_000, 1_000, 0]);
  });

  it('waits exactly the longest Retry-After allowed', async () => {
    const { sleep, delays } = clock();
    const { attempt } = script(retryable('HTTP 429', { status: 429, retryAfterMs: DEFAULT_BACKOFF.maxRetryAfterMs }));
    await expect(withRetries(attempt, { retries: 1, sleep })).resolves.toBe('ok');
    expect(delays).toEqual([DEFAULT_BACKOFF.maxRetryAfterMs]);
  });

  it('fails at once, saying so, when Retry-After is longer than it waits', async () => {
    const { sleep, delays } = clock();
    const { attempt, calls } = script(retryable('HTTP 429: slow down', { status: 429, retryAfterMs: 3_600_000 }));
    const error = await withRetries(attempt, { retries: 3, sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'retry-after', retryable: false, status: 429, retryAfterMs: 3_600_000 });
    expect((error as ApiError).message).toContain('HTTP 429: slow down');
    expect((error as ApiError).message).toMatch(/retry after 3600 s, longer than the 60 s/);
    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('honours a custom policy', async () => {
    const { sleep, delays } = clock();
    const custom: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterMs: 5_000 };
    const { attempt } = script(retryable(), retryable(), retryable(), retryable());
    await withRetries(attempt, { retries: 4, sleep, random: () => 0.99, policy: custom });
    expect(delays).toEqual([99, 198, 247, 247]);
    const tooLong = script(retryable('HTTP 503', { retryAfterMs: 6_000 }));
    await expect(withRetries(tooLong.attempt, { retries: 4, sleep, policy: custom })).rejects.toMatchObject({
      kind: 'retry-after',
    });
  });

  it('tells onRetry before each wait: the error, the attempt that failed, the total and the delay', async () => {
    const { sleep } = clock();
    const first = retryable('one');
    const second = retryable('two', { retryAfterMs: 3_000 });
    const { attempt } = script(first, second);
    const told: unknown[] = [];
    await withRetries(attempt, { retries: 2, sleep, random: () => 0.5, onRetry: (info) => told.push(info) });
    expect(told).toEqual([
      { error: first, attempt: 1, attempts: 3, delayMs: 500 },
      { error: second, attempt: 2, attempts: 3, delayMs: 3_000 },
    ]);
  });

  it('does not call onRetry when there is no retry', async () => {
    const { sleep } = clock();
    const told: unknown[] = [];
    await withRetries(script(final()).attempt, { retries: 2, sleep, onRetry: (i) => told.push(i) }).catch(
      () => undefined,
    );
    await withRetries(script(retryable()).attempt, { retries: 0, sleep, onRetry: (i) => told.push(i) }).catch(
      () => undefined,
    );
    expect(told).toEqual([]);
  });

  it('any sequence of retryable failures: at most retries + 1 attempts, one wait between each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 12 }), async (retries, failures) => {
        const { sleep, delays } = clock();
        const { attempt, calls } = script(...Array.from({ length: failures }, () => retryable()));
        const result = await withRetries(attempt, { retries, sleep, random: () => 0.5 }).catch((e: unknown) => e);
        const attempts = Math.min(failures + 1, retries + 1);
        expect(calls).toHaveLength(attempts);
        expect(delays).toHaveLength(attempts - 1);
        if (failures <= retries) expect(result).toBe('ok');
        else expect(result).toBeInstanceOf(ApiError);
      }),
    );
  });
});

describe('withRetries: the call deadline, timeout × (retries + 1)', () => {
  /** A fake clock: attempts "take" time by advancing it; sleeping advances it too. */
  function clock() {
    let t = 0;
    return {
      now: () => t,
      advance: (ms: number) => {
        t += ms;
      },
      sleep: async (ms: number) => {
        t += ms;
      },
    };
  }
  const retryable = (retryAfterMs?: number): ApiError =>
    new ApiError('HTTP 503: busy', {
      kind: 'http',
      retryable: true,
      status: 503,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });

  it('gives every attempt the full timeout when only the action’s own backoff is waited (announced, on top)', async () => {
    const c = clock();
    const given: number[] = [];
    const error = await withRetries(
      async (_n, _of, timeoutMs) => {
        given.push(timeoutMs);
        c.advance(timeoutMs);
        throw retryable();
      },
      { retries: 2, attemptTimeoutMs: 1000, now: c.now, sleep: c.sleep, random: () => 0.99 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(given).toEqual([1000, 1000, 1000]);
  });

  it('spends Retry-After from the call’s time: later attempts get what is left', async () => {
    const c = clock();
    const given: number[] = [];
    await withRetries(
      async (n, _of, timeoutMs) => {
        given.push(timeoutMs);
        c.advance(100);
        if (n === 1) throw retryable(2500);
        return 'ok';
      },
      { retries: 2, attemptTimeoutMs: 1000, now: c.now, sleep: c.sleep },
    );
    // 3000 in all; 100 spent on attempt 1 and 2500 waiting: 400 left.
    expect(given).toEqual([1000, 400]);
  });

  it('fails at once when a Retry-After reaches past the deadline, saying so', async () => {
    const c = clock();
    let attempts = 0;
    const error = (await withRetries(
      async () => {
        attempts++;
        c.advance(1000);
        throw retryable(2500); // 2000 left of 3000 after this attempt
      },
      { retries: 2, attemptTimeoutMs: 1000, now: c.now, sleep: c.sleep },
    ).catch((e: unknown) => e)) as ApiError;
    expect(attempts).toBe(1);
    expect(error.kind).toBe('retry-after');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /HTTP 503: busy; the server asked to retry after 3 s, past the call's deadline \(2 s left of timeout × \(retries \+ 1\) = 3 s\)/,
    );
  });

  it('does not count the pacing wait against the deadline: retries 3, timeout 2 s, rate_limit 10 and three quick 503s make 4 attempts', async () => {
    const c = clock();
    const given: number[] = [];
    let paced = 0;
    const result = await withRetries(
      async (n, _of, timeoutMs) => {
        given.push(timeoutMs);
        c.advance(5); // a quick 503
        if (n <= 3) throw retryable();
        return 'ok';
      },
      {
        retries: 3,
        attemptTimeoutMs: 2000,
        now: c.now,
        sleep: c.sleep,
        random: () => 0.5,
        // rate_limit 10: every attempt waits 6 s for its turn, more than the call's 8 s in all.
        pace: async () => {
          paced++;
          c.advance(6000);
        },
      },
    );
    expect(result).toBe('ok');
    expect(paced).toBe(4);
    expect(given).toEqual([2000, 2000, 2000, 2000]);
  });

  it('never lets attempts and server-imposed waits run past the deadline (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(
          fc.record({
            use: fc.double({ min: 0, max: 1, noNaN: true }),
            retryAfter: fc.option(fc.integer({ min: 0, max: 10_000 })),
          }),
          { minLength: 6, maxLength: 6 },
        ),
        async (retries, timeout, plan) => {
          const c = clock();
          let spent = 0; // attempts plus Retry-After waits, not the action's own backoff
          await withRetries(
            async (n, _of, timeoutMs) => {
              expect(timeoutMs).toBeGreaterThanOrEqual(1);
              expect(timeoutMs).toBeLessThanOrEqual(timeout);
              const step = plan[n - 1] ?? { use: 1, retryAfter: null };
              const took = Math.floor(step.use * timeoutMs);
              c.advance(took);
              spent += took;
              throw retryable(step.retryAfter ?? undefined);
            },
            {
              retries,
              attemptTimeoutMs: timeout,
              now: c.now,
              random: () => 0.5,
              sleep: async (ms) => c.advance(ms),
              onRetry: ({ error }) => {
                spent += error.retryAfterMs ?? 0;
              },
            },
          ).catch(() => undefined);
          expect(spent).toBeLessThanOrEqual(timeout * (retries + 1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
