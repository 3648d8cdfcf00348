/**
 * Integration: many recipients against the simulator. Exactly-once delivery to each distinct user
 * through 429s, 503s and dropped connections; a 429 pausing every caller; `rate_limit` measured from
 * when the calls start; `concurrency` from the requests the simulator holds at once; one failing
 * recipient among many.
 *
 * In process (the action's own `run()`, test/support/in-process.ts) on virtual time, except one
 * fan-out through the bundled action (the failing recipient among 30), so the bundle is proven too.
 * The pacing checks (rate_limit, the 429 pause) are exact in virtual time, with no tolerance: those
 * fan-outs run on a SteppedClock (below) and read when each call starts from undici's
 * `undici:request:create` diagnostics channel. The simulator's arrival times cannot serve there: the
 * sleepers of a fan-out move virtual time while a call is on its way, so a call arrives "later" than
 * it started. `concurrency` is measured on the simulator's real clock (its 150 ms per request): it
 * needs no virtual time.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it, expect } from 'vitest';
import { runAction, type ActionRun } from '../support/harness.ts';
import { InstantClock, runInProcess, type InProcessRun } from '../support/in-process.ts';
import { sim, useSimulator, creds } from '../support/fixtures.ts';
import type { SimRequest } from '../support/simulator.ts';
import type { RecipientResult } from '../../src/delivery/results.js';

const results = (run: ActionRun): RecipientResult[] => JSON.parse(run.outputs.results ?? 'null') as RecipientResult[];
const userOf = (r: SimRequest): number | undefined => (r.body as { user_id?: number } | undefined)?.user_id;

/** The most requests the simulator held at once, from arrival to response (a response and an arrival in the same ms do not overlap). */
function mostInFlight(requests: readonly SimRequest[]): number {
  const events: [number, number][] = [];
  for (const r of requests) {
    expect(r.done, `request ${r.seq} got a response`).toBeDefined();
    events.push([r.at, +1], [r.done!, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of events) most = Math.max(most, (now += step));
  return most;
}

/**
 * Virtual time for a fan-out. Like InstantClock, a sleep takes no real time and moves the clock to
 * its wake time; but sleepers wake one at a time, earliest first, each on its own turn of the event
 * loop (setImmediate). A caller the rate limiter lets go starts its call in the microtasks that follow
 * (undici creates the request then), before the next sleeper can move the clock, however many awaits
 * lie in between: so a call's start is read at the virtual time it was let go. InstantClock wakes a
 * sleeper a microtask later, so there the reading depends on how many awaits the caller let go has
 * left before its call compared with the callers queued behind it.
 */
class SteppedClock extends InstantClock {
  /** Each sleep, with the virtual time it was asked at. */
  readonly asked: Array<{ at: number; ms: number }> = [];
  readonly #waiting: Array<{ wake: number; resolve: () => void }> = [];
  #scheduled = false;

  override sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.asked.push({ at: this.t, ms });
    return new Promise<void>((resolve) => {
      this.#waiting.push({ wake: this.t + Math.max(0, ms), resolve });
      this.#schedule();
    });
  };

  #schedule(): void {
    if (this.#scheduled || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(this.#wakeNext);
  }

  #wakeNext = (): void => {
    this.#scheduled = false;
    // The earliest wake time; among equals, the first asked.
    let next = 0;
    this.#waiting.forEach((w, i) => {
      if (w.wake < this.#waiting[next]!.wake) next = i;
    });
    const [sleeper] = this.#waiting.splice(next, 1);
    this.t = Math.max(this.t, sleeper!.wake);
    sleeper!.resolve();
    this.#schedule();
  };
}

/** A call the action started: for which user, and when on the run's clock. */
interface Start {
  user: number;
  t: number;
}

/** Runs the action in process on `clock`, recording each call's start (undici creating its request). */
async function runRecordingStarts(
  clock: SteppedClock,
  inputs: Record<string, string>,
): Promise<{ run: InProcessRun; starts: Start[] }> {
  const starts: Start[] = [];
  const onCreate = (message: unknown): void => {
    const { body } = (message as { request: { body: unknown } }).request;
    const user = (JSON.parse(Buffer.from(body as Buffer).toString('utf8')) as { user_id: number }).user_id;
    starts.push({ user, t: clock.now() });
  };
  subscribe('undici:request:create', onCreate);
  try {
    sim.now = clock.now;
    const run = await runInProcess({ clock, inputs });
    return { run, starts };
  } finally {
    unsubscribe('undici:request:create', onCreate);
  }
}

