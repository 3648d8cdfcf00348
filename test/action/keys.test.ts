/**
 * A wrong key is not paid for per recipient: after a 401 or 403 the keys are wrong for every call,
 * so the run makes no other call, reports the rest as not sent (kept in the dead letter), and ends
 * with one short line saying which keys to check. In process, on a clock that never waits (so "no
 * waiting" is measured in the time the run would have waited).
 */
import { describe, expect, it } from 'vitest';
import type { RecipientResult } from '../../src/delivery/results.js';
import { creds, sim, useSimulator } from '../support/fixtures.ts';
import { runInProcess } from '../support/in-process.ts';

useSimulator();

const KEYS_LINE = "check the owner token (x_api_key) and the connection's instance and api_key";
const USERS = Array.from({ length: 10 }, (_, i) => 910_001 + i);
const results = (outputs: Record<string, string>): RecipientResult[] =>
  JSON.parse(outputs.results ?? 'null') as RecipientResult[];

describe('keys the API refuses', () => {
  it.each([
    ['x_api_key (the API answers 401)', { x_api_key: 'wrong-owner-token' }, 'HTTP 401: Invalid or missing X-API-KEY'],
    [
      'api_key (the API answers 403)',
      { api_key: 'wrong-connection-key' },
      'HTTP 403: Connection not found: check instance and api_key',
    ],
  ])(
    'a wrong %s and 10 recipients: one call, the rest not sent and kept, one short error line',
    async (_what, wrong, answer) => {
      // concurrency 1: the count of calls does not depend on how fast the first answer comes back
      // (with several at once, the calls already in flight get their own 401/403, as the next test shows).
      const run = await runInProcess({
        inputs: { ...creds(), ...wrong, user_id: USERS.join(','), message: 'Deployed', concurrency: '1' },
      });

      expect(run.code).toBe(1);
      expect(sim.requests).toHaveLength(1);
      expect(run.errors).toEqual([
        `The Topics API refused the keys (${answer}): ${KEYS_LINE}; 10 of 10 recipients not delivered`,
      ]);
      expect(run.outputs.error).toBe(run.errors[0]);
      const status = answer.slice(5, 8);
      expect(results(run.outputs)).toEqual([
        { user_id: USERS[0], ok: false, topic_link: null, chat_id: null, thread_id: null, error: answer },
        ...USERS.slice(1).map((user_id) => ({
          user_id,
          ok: false,
          topic_link: null,
          chat_id: null,
          thread_id: null,
          error: `not sent: the API refused the keys (HTTP ${status}) on an earlier call`,
        })),
      ]);
      // Nobody waited for a turn that would not be used.
      expect(run.clock.sleeps).toEqual([]);
      // Everything not delivered is in the dead letter, to send once the keys are fixed.
      const letter = JSON.parse(run.deadLetter ?? 'null') as {
        undelivered: Array<{ user_id: number; message: string }>;
      };
      expect(letter.undelivered.map((u) => [u.user_id, u.message])).toEqual(USERS.map((u) => [u, 'Deployed']));
      expect(run.summary).toContain('❌ Hotline: 10 of 10 not delivered');
    },
  );

  it('several calls at once (concurrency 4): only the calls already started are made, the rest are not sent', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        x_api_key: 'wrong-owner-token',
        user_id: USERS.join(','),
        message: 'Deployed',
        concurrency: '4',
      },
    });
    expect(run.code).toBe(1);
    const made = sim.requests.length;
    expect(made).toBeGreaterThanOrEqual(1);
    expect(made).toBeLessThanOrEqual(4);
    const entries = results(run.outputs);
    expect(entries.filter((r) => r.error === 'HTTP 401: Invalid or missing X-API-KEY')).toHaveLength(made);
    expect(
      entries.filter((r) => r.error === 'not sent: the API refused the keys (HTTP 401) on an earlier call'),
    ).toHaveLength(10 - made);
    expect(run.errors).toEqual([
      `The Topics API refused the keys (HTTP 401: Invalid or missing X-API-KEY): ${KEYS_LINE}; 10 of 10 recipients not delivered`,
    ]);
  });

  it('one recipient: the error is the keys line alone', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), x_api_key: 'wrong-owner-token', user_id: '7', message: 'x' },
    });
    expect(run.errors).toEqual([
      `The Topics API refused the keys (HTTP 401: Invalid or missing X-API-KEY): ${KEYS_LINE}`,
    ]);
  });

  it('a split message: no part is sent after the refusal', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        api_key: 'wrong-connection-key',
        user_id: '7,8',
        message: 'First part here.\n\nSecond part here.',
        overflow: 'split',
        max_length: '25',
        concurrency: '1',
      },
    });
    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(1);
    expect(results(run.outputs).map((r) => [r.user_id, r.part, r.ok])).toEqual([
      [7, 1, false],
      [7, 2, false],
      [8, 1, false],
      [8, 2, false],
    ]);
  });

  it('a lookup refused (info_by_topic, or the user of topic_link): the keys line', async () => {
    for (const inputs of [{ action: 'info_by_topic' }, { message: 'hi' }] as Array<Record<string, string>>) {
      sim.reset();
      const run = await runInProcess({
        inputs: { ...creds(), x_api_key: 'wrong-owner-token', topic_link: 'https://t.me/c/2101424779/5343', ...inputs },
      });
      expect(run.code).toBe(1);
      expect(sim.requests).toHaveLength(1);
      expect(run.errors).toEqual([
        `The Topics API refused the keys (HTTP 401: Invalid or missing X-API-KEY): ${KEYS_LINE}`,
      ]);
    }
  });

  it('with fail_on_error false: the same line, as a warning', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        x_api_key: 'wrong-owner-token',
        user_id: '7,8',
        message: 'x',
        fail_on_error: 'false',
        concurrency: '1',
      },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([
      `The Topics API refused the keys (HTTP 401: Invalid or missing X-API-KEY): ${KEYS_LINE}; 2 of 2 recipients not delivered (fail_on_error is false: the step succeeds)`,
    ]);
    expect(sim.requests).toHaveLength(1);
  });

  it('other failures still name each recipient and its reason', async () => {
    sim.failFor(8, { type: 'status', status: 422, body: { message: 'user 8 blocked the bot' } });
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7,8', message: 'x' } });
    expect(run.errors).toEqual(['Sending failed for 1 of 2 recipients: user 8: HTTP 422: user 8 blocked the bot']);
  });
});
