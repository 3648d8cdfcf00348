/**
 * The command line, end to end in this process: `main()` with the arguments, an environment and the
 * two streams, against the simulator, with the keys in HOTLINE_* only. Each run gets a clean
 * environment (PATH, HOME and what the test gives): nothing of the machine running the tests, not
 * even GITHUB_ACTIONS on a CI runner, reaches it. The bundle as a process: test/cli/package.test.ts.
 *
 * The simulator's keys are full of characters that JSON and URL encoding change, so "no key printed"
 * looks for several different strings. Also here: unit tests of the GitLab/Jenkins mapping.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mapCiEnv, webRepository } from '../../src/cli/ci-env.js';
import { FLAGS } from '../../src/cli/flags.js';
import { main } from '../../src/cli/main.js';
import { keyForms, sim, SPECIAL_KEYS, useSimulator } from '../support/fixtures.ts';
import { logAsShown, obeyedCommands, ROOT, smuggledCommands } from '../support/harness.ts';
import { InstantClock } from '../support/in-process.ts';

const { xApiKey: X_API_KEY, apiKey: API_KEY } = SPECIAL_KEYS;
const KEY_FORMS = keyForms(X_API_KEY, API_KEY);
const USER_LINK = 'https://t.me/c/2101424779/5343';
const CHAT_LINK = 'https://t.me/c/2101424779/5400';

useSimulator({ xApiKey: X_API_KEY, apiKey: API_KEY });

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const keys = (): Record<string, string> => ({
  HOTLINE_X_API_KEY: sim.options.xApiKey,
  HOTLINE_INSTANCE: sim.options.instance,
  HOTLINE_API_KEY: sim.options.apiKey,
});

/**
 * Runs the command line in this process, `main()` as the bin calls it, in the test's folder; `env` is
 * its whole environment besides PATH and HOME. (The bundle itself runs in the package test.)
 */
async function cli(args: string[], env: Record<string, string> = keys()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      cwd: dir,
      clock: new InstantClock(),
    },
  );
  return { code, stdout, stderr };
}

/** `send` to the simulator, retries off, dead letters in the test's folder. */
const send = (args: string[], env?: Record<string, string>): Promise<CliRun> =>
  cli(
    ['send', '--endpoint', sim.url, '--retries', '0', '--rate-limit', '6000', '--dead-letter-dir', dir, ...args],
    env,
  );

/** stdout is exactly one JSON object (on one line). */
function json(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.split('\n').filter(Boolean);
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  const value: unknown = JSON.parse(lines[0] as string);
  expect(value).toBeTypeOf('object');
  return value as Record<string, unknown>;
}

/** No workflow command (`::name::`) anywhere: a CI runner reading the output would obey it. */
function expectNoCommands(run: CliRun): void {
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n'))
    expect(line.trimStart().startsWith('::'), line).toBe(false);
}

describe('send', () => {
  it('one user: exit 0, the message delivered, the topic link on stdout, the audit on stderr', async () => {
    const run = await send(['--user-id', '7', '--message', 'Deployed {{ vars.version }}', '--vars', 'version: 1.2.3']);

    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered.map((d) => [d.user_id, d.message])).toEqual([[7, 'Deployed 1.2.3']]);
    expect(run.stdout).toBe(`${sim.delivered[0]!.topic_link}\n`);
    expect(run.stderr).toMatch(/incoming_in_topic → user 7: attempt 1\/1: HTTP 200 in \d+ ms/);
    expect(run.stderr).toContain('│ Deployed 1.2.3');
    expect(run.stderr).not.toMatch(/error:|warning:/);
    expectNoCommands(run);
  });

  it('--json: stdout is one JSON object with the outputs, results as an array, ok and error', async () => {
    const run = await send(['--user-id', '7', '--message', 'Hello', '--json']);

    expect(run.code).toBe(0);
    const out = json(run);
    expect(out).toMatchObject({
      ok: true,
      error: null,
      message: 'Hello',
      truncated: false,
      topic_link: sim.delivered[0]!.topic_link,
    });
    expect(out.results).toEqual([
      expect.objectContaining({ user_id: 7, ok: true, topic_link: sim.delivered[0]!.topic_link, error: null }),
    ]);
    expect(run.stderr).toContain('Sent to user 7');
  });

  it('several users (commas, and --user-id repeated): each gets it once, a link per line', async () => {
    const run = await send(['--user-id', '7,8', '--user-id', '9 7', '--message', 'Hi all']);

    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered.map((d) => d.user_id).sort()).toEqual([7, 8, 9]);
    expect(run.stdout.trim().split('\n').sort()).toEqual(sim.delivered.map((d) => d.topic_link).sort());
  });

  it('--dry-run: no request, no keys needed, the rendered message on stdout', async () => {
    const run = await send(
      ['--user-id', '7', '--message', 'Would say {{ vars.a }}', '--vars', '{"a": "this"}', '--dry-run'],
      {},
    );

    expect(run.code, run.stderr).toBe(0);
    expect(sim.requests).toEqual([]);
    expect(run.stdout).toBe('Would say this\n');
    expect(run.stderr).toMatch(/Dry run: nothing was sent/);
  });

  it('--message-file is relative to the current folder; split parts arrive in order', async () => {
    writeFileSync(
      join(dir, 'notes.liquid'),
      'First paragraph of the notes.\n\nSecond paragraph of the notes.\n\nThird one.',
    );
    const run = await send([
      '--user-id',
      '7',
      '--message-file',
      'notes.liquid',
      '--max-length',
      '40',
      '--overflow',
      'split',
      '--json',
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered.map((d) => d.message.slice(0, 6))).toEqual(['(1/3) ', '(2/3) ', '(3/3) ']);
    expect((json(run).results as unknown[]).length).toBe(3);
    expect(run.stderr).toMatch(/notice: The message was \d+ characters.*split in 3/);
  });

  it('a line of the message that looks like a workflow command is shown, never given as one', async () => {
    const run = await send(['--user-id', '7', '--message', 'Title\n::error::not a command\n::add-mask::x']);

    expect(run.code).toBe(0);
    expect(sim.delivered[0]!.message).toBe('Title\n::error::not a command\n::add-mask::x');
    expect(run.stderr).toContain('│ ::error::not a command');
    expectNoCommands(run);
  });
});