describe('fan-out through faults', () => {
  useSimulator();

  it('100 recipients (some listed twice), concurrency 4, with 429s, 503s and resets: each distinct user gets exactly one message', async () => {
    const distinct = Array.from({ length: 100 }, (_, i) => 910_001 + i);
    // Listed with duplicates and every separator the input takes.
    const listed: number[] = [];
    distinct.forEach((id, i) => {
      listed.push(id);
      if (i % 9 === 4) listed.push(distinct[Math.floor(i / 2)]!);
    });
    expect(listed.length).toBeGreaterThan(distinct.length);
    const separators = [',', ' ', '\n', ', ', ',\n'];
    const userIdInput = listed
      .map((id, i) => `${id}${i < listed.length - 1 ? separators[i % separators.length] : ''}`)
      .join('');

    const tooMany = [distinct[12]!, distinct[50]!, distinct[88]!];
    const unavailable = distinct.filter((_, i) => i % 10 === 3);
    const dropped = distinct.filter((_, i) => i % 10 === 7);
    for (const id of tooMany) sim.failFor(id, { type: 'status', status: 429, headers: { 'retry-after': '1' } });
    for (const id of unavailable) sim.failFor(id, { type: 'status', status: 503, headers: { 'retry-after': '0' } });
    for (const id of dropped) sim.failFor(id, { type: 'reset' });

    const clock = new SteppedClock();
    const { run, starts } = await runRecordingStarts(clock, {
      ...creds(),
      user_id: userIdInput,
      message: 'Release {{ github.ref_name }}',
      concurrency: '4',
      rate_limit: '3000',
    });

    expect(run.code, run.errors.join('\n')).toBe(0);
    expect(run.errors).toEqual([]);

    // Exactly once each: at-least-once, and no fault here can have delivered before the retry.
    const count = new Map<number, number>();
    for (const d of sim.delivered) count.set(d.user_id, (count.get(d.user_id) ?? 0) + 1);
    expect([...count.keys()].sort((a, b) => a - b)).toEqual(distinct);
    expect([...count.values()].every((n) => n === 1)).toBe(true);
    expect(sim.delivered.every((d) => d.message === 'Release main')).toBe(true);

    // One result per distinct user, in the order of the input (first mention), all ok.
    const r = results(run);
    expect(r.map((x) => x.user_id)).toEqual(distinct);
    expect(r.every((x) => x.ok && x.error === null && x.topic_link !== null)).toBe(true);

    // The faults were met and retried: 100 sends + one retry per faulty user.
    expect(sim.requests.filter((q) => q.status === 429)).toHaveLength(tooMany.length);
    expect(sim.requests.filter((q) => q.status === 503)).toHaveLength(unavailable.length);
    expect(sim.requests.filter((q) => q.fault === 'reset')).toHaveLength(dropped.length);
    expect(sim.requests).toHaveLength(distinct.length + tooMany.length + unavailable.length + dropped.length);
    expect(starts).toHaveLength(sim.requests.length);

    // A 429 slows everyone down: once the action has its answer (Retry-After: 1), no call at all
    // starts for a second. The action has it when it asks for the 1 s wait: no other wait here is
    // 1000 ms (the 503s ask for 0, a reset's first backoff is under 1 s, pacing 20 ms), except the
    // limiter's, asked at the same moment, until the same pause's end. Calls already under way then
    // started before it, so nothing needs a grace period.
    const pauses = [...new Set(clock.asked.filter((s) => s.ms === 1_000).map((s) => s.at))];
    expect(pauses.length).toBeGreaterThanOrEqual(1);
    for (const from of pauses) {
      const during = starts.filter((s) => s.t > from && s.t < from + 1_000);
      expect(
        during.map((s) => ({ user: s.user, after: s.t - from })),
        `calls started during the pause from ${from} ms`,
      ).toEqual([]);
    }
    for (const limited of sim.requests.filter((q) => q.status === 429)) {
      const user = userOf(limited)!;
      const answered = limited.done!;
      // The user told to wait is retried after the pause: one that began once the answer was in.
      const retry = sim.requests.find((q) => q.seq > limited.seq && userOf(q) === user);
      expect(retry!.at - answered).toBeGreaterThanOrEqual(1_000);
      const retried = starts.filter((s) => s.user === user)[1]!;
      expect(
        pauses.some((from) => from >= answered && retried.t >= from + 1_000),
        `user ${user}'s pause`,
      ).toBe(true);
    }
    expect(run.log).toMatch(/all calls wait/);
  });
});

