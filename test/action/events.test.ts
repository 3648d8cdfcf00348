/**
 * Integration: templates over real webhook payloads (@octokit/webhooks-examples) and the derived
 * context, run against the simulator. Event content is data: it must arrive literally, never be
 * rendered as a template itself.
 *
 * In process (the action's own `run()`, test/support/in-process.ts), with the runner's environment
 * and event file as the bundle gets them; the issues (opened) event runs through the bundled action
 * (`node dist/index.js`), so the bundle is proven to read the event file too.
 */
import { describe, it, expect } from 'vitest';
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { runAction } from '../support/harness.ts';
import type { ActionRun } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { sim, useSimulator, creds } from '../support/fixtures.ts';

useSimulator();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Payload = Record<string, any>;
const definitions = examples as unknown as Array<{ name: string; examples: Payload[] }>;

function payloadOf(name: string, pick: (p: Payload) => boolean): Payload {
  const found = definitions.find((d) => d.name === name)?.examples.find(pick);
  if (!found) throw new Error(`no ${name} example matches`);
  return structuredClone(found);
}

/** The one message the simulator accepted in this run. */
function sentMessage(run: ActionRun): string {
  expect(run.code).toBe(0);
  expect(run.errors).toEqual([]);
  expect(sim.delivered).toHaveLength(1);
  expect(run.outputs.message).toBe(sim.delivered[0]!.message);
  return sim.delivered[0]!.message;
}

const SHA = '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2';

