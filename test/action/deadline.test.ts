/**
 * Integration: the call deadline, timeout × (retries + 1). In process on a clock that never waits
 * (test/support/in-process.ts), the first case also through the bundled action (it fails at once:
 * no wait), so the bundle is proven on real time. Counts and messages; the time arithmetic itself
 * is proven with a fake clock in unit-retry.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { creds, sim, useSimulator } from '../support/fixtures.ts';

useSimulator();

describe('the call deadline', () => {
  it('a Retry-After longer than what is left of timeout × (retries + 1) fails at once, saying so (1 request; bundled action)', async () => {
    sim.fail({ type: 'status', status: 503, headers: { 'retry-after': '2' } });
    const run = await runAction({ inputs: { ...creds(), user_id: '7', message: 'x', timeout: '1', retries: '1' } });
    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /HTTP 503.*retry after 2 s, past the call's deadline \(\d s left of timeout × \(retries \+ 1\) = 2 s\)/,
    );
  });

  it('a Retry-After that fits is waited, and the retry succeeds (2 requests)', async () => {
    sim.fail({ type: 'status', status: 503, headers: { 'retry-after': '1' } });
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: 'x', timeout: '5', retries: '1' },
    });
    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(2);
    expect(sim.delivered).toHaveLength(1);
    // Waited: the server's 1 s, on the virtual clock.
    expect(run.clock.sleeps).toContain(1_000);
  });

  it('the pacing wait does not count: retries 3, timeout 2, rate_limit 10 and three quick 503s make all 4 attempts', async () => {
    sim.fail(...Array.from({ length: 3 }, () => ({ type: 'status' as const, status: 503 })));
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: 'x', retries: '3', timeout: '2', rate_limit: '10' },
    });
    expect(run.code, run.errors.join('\n')).toBe(0);
    expect(sim.requests).toHaveLength(4);
    expect(sim.delivered).toHaveLength(1);
    expect(run.log).not.toMatch(/no time left/);
    // Each retry waited its 6 s turn (60 / rate_limit), more than the call's 8 s in all, and it did not matter.
    expect(run.clock.t).toBeGreaterThanOrEqual(3 * 6_000);
  });
});
