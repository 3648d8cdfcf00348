import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContext, readEvent } from '../../../src/message/context.js';
import { renderMessage } from '../../../src/message/template.js';

let dir: string;
const path = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'unit-context-'));
  writeFileSync(
    path('push.json'),
    JSON.stringify({
      ref: 'refs/heads/main',
      head_commit: { message: 'Fix {{ secret }}' },
      pusher: { name: 'octocat' },
    }),
  );
  writeFileSync(path('broken.json'), '{"ref": ');
  writeFileSync(path('array.json'), '[1, 2]');
  writeFileSync(path('null.json'), 'null');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What the runner sets for a step. */
const runnerEnv = (): Record<string, string> => ({
  GITHUB_EVENT_NAME: 'push',
  GITHUB_EVENT_PATH: path('push.json'),
  GITHUB_SHA: '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_REF_TYPE: 'branch',
  GITHUB_HEAD_REF: '',
  GITHUB_BASE_REF: '',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_REPOSITORY_ID: '123',
  GITHUB_REPOSITORY_OWNER: 'acme',
  GITHUB_REPOSITORY_OWNER_ID: '456',
  GITHUB_ACTOR: 'octocat',
  GITHUB_ACTOR_ID: '1',
  GITHUB_TRIGGERING_ACTOR: 'hubot',
  GITHUB_WORKFLOW: 'Deploy',
  GITHUB_WORKFLOW_REF: 'acme/shop/.github/workflows/deploy.yml@refs/heads/main',
  GITHUB_JOB: 'deploy',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_NUMBER: '57',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
  RUNNER_OS: 'Linux',
  RUNNER_ARCH: 'X64',
  RUNNER_NAME: 'GitHub Actions 2',
  RUNNER_ENVIRONMENT: 'github-hosted',
  RUNNER_TEMP: '/home/runner/work/_temp',
});

/** The `github` names CONTRACT.md promises to templates. */
const CONTRACT_GITHUB_NAMES = [
  'event_name',
  'event',
  'sha',
  'ref',
  'ref_name',
  'ref_type',
  'head_ref',
  'base_ref',
  'repository',
  'repository_owner',
  'actor',
  'triggering_actor',
  'workflow',
  'job',
  'run_id',
  'run_number',
  'run_attempt',
  'server_url',
  'api_url',
];

describe('buildContext: github', () => {
  it('has every name CONTRACT.md lists, from the runner environment', () => {
    const { context, eventProblem } = buildContext(runnerEnv());
    expect(eventProblem).toBeUndefined();
    for (const name of CONTRACT_GITHUB_NAMES) expect(context.github, name).toHaveProperty(name);
    expect(context.github).toMatchObject({
      event_name: 'push',
      sha: '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2',
      ref: 'refs/heads/main',
      ref_name: 'main',
      ref_type: 'branch',
      head_ref: '',
      base_ref: '',
      repository: 'acme/shop',
      repository_owner: 'acme',
      actor: 'octocat',
      triggering_actor: 'hubot',
      workflow: 'Deploy',
      job: 'deploy',
      run_id: '9876543210',
      run_number: '57',
      run_attempt: '1',
      server_url: 'https://github.com',
      api_url: 'https://api.github.com',
    });
    expect(context.github.event).toEqual({
      ref: 'refs/heads/main',
      head_commit: { message: 'Fix {{ secret }}' },
      pusher: { name: 'octocat' },
    });
  });

  it('the CONTRACT names are all there, as strings, even with an empty environment', () => {
    const { context } = buildContext({});
    for (const name of CONTRACT_GITHUB_NAMES) {
      if (name === 'event') expect(context.github.event).toEqual({});
      else expect(typeof context.github[name as Exclude<keyof typeof context.github, 'event'>], name).toBe('string');
    }
    expect(context.github.server_url).toBe('https://github.com');
    expect(context.github.api_url).toBe('https://api.github.com');
  });

  it('fills repository_owner from repository and triggering_actor from actor when missing', () => {
    const env = runnerEnv();
    delete (env as Record<string, string | undefined>).GITHUB_REPOSITORY_OWNER;
    delete (env as Record<string, string | undefined>).GITHUB_TRIGGERING_ACTOR;
    const { context } = buildContext(env);
    expect(context.github.repository_owner).toBe('acme');
    expect(context.github.triggering_actor).toBe('octocat');
  });

  it('has pull request refs when the runner sets them', () => {
    const { context } = buildContext({
      ...runnerEnv(),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_HEAD_REF: 'feature/x',
      GITHUB_BASE_REF: 'main',
    });
    expect(context.github.head_ref).toBe('feature/x');
    expect(context.github.base_ref).toBe('main');
  });
});

