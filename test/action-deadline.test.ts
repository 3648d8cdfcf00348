/**
 * Integration: the call deadline, timeout × (retries + 1), through the bundled action. Counts and
 * messages only; the time arithmetic itself is proven with a fake clock in unit-retry.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runAction } from './harness.ts';
import { creds, sim, useSimulator } from './fixtures.ts';

useSimulator();

describe('the call deadline', () => {
  it('a Retry-After longer than what is left of timeout × (retries + 1) fails at once, saying so (1 request)', async () => {
    sim.fail({ type: 'status', status: 503, headers: { 'retry-after': '2' } });
    const run = await runAction({ inputs: { ...creds(), user_id: '7', message: 'x', timeout: '1', retries: '1' } });
    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/HTTP 503.*retry after 2 s, past the call's deadline \(\d s left of timeout × \(retries \+ 1\) = 2 s\)/);
  });

  it('a Retry-After that fits is waited, and the retry succeeds (2 requests)', async () => {
    sim.fail({ type: 'status', status: 503, headers: { 'retry-after': '1' } });
    const run = await runAction({ inputs: { ...creds(), user_id: '7', message: 'x', timeout: '5', retries: '1' } });
    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(2);
    expect(sim.delivered).toHaveLength(1);
  });
});
