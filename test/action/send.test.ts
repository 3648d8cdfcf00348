/**
 * Integration: the action sending to the loopback Topics API simulator. Happy paths: outputs,
 * request shape, summary, audit log, several recipients, credentials from env, truncation,
 * templates from files, dry run.
 *
 * In process (the action's own `run()`, test/support/in-process.ts), except three runs through the
 * bundled action (`node dist/index.js`, as the runner runs it): the first send, which proves the
 * bundle and that the process writes nothing to stderr, and the two refused includes of a file,
 * whose checks that no stack trace is printed are about the process itself (an uncaught error, a
 * warning of Node's), which only a process of its own shows.
 */
import { describe, it, expect } from 'vitest';
import { runAction } from '../support/harness.ts';
import type { ActionRun } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { sim, useSimulator, creds } from '../support/fixtures.ts';
import type { RecipientResult as Result } from '../../src/delivery/results.js';

useSimulator();

const resultsOf = (run: ActionRun): Result[] => JSON.parse(run.outputs.results ?? 'null') as Result[];

/** The seeded private topic of the simulator: user 123456789 → https://t.me/c/2101424779/5343. */
const SEED_USER = 123456789;
const SEED_LINK = 'https://t.me/c/2101424779/5343';
const SEED_CHAT_ID = -1002101424779;
const SEED_THREAD = 5343;

const noStackTrace = (run: ActionRun): void => {
  expect(run.stdout).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/^\s+at /m);
};

