/**
 * Integration: the dead letter. When sending finally fails (some recipients or parts undelivered,
 * or the topic lookup of a send-by-topic fails), the action writes what was not delivered
 * as JSON under RUNNER_TEMP (mode 0600, never a key) and names it in the `dead_letter` output;
 * when nothing failed, or nothing was to be sent, there is no file and no output.
 *
 * The harness deletes its own RUNNER_TEMP when the run returns, so each test gives the run a
 * RUNNER_TEMP of its own (env override) and reads the file after the run. The simulator runs with
 * keys full of characters that JSON and URL encoding change, so each form is a string to look for.
 *
 * In process (the action's run() on a clock that never waits: retries take no time), but for two runs
 * on the bundle (`node dist/index.js`), where the process itself matters:
 * - RUNNER_TEMP empty: the system temp folder is os.tmpdir(), which reads the process's own
 *   environment (TMPDIR), not the process.env a run in process is given; this is also the smoke test
 *   of the bundle writing a letter;
 * - RUNNER_TEMP missing: the failure to write is a warning, and no stack trace reaches stderr.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, isAbsolute, basename } from 'node:path';
import { runAction } from '../support/harness.ts';
import type { ActionRun, RunActionOptions } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { creds, sim, useSimulator, SPECIAL_KEYS, keyForms } from '../support/fixtures.ts';

const { xApiKey: X_API_KEY, apiKey: API_KEY } = SPECIAL_KEYS;

useSimulator({ xApiKey: X_API_KEY, apiKey: API_KEY });

const KEY_FORMS = keyForms(X_API_KEY, API_KEY);

const REPOSITORY = 'acme/shop';
const RUN_URL = 'https://github.com/acme/shop/actions/runs/9876543210';
const GROUP = '2101424779';
const CHAT_LINK = `https://t.me/c/${GROUP}/5400`;
const USER_LINK = `https://t.me/c/${GROUP}/5343`;

interface Undelivered {
  user_id?: number;
  topic_link?: string;
  message: string;
  part?: number;
  parts?: number;
  error: string;
}
interface DeadLetter {
  version: number;
  created_at: string;
  action: string;
  endpoint: string;
  repository?: string;
  run_url?: string;
  undelivered: Undelivered[];
}

let runnerTemp = '';

beforeEach(() => {
  runnerTemp = mkdtempSync(join(tmpdir(), 'hotline-dead-letter-'));
});
afterEach(() => {
  rmSync(runnerTemp, { recursive: true, force: true });
});

/** In process; `via` runAction for the bundle. */
const send = (
  inputs: Record<string, string> = {},
  more: Omit<RunActionOptions, 'inputs'> = {},
  via: (options: RunActionOptions) => Promise<ActionRun> = runInProcess,
): Promise<ActionRun> =>
  via({
    ...more,
    env: { RUNNER_TEMP: runnerTemp, ...more.env },
    inputs: { ...creds(), user_id: '7', message: 'Deployed v1.2.3', retries: '0', rate_limit: '6000', ...inputs },
  });

/** The files the run left in its RUNNER_TEMP. */
const tempFiles = (): string[] => readdirSync(runnerTemp);

/** The `dead_letter` output checked (an existing file directly in our RUNNER_TEMP), read and parsed. */
function readLetter(run: ActionRun): { path: string; letter: DeadLetter; text: string } {
  const path = run.outputs.dead_letter;
  expect(path, `no dead_letter output; log:\n${run.log}`).toBeTruthy();
  expect(isAbsolute(path!)).toBe(true);
  const rel = relative(runnerTemp, path!);
  expect(rel.startsWith('..') || isAbsolute(rel), `${path} is not under RUNNER_TEMP ${runnerTemp}`).toBe(false);
  expect(dirname(path!)).toBe(runnerTemp);
  expect(existsSync(path!)).toBe(true);
  const text = readFileSync(path!, 'utf8');
  const letter = JSON.parse(text) as DeadLetter;
  return { path: path!, letter, text };
}

/** No dead letter: no output, no file. */
function expectNoLetter(run: ActionRun): void {
  expect(run.outputs.dead_letter ?? '').toBe('');
  expect(tempFiles().filter((f) => f.startsWith('hotline-undelivered'))).toEqual([]);
  expect(run.log).not.toMatch(/undelivered message\(s\) kept/);
}

