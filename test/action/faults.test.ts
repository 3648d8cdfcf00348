/**
 * Integration: how the action behaves when the Topics API (the simulator) misbehaves: retries,
 * Retry-After, statuses that must fail at once, bodies that are not an answer, redirects, exhausted
 * retries, fail_on_error and debug output. Counts, order and content only: nothing here measures
 * real time. Retry-After's wait is checked on the virtual clock.
 *
 * In process (the action's own `run()`, test/support/in-process.ts): pacing, backoff and Retry-After
 * take no real time; the hang and stalled-body rows use a 0.3 s `timeout`, which is real. Through the
 * bundled action (`node dist/index.js`) only the two stack-trace rows: they are about what the
 * process prints, a bundle's file names (index.js) and stderr, which is empty in process.
 */
import { describe, it, expect } from 'vitest';
import { runAction } from '../support/harness.ts';
import type { ActionRun, RunActionOptions } from '../support/harness.ts';
import { InstantClock, runInProcess, type InProcessRun } from '../support/in-process.ts';
import { closedPort, sim, useSimulator, creds } from '../support/fixtures.ts';

useSimulator();

const withDefaults = (inputs: Record<string, string>): Record<string, string> => ({
  ...creds(),
  user_id: '7',
  message: 'Fault test',
  ...inputs,
});

/** In process, on a clock that never waits; the simulator times requests on the same clock. */
const send = (
  inputs: Record<string, string> = {},
  more: Omit<RunActionOptions, 'inputs'> = {},
): Promise<InProcessRun> => {
  const clock = new InstantClock();
  sim.now = clock.now;
  return runInProcess({ ...more, clock, inputs: withDefaults(inputs) });
};

/** Through the bundled action, as the runner runs it. */
const sendThroughBundle = (
  inputs: Record<string, string> = {},
  more: Omit<RunActionOptions, 'inputs'> = {},
): Promise<ActionRun> => runAction({ ...more, inputs: withDefaults(inputs) });

const auditLines = (run: ActionRun): string[] => run.log.split('\n').filter((l) => /attempt \d+\/\d+/.test(l));

/** In process stderr is always empty: the bundled rows (the stack-trace ones, at the end) check a real one. */
const noStackTrace = (run: ActionRun): void => {
  expect(run.stdout).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/^\s+at /m);
};

/** Exit 1 with exactly one ::error:: line, which is returned. */
function failedOnce(run: ActionRun): string {
  expect(run.code).toBe(1);
  expect(run.errors).toHaveLength(1);
  noStackTrace(run);
  return run.errors[0]!;
}

const NOW = { 'retry-after': '0' };

