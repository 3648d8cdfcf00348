/**
 * Unit: pacing. RateLimiter on a fake clock (virtual time: sleep() only moves the clock, nothing
 * really waits) and mapConcurrent with calls completed in an order the test chooses.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mapConcurrent, RateLimiter, type Clock } from '../../../src/topics/pacing.js';

/** Lets every promise callback that can run now run (one macrotask turn drains the microtasks). */
const flush = (): Promise<void> => new Promise((done) => setImmediate(done));

/** Virtual time: `sleep` registers a timer; `runUntil`/`settle` fire timers in time order. */
class FakeClock implements Clock {
  t: number;
  #timers: { at: number; seq: number; fire: () => void }[] = [];
  #seq = 0;
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[] = [];
  /** How late each timer fires, in the order the sleeps are asked for (a loaded machine's timers). */
  readonly lateness: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now = (): number => this.t;

  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    const late = this.lateness.shift() ?? 0;
    return new Promise((fire) => this.#timers.push({ at: this.t + Math.max(0, ms) + late, seq: this.#seq++, fire }));
  };

  /** Fires, in order, every timer due at or before `time`, then sets the clock to `time`. */
  async runUntil(time: number): Promise<void> {
    for (;;) {
      await flush();
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers[0];
      if (!next || next.at > time) break;
      this.#timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
    this.t = Math.max(this.t, time);
    await flush();
  }

  /** Fires timers, in time order, until none is left (the clock stays at the last one). */
  async settle(): Promise<void> {
    for (;;) {
      await flush();
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift();
      if (!next) return;
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
  }
}

/** Starts `n` acquirers at once; resolves to the virtual time each one was let through, by index, and the order. */
function acquireAll(limiter: RateLimiter, clock: FakeClock, n: number): { starts: number[]; order: number[] } {
  const starts: number[] = new Array<number>(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    void limiter.acquire().then(() => {
      starts[i] = clock.now();
      order.push(i);
    });
  }
  return { starts, order };
}

describe('RateLimiter', () => {
  it('lets the first call start at once, without sleeping', async () => {
    const clock = new FakeClock(1_000);
    const limiter = new RateLimiter(60, clock);
    let started: number | undefined;
    void limiter.acquire().then(() => (started = clock.now()));
    await flush();
    expect(started).toBe(1_000);
    expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([]);
  });

  it('spaces call starts 60 s / rate_limit apart', async () => {
    for (const perMinute of [1, 60, 120, 600, 6000]) {
      const clock = new FakeClock(0);
      const limiter = new RateLimiter(perMinute, clock);
      const starts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const done = limiter.acquire().then(() => starts.push(clock.now()));
        await clock.settle();
        await done;
      }
      const interval = 60_000 / perMinute;
      expect(starts).toEqual([0, 1, 2, 3, 4].map((k) => k * interval));
    }
  });

  it('does not make a call wait when the previous one started longer than the interval ago', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(60, clock); // 1000 ms
    await limiter.acquire();
    await clock.runUntil(2_500);
    let started: number | undefined;
    void limiter.acquire().then(() => (started = clock.now()));
    await flush();
    expect(started).toBe(2_500);
  });

  it('gives concurrent acquirers distinct, evenly spaced slots in the order they asked', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(120, clock); // 500 ms
    const { starts, order } = acquireAll(limiter, clock, 6);
    await clock.settle();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(starts).toEqual([0, 500, 1_000, 1_500, 2_000, 2_500]);
  });