/**
 * Pieces of the keys that appear nowhere else: a key altered before it was redacted (a tag or
 * whitespace taken out of it, say) no longer matches any whole form, but still gives most of it away.
 */
const KEY_FRAGMENTS = ['xk_7f3a', 'quote\\back', 'slash+plus', 'sp-owner', 'ключ', 'connection-42'];

function expectNoKeys(text: string, where: string): void {
  for (const [what, form] of KEY_FORMS) expect(text.includes(form), `${what} found in ${where}`).toBe(false);
  for (const fragment of KEY_FRAGMENTS)
    expect(text.includes(fragment), `a piece of a key (${fragment}) found in ${where}`).toBe(false);
}

describe('some recipients undelivered', () => {
  it("one of three gets a 400: exit 1; the file names exactly that recipient, the message and the API's error", async () => {
    sim.failFor(8, { type: 'status', status: 400, body: { result: 'error', message: 'User 8 has blocked the bot' } });
    const started = Date.now();
    const run = await send({ user_id: '7, 8, 9', message: 'Deployed {{ github.ref_name }} to production' });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(sim.delivered.map((d) => d.user_id).sort()).toEqual([7, 9]);

    const { path, letter } = readLetter(run);
    expect(basename(path)).toMatch(/^hotline-undelivered-9876543210-[0-9a-f]{8}\.json$/);
    expect(tempFiles()).toEqual([basename(path)]);
    expect(letter.version).toBe(1);
    expect(letter.action).toBe('incoming_in_topic');
    expect(letter.endpoint).toBe(sim.url);
    expect(letter.repository).toBe(REPOSITORY);
    expect(letter.run_url).toBe(RUN_URL);
    expect(Object.keys(letter).sort()).toEqual([
      'action',
      'created_at',
      'endpoint',
      'repository',
      'run_url',
      'undelivered',
      'version',
    ]);
    // created_at: an ISO time, not before the run began (lower bound only, a second of slack for the clock).
    expect(letter.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(letter.created_at)).toBeGreaterThanOrEqual(started - 1000);

    expect(letter.undelivered).toHaveLength(1);
    const [entry] = letter.undelivered;
    expect(Object.keys(entry!).sort()).toEqual(['error', 'message', 'user_id']);
    expect(entry!.user_id).toBe(8);
    expect(entry!.message).toBe('Deployed main to production');
    // The message kept is the one that was sent (and refused).
    const sentTo8 = sim.requests.find((r) => (r.body as { user_id?: number }).user_id === 8);
    expect((sentTo8!.body as { message: string }).message).toBe(entry!.message);
    expect(entry!.error).toContain('HTTP 400');
    expect(entry!.error).toContain('User 8 has blocked the bot');

    // The log says where it is.
    expect(run.log).toContain(path);
    expect(run.log).toMatch(/1 undelivered message\(s\) kept/);
  });

  it('the file is readable by its owner only (mode 0600)', async () => {
    sim.failFor(7, { type: 'status', status: 400 });
    const run = await send();

    const { path } = readLetter(run);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('every recipient fails: all are in the file, in the order of the recipients', async () => {
    for (const id of [7, 8, 9])
      sim.failFor(id, { type: 'status', status: 422, body: { result: 'error', message: `bad ${id}` } });
    const run = await send({ user_id: '9, 7, 8' });

    expect(run.code).toBe(1);
    const { letter } = readLetter(run);
    expect(letter.undelivered.map((u) => [u.user_id, u.message])).toEqual([
      [9, 'Deployed v1.2.3'],
      [7, 'Deployed v1.2.3'],
      [8, 'Deployed v1.2.3'],
    ]);
    letter.undelivered.forEach((u) => expect(u.error).toContain(`bad ${u.user_id}`));
  });

  it('retries spent (503 every time): the recipient is in the file with the last error', async () => {
    sim.failFor(
      7,
      ...Array.from({ length: 3 }, () => ({ type: 'status' as const, status: 503, headers: { 'retry-after': '0' } })),
    );
    const run = await send({ retries: '2' });

    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(3);
    const { letter } = readLetter(run);
    expect(letter.undelivered).toEqual([expect.objectContaining({ user_id: 7, message: 'Deployed v1.2.3' })]);
    expect(letter.undelivered[0]!.error).toMatch(/\b503\b/);
  });

  it('nothing listens at the endpoint: the file holds the message and the network error', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const endpoint = `http://127.0.0.1:${port}/webhook/topic_action`;

    const run = await send({ endpoint });

    expect(run.code).toBe(1);
    const { letter } = readLetter(run);
    expect(letter.endpoint).toBe(endpoint);
    expect(letter.undelivered).toEqual([expect.objectContaining({ user_id: 7, message: 'Deployed v1.2.3' })]);
    expect(letter.undelivered[0]!.error).toMatch(/refused|ECONNREFUSED/);
  });

  it('two failing runs in the same RUNNER_TEMP: two files, neither overwrites the other', async () => {
    sim.failFor(7, { type: 'status', status: 400 }, { type: 'status', status: 400 });
    const first = await send({ message: 'first' });
    const second = await send({ message: 'second' });

    const a = readLetter(first);
    const b = readLetter(second);
    expect(a.path).not.toBe(b.path);
    expect(tempFiles().sort()).toEqual([basename(a.path), basename(b.path)].sort());
    expect(a.letter.undelivered[0]!.message).toBe('first');
    expect(b.letter.undelivered[0]!.message).toBe('second');
  });

  it('without GITHUB_REPOSITORY / GITHUB_RUN_ID: the file has no repository and no run_url', async () => {
    sim.failFor(7, { type: 'status', status: 400 });
    const run = await send({}, { env: { GITHUB_REPOSITORY: '', GITHUB_RUN_ID: '' } });

    expect(run.code).toBe(1);
    const { path, letter } = readLetter(run);
    expect(letter).not.toHaveProperty('repository');
    expect(letter).not.toHaveProperty('run_url');
    expect(basename(path)).toMatch(/^hotline-undelivered-local-[0-9a-f]{8}\.json$/);
  });
});

describe('no key in the file, whatever the server says', () => {
  const rawBody = JSON.stringify({
    action: 'incoming_in_topic',
    instance: 'x',
    api_key: API_KEY,
    user_id: 8,
    message: 'm',
  });
  const faults: Array<[string, () => void]> = [
    ['the server echoes the whole request (headers and body) back', () => sim.failFor(8, { type: 'echo' })],
    [
      'the server echoes the request as its error message (text body)',
      () => sim.failFor(8, { type: 'status', status: 400, body: `x-api-key: ${X_API_KEY}\n\n${rawBody}` }),
    ],
    [
      'the error message quotes the keys in every form',
      () =>
        sim.failFor(8, {
          type: 'status',
          status: 400,
          body: { result: 'error', message: KEY_FORMS.map(([, form]) => form).join(' | ') },
        }),
    ],
    [
      'the error message is the JSON of the request',
      () =>
        sim.failFor(8, {
          type: 'json',
          status: 422,
          body: { result: 'error', message: rawBody, api_key: API_KEY, x_api_key: X_API_KEY },
        }),
    ],
  ];

  it.each(faults)('%s', async (_name, fault) => {
    fault();
    const run = await send({ user_id: '7, 8' }, { env: { RUNNER_DEBUG: '1' } });

    expect(run.code).toBe(1);
    const { text, letter } = readLetter(run);
    expectNoKeys(text, 'the dead letter');
    expect(letter.undelivered.map((u) => u.user_id)).toEqual([8]);
    // Still one complete, parseable letter with the recipient's message.
    expect(letter.undelivered[0]!.message).toBe('Deployed v1.2.3');
    // And, the same error being shown there: not in the log, the error line or the outputs either.
    expectNoKeys(run.log, 'the log');
    expectNoKeys(run.stderr, 'stderr');
    for (const [name, value] of Object.entries(run.outputs)) expectNoKeys(value, `output ${name}`);
  });

  it('a key rendered into the message: replaced in the message sent, and in the file', async () => {
    sim.failFor(7, { type: 'status', status: 400 });
    const run = await send({ message: `oops ${API_KEY} and ${X_API_KEY}` });

    expect(run.code).toBe(1);
    const { text, letter } = readLetter(run);
    expectNoKeys(text, 'the dead letter');
    expect(letter.undelivered[0]!.message).toBe('oops *** and ***');
  });
});

describe('a split message', () => {
  const paragraphs = [
    'Release v2.0 notes.',
    'First paragraph with several words in it.',
    'Second paragraph, also long enough.',
    'Third and last paragraph of the notes.',
  ];
  const long = paragraphs.join('\n\n');

  it('part 2 fails: the file holds parts 2..n, in order, with their texts and part numbers', async () => {
    // The first request goes through (a zero delay), the second gets a 400.
    sim.failFor(
      7,
      { type: 'delay', ms: 0 },
      { type: 'status', status: 400, body: { result: 'error', message: 'Bad part' } },
    );
    const run = await send({ message: long, max_length: '60', overflow: 'split' });

    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(2);
    const part1 = sim.delivered[0]!.message;
    const part2 = (sim.requests[1]!.body as { message: string }).message;

    const { letter } = readLetter(run);
    const n = letter.undelivered[0]!.parts!;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(letter.undelivered.map((u) => [u.user_id, u.part, u.parts])).toEqual(
      Array.from({ length: n - 1 }, (_, i) => [7, i + 2, n]),
    );
    expect(letter.undelivered[0]!.message).toBe(part2);
    expect(letter.undelivered[0]!.error).toContain('Bad part');
    letter.undelivered.slice(1).forEach((u) => expect(u.error).toMatch(/not sent: part 2 failed/));
    // Each kept text is that part as it would be sent: numbered, within max_length.
    letter.undelivered.forEach((u) => {
      expect(u.message.startsWith(`(${u.part}/${n}) `)).toBe(true);
      expect(u.message.length).toBeLessThanOrEqual(60);
    });
    // Part 1 (delivered) and the kept parts are the whole message, nothing lost or repeated.
    const bodies = [part1, ...letter.undelivered.map((u) => u.message)]
      .map((p) => p.replace(/^\(\d+\/\d+\) /, ''))
      .join(' ');
    expect(bodies.replace(/\s+/g, '')).toBe(long.replace(/\s+/g, ''));
  });

  it("two recipients, only one fails on part 1: the file holds that recipient's n parts, not the other's", async () => {
    sim.failFor(8, { type: 'status', status: 400, body: { result: 'error', message: 'No such user' } });
    const run = await send({ user_id: '7, 8', message: long, max_length: '60', overflow: 'split', concurrency: '1' });

    expect(run.code).toBe(1);
    const { letter } = readLetter(run);
    const n = letter.undelivered[0]!.parts!;
    expect(sim.delivered.filter((d) => d.user_id === 7)).toHaveLength(n);
    expect(letter.undelivered.map((u) => [u.user_id, u.part])).toEqual(Array.from({ length: n }, (_, i) => [8, i + 1]));
    expect(letter.undelivered.map((u) => u.message)).toEqual(
      sim.delivered.filter((d) => d.user_id === 7).map((d) => d.message),
    );
  });
});

describe('send by topic link: the lookup fails', () => {
  it('a chat topic (5400): exit 1; the file holds the topic link and the message', async () => {
    const run = await send({ user_id: '', topic_link: CHAT_LINK, message: 'To the chat' });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(sim.delivered).toEqual([]);
    const { letter } = readLetter(run);
    expect(letter.version).toBe(1);
    expect(letter.action).toBe('incoming_in_topic');
    expect(letter.endpoint).toBe(sim.url);
    expect(letter.undelivered).toHaveLength(1);
    const [entry] = letter.undelivered;
    expect(Object.keys(entry!).sort()).toEqual(['error', 'message', 'topic_link']);
    expect(entry!.topic_link).toBe(CHAT_LINK);
    expect(entry!.message).toBe('To the chat');
    expect(entry!.error).toMatch(/chat topic/);
  });

  it('an unknown topic (404): the file holds the topic link and the message', async () => {
    const link = `https://t.me/c/${GROUP}/999999`;
    const run = await send({ user_id: '', topic_link: link, message: 'Lost' });

    expect(run.code).toBe(1);
    const { letter } = readLetter(run);
    expect(letter.undelivered).toEqual([expect.objectContaining({ topic_link: link, message: 'Lost' })]);
    expect(letter.undelivered[0]!.error).toMatch(/\b404\b/);
  });

  it("the topic's user found, then the send fails: the file holds the user (and not the topic)", async () => {
    sim.failFor(123456789, { type: 'status', status: 400, body: { result: 'error', message: 'Refused' } });
    const run = await send({ user_id: '', topic_link: USER_LINK, message: 'To Ada' });

    expect(run.code).toBe(1);
    const { letter } = readLetter(run);
    expect(letter.undelivered).toEqual([expect.objectContaining({ user_id: 123456789, message: 'To Ada' })]);
  });

  it('a split message to a chat topic: the file holds every part with its number', async () => {
    const long = ['One paragraph of words here.', 'Another paragraph of words.', 'A third paragraph of words.'].join(
      '\n\n',
    );
    const run = await send({ user_id: '', topic_link: CHAT_LINK, message: long, max_length: '40', overflow: 'split' });

    expect(run.code).toBe(1);
    const { letter } = readLetter(run);
    const n = letter.undelivered.length;
    expect(n).toBeGreaterThan(1);
    expect(letter.undelivered.map((u) => [u.topic_link, u.part, u.parts])).toEqual(
      Array.from({ length: n }, (_, i) => [CHAT_LINK, i + 1, n]),
    );
  });
});

describe('no dead letter', () => {
  it('success: no dead_letter output and no file', async () => {
    const run = await send({ user_id: '7, 8' });

    expect(run.code).toBe(0);
    expect(sim.delivered).toHaveLength(2);
    expectNoLetter(run);
  });

  it('success after a retry: none', async () => {
    sim.failFor(7, { type: 'status', status: 503, headers: { 'retry-after': '0' } });
    const run = await send({ retries: '1' });

    expect(run.code).toBe(0);
    expectNoLetter(run);
  });

  it('dry run: none', async () => {
    const run = await send({ dry_run: 'true' });

    expect(run.code).toBe(0);
    expect(sim.requests).toEqual([]);
    expectNoLetter(run);
  });

  it('an input error: none', async () => {
    const run = await send({ user_id: 'not-a-number' });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(sim.requests).toEqual([]);
    expectNoLetter(run);
  });

  it('a template that does not render: none (nothing was composed to keep)', async () => {
    const run = await send({ message: '{% if %}' });

    expect(run.code).toBe(1);
    expect(sim.requests).toEqual([]);
    expectNoLetter(run);
  });

  it('info_by_topic failing: none (nothing was to be delivered)', async () => {
    const run = await send({ action: 'info_by_topic', user_id: '', topic_link: `https://t.me/c/${GROUP}/999999` });

    expect(run.code).toBe(1);
    expectNoLetter(run);
  });
});

describe('fail_on_error and a RUNNER_TEMP that cannot take it', () => {
  it('fail_on_error false: still written, exit 0, the warning is the failure', async () => {
    sim.failFor(8, { type: 'status', status: 400, body: { result: 'error', message: 'Nope' } });
    const run = await send({ user_id: '7, 8', fail_on_error: 'false' });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.warnings.some((w) => w.includes('Nope'))).toBe(true);
    const { path, letter } = readLetter(run);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(letter.undelivered).toEqual([expect.objectContaining({ user_id: 8, message: 'Deployed v1.2.3' })]);
  });

  it('fail_on_error false, chat topic: still written, exit 0', async () => {
    const run = await send({ user_id: '', topic_link: CHAT_LINK, message: 'hi', fail_on_error: 'false' });

    expect(run.code).toBe(0);
    const { letter } = readLetter(run);
    expect(letter.undelivered).toEqual([expect.objectContaining({ topic_link: CHAT_LINK, message: 'hi' })]);
  });

  it('RUNNER_TEMP empty: the file goes to the system temp folder (TMPDIR), still named in the output', async () => {
    sim.failFor(7, { type: 'status', status: 400 });
    // On the bundle: a run in process cannot give os.tmpdir() its TMPDIR (see the header).
    const run = await send({}, { env: { RUNNER_TEMP: '', TMPDIR: runnerTemp } }, runAction);

    expect(run.code).toBe(1);
    const { letter } = readLetter(run);
    expect(letter.undelivered).toEqual([expect.objectContaining({ user_id: 7 })]);
  });

  it('RUNNER_TEMP missing: a warning that it could not be kept, the delivery error stays the one error', async () => {
    sim.failFor(7, { type: 'status', status: 400, body: { result: 'error', message: 'Nope' } });
    // On the bundle: the process's stderr is read for a stack trace.
    const run = await send({}, { env: { RUNNER_TEMP: join(runnerTemp, 'does', 'not', 'exist') } }, runAction);

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('Nope');
    expect(run.warnings.some((w) => /could not be kept/.test(w))).toBe(true);
    expect(run.outputs.dead_letter ?? '').toBe('');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
