/**
 * Integration: bad input is refused by the action before any request: exit 1, one ::error:: line
 * naming the input and the form it expects, no stack trace, and nothing reaching the simulator.
 *
 * In process (the action's own `run()`, test/support/in-process.ts), where what the action writes
 * is checked for a stack trace. Two refusals run through the bundled action (`node dist/index.js`)
 * instead, one of the inputs (several bad at once) and one of a template (a syntax error in a
 * message_file): they prove the bundle refuses too, and that the process itself (an uncaught error,
 * a warning of Node's) writes nothing to its stderr, which only a process of its own shows.
 */
import { describe, it, expect } from 'vitest';
import { runAction } from '../support/harness.ts';
import type { ActionRun } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { sim, useSimulator } from '../support/fixtures.ts';

useSimulator();

/** A complete, valid set of inputs; each case changes or removes some. */
const valid = (): Record<string, string> => ({
  x_api_key: sim.options.xApiKey,
  instance: sim.options.instance,
  api_key: sim.options.apiKey,
  endpoint: sim.url,
  user_id: '7',
  message: 'Hello {{ github.actor }}',
});

function without(inputs: Record<string, string>, ...names: string[]): Record<string, string> {
  const copy = { ...inputs };
  for (const name of names) delete copy[name];
  return copy;
}

/** Exit 1, one ::error:: line, no request, no stack trace; returns the error line. */
function refused(run: ActionRun): string {
  expect(run.code).toBe(1);
  expect(run.errors).toHaveLength(1);
  expect(sim.requests).toHaveLength(0);
  expect(run.stdout).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).not.toMatch(/index\.js:\d+/);
  expect(run.stderr).toBe('');
  return run.errors[0]!;
}

interface BadInputCase {
  title: string;
  inputs: (base: Record<string, string>) => Record<string, string>;
  files?: Record<string, string>;
  input: string;
  form: RegExp;
}

const cases: BadInputCase[] = [
  {
    title: 'missing x_api_key',
    inputs: (b) => without(b, 'x_api_key'),
    input: 'x_api_key',
    form: /required.*HOTLINE_X_API_KEY/,
  },
  {
    title: 'missing instance',
    inputs: (b) => without(b, 'instance'),
    input: 'instance',
    form: /required.*HOTLINE_INSTANCE/,
  },
  {
    title: 'missing api_key',
    inputs: (b) => without(b, 'api_key'),
    input: 'api_key',
    form: /required.*HOTLINE_API_KEY/,
  },
  {
    title: "non-numeric user_id '12a'",
    inputs: (b) => ({ ...b, user_id: '12a' }),
    input: 'user_id',
    form: /user ids.*'12a'/,
  },
  {
    title: "negative user_id '-5'",
    inputs: (b) => ({ ...b, user_id: '-5' }),
    input: 'user_id',
    form: /positive whole numbers/,
  },
  {
    title: 'one bad id among good ones',
    inputs: (b) => ({ ...b, user_id: '1, 2, x3' }),
    input: 'user_id',
    form: /'x3'/,
  },
  { title: 'missing user_id', inputs: (b) => without(b, 'user_id'), input: 'user_id', form: /required/ },
  { title: 'blank user_id', inputs: (b) => ({ ...b, user_id: ' , \n ' }), input: 'user_id', form: /required/ },
  {
    title: 'both message and message_file',
    inputs: (b) => ({ ...b, message_file: 'm.liquid' }),
    files: { 'm.liquid': 'From file' },
    input: 'message',
    form: /not both/,
  },
  {
    title: 'message_file that does not exist',
    inputs: (b) => ({ ...without(b, 'message'), message_file: 'templates/nope.liquid' }),
    input: 'message_file',
    form: /no such file/,
  },
  {
    title: 'message_file that is a folder',
    inputs: (b) => ({ ...without(b, 'message'), message_file: 'templates' }),
    files: { 'templates/a.liquid': 'x' },
    input: 'message_file',
    form: /folder/,
  },
  {
    title: 'http endpoint on a non-loopback host',
    inputs: (b) => ({ ...b, endpoint: 'http://example.com/hook' }),
    input: 'endpoint',
    form: /https:\/\//,
  },
  {
    title: 'endpoint that is not a URL',
    inputs: (b) => ({ ...b, endpoint: 'not a url' }),
    input: 'endpoint',
    form: /https:\/\//,
  },
  {
    title: 'endpoint with user:password',
    inputs: (b) => ({ ...b, endpoint: 'https://user:pass@example.com/hook' }),
    input: 'endpoint',
    form: /without user:password/,
  },
  { title: "timeout '0'", inputs: (b) => ({ ...b, timeout: '0' }), input: 'timeout', form: /seconds.*above 0/ },
  { title: "timeout 'abc'", inputs: (b) => ({ ...b, timeout: 'abc' }), input: 'timeout', form: /seconds.*'abc'/ },
  { title: "retries '-1'", inputs: (b) => ({ ...b, retries: '-1' }), input: 'retries', form: /0 to 10/ },
  { title: "retries '11'", inputs: (b) => ({ ...b, retries: '11' }), input: 'retries', form: /0 to 10.*'11'/ },
  { title: "retries 'x'", inputs: (b) => ({ ...b, retries: 'x' }), input: 'retries', form: /0 to 10.*'x'/ },
  { title: "max_length '0'", inputs: (b) => ({ ...b, max_length: '0' }), input: 'max_length', form: /1 to 4096/ },
  {
    title: "max_length '5000'",
    inputs: (b) => ({ ...b, max_length: '5000' }),
    input: 'max_length',
    form: /1 to 4096.*'5000'/,
  },
  {
    title: "status 'done'",
    inputs: (b) => ({ ...b, status: 'done' }),
    input: 'status',
    form: /success, failure, cancelled, skipped.*'done'/,
  },
  { title: "dry_run 'yes'", inputs: (b) => ({ ...b, dry_run: 'yes' }), input: 'dry_run', form: /true or false.*'yes'/ },
  {
    title: "fail_on_error 'yes'",
    inputs: (b) => ({ ...b, fail_on_error: 'yes' }),
    input: 'fail_on_error',
    form: /true or false.*'yes'/,
  },
  {
    title: 'a template that renders an empty message',
    inputs: (b) => ({ ...b, message: '{{ github.event.nothing }}  ' }),
    input: 'message',
    form: /empty/,
  },
];

