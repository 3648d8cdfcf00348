/**
 * Integration: x_api_key and api_key never leak, whatever the server sends back. The simulator
 * runs with keys full of characters that JSON and URL encoding change, so each encoded form is a
 * different string to look for. Every run has RUNNER_DEBUG on (the most talkative mode).
 *
 * Looked for in: run.log (stdout without the ::add-mask:: lines, which only the runner reads),
 * stderr, every output value and the job summary; and in what was sent as the message.
 *
 * In process (the action's run() on a clock that never waits: retries take no time), where stderr is
 * always empty; one run on the bundle (`node dist/index.js`), the echo in a 400, so the sweep also
 * reads a real process's stderr.
 */
import { describe, it, expect } from 'vitest';
import { runAction } from '../support/harness.ts';
import type { ActionRun, RunActionOptions } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { sim, useSimulator, creds, SPECIAL_KEYS, keyForms } from '../support/fixtures.ts';

const { xApiKey: X_API_KEY, apiKey: API_KEY } = SPECIAL_KEYS;

useSimulator({ xApiKey: X_API_KEY, apiKey: API_KEY });

const DEBUG = { RUNNER_DEBUG: '1' };

const envCreds = (): Record<string, string> => ({
  HOTLINE_X_API_KEY: sim.options.xApiKey,
  HOTLINE_INSTANCE: sim.options.instance,
  HOTLINE_API_KEY: sim.options.apiKey,
});

/** In process; `via` runAction for the bundle. */
const send = (
  inputs: Record<string, string> = {},
  more: Omit<RunActionOptions, 'inputs'> = {},
  via: (options: RunActionOptions) => Promise<ActionRun> = runInProcess,
): Promise<ActionRun> =>
  via({
    ...more,
    env: { ...DEBUG, ...more.env },
    inputs: { ...creds(), user_id: '7', message: 'Secret test', ...inputs },
  });

const KEY_FORMS = keyForms(X_API_KEY, API_KEY);

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** No form of either key anywhere a person or a later step can read. */
function expectNoKeys(run: ActionRun): void {
  const places: Array<[string, string]> = [
    ['log', run.log],
    ['stderr', run.stderr],
    ['summary', run.summary],
    ...Object.entries(run.outputs).map(([name, value]): [string, string] => [`output ${name}`, value]),
  ];
  for (const [where, text] of places) {
    for (const [what, form] of KEY_FORMS) {
      expect(text.includes(form), `${what} found in ${where}`).toBe(false);
    }
  }
  // The runner must be told to mask both keys.
  expect(run.stdout).toContain(`::add-mask::${escapeData(X_API_KEY)}`);
  expect(run.stdout).toContain(`::add-mask::${escapeData(API_KEY)}`);
  // The ::add-mask:: lines are the only ones that hold a key.
  for (const line of run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'))) {
    expect([`::add-mask::${escapeData(X_API_KEY)}`, `::add-mask::${escapeData(API_KEY)}`]).toContain(line);
  }
}

function expectNoKeysInSent(): void {
  for (const d of sim.delivered) {
    for (const [what, form] of KEY_FORMS) expect(d.message.includes(form), `${what} in the sent message`).toBe(false);
  }
}