describe('buildContext: derived links and runner', () => {
  it('links the run, the commit and the repository, and shortens the sha', () => {
    const { context } = buildContext(runnerEnv());
    expect(context.run_url).toBe('https://github.com/acme/shop/actions/runs/9876543210');
    expect(context.commit_url).toBe('https://github.com/acme/shop/commit/8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2');
    expect(context.repository_url).toBe('https://github.com/acme/shop');
    expect(context.short_sha).toBe('8f3c2a1');
  });

  it('links to a GitHub Enterprise server when the run is there', () => {
    const { context } = buildContext({ ...runnerEnv(), GITHUB_SERVER_URL: 'https://ghe.example.com' });
    expect(context.run_url).toBe('https://ghe.example.com/acme/shop/actions/runs/9876543210');
    expect(context.repository_url).toBe('https://ghe.example.com/acme/shop');
  });

  it('leaves links empty rather than broken when their parts are missing', () => {
    const { context } = buildContext({});
    expect([context.run_url, context.commit_url, context.repository_url, context.short_sha]).toEqual(['', '', '', '']);
    const noRun = buildContext({ GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: 'abc1234def' }).context;
    expect(noRun.run_url).toBe('');
    expect(noRun.commit_url).toBe('https://github.com/acme/shop/commit/abc1234def');
    expect(noRun.repository_url).toBe('https://github.com/acme/shop');
  });

  it('describes the runner and carries the status', () => {
    const { context } = buildContext(runnerEnv(), { status: 'failure' });
    expect(context.runner).toMatchObject({
      os: 'Linux',
      arch: 'X64',
      name: 'GitHub Actions 2',
      environment: 'github-hosted',
    });
    expect(context.status).toBe('failure');
    expect(buildContext(runnerEnv()).context.status).toBe('');
  });
});

describe('buildContext: env', () => {
  it('shows ordinary environment variables', () => {
    const { context } = buildContext({ ...runnerEnv(), DEPLOY_TARGET: 'production', EMPTY: '' });
    expect(context.env.DEPLOY_TARGET).toBe('production');
    expect(context.env.GITHUB_REPOSITORY).toBe('acme/shop');
    expect(context.env.EMPTY).toBe('');
  });

  it("hides the action's inputs and the runner's ACTIONS_* tokens", () => {
    const { context } = buildContext({
      ...runnerEnv(),
      INPUT_X_API_KEY: 'x-key-from-input',
      INPUT_MESSAGE: 'hi',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token',
      ACTIONS_RESULTS_URL: 'https://results',
    });
    expect(Object.keys(context.env).filter((k) => /^(INPUT_|ACTIONS_)/.test(k))).toEqual([]);
    expect(JSON.stringify(context.env)).not.toMatch(/x-key-from-input|runtime-token|oidc-token/);
  });

  it('keeps the rest of the step environment as it is (a key rendered from it is redacted after rendering, see action-secrets)', () => {
    const { context } = buildContext({ ...runnerEnv(), HOTLINE_INSTANCE: 'inst-1', DEPLOY_TARGET: 'prod', EMPTY: '' });
    expect(context.env.HOTLINE_INSTANCE).toBe('inst-1');
    expect(context.env.DEPLOY_TARGET).toBe('prod');
    expect(context.env.EMPTY).toBe('');
  });

  it('a template sees the context under the documented names', async () => {
    const { context } = buildContext({ ...runnerEnv(), DEPLOY_TARGET: 'prod' }, { status: 'success' });
    const text = await renderMessage(
      {
        source:
          '{{ github.workflow }} #{{ github.run_number }} {{ status }} on {{ github.ref_name }} ({{ short_sha }}) by {{ github.actor }} ' +
          'to {{ env.DEPLOY_TARGET }} from {{ runner.os }}: {{ run_url }} — {{ github.event.head_commit.message }}',
        origin: "input 'message'",
      },
      context,
    );
    expect(text).toBe(
      'Deploy #57 success on main (8f3c2a1) by octocat to prod from Linux: https://github.com/acme/shop/actions/runs/9876543210 — Fix {{ secret }}',
    );
  });
});

describe('buildContext: the event file', () => {
  it('no event file: an empty event and no problem', () => {
    const env = runnerEnv();
    delete (env as Record<string, string | undefined>).GITHUB_EVENT_PATH;
    expect(buildContext(env)).toEqual({
      context: expect.objectContaining({ github: expect.objectContaining({ event: {} }) }),
    });
    expect(buildContext(env).eventProblem).toBeUndefined();
  });

  it.each([
    ['missing.json', /could not be read/],
    ['broken.json', /not valid JSON/],
    ['array.json', /does not hold a JSON object/],
    ['null.json', /does not hold a JSON object/],
  ])('%s: an empty event and a problem naming the file', (name, why) => {
    const { context, eventProblem } = buildContext({ ...runnerEnv(), GITHUB_EVENT_PATH: path(name) });
    expect(context.github.event).toEqual({});
    expect(eventProblem).toMatch(why);
    expect(eventProblem).toContain(path(name));
    // The rest of the context is still there.
    expect(context.run_url).toBe('https://github.com/acme/shop/actions/runs/9876543210');
  });

  it('readEvent reads a real webhook payload', () => {
    const { event, problem } = readEvent(path('push.json'));
    expect(problem).toBeUndefined();
    expect(event).toEqual(JSON.parse(readFileSync(path('push.json'), 'utf8')));
  });
});

describe('run_url on a re-run', () => {
  it('links the attempt when run_attempt is above 1, the run otherwise', () => {
    const base = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '42' };
    expect(buildContext({ ...base, GITHUB_RUN_ATTEMPT: '1' }).context.run_url).toBe(
      'https://github.com/acme/shop/actions/runs/42',
    );
    expect(buildContext({ ...base, GITHUB_RUN_ATTEMPT: '3' }).context.run_url).toBe(
      'https://github.com/acme/shop/actions/runs/42/attempts/3',
    );
    expect(buildContext(base).context.run_url).toBe('https://github.com/acme/shop/actions/runs/42');
  });
});