describe('rate_limit', () => {
  useSimulator();

  it('rate_limit 600 with concurrency 4: call starts at least 100 ms apart, across every window', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => 920_001 + i);
    const clock = new SteppedClock();
    const { run, starts } = await runRecordingStarts(clock, {
      ...creds(),
      user_id: ids.join(','),
      message: 'paced',
      concurrency: '4',
      rate_limit: '600',
    });
    expect(run.code, run.errors.join('\n')).toBe(0);
    expect(sim.delivered).toHaveLength(ids.length);

    const at = starts.map((s) => s.t).sort((a, b) => a - b);
    expect(at).toHaveLength(ids.length);
    expect(sim.requests).toHaveLength(ids.length);
    const SPACING = 60_000 / 600;
    const tooClose: string[] = [];
    for (let i = 0; i < at.length; i++) {
      for (let k = 1; i + k < at.length; k++) {
        const gap = at[i + k]! - at[i]!;
        if (gap < k * SPACING) tooClose.push(`calls ${i}..${i + k}: ${gap} ms < ${k * SPACING} ms`);
      }
    }
    expect(tooClose).toEqual([]);
  });
});

describe('concurrency', () => {
  useSimulator({ latencyMs: 150 });

  for (const concurrency of [4, 2]) {
    it(`concurrency ${concurrency}: never more than ${concurrency} requests in flight (150 ms each, rate_limit high)`, async () => {
      const ids = Array.from({ length: 16 }, (_, i) => 930_001 + i);
      // The simulator's own clock (real time): its 150 ms per request are real.
      const run = await runInProcess({
        inputs: {
          ...creds(),
          user_id: ids.join(' '),
          message: 'parallel',
          concurrency: String(concurrency),
          rate_limit: '6000',
        },
      });
      expect(run.code, run.errors.join('\n')).toBe(0);
      expect(sim.delivered).toHaveLength(ids.length);
      const most = mostInFlight(sim.requests);
      expect(most).toBeLessThanOrEqual(concurrency);
      // The requests did overlap: the bound was actually exercised.
      expect(most).toBeGreaterThanOrEqual(2);
      expect(results(run).map((x) => x.user_id)).toEqual(ids);
    });
  }
});

describe('one failing recipient among many', () => {
  useSimulator();

  const ids = Array.from({ length: 30 }, (_, i) => 940_001 + i);
  const bad = ids[17]!;
  const rejectBad = (): void =>
    sim.failFor(bad, { type: 'status', status: 400, body: { result: 'error', message: 'user is blocked' } });

  it('the others are all delivered; exit 1 and one error counting 1 of 30 and naming the user (bundled action)', async () => {
    rejectBad();
    const run = await runAction({
      inputs: { ...creds(), user_id: ids.join('\n'), message: 'hi', concurrency: '4', rate_limit: '6000' },
    });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    const error = run.errors[0]!;
    expect(error).toContain('1 of 30');
    expect(error).toContain(String(bad));
    expect(error).toContain('HTTP 400');
    expect(error).toContain('user is blocked');
    for (const id of ids) if (id !== bad) expect(error).not.toContain(String(id));

    expect(sim.delivered.map((d) => d.user_id).sort((a, b) => a - b)).toEqual(ids.filter((id) => id !== bad));
    // A 400 is not retried.
    expect(sim.requests.filter((q) => userOf(q) === bad)).toHaveLength(1);
    const r = results(run);
    expect(r.map((x) => x.user_id)).toEqual(ids);
    expect(r.filter((x) => !x.ok).map((x) => x.user_id)).toEqual([bad]);
    expect(r.find((x) => x.user_id === bad)!.error).toContain('HTTP 400');
    expect(run.outputs.error).toBe(error);
    expect(run.summary).toContain('1 of 30');
  });

  it('with fail_on_error false: the same deliveries, exit 0, a warning and the error output', async () => {
    rejectBad();
    const run = await runInProcess({
      inputs: {
        ...creds(),
        user_id: ids.join(','),
        message: 'hi',
        concurrency: '4',
        rate_limit: '6000',
        fail_on_error: 'false',
      },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.delivered).toHaveLength(29);
    expect(run.outputs.error).toContain('1 of 30');
    expect(run.outputs.error).toContain(String(bad));
    expect(run.warnings.some((w) => w.includes('1 of 30') && w.includes(String(bad)))).toBe(true);
    expect(
      results(run)
        .filter((x) => !x.ok)
        .map((x) => x.user_id),
    ).toEqual([bad]);
  });
});