  it('spaces the actual starts: a timer that fires late delays the next start, it never shortens the gap', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(600, clock); // 100 ms
    clock.lateness.push(40, 0, 75, 0, 0, 0); // seen under load: the first wait ends 40 ms late, the third 75 ms
    const { starts, order } = acquireAll(limiter, clock, 6);
    await clock.settle();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    expect(
      gaps.every((gap) => gap >= 100),
      `gaps ${gaps.join(', ')}`,
    ).toBe(true);
    expect(starts).toEqual([0, 140, 240, 415, 515, 615]);
  });

  it("property: whatever the timers' lateness, consecutive starts are at least the interval apart", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6000 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 30 }),
        async (perMinute, lateness, n) => {
          const clock = new FakeClock(0);
          clock.lateness.push(...lateness);
          const limiter = new RateLimiter(perMinute, clock);
          const { starts } = acquireAll(limiter, clock, n);
          await clock.settle();
          for (let i = 1; i < n; i++)
            expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(60_000 / perMinute - 1e-6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lets a caller that is no longer wanted go at once, taking no slot from the ones behind it', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(60, clock); // 1000 ms
    let wanted = true;
    const starts: Array<[string, number]> = [];
    void limiter.acquire().then(() => starts.push(['first', clock.now()]));
    void limiter.acquire(() => wanted).then(() => starts.push(['dropped', clock.now()]));
    void limiter.acquire(() => wanted).then(() => starts.push(['dropped too', clock.now()]));
    void limiter.acquire().then(() => starts.push(['last', clock.now()]));
    await clock.runUntil(400);
    wanted = false; // e.g. the keys were refused: those calls will not be made
    await clock.settle();
    // The one asleep toward its slot is let go when it wakes, the next at once; the last keeps the 1000 ms slot.
    expect(starts).toEqual([
      ['first', 0],
      ['dropped', 1_000],
      ['dropped too', 1_000],
      ['last', 1_000],
    ]);
  });

  it('pauseFor holds every waiter, including those that already reserved an earlier slot, and keeps them spaced and in order', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(60, clock); // slots at 0, 1000, 2000, 3000
    const { starts, order } = acquireAll(limiter, clock, 4);
    await flush();
    expect(starts[0]).toBe(0);
    limiter.pauseFor(5_000); // a 429 answered to the first call: nobody starts before 5000
    await clock.settle();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(starts).toEqual([0, 5_000, 6_000, 7_000]);
  });

  it('a pause that begins while callers sleep toward their slots moves the ones it covers, and a newcomer queues after them', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(60, clock); // slots at 0, 1000, 2000, 3000, 4000
    const { starts, order } = acquireAll(limiter, clock, 5);
    await clock.runUntil(1_500); // 0 and 1000 have started; 2000, 3000, 4000 are asleep
    expect(starts.filter((s) => s !== undefined)).toEqual([0, 1_000]);
    limiter.pauseFor(2_000); // until 3500: the 2000 and 3000 slots fall inside it, 4000 does not
    let late: number | undefined;
    void limiter.acquire().then(() => (late = clock.now()));
    await clock.settle();
    const all = [...starts, late as number];
    // Nothing starts inside the pause ...
    expect(all.filter((s) => s > 1_500 && s < 3_500)).toEqual([]);
    // ... and afterwards the starts stay at least 1000 ms apart.
    const sorted = [...all].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1_000);
    // The callers held by the pause keep their order among themselves.
    expect(starts[2]!).toBeLessThan(starts[3]!);
    expect(order.indexOf(2)).toBeLessThan(order.indexOf(3));
    expect(late).toBeGreaterThanOrEqual(3_500);
  });

  it('a pause shorter than the spacing changes nothing', async () => {
    const run = async (pause: number | undefined): Promise<number[]> => {
      const clock = new FakeClock(0);
      const limiter = new RateLimiter(60, clock); // 1000 ms
      const { starts } = acquireAll(limiter, clock, 4);
      await flush();
      if (pause !== undefined) limiter.pauseFor(pause);
      await clock.settle();
      return starts;
    };
    const unpaused = await run(undefined);
    expect(unpaused).toEqual([0, 1_000, 2_000, 3_000]);
    for (const pause of [0, 1, 400, 999, 1_000]) expect(await run(pause)).toEqual(unpaused);
  });

  it('property: whatever the rate, the arrival times and the pauses, no 60 s window holds more than rate_limit starts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 150_000 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 150_000 }), fc.integer({ min: 0, max: 5_000 })), { maxLength: 5 }),
        async (perMinute, arrivals, pauses) => {
          const clock = new FakeClock(0);
          const limiter = new RateLimiter(perMinute, clock);
          const starts: { asked: number; at: number }[] = [];
          for (const asked of arrivals) {
            void clock.sleep(asked).then(async () => {
              await limiter.acquire();
              starts.push({ asked, at: clock.now() });
            });
          }
          const paused: { from: number; until: number }[] = [];
          for (const [at, ms] of pauses) {
            void clock.sleep(at).then(() => {
              paused.push({ from: clock.now(), until: clock.now() + ms });
              limiter.pauseFor(ms);
            });
          }
          await clock.settle();

          expect(starts).toHaveLength(arrivals.length);
          for (const s of starts) expect(s.at).toBeGreaterThanOrEqual(s.asked);
          const times = starts.map((s) => s.at).sort((a, b) => a - b);
          // Nothing starts while a pause holds (a start at the very moment it began came before it).
          for (const p of paused) expect(times.filter((t) => t > p.from && t < p.until)).toEqual([]);
          // A window [t, t + 60 s) holds more than perMinute starts exactly when some start and the one
          // perMinute places after it are less than 60 s apart. (1e-6 ms: float sums of 60000/R.)
          for (let i = 0; i + perMinute < times.length; i++) {
            expect(times[i + perMinute]! - times[i]!).toBeGreaterThanOrEqual(60_000 - 1e-6);
          }
          // And, stronger: consecutive starts are a full interval apart.
          for (let i = 1; i < times.length; i++) {
            expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(60_000 / perMinute - 1e-6);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A promise the test resolves when it chooses. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('mapConcurrent', () => {
  /**
   * Runs mapConcurrent over `n` items; `pick(inFlight)` chooses which running call finishes next.
   * Returns the results, the most calls ever in flight, and the order the calls started.
   */
  async function drive(n: number, concurrency: number, pick: (inFlight: number[]) => number) {
    const running = new Map<number, (value: string) => void>();
    const started: number[] = [];
    let most = 0;
    const all = mapConcurrent(
      Array.from({ length: n }, (_, i) => `item${i}`),
      concurrency,
      (item, index) => {
        expect(item).toBe(`item${index}`);
        started.push(index);
        const d = deferred<string>();
        running.set(index, d.resolve);
        most = Math.max(most, running.size);
        return d.promise;
      },
    );
    let results: string[] | undefined;
    void all.then((r) => (results = r));
    for (;;) {
      await flush();
      if (results) break;
      const inFlight = [...running.keys()];
      expect(inFlight.length).toBeGreaterThan(0); // otherwise mapConcurrent would be stuck
      const index = inFlight[pick(inFlight) % inFlight.length]!;
      const resolve = running.get(index)!;
      running.delete(index);
      resolve(`result of item${index}`);
    }
    return { results: results!, most, started };
  }

  it('property: results come in input order whatever the completion order, with never more than `concurrency` calls in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 25 }),
        fc.infiniteStream(fc.nat()),
        async (n, concurrency, choices) => {
          const iterator = choices[Symbol.iterator]();
          const { results, most, started } = await drive(n, concurrency, () => iterator.next().value as number);
          expect(results).toEqual(Array.from({ length: n }, (_, i) => `result of item${i}`));
          expect(most).toBeLessThanOrEqual(concurrency);
          // The pool is used: as many at once as allowed (or as there are items).
          expect(most).toBe(Math.min(concurrency, n));
          // Each item once, started in input order.
          expect(started).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finishing in reverse order still gives the results in input order', async () => {
    const { results, most } = await drive(10, 3, (inFlight) => inFlight.indexOf(Math.max(...inFlight)));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => `result of item${i}`));
    expect(most).toBe(3);
  });

  it('with concurrency larger than the list, every item runs at once, each once', async () => {
    const { results, most, started } = await drive(3, 20, () => 0);
    expect(results).toEqual(['result of item0', 'result of item1', 'result of item2']);
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2]);
  });

  it('an empty list gives an empty result and no call', async () => {
    let calls = 0;
    const results = await mapConcurrent([], 4, async () => {
      calls++;
      return 1;
    });
    expect(results).toEqual([]);
    expect(calls).toBe(0);
  });

  it('concurrency 1 runs the calls one after another', async () => {
    const { results, most } = await drive(5, 1, () => 0);
    expect(results).toHaveLength(5);
    expect(most).toBe(1);
  });
});
