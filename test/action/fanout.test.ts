/**
 * Integration: many recipients through the bundled action against the simulator. Exactly-once
 * delivery to each distinct user through 429s, 503s and dropped connections; a 429 pausing every
 * caller; `rate_limit` and `concurrency` measured from the times requests reach the simulator;
 * one failing recipient among many.
 *
 * Timing checks are lower bounds with a tolerance only: a slow machine can make gaps larger, never
 * smaller. The tolerance covers timers firing a millisecond early and jitter between the action's
 * start of a call and its arrival here.
 */
import { describe, it, expect } from 'vitest';
import { runAction, type ActionRun } from '../support/harness.ts';
import { sim, useSimulator, creds } from '../support/fixtures.ts';
import type { SimRequest } from '../support/simulator.ts';
import type { RecipientResult } from '../../src/delivery/results.js';

const results = (run: ActionRun): RecipientResult[] => JSON.parse(run.outputs.results ?? 'null') as RecipientResult[];
const userOf = (r: SimRequest): number | undefined => (r.body as { user_id?: number } | undefined)?.user_id;
const arrivals = (): number[] => sim.requests.map((r) => r.at).sort((a, b) => a - b);

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

    const run = await runAction({
      inputs: {
        ...creds(),
        user_id: userIdInput,
        message: 'Release {{ github.ref_name }}',
        concurrency: '4',
        rate_limit: '3000',
      },
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

    // A 429 slows everyone down: once the action has its answer (Retry-After: 1), no request at all
    // reaches the API for a second. GRACE: calls the action started before the 429 reached it may
    // still arrive just after; TOLERANCE: timers fire up to a ms early, plus arrival jitter.
    const GRACE = 100;
    const TOLERANCE = 30;
    for (const limited of sim.requests.filter((q) => q.status === 429)) {
      const answered = limited.done!;
      const during = sim.requests.filter(
        (q) => q !== limited && q.at > answered + GRACE && q.at < answered + 1_000 - TOLERANCE,
      );
      expect(
        during.map((q) => ({ user: userOf(q), after: q.at - answered })),
        `requests during the pause after ${userOf(limited)}'s 429`,
      ).toEqual([]);
      // The user told to wait is retried after the pause.
      const retry = sim.requests.find((q) => q.seq > limited.seq && userOf(q) === userOf(limited));
      expect(retry!.at - answered).toBeGreaterThanOrEqual(1_000 - TOLERANCE);
    }
    expect(run.log).toMatch(/all calls wait/);
  });
});

describe('rate_limit', () => {
  useSimulator();

  it('rate_limit 600 with concurrency 4: call starts at least 100 ms apart, across every window', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => 920_001 + i);
    const run = await runAction({
      inputs: { ...creds(), user_id: ids.join(','), message: 'paced', concurrency: '4', rate_limit: '600' },
    });
    expect(run.code, run.errors.join('\n')).toBe(0);
    expect(sim.delivered).toHaveLength(ids.length);

    const at = arrivals();
    expect(at).toHaveLength(ids.length);
    const SPACING = 60_000 / 600;
    const TOLERANCE = 30;
    // The first call also opens the connection and warms the HTTP client up, so it arrives a little
    // later after its start than the others (measured: ~6 ms): windows from it get more slack.
    const FIRST_TOLERANCE = 60;
    const tooClose: string[] = [];
    for (let i = 0; i < at.length; i++) {
      for (let k = 1; i + k < at.length; k++) {
        const gap = at[i + k]! - at[i]!;
        const tolerance = i === 0 ? FIRST_TOLERANCE : TOLERANCE;
        if (gap < k * SPACING - tolerance) tooClose.push(`requests ${i}..${i + k}: ${gap} ms < ${k * SPACING} ms`);
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
      const run = await runAction({
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

  it('the others are all delivered; exit 1 and one error counting 1 of 30 and naming the user', async () => {
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
    const run = await runAction({
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