describe('send: what stdout holds', () => {
  it('--dry-run with --overflow split: the numbered parts as they would be sent, a blank line between them; --json lists them', async () => {
    const text = 'First paragraph of the notes.\n\nSecond paragraph of the notes.\n\nThird one.';
    const human = await send(
      ['--user-id', '7', '--message', text, '--max-length', '40', '--overflow', 'split', '--dry-run'],
      {},
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe(
      '(1/3) First paragraph of the notes.\n\n(2/3) Second paragraph of the notes.\n\n(3/3) Third one.\n',
    );
    const machine = json(
      await send(
        ['--user-id', '7', '--message', text, '--max-length', '40', '--overflow', 'split', '--dry-run', '--json'],
        {},
      ),
    );
    expect(machine.parts).toEqual([
      '(1/3) First paragraph of the notes.',
      '(2/3) Second paragraph of the notes.',
      '(3/3) Third one.',
    ]);
    expect(machine.message).toBe(text);
    expect(sim.requests).toEqual([]);
  });
});

describe('inside a GitHub Actions step (GITHUB_ACTIONS=true): nothing the CLI prints is obeyed', () => {
  const github = (): Record<string, string> => ({ ...keys(), GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop' });
  const INJECTED = 'Crash ##[set-output name=error;]x\n\u0085::error::after NEL\n::add-mask::Crash';

  it('the message, the audit and the error: stderr fenced line by line; the keys masked', async () => {
    sim.fail({ type: 'status', status: 422, body: { message: 'no ##[add-mask]Sending' } });
    const run = await send(['--user-id', '7', '--message', INJECTED], github());
    expect(run.code).toBe(1);
    expect(smuggledCommands(run.stderr)).toEqual([]);
    expect(smuggledCommands(run.stdout)).toEqual([]);
    // Only the masks of the two keys are obeyed; everything else is shown inside fences.
    const obeyed = obeyedCommands(run.stderr).filter((c) => c.command === 'add-mask');
    expect(obeyed.map((c) => c.data)).toEqual([X_API_KEY, API_KEY]);
    expect(logAsShown(run.stderr)).toContain('│ Crash ##[set-output name=error;]x');
    expect(logAsShown(run.stderr)).toMatch(/error: Sending failed for user 7: HTTP 422: no ##\[add-mask\]Sending/);
  });

  it("stdout: a topic link as it is (a script captures it), a dry run's message fenced, --json one line never obeyed", async () => {
    const sent = await send(['--user-id', '7', '--message', INJECTED], github());
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe(`${sim.delivered[0]!.topic_link}\n`);

    const dry = await send(['--user-id', '7', '--message', INJECTED, '--dry-run'], github());
    expect(smuggledCommands(dry.stdout)).toEqual([]);
    expect(logAsShown(dry.stdout)).toContain('Crash ##[set-output name=error;]x');

    const machine = await send(['--user-id', '7', '--message', INJECTED, '--json'], github());
    expect(smuggledCommands(machine.stdout)).toEqual([]);
    expect(machine.stdout).not.toContain('##[');
    expect(json(machine).message).toBe(INJECTED);
  });

  it('outside GitHub Actions nothing is fenced: the log reads as plain lines', async () => {
    const run = await send(['--user-id', '7', '--message', 'Plain']);
    expect(run.stderr).not.toContain('::stop-commands::');
    expect(run.stderr).not.toContain('::add-mask::');
  });
});

describe('info', () => {
  it('by link: the details on stdout; --json has topic_info as an object', async () => {
    const human = await cli(['info', '--topic-link', USER_LINK, '--endpoint', sim.url]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`topic_link: ${USER_LINK}\n`);
    expect(human.stdout).toContain('user_id: 123456789\n');
    expect(human.stdout).toContain('frontend_type: private\n');
    expect(human.stderr).toMatch(/info_by_topic → topic https:\/\/t\.me\/c\/2101424779\/5343: attempt 1\/4: HTTP 200/);

    const run = await cli(['info', '--group-id', '2101424779', '--topic-id', '5343', '--endpoint', sim.url, '--json']);
    expect(run.code).toBe(0);
    const out = json(run);
    expect(out).toMatchObject({
      ok: true,
      error: null,
      topic_link: USER_LINK,
      user_id: '123456789',
      frontend_type: 'private',
      user_name: 'Ada Lovelace',
    });
    expect(out.topic_info).toMatchObject({ result: 'topic_info', topic_title: 'Ada Lovelace', user_id: 123456789 });
    expect(sim.requests.map((r) => (r.body as { action: string }).action)).toEqual(['info_by_topic', 'info_by_topic']);
  });
});

describe('exit codes', () => {
  it('bad input: exit 2, one error naming the input, no request', async () => {
    const run = await send(['--user-id', 'abc', '--message', 'x']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: Input 'user_id': expected Telegram user ids/m);
    expect(run.stderr).toContain('--user-id');
    expect(run.stdout).toBe('');
    expect(sim.requests).toEqual([]);
  });

  it('keys missing: exit 2 naming the environment variables; --json says so too', async () => {
    const run = await send(['--user-id', '7', '--message', 'x', '--json'], {});

    expect(run.code).toBe(2);
    const out = json(run);
    expect(out.ok).toBe(false);
    for (const name of ['HOTLINE_X_API_KEY', 'HOTLINE_INSTANCE', 'HOTLINE_API_KEY']) expect(out.error).toContain(name);
    expect(sim.requests).toEqual([]);
  });

  it('a template error is bad input too: exit 2', async () => {
    const run = await send(['--user-id', '7', '--message', '{% if %}']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: Template error in input 'message'/m);
    expect(sim.requests).toEqual([]);
  });

  it("an API failure: exit 1, the API's words, the dead letter named", async () => {
    sim.failFor(7, { type: 'status', status: 400, body: { result: 'error', message: 'User 7 has blocked the bot' } });
    const folder = join(dir, 'artifacts', 'undelivered');
    const run = await cli([
      'send',
      '--endpoint',
      sim.url,
      '--retries',
      '0',
      '--user-id',
      '7',
      '--message',
      'x',
      '--json',
      '--dead-letter-dir',
      folder,
    ]);

    expect(run.code).toBe(1);
    const out = json(run);
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/HTTP 400.*User 7 has blocked the bot/);
    // --dead-letter-dir is made when missing (a CI job keeps it as an artifact).
    expect(String(out.dead_letter).startsWith(folder)).toBe(true);
    expect(existsSync(String(out.dead_letter))).toBe(true);
    expect(run.stderr).toMatch(/^error: Sending failed for user 7/m);
    expect(run.stderr).toContain(`hotline-topics resend ${String(out.dead_letter)}`);
  });

  it('--no-fail-on-error: exit 0, a warning; --json ok false with the error', async () => {
    sim.failFor(7, { type: 'status', status: 400 });
    const run = await send(['--user-id', '7', '--message', 'x', '--no-fail-on-error', '--json']);

    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ ok: false, error: expect.stringContaining('HTTP 400') });
    expect(run.stderr).toMatch(/^warning: .*fail_on_error is false/m);
  });

  it.each([
    [
      'an unknown flag',
      ['send', '--user-id', '7', '--mesage', 'x'],
      /unknown flag --mesage \(did you mean --message\?\)/,
    ],
    ['a key as a flag', ['send', '--api-key', 'k'], /keys come from the environment only/],
    ['a flag of another command', ['info', '--message', 'x'], /--message is not a flag of info/],
    ['a flag without its value', ['send', '--user-id'], /--user-id needs a value/],
    ['an unknown command', ['post'], /unknown command 'post'/],
    ['no command', [], /a command is required/],
    ['resend without its file', ['resend'], /resend needs the dead-letter file/],
    ['no message outside GitHub Actions', ['send', '--user-id', '7'], /--message or --message-file is required/],
  ])('%s: exit 2, an error and where the help is, no request', async (_name, args, message) => {
    const run = await cli(args);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toContain("Run 'hotline-topics help");
    expect(run.stdout).toBe('');
    expect(sim.requests).toEqual([]);
  });

  it("in GitHub Actions, no --message sends the event's default message", async () => {
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ inputs: {} }));
    const env = {
      ...keys(),
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '42',
      GITHUB_SHA: 'abcdef1234567',
    };
    const run = await send(['--user-id', '7'], env);

    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered[0]!.message).toContain('acme/shop');
  });
});