describe('retryable failures, then success', () => {
  it.each([408, 425, 429, 500, 502, 503, 504])(
    'HTTP %i is retried and the message is delivered once',
    async (status) => {
      sim.fail({ type: 'status', status, headers: NOW });
      const run = await send();

      expect(run.code).toBe(0);
      expect(run.errors).toEqual([]);
      expect(sim.requests.map((r) => r.status)).toEqual([status, 200]);
      expect(sim.delivered).toHaveLength(1);
      const audit = auditLines(run);
      expect(audit).toHaveLength(2);
      expect(audit[0]).toContain('attempt 1/4');
      expect(audit[0]).toContain(`HTTP ${status}`);
      expect(audit[1]).toContain('attempt 2/4');
      expect(audit[1]).toContain('HTTP 200');
      expect(run.outputs.topic_link).toBe(sim.delivered[0]!.topic_link);
    },
  );

  it('a connection reset is retried and the message is delivered once', async () => {
    sim.fail({ type: 'reset' });
    const run = await send();

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.requests).toHaveLength(2);
    expect(sim.delivered).toHaveLength(1);
    const audit = auditLines(run);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatch(/attempt 1\/4: .*(reset|closed).*\d+ ?ms/);
    expect(audit[1]).toMatch(/attempt 2\/4: HTTP 200/);
  });

  it('a connection reset after the headers is retried: delivery is at-least-once, so the server got it twice', async () => {
    // The simulator accepts the message, then breaks the connection mid-body: the action cannot
    // know it was delivered and tries again (the contract's at-least-once).
    sim.fail({ type: 'reset-after-headers' });
    const run = await send();

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.requests).toHaveLength(2);
    expect(sim.requests[0]!.fault).toBe('reset-after-headers');
    expect(sim.delivered).toHaveLength(2);
    expect(auditLines(run)).toHaveLength(2);
    expect(run.outputs.topic_link).toBe(sim.delivered[1]!.topic_link);
  });

  it('a request that hangs times out after `timeout` and is retried', async () => {
    sim.fail({ type: 'hang' });
    const run = await send({ timeout: '0.3', retries: '1' });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.requests).toHaveLength(2);
    expect(sim.delivered).toHaveLength(1);
    const audit = auditLines(run);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatch(/attempt 1\/2: no answer from 127\.0\.0\.1:\d+ within 0\.3 s \(timeout\)/);
    expect(audit[1]).toMatch(/attempt 2\/2: HTTP 200/);
  });

  it('a slow but steady body is read to the end: one request, delivered', async () => {
    sim.fail({ type: 'slow-body', chunks: 4, intervalMs: 20 });
    const run = await send();

    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(1);
    expect(sim.delivered).toHaveLength(1);
    expect(run.outputs.topic_link).toBe(sim.delivered[0]!.topic_link);
  });

  it('a body that stops coming for longer than `timeout` is a timeout and is retried (at-least-once)', async () => {
    // The server accepted the message, then its answer stalls past the timeout.
    sim.fail({ type: 'slow-body', chunks: 2, intervalMs: 1_000 });
    const run = await send({ timeout: '0.3', retries: '1' });

    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(2);
    expect(sim.requests[0]!.fault).toBe('slow-body');
    expect(sim.delivered).toHaveLength(2);
    const audit = auditLines(run);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatch(/attempt 1\/2: no answer from 127\.0\.0\.1:\d+ within 0\.3 s \(timeout\)/);
    expect(audit[1]).toMatch(/attempt 2\/2: HTTP 200/);
  });

  it('any 2xx with a message_sent answer is a success', async () => {
    sim.fail({
      type: 'json',
      status: 201,
      body: { result: 'message_sent', topic_link: 'https://t.me/c/1/2', message: 'ok', chat_id: -1001, thread_id: 2 },
    });
    const run = await send();

    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(1);
    expect(run.outputs.topic_link).toBe('https://t.me/c/1/2');
    expect(run.outputs.thread_id).toBe('2');
    expect(run.outputs.chat_id).toBe('-1001');
  });

  it('honours Retry-After: a 429 asking for 1 s is retried after the delay the server gave', async () => {
    sim.fail({ type: 'status', status: 429, headers: { 'retry-after': '1' } });
    const run = await send();

    expect(run.code).toBe(0);
    expect(sim.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(sim.delivered).toHaveLength(1);
    // The log says which delay was chosen: the server's, not a random backoff.
    expect(run.log).toMatch(/retrying in (1\.0 s|1000 ms)/);
    // And it was waited: the retry reached the server a full second (virtual) after the 429 left it.
    expect(run.clock.sleeps).toContain(1_000);
    expect(sim.requests[1]!.at - sim.requests[0]!.done!).toBeGreaterThanOrEqual(1_000);
  });

  it('a recipient that fails does not stop the others; the step fails naming it', async () => {
    sim.failFor(2, { type: 'status', status: 400, body: { result: 'error', message: 'User 2 is blocked' } });
    const run = await send({ user_id: '1,2,3' });

    const error = failedOnce(run);
    expect(error).toContain('user 2');
    expect(error).toContain('User 2 is blocked');
    expect(error).not.toMatch(/user [13]\b/);
    expect(sim.requests.map((r) => (r.body as { user_id: number }).user_id)).toEqual([1, 2, 3]);
    expect(sim.delivered.map((d) => d.user_id)).toEqual([1, 3]);
    const results = JSON.parse(run.outputs.results ?? '[]') as Array<{
      user_id: number;
      ok: boolean;
      error: string | null;
    }>;
    expect(results.map((r) => [r.user_id, r.ok])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
    expect(results[1]!.error).toContain('User 2 is blocked');
    expect(run.outputs.topic_link).toBe(sim.delivered[0]!.topic_link);
    expect(run.summary).toContain(sim.delivered[0]!.topic_link);
    expect(run.summary).toContain(sim.delivered[1]!.topic_link);
    expect(run.summary).toContain('User 2 is blocked');
    expect(run.summary).toMatch(/1 of 3/);
  });
});