describe('templates over webhook events', () => {
  it('renders an issues (opened) event: title, number and author from the payload', async () => {
    const payload = payloadOf('issues', (p) => p.action === 'opened');
    const run = await runAction({
      event: { name: 'issues', payload },
      inputs: {
        ...creds(),
        user_id: '7',
        message:
          '{{ github.event.issue.title }} #{{ github.event.issue.number }} by {{ github.event.issue.user.login }}',
      },
    });

    const issue = payload.issue as { title: string; number: number; user: { login: string } };
    expect(issue.title.length).toBeGreaterThan(0);
    expect(sentMessage(run)).toBe(`${issue.title} #${issue.number} by ${issue.user.login}`);
  });

  it('renders a push event: head commit message and number of commits', async () => {
    const payload = payloadOf(
      'push',
      (p) => p.head_commit !== null && Array.isArray(p.commits) && p.commits.length > 0,
    );
    const run = await runInProcess({
      event: { name: 'push', payload },
      inputs: {
        ...creds(),
        user_id: '7',
        message:
          '{{ github.event.head_commit.message }} / {{ github.event.commits.size }} commit(s) by {{ github.event.pusher.name }}',
      },
    });

    const headCommit = payload.head_commit as { message: string };
    const commits = payload.commits as unknown[];
    const pusher = payload.pusher as { name: string };
    expect(sentMessage(run)).toBe(`${headCommit.message} / ${commits.length} commit(s) by ${pusher.name}`);
  });

  it('renders a pull_request event: number, title and head branch', async () => {
    const payload = payloadOf('pull_request', (p) => p.action === 'opened');
    const run = await runInProcess({
      event: { name: 'pull_request', payload },
      inputs: {
        ...creds(),
        user_id: '7',
        message:
          'PR #{{ github.event.pull_request.number }} {{ github.event.pull_request.title }} ({{ github.event.pull_request.head.ref }}) on {{ github.event_name }}',
      },
    });

    const pr = payload.pull_request as { number: number; title: string; head: { ref: string } };
    expect(sentMessage(run)).toBe(`PR #${pr.number} ${pr.title} (${pr.head.ref}) on pull_request`);
  });

  it('sends an issue title holding {{ github.sha }} and {% raw %} literally: event content is never rendered', async () => {
    const payload = payloadOf('issues', (p) => p.action === 'opened');
    const title =
      'Pwn {{ github.sha }} {% raw %}{{ x }}{% endraw %} {% if true %}yes{% endif %} {{ env.HOTLINE_API_KEY }}';
    (payload.issue as { title: string }).title = title;
    const run = await runInProcess({
      event: { name: 'issues', payload },
      inputs: { ...creds(), user_id: '7', message: 'Issue: {{ github.event.issue.title }}' },
    });

    const sent = sentMessage(run);
    expect(sent).toBe(`Issue: ${title}`);
    expect(sent).not.toContain(SHA);
    expect(sent).toContain('{% if true %}yes{% endif %}');
  });

  it('sends a {% raw %} block in event content literally, even when unbalanced', async () => {
    const payload = payloadOf('issues', (p) => p.action === 'opened');
    const body = '{% raw %} unterminated {{ github.actor }} {% endraw';
    (payload.issue as { body: string }).body = body;
    const run = await runInProcess({
      event: { name: 'issues', payload },
      inputs: { ...creds(), user_id: '7', message: '{{ github.event.issue.body }}' },
    });

    expect(sentMessage(run)).toBe(body);
  });

  it('event content that looks like workflow commands is not obeyed by the runner: no annotation, no mask', async () => {
    const payload = payloadOf('issues', (p) => p.action === 'opened');
    const title = 'Fix login\n::error::injected by the issue author\n::warning::also injected\n::add-mask::octocat';
    (payload.issue as { title: string }).title = title;
    const run = await runInProcess({
      event: { name: 'issues', payload },
      inputs: { ...creds(), user_id: '7', message: '{{ github.event.issue.title }}' },
    });

    expect(sentMessage(run)).toBe(title);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([]);
    // Only the two keys are registered as secrets.
    expect(run.masks).toEqual([sim.options.xApiKey, sim.options.apiKey]);
  });

  it('gives run_url, commit_url, repository_url, short_sha, github.ref_name and runner.os from the runner environment', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        user_id: '7',
        message:
          '{{ run_url }}|{{ commit_url }}|{{ repository_url }}|{{ short_sha }}|{{ github.ref_name }}|{{ runner.os }}',
      },
    });

    expect(sentMessage(run)).toBe(
      [
        'https://github.com/acme/shop/actions/runs/9876543210',
        `https://github.com/acme/shop/commit/${SHA}`,
        'https://github.com/acme/shop',
        '8f3c2a1',
        'main',
        'Linux',
      ].join('|'),
    );
  });

  it('derives the links from the environment it is given (GHES server, tag ref, macOS runner)', async () => {
    const run = await runInProcess({
      env: {
        GITHUB_SERVER_URL: 'https://ghe.example.com',
        GITHUB_REPOSITORY: 'team/app',
        GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01',
        GITHUB_RUN_ID: '42',
        GITHUB_REF: 'refs/tags/v1.2.3',
        GITHUB_REF_NAME: 'v1.2.3',
        GITHUB_REF_TYPE: 'tag',
        RUNNER_OS: 'macOS',
        RUNNER_ARCH: 'ARM64',
      },
      inputs: {
        ...creds(),
        user_id: '7',
        message:
          '{{ run_url }}|{{ commit_url }}|{{ repository_url }}|{{ short_sha }}|{{ github.ref_name }}|{{ github.ref_type }}|{{ runner.os }}|{{ runner.arch }}',
      },
    });

    expect(sentMessage(run)).toBe(
      [
        'https://ghe.example.com/team/app/actions/runs/42',
        'https://ghe.example.com/team/app/commit/abcdef0123456789abcdef0123456789abcdef01',
        'https://ghe.example.com/team/app',
        'abcdef0',
        'v1.2.3',
        'tag',
        'macOS',
        'ARM64',
      ].join('|'),
    );
  });

  it('exposes the github context under the workflow names', async () => {
    const run = await runInProcess({
      event: { name: 'workflow_dispatch', payload: { inputs: { target: 'prod' } } },
      inputs: {
        ...creds(),
        user_id: '7',
        message:
          '{{ github.event_name }} {{ github.repository }} {{ github.repository_owner }} {{ github.actor }} {{ github.triggering_actor }} ' +
          '{{ github.workflow }} {{ github.job }} {{ github.run_id }} {{ github.run_number }} {{ github.run_attempt }} ' +
          '{{ github.ref }} {{ github.server_url }} {{ github.api_url }} {{ github.event.inputs.target }}',
      },
    });

    expect(sentMessage(run)).toBe(
      'workflow_dispatch acme/shop acme octocat octocat Deploy deploy 9876543210 57 1 refs/heads/main https://github.com https://api.github.com prod',
    );
  });

  it('renders a missing event field as empty, as GitHub expressions do', async () => {
    const run = await runInProcess({
      event: { name: 'push', payload: {} },
      inputs: { ...creds(), user_id: '7', message: 'before[{{ github.event.head_commit.message }}]after' },
    });

    expect(sentMessage(run)).toBe('before[]after');
  });

  it('an event file that is not a JSON object gives a warning and an empty github.event, and still sends', async () => {
    const run = await runInProcess({
      event: { name: 'push', payload: ['not', 'an', 'object'] },
      inputs: { ...creds(), user_id: '7', message: 'event=[{{ github.event.ref }}] by {{ github.actor }}' },
    });

    // The event file's warning, then the template's: the field it prints is not there.
    expect(run.warnings).toEqual([
      expect.stringMatching(/^Templates see an empty github\.event: the event file .* does not hold a JSON object\.$/),
      "Template warning in input 'message': line 1, col 8: {{ github.event.ref }} printed nothing: github.event has no field 'ref'",
    ]);
    expect(sentMessage(run)).toBe('event=[] by octocat');
  });

  it('does not let templates see the action inputs through env', async () => {
    const run = await runInProcess({
      env: { DEPLOY_TARGET: 'staging' },
      inputs: {
        ...creds(),
        user_id: '7',
        message: '[{{ env.DEPLOY_TARGET }}][{{ env.INPUT_USER_ID }}][{{ env.INPUT_INSTANCE }}]',
      },
    });

    expect(sentMessage(run)).toBe('[staging][][]');
  });
});