describe('sending a message', () => {
  it('sends one incoming_in_topic request and sets every output, the summary and an audit line', async () => {
    const run = await runAction({
      inputs: { ...creds(), user_id: String(SEED_USER), message: 'Deployed {{ github.ref_name }} ({{ short_sha }})' },
    });
    const text = 'Deployed main (8f3c2a1)';

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.stderr).toBe('');

    expect(run.outputs.topic_link).toBe(SEED_LINK);
    expect(run.outputs.chat_id).toBe(String(SEED_CHAT_ID));
    expect(run.outputs.thread_id).toBe(String(SEED_THREAD));
    expect(run.outputs.message).toBe(text);
    expect(run.outputs.truncated).toBe('false');
    expect(run.outputs.error).toBeUndefined();
    expect(resultsOf(run)).toEqual([
      {
        user_id: SEED_USER,
        ok: true,
        topic_link: SEED_LINK,
        chat_id: SEED_CHAT_ID,
        thread_id: SEED_THREAD,
        error: null,
      },
    ]);

    expect(sim.requests).toHaveLength(1);
    const req = sim.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/webhook/topic_action');
    expect(req.headers['x-api-key']).toBe(sim.options.xApiKey);
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.body).toEqual({
      action: 'incoming_in_topic',
      instance: sim.options.instance,
      api_key: sim.options.apiKey,
      user_id: SEED_USER,
      message: text,
    });
    const body = req.body as Record<string, unknown>;
    expect(typeof body.user_id).toBe('number');
    expect(req.rawBody).toContain(`"user_id":${SEED_USER}`);
    expect(sim.delivered.map((d) => [d.user_id, d.message])).toEqual([[SEED_USER, text]]);

    expect(run.summary).toContain(SEED_LINK);
    expect(run.summary).toContain(text);

    const audit = run.log.split('\n').filter((l) => l.includes('attempt'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toContain('incoming_in_topic');
    expect(audit[0]).toContain(String(SEED_USER));
    expect(audit[0]).toContain('attempt 1/4');
    expect(audit[0]).toContain('HTTP 200');
    expect(audit[0]).toMatch(/\d+ ?ms/);
  });

  it('sends to several ids in order, once each, and reports one result per recipient', async () => {
    const run = await runInProcess({ inputs: { ...creds(), user_id: '1, 2\n3 2', message: 'Hello' } });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.requests.map((r) => (r.body as { user_id: unknown }).user_id)).toEqual([1, 2, 3]);
    expect(sim.delivered.map((d) => d.user_id)).toEqual([1, 2, 3]);
    expect(sim.delivered.every((d) => d.message === 'Hello')).toBe(true);

    const results = resultsOf(run);
    expect(results).toHaveLength(3);
    expect(results.map((r) => r.user_id)).toEqual([1, 2, 3]);
    for (const [i, r] of results.entries()) {
      const d = sim.delivered[i]!;
      expect(r).toEqual({
        user_id: d.user_id,
        ok: true,
        topic_link: d.topic_link,
        chat_id: SEED_CHAT_ID,
        thread_id: d.thread_id,
        error: null,
      });
    }
    // The single-valued outputs name the first recipient.
    expect(run.outputs.topic_link).toBe(sim.delivered[0]!.topic_link);
    expect(run.outputs.thread_id).toBe(String(sim.delivered[0]!.thread_id));
    for (const d of sim.delivered) expect(run.summary).toContain(d.topic_link);

    const audit = run.log.split('\n').filter((l) => l.includes('attempt 1/4'));
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatch(/user 1\b/);
    expect(audit[1]).toMatch(/user 2\b/);
    expect(audit[2]).toMatch(/user 3\b/);
  });

  it('takes the keys and instance from HOTLINE_* environment variables when the inputs are absent', async () => {
    const run = await runInProcess({
      inputs: { endpoint: sim.url, user_id: String(SEED_USER), message: 'From env' },
      env: {
        HOTLINE_X_API_KEY: sim.options.xApiKey,
        HOTLINE_INSTANCE: sim.options.instance,
        HOTLINE_API_KEY: sim.options.apiKey,
      },
    });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]!.headers['x-api-key']).toBe(sim.options.xApiKey);
    expect(sim.requests[0]!.body).toMatchObject({ instance: sim.options.instance, api_key: sim.options.apiKey });
    expect(sim.delivered).toHaveLength(1);
    expect(run.outputs.topic_link).toBe(SEED_LINK);
    // Keys from the environment are secrets too.
    expect(run.stdout).toContain(`::add-mask::${sim.options.xApiKey}`);
    expect(run.stdout).toContain(`::add-mask::${sim.options.apiKey}`);
  });

  it('cuts a message longer than max_length, ends it with …, and sets truncated', async () => {
    const original = 'The quick brown fox jumps over the lazy dog and keeps running far away';
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: original, max_length: '20' } });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    const sent = run.outputs.message ?? '';
    expect(sent.length).toBeLessThanOrEqual(20);
    expect(sent.endsWith('…')).toBe(true);
    expect(original.startsWith(sent.slice(0, -1))).toBe(true);
    expect(sent.length).toBeGreaterThan(1);
    expect(run.outputs.truncated).toBe('true');
    expect(sim.delivered).toHaveLength(1);
    expect(sim.delivered[0]!.message).toBe(sent);
    expect(sim.delivered[0]!.message.length).toBeLessThanOrEqual(20);
  });

  it('cuts a message longer than Telegram allows to at most 4096 code units by default, and the API accepts it', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: '{% for i in (1..1000) %}line {{ i }}\n{% endfor %}' },
    });

    expect(run.code).toBe(0);
    expect(run.outputs.truncated).toBe('true');
    expect(sim.delivered).toHaveLength(1);
    const sent = sim.delivered[0]!.message;
    expect(sent.length).toBeLessThanOrEqual(4096);
    expect(sent.endsWith('…')).toBe(true);
    expect(sent.startsWith('line 1\nline 2\n')).toBe(true);
    expect(run.outputs.message).toBe(sent);
  });

  it('cuts at a character boundary: no emoji is split into a lone surrogate', async () => {
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: '👍'.repeat(10), max_length: '6' } });

    expect(run.code).toBe(0);
    expect(run.outputs.truncated).toBe('true');
    const sent = sim.delivered[0]!.message;
    expect(sent.length).toBeLessThanOrEqual(6);
    expect(sent).toBe('👍👍…');
    expect(sent).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('does not cut a message that fits, and leaves truncated false', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: 'exactly twenty chars', max_length: '20' },
    });

    expect(run.code).toBe(0);
    expect(run.outputs.truncated).toBe('false');
    expect(sim.delivered[0]!.message).toBe('exactly twenty chars');
  });

  it('makes the status input available to the template as {{ status }}', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        user_id: '7',
        status: 'failure',
        message: 'Job {{ status }}{% if status == "failure" %} ❌{% endif %}',
      },
    });

    expect(run.code).toBe(0);
    expect(sim.delivered.map((d) => d.message)).toEqual(['Job failure ❌']);
    expect(run.outputs.message).toBe('Job failure ❌');
  });

  it('renders a template from message_file in the workspace', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message_file: '.github/hotline/deploy.liquid' },
      files: { '.github/hotline/deploy.liquid': 'Deployed {{ github.repository }} by {{ github.actor }}\n' },
    });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.delivered).toHaveLength(1);
    expect(sim.delivered[0]!.message).toMatch(/^Deployed acme\/shop by octocat\s*$/);
  });

  it('lets a message_file include a sibling file from its own folder', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message_file: 'templates/main.liquid' },
      files: {
        'templates/main.liquid': 'Head {% include "footer.liquid" %}',
        'templates/footer.liquid': 'Footer {{ github.ref_name }}',
      },
    });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(sim.delivered.map((d) => d.message)).toEqual(['Head Footer main']);
  });

  it('refuses an include of a file outside the template folder, reads nothing and sends nothing', async () => {
    const run = await runAction({
      inputs: { ...creds(), user_id: '7', message_file: 'templates/main.liquid' },
      files: {
        'templates/main.liquid': 'Leak: {% include "../secret.txt" %}',
        'secret.txt': 'TOP-SECRET-FILE-CONTENT',
      },
    });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('message_file');
    expect(run.errors[0]).toContain('../secret.txt');
    expect(sim.requests).toHaveLength(0);
    expect(run.stdout).not.toContain('TOP-SECRET-FILE-CONTENT');
    expect(Object.values(run.outputs).join('\n')).not.toContain('TOP-SECRET-FILE-CONTENT');
    noStackTrace(run);
  });

  it('refuses an include from an inline message (no file is read), and sends nothing', async () => {
    const run = await runAction({
      inputs: { ...creds(), user_id: '7', message: 'Leak: {% include "footer.liquid" %}' },
      files: { 'footer.liquid': 'WORKSPACE-FILE-CONTENT' },
    });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/input 'message'/i);
    expect(run.errors[0]).toContain('footer.liquid');
    expect(sim.requests).toHaveLength(0);
    expect(run.stdout).not.toContain('WORKSPACE-FILE-CONTENT');
    noStackTrace(run);
  });

  it('refuses an include of an absolute path from an inline message', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: 'Leak: {% include "/etc/passwd" %}' },
    });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(sim.requests).toHaveLength(0);
    expect(run.stdout).not.toMatch(/root:.*:0:0:/);
  });

  it('dry run without keys renders the message, sets outputs, sends nothing and says so', async () => {
    const run = await runInProcess({
      inputs: { endpoint: sim.url, user_id: '7', message: 'Hi {{ github.actor }}', dry_run: 'true' },
    });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.outputs.message).toBe('Hi octocat');
    expect(run.outputs.truncated).toBe('false');
    expect(JSON.parse(run.outputs.results ?? 'null')).toEqual([]);
    expect(run.outputs.topic_link).toBe('');
    expect(sim.requests).toHaveLength(0);
    expect(run.log).toMatch(/dry run/i);
    expect(run.log).toContain('Hi octocat');
    expect(run.summary).toContain('Hi octocat');
  });

  it('dry run applies max_length too', async () => {
    const run = await runInProcess({
      inputs: { user_id: '7', message: 'A rather long message for a tiny limit', dry_run: 'true', max_length: '10' },
    });

    expect(run.code).toBe(0);
    expect(run.outputs.truncated).toBe('true');
    expect((run.outputs.message ?? '').length).toBeLessThanOrEqual(10);
    expect(run.outputs.message?.endsWith('…')).toBe(true);
    expect(sim.requests).toHaveLength(0);
  });

  it('accepts http://localhost as a loopback endpoint', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        endpoint: `http://localhost:${sim.port}/webhook/topic_action`,
        user_id: '7',
        message: 'via localhost',
      },
    });

    expect(run.code).toBe(0);
    expect(sim.delivered.map((d) => d.message)).toEqual(['via localhost']);
  });
});