describe('failures that are not retried', () => {
  it.each([400, 401, 403, 404, 405, 409, 413, 422])(
    'HTTP %i fails at once with one error line giving the status and the API message',
    async (status) => {
      const apiWords = `Simulated problem number ${status}`;
      sim.fail({ type: 'status', status, headers: NOW, body: { result: 'error', message: apiWords } });
      const run = await send();

      const error = failedOnce(run);
      expect(error).toContain(`HTTP ${status}`);
      expect(error).toContain(apiWords);
      expect(sim.requests).toHaveLength(1);
      expect(sim.delivered).toHaveLength(0);
      expect(auditLines(run)).toHaveLength(1);
      expect(run.outputs.error).toContain(`HTTP ${status}`);
    },
  );

  it.each([418, 501, 505])('HTTP %i (not in the retry list) fails at once too', async (status) => {
    sim.fail({ type: 'status', status, headers: NOW, body: { message: `Odd status ${status}` } });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain(`HTTP ${status}`);
    expect(error).toContain(`Odd status ${status}`);
    expect(sim.requests).toHaveLength(1);
  });

  it('a wrong x_api_key gets the API 401 and its words, once', async () => {
    const run = await send({ x_api_key: 'wrong-owner-token-123' });

    const error = failedOnce(run);
    expect(error).toContain('HTTP 401');
    expect(error).toContain('Invalid or missing X-API-KEY');
    expect(sim.requests).toHaveLength(1);
  });

  it('a wrong api_key gets the API 403 and its words, once', async () => {
    const run = await send({ api_key: 'wrong-connection-key-123' });

    const error = failedOnce(run);
    expect(error).toContain('HTTP 403');
    expect(error).toContain('Connection not found: check instance and api_key');
    expect(sim.requests).toHaveLength(1);
  });

  it('a 200 with result "error" fails with the API message, not retried', async () => {
    sim.fail({ type: 'result-error', message: 'Topic is closed by the operator' });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain('Topic is closed by the operator');
    expect(error).toMatch(/result 'error'/);
    expect(sim.requests).toHaveLength(1);
  });

  it('a 200 with malformed JSON fails saying the body is not JSON, not retried', async () => {
    sim.fail({ type: 'malformed-json' });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toMatch(/HTTP 200/);
    expect(error).toMatch(/not JSON/i);
    expect(sim.requests).toHaveLength(1);
  });

  it('an HTML 502 page with retries 0 fails with the page words, not its tags', async () => {
    sim.fail({ type: 'html', status: 502 });
    const run = await send({ retries: '0' });

    const error = failedOnce(run);
    expect(error).toContain('HTTP 502');
    expect(error).toContain('502 Bad Gateway');
    expect(error).toContain('nginx');
    expect(error).not.toMatch(/<\/?[a-z]+/i);
    expect(sim.requests).toHaveLength(1);
    expect(auditLines(run)[0]).toContain('attempt 1/1');
  });

  it('an empty 200 fails saying the body is empty, not retried', async () => {
    sim.fail({ type: 'empty' });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain('HTTP 200');
    expect(error).toMatch(/empty/i);
    expect(sim.requests).toHaveLength(1);
  });

  it('a 200 with JSON of the wrong shape fails as an unexpected answer, not retried', async () => {
    sim.fail({ type: 'json', body: { ok: true, data: [1, 2, 3] } });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain('HTTP 200');
    expect(error).toMatch(/unexpected/i);
    expect(sim.requests).toHaveLength(1);
  });

  it('a 200 with a JSON array fails, not retried', async () => {
    sim.fail({ type: 'json', body: [{ result: 'message_sent' }] });
    const run = await send();

    failedOnce(run);
    expect(sim.requests).toHaveLength(1);
    expect(run.outputs.topic_link).toBe('');
  });

  it("a 200 with another action's result fails naming that result", async () => {
    sim.fail({ type: 'json', body: { result: 'topic_info', topic_id: 1 } });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain("result 'topic_info'");
    expect(sim.requests).toHaveLength(1);
  });

  it('a response body over the cap fails without being buffered whole, not retried', async () => {
    sim.fail({ type: 'large', bytes: 3 * 1024 * 1024 });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toMatch(/over \d+ bytes/);
    expect(sim.requests).toHaveLength(1);
  });

  it.each([301, 302, 303, 307, 308])(
    'a %i redirect to another origin is not followed: one request, the error says redirect',
    async (status) => {
      // localhost reaches the same simulator under another origin: following it would show as a 2nd request.
      sim.fail({ type: 'redirect', status, location: `http://localhost:${sim.port}/webhook/topic_action` });
      const run = await send();

      const error = failedOnce(run);
      expect(error).toMatch(/redirect/i);
      expect(error).toContain(String(status));
      expect(sim.requests).toHaveLength(1);
      expect(sim.delivered).toHaveLength(0);
    },
  );

  it('a connection refused fails with a line saying so', async () => {
    const run = await send({ endpoint: `http://127.0.0.1:${await closedPort()}/webhook/topic_action`, retries: '0' });

    const error = failedOnce(run);
    expect(error).toMatch(/refused/i);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('retries exhausted and Retry-After limits', () => {
  it('503 four times with the default 3 retries: exit 1, 4 requests, audit 1/4..4/4', async () => {
    sim.fail(...Array.from({ length: 4 }, () => ({ type: 'status' as const, status: 503, headers: NOW })));
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain('HTTP 503');
    expect(sim.requests).toHaveLength(4);
    expect(sim.delivered).toHaveLength(0);
    const audit = auditLines(run);
    expect(audit.map((l) => /attempt (\d+\/\d+)/.exec(l)?.[1])).toEqual(['1/4', '2/4', '3/4', '4/4']);
    for (const line of audit) expect(line).toContain('HTTP 503');
  });

  it('retries 0 makes one attempt only', async () => {
    sim.fail({ type: 'status', status: 503, headers: NOW });
    const run = await send({ retries: '0' });

    failedOnce(run);
    expect(sim.requests).toHaveLength(1);
  });

  it('a Retry-After longer than 60 s fails at once, saying so', async () => {
    sim.fail({ type: 'status', status: 429, headers: { 'retry-after': '120' } });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain('HTTP 429');
    expect(error).toMatch(/120 s/);
    expect(error).toMatch(/60 s/);
    expect(sim.requests).toHaveLength(1);
  });

  it('a Retry-After HTTP date far in the future fails at once too', async () => {
    const later = new Date(Date.now() + 3_600_000).toUTCString();
    sim.fail({ type: 'status', status: 503, headers: { 'retry-after': later } });
    const run = await send();

    const error = failedOnce(run);
    expect(error).toContain('HTTP 503');
    expect(error).toMatch(/retry after/i);
    expect(sim.requests).toHaveLength(1);
  });
});

describe('fail_on_error and debug', () => {
  it('fail_on_error false turns a failure into a warning, exit 0, and sets the error output', async () => {
    sim.fail({ type: 'status', status: 400, body: { result: 'error', message: 'Nope, not this time' } });
    const run = await send({ fail_on_error: 'false' });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toContain('HTTP 400');
    expect(run.warnings[0]).toContain('Nope, not this time');
    expect(run.outputs.error).toContain('HTTP 400');
    expect(run.outputs.error).toContain('Nope, not this time');
    expect(sim.requests).toHaveLength(1);
    noStackTrace(run);
  });

  it('fail_on_error false on bad input: a warning naming the input, exit 0, no request', async () => {
    const run = await send({ fail_on_error: 'false', retries: 'many' });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toContain("Input 'retries'");
    expect(run.outputs.error).toContain("Input 'retries'");
    expect(sim.requests).toHaveLength(0);
  });

  it('leaves the error output unset on success', async () => {
    const run = await send();

    expect(run.code).toBe(0);
    expect(run.outputs.error ?? '').toBe('');
  });

  // These two through the bundle: a stack trace names the bundle's files (index.js), and stderr is the process's.
  it('with RUNNER_DEBUG a failure may show a stack trace, but only inside ::debug:: commands (bundled action)', async () => {
    sim.fail({ type: 'status', status: 400 });
    const run = await sendThroughBundle({}, { env: { RUNNER_DEBUG: '1' } });

    const error = failedOnce(run);
    expect(error).toContain('HTTP 400');
    // No raw stack line anywhere; any stack frame the action prints is within a ::debug:: line.
    for (const line of run.stdout.split('\n')) {
      if (/\bat .*(index\.js|node:)/.test(line)) expect(line.startsWith('::debug::')).toBe(true);
    }
  });

  it('without RUNNER_DEBUG a failure prints no stack trace and no debug lines (bundled action)', async () => {
    sim.fail({ type: 'status', status: 400 });
    const run = await sendThroughBundle();

    failedOnce(run);
    expect(run.stdout).not.toContain('::debug::');
    expect(run.stdout).not.toMatch(/index\.js:\d+/);
    expect(run.stderr).not.toMatch(/index\.js:\d+/);
  });
});