describe('bad input is refused before any request', () => {
  it.each(cases)('$title → exit 1, one error naming the input, no request', async ({ inputs, files, input, form }) => {
    const run = await runInProcess({ inputs: inputs(valid()), files });

    const error = refused(run);
    expect(error).toContain(`Input '${input}'`);
    expect(error).toMatch(form);
    expect(run.outputs.error).toBe(error);
  });

  it.each([
    ['a non-Latin-1 character', 'ключ-owner-token'],
    ['a line break', 'owner-token\nsecond-line'],
  ])('an x_api_key with %s (not valid in an HTTP header) is refused naming the input', async (_what, key) => {
    // retries 0 only keeps the test short: the key is as invalid on the first attempt as on the last.
    const run = await runInProcess({ inputs: { ...valid(), x_api_key: key, retries: '0' } });

    const error = refused(run);
    expect(error).toContain("Input 'x_api_key'");
  });

  it('a template syntax error is refused naming the input, line and column', async () => {
    const run = await runInProcess({ inputs: { ...valid(), message: '{% if %}' } });

    const error = refused(run);
    expect(error).toMatch(/input 'message'/i);
    expect(error).toContain('line:1');
    expect(error).toMatch(/col:\d+/);
  });

  it('a template syntax error on a later line names that line', async () => {
    const run = await runInProcess({ inputs: { ...valid(), message: 'one\ntwo\n{% for %}' } });

    const error = refused(run);
    expect(error).toMatch(/input 'message'/i);
    expect(error).toContain('line:3');
  });

  it('an unknown filter is refused naming the input and the filter', async () => {
    const run = await runInProcess({ inputs: { ...valid(), message: '{{ x | nope }}' } });

    const error = refused(run);
    expect(error).toMatch(/input 'message'/i);
    expect(error).toContain('nope');
    expect(error).toContain('line:1');
  });

  it('a syntax error in a message_file names the file', async () => {
    const run = await runAction({
      inputs: { ...without(valid(), 'message'), message_file: 'broken.liquid' },
      files: { 'broken.liquid': 'ok\n{% if %}' },
    });

    const error = refused(run);
    expect(error).toContain('broken.liquid');
    expect(error).toContain('line:2');
  });

  it('a template that would exhaust memory is stopped with a clear error naming the input', async () => {
    const run = await runInProcess({
      inputs: {
        ...valid(),
        message:
          '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
      },
    });

    const error = refused(run);
    expect(error).toMatch(/input 'message'/i);
    expect(error).toMatch(/limit/i);
  });

  it('several bad inputs are reported together in one error line', async () => {
    const run = await runAction({ inputs: { ...valid(), timeout: '0', retries: 'x', max_length: '5000' } });

    const error = refused(run);
    expect(error).toContain("Input 'timeout'");
    expect(error).toContain("Input 'retries'");
    expect(error).toContain("Input 'max_length'");
  });

  it('a missing key is refused without echoing the other keys', async () => {
    const run = await runInProcess({ inputs: without(valid(), 'instance') });

    const error = refused(run);
    expect(error).toContain("Input 'instance'");
    expect(run.log).not.toContain(sim.options.xApiKey);
    expect(run.log).not.toContain(sim.options.apiKey);
  });
});

describe('edge values that are valid', () => {
  it.each([
    ['retries', '0'],
    ['retries', '10'],
    ['max_length', '1'],
    ['max_length', '4096'],
    ['timeout', '0.5'],
    ['timeout', '600'],
    ['status', 'Success'],
    ['status', 'cancelled'],
    ['dry_run', 'false'],
    ['fail_on_error', 'false'],
  ])('%s %j is accepted and the message is sent', async (name, value) => {
    const run = await runInProcess({ inputs: { ...valid(), [name]: value } });

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(1);
    expect(sim.delivered).toHaveLength(1);
  });

  it('user_id with surrounding whitespace and a trailing comma is accepted', async () => {
    const run = await runInProcess({ inputs: { ...valid(), user_id: '  7,\n' } });

    expect(run.code).toBe(0);
    expect(sim.requests.map((r) => (r.body as { user_id: unknown }).user_id)).toEqual([7]);
  });
});