describe('--topics-from and --notify', () => {
  const inGitHub = (name: string, payload: unknown, more: Record<string, string> = {}): Record<string, string> => {
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify(payload));
    return {
      ...keys(),
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: name,
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '42',
      GITHUB_SHA: 'abcdef1234567',
      ...more,
    };
  };
  const issue = (body: string) => ({
    action: 'opened',
    issue: {
      number: 12,
      title: 'Export fails',
      html_url: 'https://github.com/acme/shop/issues/12',
      state: 'open',
      body,
    },
  });

  it('--topics-from issue: each topic linked from the issue gets a message addressed to its user', async () => {
    const run = await send(['--topics-from', 'issue'], inGitHub('issues', issue(`Customer: ${USER_LINK}`)));

    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered.map((d) => d.user_id)).toEqual([123456789]);
    expect(sim.delivered[0]!.message).toMatch(
      /^Hi Ada, .*#12 "Export fails".*\nhttps:\/\/github\.com\/acme\/shop\/issues\/12$/s,
    );
    expect(run.stdout).toBe(`${USER_LINK}\n`);
  });

  it('--topics-from issue with no link: exit 0, the notice, nothing sent, nothing on stdout', async () => {
    const run = await send(['--topics-from', 'issue', '--json'], inGitHub('issues', issue('no link here')));

    expect(run.code, run.stderr).toBe(0);
    expect(sim.requests).toHaveLength(0);
    expect(logAsShown(run.stderr)).toContain('No topic to tell: issue #12 links no topic.');
    expect(json(run)).toMatchObject({ ok: true, results: [] });
  });

  it('--notify failure with --status success: nothing sent, exit 0, the reason on stderr', async () => {
    const run = await send(['--user-id', '7', '--message', 'x', '--notify', 'failure', '--status', 'success']);

    expect(run.code, run.stderr).toBe(0);
    expect(sim.requests).toHaveLength(0);
    expect(run.stderr).toContain("notify is failure and the job's status is success: nothing was sent");
  });

  it('outside GitHub Actions, --topics-from and --notify change are usage errors (exit 2, no request)', async () => {
    const one = await send(['--topics-from', 'fixed_issues', '--message', 'x']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain(
      "error: --topics-from works in GitHub Actions only: it reads the workflow's event and the GitHub API",
    );
    const both = await send(['--topics-from', 'issue', '--notify', 'change', '--status', 'success', '--message', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error: --topics-from and --notify change work in GitHub Actions only: they read');
    expect(sim.requests).toHaveLength(0);
  });

  it('--topics-from fixed_issues without GITHUB_TOKEN: exit 2 naming github_token and the variable', async () => {
    const run = await send(['--topics-from', 'fixed_issues'], inGitHub('push', { after: 'abc', commits: [] }));

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Input 'github_token': required with topics_from fixed_issues");
    expect(run.stderr).toContain('GITHUB_TOKEN environment variable');
    expect(sim.requests).toHaveLength(0);
  });
});

describe('help and version', () => {
  it('--help: every command, every flag, the environment, the exit codes, examples', async () => {
    const run = await cli(['--help'], {});

    expect(run.code).toBe(0);
    for (const command of ['send', 'info', 'resend']) expect(run.stdout).toContain(`hotline-topics ${command}`);
    for (const flag of FLAGS) expect(run.stdout).toContain(`--${flag.name}`);
    for (const name of ['HOTLINE_X_API_KEY', 'HOTLINE_INSTANCE', 'HOTLINE_API_KEY', 'HTTPS_PROXY', 'RUNNER_TEMP'])
      expect(run.stdout).toContain(name);
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 .*\n(.*\n)* {2}1 .*\n(.*\n)* {2}2 /);
    expect(run.stdout).toContain('Default: 4096');
    expect(run.stdout).toContain('npx @hotline-crm/topics send');
    expect(run.stdout).not.toMatch(/npx hotline-topics/);
    expect(run.stdout).toMatch(/ps and in shell history/);
  });

  it("help <command>: that command's flags only; -h after a command too", async () => {
    const info = await cli(['help', 'info'], {});
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('--topic-link');
    expect(info.stdout).not.toContain('--message');
    expect(info.stdout).toContain('Exit codes:');

    const send = await cli(['send', '-h'], {});
    expect(send.code).toBe(0);
    expect(send.stdout).toContain('--max-length <n>');
  });

  it("--version: the package's version", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await cli(['--version'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${pkg.version}\n`);
  });
});

describe('resend', () => {
  /** A failing send of the CLI itself, and the dead letter it wrote. */
  async function failedSend(
    args: string[],
  ): Promise<{ path: string; letter: { version: number; undelivered: Array<Record<string, unknown>> } }> {
    const run = await send([...args, '--json']);
    expect(run.code, run.stderr).toBe(1);
    const path = String(json(run).dead_letter);
    return { path, letter: JSON.parse(readFileSync(path, 'utf8')) };
  }

  it('the letter of a failed send: the same text delivered, unrendered even with {{ }} in it', async () => {
    sim.failFor(8, { type: 'status', status: 503 });
    // The rendered text holds a template of its own (from vars: data, never rendered).
    const { path, letter } = await failedSend([
      '--user-id',
      '7,8',
      '--message',
      'Literal {{ vars.raw }} end',
      '--vars',
      'raw: "{{ github.sha }} {% if %}"',
    ]);
    expect(letter.undelivered).toEqual([
      expect.objectContaining({ user_id: 8, message: 'Literal {{ github.sha }} {% if %} end' }),
    ]);
    sim.reset();

    const run = await cli(['resend', path, '--endpoint', sim.url]);

    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered.map((d) => [d.user_id, d.message])).toEqual([[8, 'Literal {{ github.sha }} {% if %} end']]);
    expect(run.stdout).toBe(`sent    user 8: ${sim.delivered[0]!.topic_link}\n`);
    expect(run.stderr).toContain('All 1 message(s) delivered.');
  });

  it("split parts in order, a topic's user looked up; what fails again goes to a new letter", async () => {
    const path = join(dir, 'letter.json');
    const entry = (fields: Record<string, unknown>) => ({ error: 'HTTP 503', ...fields });
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        created_at: '2025-01-01T00:00:00Z',
        action: 'incoming_in_topic',
        endpoint: 'https://elsewhere.example/webhook',
        repository: 'acme/shop',
        undelivered: [
          entry({ user_id: 7, message: '(2/3) two', part: 2, parts: 3 }),
          entry({ topic_link: USER_LINK, message: 'to Ada' }),
          entry({ user_id: 9, message: 'refused again' }),
          entry({ user_id: 7, message: '(3/3) three', part: 3, parts: 3 }),
          entry({ topic_link: CHAT_LINK, message: 'to a chat' }),
        ],
      }),
    );
    sim.failFor(9, { type: 'status', status: 400, body: { result: 'error', message: 'Still blocked' } });

    const run = await cli([
      'resend',
      path,
      '--endpoint',
      sim.url,
      '--retries',
      '0',
      '--rate-limit',
      '6000',
      '--dead-letter-dir',
      dir,
      '--json',
    ]);

    expect(run.code).toBe(1);
    expect(sim.delivered.filter((d) => d.user_id === 7).map((d) => d.message)).toEqual(['(2/3) two', '(3/3) three']);
    expect(sim.delivered.find((d) => d.user_id === 123456789)?.message).toBe('to Ada');
    const out = json(run);
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/Resending failed for 2 of 5 message\(s\)/);
    expect((out.results as Array<Record<string, unknown>>).map((r) => [r.user_id, r.ok, r.part ?? null])).toEqual([
      [7, true, 2],
      [123456789, true, null],
      [9, false, null],
      [7, true, 3],
      [null, false, null],
    ]);
    expect(run.stderr).toMatch(/notice: The letter was written for https:\/\/elsewhere\.example\/webhook/);

    const again = JSON.parse(readFileSync(String(out.dead_letter), 'utf8')) as {
      version: number;
      repository: string;
      endpoint: string;
      undelivered: unknown[];
    };
    expect(again).toMatchObject({ version: 1, repository: 'acme/shop', endpoint: sim.url });
    expect(again.undelivered).toEqual([
      { user_id: 9, message: 'refused again', error: expect.stringContaining('Still blocked') },
      { topic_link: CHAT_LINK, message: 'to a chat', error: expect.stringContaining('chat topic') },
    ]);
  });

  it('--dry-run: each message shown, nothing sent, no keys needed', async () => {
    const path = join(dir, 'letter.json');
    writeFileSync(
      path,
      JSON.stringify({ version: 1, undelivered: [{ user_id: 7, message: 'kept {{ x }}', error: 'e' }] }),
    );
    const run = await cli(['resend', path, '--dry-run'], {});

    expect(run.code, run.stderr).toBe(0);
    expect(sim.requests).toEqual([]);
    expect(run.stdout).toBe('would send  user 7\n');
    expect(run.stderr).toContain('│ kept {{ x }}');
  });

  it.each([
    ['not JSON', '{"version": 1,', /is not a dead-letter file: it is not JSON/],
    [
      'another version',
      JSON.stringify({ version: 2, undelivered: [] }),
      /is a dead letter of version 2; .* reads version 1/,
    ],
    ['no version', JSON.stringify({ undelivered: [] }), /version: expected version 1/],
    [
      'no recipient',
      JSON.stringify({ version: 1, undelivered: [{ message: 'x', error: '' }] }),
      /undelivered\[0\]: expected either user_id or topic_link/,
    ],
    [
      'a user id as text',
      JSON.stringify({ version: 1, undelivered: [{ user_id: '7', message: 'x' }] }),
      /undelivered\[0\]\.user_id: /,
    ],
    [
      'an empty message',
      JSON.stringify({ version: 1, undelivered: [{ user_id: 7, message: '' }] }),
      /undelivered\[0\]\.message: expected the text to send/,
    ],
    [
      'not a topic link',
      JSON.stringify({ version: 1, undelivered: [{ topic_link: 'https://example.com/x', message: 'x' }] }),
      /undelivered\[0\]\.topic_link: expected a topic link/,
    ],
    ['an array', '[]', /is not a dead-letter file: it has no "undelivered" list/],
    [
      'a package.json',
      JSON.stringify({ name: 'shop', version: '1.0.0' }),
      /'.*letter\.json' is not a dead-letter file: it has no "undelivered" list \(send and resend write one when delivery finally fails\)/,
    ],
  ])('a malformed letter (%s): exit 2, one clear error, no request', async (_name, text, message) => {
    const path = join(dir, 'letter.json');
    writeFileSync(path, text);
    const run = await cli(['resend', path, '--endpoint', sim.url]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: /);
    expect(sim.requests).toEqual([]);
  });

  it('a missing file: exit 2', async () => {
    const run = await cli(['resend', join(dir, 'nope.json'), '--endpoint', sim.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot be read \(no such file\)/);
  });
});

describe('keys', () => {
  it('never printed: the server echoes the request (headers and body), with --debug', async () => {
    sim.fail({ type: 'echo', status: 400 });
    const run = await send(['--user-id', '7', '--message', 'x', '--debug', '--json']);

    expect(run.code).toBe(1);
    expect(sim.requests[0]!.headers['x-api-key']).toBe(X_API_KEY);
    const letter = readFileSync(String(json(run).dead_letter), 'utf8');
    for (const [where, text] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
      ['the dead letter', letter],
    ]) {
      for (const [what, form] of KEY_FORMS) expect(text!.includes(form), `${what} in ${where}`).toBe(false);
    }
    expect(run.stderr).not.toContain('add-mask');
    expect(run.stderr).toMatch(/^error: Sending failed for user 7: HTTP 400/m);
    expectNoCommands(run);
  });

  it('never printed: the server quotes the keys, in every form, in its error', async () => {
    sim.fail({
      type: 'status',
      status: 400,
      body: { result: 'error', message: KEY_FORMS.map(([, form]) => form).join(' | ') },
    });
    const run = await send(['--user-id', '7', '--message', 'x', '--debug', '--json']);

    expect(run.code).toBe(1);
    const out = json(run);
    const letter = readFileSync(String(out.dead_letter), 'utf8');
    for (const [where, text] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
      ['the dead letter', letter],
    ]) {
      for (const [what, form] of KEY_FORMS) expect(text!.includes(form), `${what} in ${where}`).toBe(false);
    }
    expect(out.error).toContain('***');
  });

  it('resend: never printed either', async () => {
    const path = join(dir, 'letter.json');
    writeFileSync(path, JSON.stringify({ version: 1, undelivered: [{ user_id: 7, message: 'x', error: 'e' }] }));
    sim.fail({ type: 'echo', status: 400 });
    const run = await cli([
      'resend',
      path,
      '--endpoint',
      sim.url,
      '--retries',
      '0',
      '--dead-letter-dir',
      dir,
      '--debug',
    ]);

    expect(run.code).toBe(1);
    for (const [what, form] of KEY_FORMS) expect(`${run.stdout}${run.stderr}`.includes(form), what).toBe(false);
  });
});

describe('other CI systems shape the message', () => {
  const message = [
    '--message',
    '{{ github.repository }} {{ github.ref_name }} {{ short_sha }} {{ run_url }} {{ commit_url }}',
  ];

  it('GitLab CI', async () => {
    const run = await send(['--user-id', '7', ...message], {
      ...keys(),
      GITLAB_CI: 'true',
      CI_PROJECT_PATH: 'acme/shop',
      CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
      CI_SERVER_URL: 'https://gitlab.example.com',
      CI_COMMIT_SHA: '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2',
      CI_COMMIT_REF_NAME: 'main',
      CI_PIPELINE_ID: '4242',
      CI_PIPELINE_URL: 'https://gitlab.example.com/acme/shop/-/pipelines/4242',
    });

    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered[0]!.message).toBe(
      'acme/shop main 8f3c2a1 https://gitlab.example.com/acme/shop/-/pipelines/4242 https://gitlab.example.com/acme/shop/-/commit/8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2',
    );
  });

  it("Jenkins; a failed send's dead letter links the Jenkins build", async () => {
    sim.failFor(7, { type: 'status', status: 400 });
    const run = await send(['--user-id', '7', ...message, '--json'], {
      ...keys(),
      JENKINS_URL: 'https://ci.example.com/',
      JOB_NAME: 'shop/main',
      BUILD_NUMBER: '57',
      BUILD_ID: '57',
      BUILD_URL: 'https://ci.example.com/job/shop/job/main/57/',
      GIT_COMMIT: '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2',
      GIT_BRANCH: 'origin/main',
      GIT_URL: 'https://github.com/acme/shop.git',
    });

    expect(run.code).toBe(1);
    expect((sim.requests[0]!.body as { message: string }).message).toBe(
      'acme/shop main 8f3c2a1 https://ci.example.com/job/shop/job/main/57/ https://github.com/acme/shop/commit/8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2',
    );
    const letter = JSON.parse(readFileSync(String(json(run).dead_letter), 'utf8')) as {
      repository: string;
      run_url: string;
    };
    expect(letter).toMatchObject({ repository: 'acme/shop', run_url: 'https://ci.example.com/job/shop/job/main/57/' });
  });
});

describe('mapCiEnv (unit)', () => {
  it("GitLab: the GitHub names, GitLab's links, the job status in the action's words", () => {
    const { ci, env, links, status } = mapCiEnv({
      GITLAB_CI: 'true',
      CI_PROJECT_PATH: 'group/sub/shop',
      CI_PROJECT_NAMESPACE: 'group/sub',
      CI_PROJECT_NAME: 'shop',
      CI_PROJECT_URL: 'https://gitlab.com/group/sub/shop',
      CI_SERVER_URL: 'https://gitlab.com',
      CI_COMMIT_SHA: 'abc123',
      CI_COMMIT_REF_NAME: 'v1.2.0',
      CI_COMMIT_TAG: 'v1.2.0',
      GITLAB_USER_LOGIN: 'ada',
      CI_PIPELINE_ID: '100',
      CI_PIPELINE_IID: '7',
      CI_JOB_NAME: 'deploy',
      CI_PIPELINE_SOURCE: 'push',
      CI_PIPELINE_URL: 'https://gitlab.com/group/sub/shop/-/pipelines/100',
      CI_JOB_STATUS: 'failed',
    });
    expect(ci).toBe('gitlab');
    expect(env).toMatchObject({
      GITHUB_REPOSITORY: 'group/sub/shop',
      GITHUB_REPOSITORY_OWNER: 'group/sub',
      GITHUB_SHA: 'abc123',
      GITHUB_REF: 'refs/tags/v1.2.0',
      GITHUB_REF_NAME: 'v1.2.0',
      GITHUB_REF_TYPE: 'tag',
      GITHUB_ACTOR: 'ada',
      GITHUB_RUN_ID: '100',
      GITHUB_RUN_NUMBER: '7',
      GITHUB_JOB: 'deploy',
      GITHUB_WORKFLOW: 'shop',
      GITHUB_SERVER_URL: 'https://gitlab.com',
      GITHUB_EVENT_NAME: 'push',
    });
    expect(links).toEqual({
      run_url: 'https://gitlab.com/group/sub/shop/-/pipelines/100',
      commit_url: 'https://gitlab.com/group/sub/shop/-/commit/abc123',
      repository_url: 'https://gitlab.com/group/sub/shop',
    });
    expect(status).toBe('failure');
  });

  it("GitLab: a branch pipeline, CI_PIPELINE_NAME first, a merge request's refs", () => {
    const { env } = mapCiEnv({
      GITLAB_CI: 'true',
      CI_COMMIT_REF_NAME: 'feature',
      CI_PIPELINE_NAME: 'Nightly',
      CI_PROJECT_NAME: 'shop',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_MERGE_REQUEST_REF_PATH: 'refs/merge-requests/3/head',
    });
    expect(env).toMatchObject({
      GITHUB_REF_TYPE: 'branch',
      GITHUB_WORKFLOW: 'Nightly',
      GITHUB_HEAD_REF: 'feature',
      GITHUB_BASE_REF: 'main',
      GITHUB_REF: 'refs/merge-requests/3/head',
    });
  });

  it('Jenkins: GIT_BRANCH without origin/, BUILD_URL, a pull request from CHANGE_*', () => {
    const { ci, env, links } = mapCiEnv({
      JENKINS_URL: 'https://ci.example.com/',
      JOB_NAME: 'shop/PR-12',
      BUILD_NUMBER: '3',
      BUILD_ID: '3',
      GIT_COMMIT: 'abc123',
      GIT_BRANCH: 'origin/feature/x',
      GIT_URL: 'git@gitlab.example.com:acme/shop.git',
      BUILD_URL: 'https://ci.example.com/job/shop/job/PR-12/3/',
      CHANGE_ID: '12',
      CHANGE_BRANCH: 'feature/x',
      CHANGE_TARGET: 'main',
      CHANGE_AUTHOR: 'ada',
    });
    expect(ci).toBe('jenkins');
    expect(env).toMatchObject({
      GITHUB_WORKFLOW: 'shop/PR-12',
      GITHUB_RUN_NUMBER: '3',
      GITHUB_RUN_ID: '3',
      GITHUB_SHA: 'abc123',
      GITHUB_REF_NAME: 'feature/x',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SERVER_URL: 'https://gitlab.example.com',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_HEAD_REF: 'feature/x',
      GITHUB_BASE_REF: 'main',
      GITHUB_ACTOR: 'ada',
    });
    expect(links).toEqual({
      run_url: 'https://ci.example.com/job/shop/job/PR-12/3/',
      commit_url: 'https://gitlab.example.com/acme/shop/commit/abc123',
      repository_url: 'https://gitlab.example.com/acme/shop',
    });
  });

  it('Jenkins without GIT_URL: no repository, no commit link (never a github.com guess)', () => {
    const { env, links } = mapCiEnv({
      JENKINS_URL: 'https://ci/',
      GIT_COMMIT: 'abc',
      BUILD_URL: 'https://ci/job/x/1/',
    });
    expect(env.GITHUB_REPOSITORY).toBeUndefined();
    expect(env.GITHUB_SERVER_URL).toBeUndefined();
    expect(links).toEqual({ run_url: 'https://ci/job/x/1/' });
  });

  it('a GITHUB_* variable already set wins; the input is not changed', () => {
    const input = {
      GITLAB_CI: 'true',
      CI_PROJECT_PATH: 'acme/shop',
      GITHUB_REPOSITORY: 'mine/own',
      CI_COMMIT_SHA: 'abc',
    };
    const { env } = mapCiEnv(input);
    expect(env.GITHUB_REPOSITORY).toBe('mine/own');
    expect(env.GITHUB_SHA).toBe('abc');
    expect(input).toEqual({
      GITLAB_CI: 'true',
      CI_PROJECT_PATH: 'acme/shop',
      GITHUB_REPOSITORY: 'mine/own',
      CI_COMMIT_SHA: 'abc',
    });
  });

  it('GitHub Actions, or no CI at all: nothing mapped, no links', () => {
    const github = mapCiEnv({ GITHUB_ACTIONS: 'true', GITLAB_CI: 'true', CI_PROJECT_PATH: 'x/y' });
    expect(github).toEqual({
      ci: 'github',
      env: { GITHUB_ACTIONS: 'true', GITLAB_CI: 'true', CI_PROJECT_PATH: 'x/y' },
      links: {},
    });
    expect(mapCiEnv({ HOME: '/home/me' })).toEqual({ ci: undefined, env: { HOME: '/home/me' }, links: {} });
  });

  it('webRepository: the web side of a remote, credentials dropped', () => {
    expect(webRepository('https://user:token@github.com/acme/shop.git')).toEqual({
      server: 'https://github.com',
      path: 'acme/shop',
    });
    expect(webRepository('git@bitbucket.org:acme/shop.git')).toEqual({
      server: 'https://bitbucket.org',
      path: 'acme/shop',
    });
    expect(webRepository('ssh://git@git.example.com:2222/group/sub/shop.git')).toEqual({
      server: 'https://git.example.com',
      path: 'group/sub/shop',
    });
    expect(webRepository('http://gitea.local:3000/acme/shop')).toEqual({
      server: 'http://gitea.local:3000',
      path: 'acme/shop',
    });
    expect(webRepository('/srv/git/shop.git')).toBeUndefined();
    expect(webRepository('file:///srv/git/acme/shop.git')).toBeUndefined();
    expect(webRepository(undefined)).toBeUndefined();
  });
});