describe('keys never leak', () => {
  it('the keys with special characters work: the simulator accepts them (baseline)', async () => {
    const run = await send();

    expect(run.code).toBe(0);
    expect(sim.delivered).toHaveLength(1);
    expect(sim.requests[0]!.headers['x-api-key']).toBe(X_API_KEY);
    expect((sim.requests[0]!.body as { api_key: string }).api_key).toBe(API_KEY);
    expectNoKeys(run);
  });

  it('an echo of the request (headers and body) in a 400 leaks no key', async () => {
    sim.fail({ type: 'echo', status: 400 });
    // On the bundle: the smoke test, whose stderr is a real process's.
    const run = await send({}, {}, runAction);

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('HTTP 400');
    expect(sim.requests).toHaveLength(1);
    expectNoKeys(run);
  });

  it('echoes of the request in retried 500s leak no key, in the audit lines or the final error', async () => {
    sim.fail({ type: 'echo', status: 500 }, { type: 'echo', status: 500 });
    const run = await send({ retries: '1' });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('HTTP 500');
    expect(sim.requests).toHaveLength(2);
    expectNoKeys(run);
  });

  it('an echo of the request then success leaks no key and delivers', async () => {
    sim.fail({ type: 'echo', status: 500 });
    const run = await send({ retries: '1' });

    expect(run.code).toBe(0);
    expect(sim.delivered).toHaveLength(1);
    expectNoKeys(run);
  });

  it('an error body with no message field, holding the whole request, leaks no key', async () => {
    // No `message`: the action shows the body itself, where the keys are JSON-escaped (twice for the raw body).
    sim.fail({
      type: 'status',
      status: 422,
      body: {
        request: {
          headers: { 'x-api-key': X_API_KEY },
          body: JSON.stringify({ instance: sim.options.instance, api_key: API_KEY }),
        },
      },
    });
    const run = await send();

    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('HTTP 422');
    expectNoKeys(run);
  });

  it('a 403 whose message quotes the api_key plainly, JSON-escaped and URL-encoded leaks none of them', async () => {
    const key = API_KEY;
    sim.fail({
      type: 'status',
      status: 403,
      body: { message: `bad key ${key} / ${JSON.stringify(key)} / ${encodeURIComponent(key)} / owner ${X_API_KEY}` },
    });
    const run = await send();

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('HTTP 403');
    expect(run.errors[0]).toContain('bad key');
    expectNoKeys(run);
  });

  it('a plain-text error body with the keys JSON-escaped and URL-encoded leaks none of them', async () => {
    const text =
      `denied: ${JSON.stringify(API_KEY)} ${encodeURIComponent(API_KEY)} ` +
      `${JSON.stringify(X_API_KEY)} ${encodeURIComponent(X_API_KEY)} (not json)`;
    sim.fail({ type: 'status', status: 401, body: text });
    const run = await send();

    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('HTTP 401');
    expect(run.errors[0]).toContain('denied');
    expectNoKeys(run);
  });

  it('a 200 result "error" quoting the keys leaks none of them', async () => {
    sim.fail({ type: 'result-error', message: `rejected ${API_KEY} for ${X_API_KEY}` });
    const run = await send();

    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('rejected');
    expectNoKeys(run);
  });

  it('a redirect whose Location carries the key URL-encoded leaks it nowhere', async () => {
    sim.fail({
      type: 'redirect',
      status: 307,
      location: `https://evil.example.com/steal?k=${encodeURIComponent(API_KEY)}&x=${encodeURIComponent(X_API_KEY)}`,
    });
    const run = await send();

    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/redirect/i);
    expect(sim.requests).toHaveLength(1);
    expectNoKeys(run);
  });

  it('fail_on_error false: the warning and the error output hold no key', async () => {
    sim.fail({ type: 'status', status: 400, body: { message: `bad ${API_KEY} ${X_API_KEY}` } });
    const run = await send({ fail_on_error: 'false' });

    expect(run.code).toBe(0);
    expect(run.warnings).toHaveLength(1);
    expect(run.outputs.error).toContain('HTTP 400');
    expectNoKeys(run);
  });

  it('keys from the environment are masked too, and an echo leaks none', async () => {
    sim.fail({ type: 'echo', status: 400 });
    const run = await runInProcess({
      env: { ...DEBUG, ...envCreds() },
      inputs: { endpoint: sim.url, user_id: '7', message: 'Secret test' },
    });

    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(1);
    expectNoKeys(run);
  });

  it('a template rendering {{ env.HOTLINE_API_KEY }} sends no key, and a warning says so', async () => {
    const run = await runInProcess({
      env: { ...DEBUG, ...envCreds() },
      inputs: {
        endpoint: sim.url,
        user_id: '7',
        message: 'api_key=[{{ env.HOTLINE_API_KEY }}] x_api_key=[{{ env.HOTLINE_X_API_KEY }}]',
      },
    });

    expect(run.code).toBe(0);
    expect(sim.delivered).toHaveLength(1);
    expectNoKeysInSent();
    expectNoKeys(run);
    expect(run.warnings.some((w) => /key/i.test(w))).toBe(true);
  });

  it('GitHub tokens, github_token and GITHUB_TOKEN in env, are never sent either', async () => {
    const input = 'ghs_inputToken0123456789abcdefABCDEF';
    const fromEnv = 'github_pat_envToken0123456789abcdefABCDEF';
    const run = await runInProcess({
      env: { ...envCreds(), GITHUB_TOKEN: fromEnv },
      inputs: {
        endpoint: sim.url,
        user_id: '7',
        github_token: input,
        message: 'env=[{{ env.GITHUB_TOKEN }}] input=[{{ vars.t }}]',
        vars: `t: ${input}`,
      },
    });

    expect(run.code).toBe(0);
    expect(sim.delivered.map((d) => d.message)).toEqual(['env=[***] input=[***]']);
    for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
      expect(text).not.toContain(input);
      expect(text).not.toContain(fromEnv);
    }
    expect(run.warnings.some((w) => /contained a key/.test(w))).toBe(true);
  });

  it('a template that assembles a key from pieces of env sends it redacted, with a warning', async () => {
    const cut = 10;
    const run = await runInProcess({
      env: { ...DEBUG, ...envCreds(), PART_A: API_KEY.slice(0, cut), PART_B: API_KEY.slice(cut) },
      inputs: { endpoint: sim.url, user_id: '7', message: 'joined=[{{ env.PART_A }}{{ env.PART_B }}]' },
    });

    expect(run.code).toBe(0);
    expect(sim.delivered).toHaveLength(1);
    expect(sim.delivered[0]!.message).toContain('joined=[');
    expectNoKeysInSent();
    expectNoKeys(run);
    expect(run.warnings.some((w) => /key/i.test(w))).toBe(true);
  });

  it('an event payload carrying a key is sent redacted, with a warning', async () => {
    const run = await runInProcess({
      env: DEBUG,
      event: { name: 'issues', payload: { issue: { title: `leaked ${X_API_KEY} here`, number: 1 } } },
      inputs: { ...creds(), user_id: '7', message: 'Issue: {{ github.event.issue.title }}' },
    });

    expect(run.code).toBe(0);
    expect(sim.delivered).toHaveLength(1);
    expect(sim.delivered[0]!.message).toContain('leaked');
    expectNoKeysInSent();
    expectNoKeys(run);
    expect(run.warnings.some((w) => /key/i.test(w))).toBe(true);
  });

  it('a dry run with a key in the message logs and outputs it redacted', async () => {
    const run = await runInProcess({
      env: DEBUG,
      inputs: { ...creds(), user_id: '7', dry_run: 'true', message: `oops ${API_KEY}` },
    });

    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(0);
    expect(run.outputs.message).toContain('oops');
    expectNoKeys(run);
  });
});
