/**
 * The recipes in docs/templates.md ("## Recipes"), run as documented. For each recipe the test
 * takes its workflow from the page, checks it is a workflow GitHub would accept (as far as its
 * shape goes) with the `if:` the recipe relies on, and runs its `hotline-crm/topics-action@` step
 * the way the runner would: the `with:` values and the workflow's, job's and step's `env:` with
 * every `${{ … }}` filled in from the table below (an expression not in the table fails the test,
 * so the page cannot use what is not tested), `endpoint` pointed at the simulator, and a real
 * payload from @octokit/webhooks-examples in the event file. What the simulator receives must be
 * exactly the page's "It arrives as" blocks, in order.
 *
 * The step runs in process (the action's own `run()`, test/support/in-process.ts, in the same
 * runner environment), except one case, a release's notes sent in two parts, which runs through the
 * bundled action (`node dist/index.js`) so the bundle is proven to run a recipe too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ROOT, readActionYml, runAction } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { sim, useSimulator } from '../support/fixtures.ts';
import { example, type Payload } from '../support/webhooks.ts';
import {
  addMergedPullRequest,
  addTag,
  linearHistory,
  startGitHubFake,
  type GitHubFake,
  type GitHubState,
} from '../support/github-fake.ts';

useSimulator();

/**
 * GitHub's API for the recipes that read it (topics_from: fixed_issues, notify: change): a fake on
 * loopback, filled by each case. The runner gives github_token its default, the job's token, and
 * GITHUB_API_URL: here the fake's.
 */
let github: GitHubFake;
beforeAll(async () => {
  github = await startGitHubFake();
});
afterAll(async () => {
  await github.close();
});

type Mapping = Record<string, unknown>;

const ACTION = 'hotline-crm/topics-action@';
const USER_ID = 123456789;
/** What `steps.version.outputs.tag` gives in the deploy recipe: the tag `git describe` prints. */
const VERSION = 'v1.4.2';

// ---- the page -----------------------------------------------------------------------------------

interface Block {
  lang: string;
  content: string;
  /** The prose between the previous block (or the heading) and this one. */
  before: string;
}

interface Recipe {
  title: string;
  /** The prose between the heading and the first block: when to use the recipe. */
  intro: string;
  blocks: Block[];
}

/** The `### ` sections under `## Recipes`, read line by line so that `## ` inside a block is not a heading. */
function readRecipes(): Recipe[] {
  const lines = readFileSync(join(ROOT, 'docs', 'templates.md'), 'utf8').split('\n');
  const recipes: Recipe[] = [];
  let inRecipes = false;
  let fence: { lang: string; lines: string[] } | undefined;
  let prose: string[] = [];
  for (const line of lines) {
    if (fence) {
      if (line === '```') {
        const recipe = recipes.at(-1);
        if (recipe) {
          recipe.blocks.push({ lang: fence.lang, content: fence.lines.join('\n'), before: prose.join('\n').trim() });
          if (recipe.blocks.length === 1) recipe.intro = prose.join('\n').trim();
        }
        fence = undefined;
        prose = [];
      } else {
        fence.lines.push(line);
      }
      continue;
    }
    if (line.startsWith('```')) {
      fence = { lang: line.slice(3).trim(), lines: [] };
      continue;
    }
    if (/^## /.test(line)) {
      inRecipes = line === '## Recipes';
      continue;
    }
    if (!inRecipes) continue;
    if (line.startsWith('### ')) {
      recipes.push({ title: line.slice(4).trim(), intro: '', blocks: [] });
      prose = [];
      continue;
    }
    prose.push(line);
  }
  expect(fence, 'a code block in docs/templates.md is not closed').toBeUndefined();
  return recipes;
}

// ---- the workflow ---------------------------------------------------------------------------

function mapping(value: unknown, where: string): Mapping {
  expect(value !== null && typeof value === 'object' && !Array.isArray(value), `${where} is a mapping`).toBe(true);
  return value as Mapping;
}

interface Workflow {
  name: string;
  on: Mapping;
  env: Mapping;
  jobId: string;
  job: Mapping;
  step: Mapping;
  with: Mapping;
  /** Every `${{ … }}` in the workflow, as written inside the braces (trimmed). */
  expressions: string[];
}

/**
 * The recipe's workflow. Parsed with YAML's failsafe schema: every scalar stays the text written,
 * as the runner passes a `with:` value (`version: 1.10` is not the number 1.1).
 */
function readWorkflow(recipe: Recipe): Workflow {
  const yamlBlocks = recipe.blocks.filter((b) => b.lang === 'yaml');
  expect(yamlBlocks, `${recipe.title}: one yaml block, the workflow`).toHaveLength(1);
  const text = yamlBlocks[0]!.content;
  const document = parseDocument(text, { schema: 'failsafe', uniqueKeys: true });
  expect(
    document.errors.map((e) => e.message),
    `${recipe.title}: the workflow is valid YAML`,
  ).toEqual([]);
  expect(document.warnings.map((e) => e.message)).toEqual([]);
  const workflow = mapping(document.toJS(), 'the workflow');

  expect(
    typeof workflow.name === 'string' && workflow.name !== '',
    `${recipe.title}: the workflow has a name (it is github.workflow)`,
  ).toBe(true);
  const on = mapping(workflow.on, `${recipe.title}: on`);
  expect(Object.keys(on).length).toBeGreaterThan(0);
  const jobs = mapping(workflow.jobs, `${recipe.title}: jobs`);
  expect(Object.keys(jobs).length).toBeGreaterThan(0);

  const found: Array<{ jobId: string; job: Mapping; step: Mapping }> = [];
  for (const [jobId, value] of Object.entries(jobs)) {
    const job = mapping(value, `jobs.${jobId}`);
    expect(typeof job['runs-on'] === 'string' && job['runs-on'] !== '', `jobs.${jobId}.runs-on`).toBe(true);
    expect(Array.isArray(job.steps) && job.steps.length > 0, `jobs.${jobId}.steps is a list of steps`).toBe(true);
    for (const [i, item] of (job.steps as unknown[]).entries()) {
      const step = mapping(item, `jobs.${jobId}.steps[${i}]`);
      expect(
        typeof step.uses === 'string' || typeof step.run === 'string',
        `jobs.${jobId}.steps[${i}] has uses or run`,
      ).toBe(true);
      expect('uses' in step && 'run' in step, `jobs.${jobId}.steps[${i}] has not both uses and run`).toBe(false);
      if (typeof step.uses === 'string' && step.uses.startsWith(ACTION)) found.push({ jobId, job, step });
    }
  }
  expect(found, `${recipe.title}: one step uses ${ACTION}`).toHaveLength(1);
  const { jobId, job, step } = found[0]!;
  expect(step.uses).toBe(`${ACTION}v1`);
  const withMap = step.with === undefined ? {} : mapping(step.with, `${recipe.title}: the step's with`);

  const expressions = [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.trim());
  return {
    name: workflow.name as string,
    on,
    env: {
      ...(workflow.env === undefined ? {} : mapping(workflow.env, 'env')),
      ...(job.env === undefined ? {} : mapping(job.env, `jobs.${jobId}.env`)),
      ...(step.env === undefined ? {} : mapping(step.env, 'the step env')),
    },
    jobId,
    job,
    step,
    with: withMap,
    expressions,
  };
}

// ---- what the runner would fill in ------------------------------------------------------------

/** What the runner gives each expression a recipe may use; a case adds `job.status` and can override. */
const expressionTable = (overrides: Record<string, string> = {}): Record<string, string> => ({
  'secrets.HOTLINE_X_API_KEY': sim.options.xApiKey,
  'secrets.HOTLINE_INSTANCE': sim.options.instance,
  'secrets.HOTLINE_API_KEY': sim.options.apiKey,
  'vars.HOTLINE_USER_ID': String(USER_ID),
  'steps.version.outputs.tag': VERSION,
  ...overrides,
});
/** A `with:` or `env:` value as the runner passes it: text, expressions filled in. */
function fill(value: unknown, table: Record<string, string>, where: string): string {
  const text = value === null || value === undefined ? '' : value;
  expect(typeof text, `${where} is a single value`).toBe('string');
  return (text as string).replace(/\$\{\{([\s\S]*?)\}\}/g, (_, inner: string) => {
    const name = inner.trim();
    const filled = table[name];
    if (filled === undefined) {
      throw new Error(
        `${where}: \${{ ${name} }} is not in the test's expression table; add what the runner would give it`,
      );
    }
    return filled;
  });
}

/** The runner's variables for the run: repository and actor from the payload, the ref as the event sets it. */
function runnerVars(payload: Payload, vars: Record<string, string>): Record<string, string> {
  const repository = String(payload.repository?.full_name ?? '');
  const actor = String(payload.sender?.login ?? 'octocat');
  return {
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
    GITHUB_ACTOR: actor,
    GITHUB_TRIGGERING_ACTOR: actor,
    ...vars,
  };
}
const branch = (name: string): Record<string, string> => ({
  GITHUB_REF: `refs/heads/${name}`,
  GITHUB_REF_NAME: name,
  GITHUB_REF_TYPE: 'branch',
});

// ---- the recipes and their cases ----------------------------------------------------------------

interface Case {
  name: string;
  event: string;
  /** The event file; gets the workflow, e.g. to take the cron line that fired. */
  payload: (workflow: Workflow) => Payload;
  /** GITHUB_* for this event, beyond what runnerVars() takes from the payload. */
  runner?: (payload: Payload) => Record<string, string>;
  expressions?: Record<string, string>;
  /** The indices of the page's text blocks that arrive, in order. */
  arrives?: number[];
  /** For a variation not shown on the page: how the shown messages change. */
  adjust?: (message: string) => string;
  /** How a received message is read before comparing (a variation's line endings). */
  normalize?: (message: string) => string;
  /** Or: the step fails, with this in its error. */
  fails?: string;
  /** Or: the step sends nothing and succeeds, with this notice. */
  skips?: string;
  /** Or: the step sends nothing and succeeds, saying this in its log (no notice: it did as asked). */
  quiet?: string;
  /** What GitHub's API holds for the run (the repository is the payload's). */
  github?: (state: GitHubState) => void;
  /** Run through the bundled action (one case, to prove the bundle); the others run in process. */
  bundle?: true;
}

interface Spec {
  title: string;
  /** The `if:` the recipe relies on, as written (not evaluated). */
  stepIf?: string;
  jobIf?: string;
  cases: Case[];
}

const RELEASE_NOTES = [
  "## What's new",
  '',
  '- Orders can be exported to CSV from the orders page.',
  '- Customers get an email when their order ships.',
  '- The search box finds orders by phone number.',
  '',
  '## Fixes',
  '',
  '- The login page keeps the return URL after a session expires.',
  '- Prices in the cart are rounded as on the invoice.',
  '',
  'Thanks to everyone who reported these!',
].join('\n');

/** A push to main: the examples' new-branch push, moved to main (the recipe deploys main only). */
function pushToMain(): Payload {
  const payload = example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/'));
  return { ...payload, ref: 'refs/heads/main' };
}
const pushVars = (p: Payload): Record<string, string> => ({ ...branch('main'), GITHUB_SHA: String(p.after) });

function releaseWithNotes(lineEnd = '\n'): Payload {
  const payload = example('release', (p) => p.action === 'published');
  payload.release.name = 'Spring update';
  payload.release.body = RELEASE_NOTES.replace(/\n/g, lineEnd);
  return payload;
}
const releaseVars = (p: Payload): Record<string, string> => ({
  GITHUB_REF: `refs/tags/${p.release.tag_name}`,
  GITHUB_REF_NAME: String(p.release.tag_name),
  GITHUB_REF_TYPE: 'tag',
});

/** `schedule` has no webhook, so no example: the payload a runner writes, for the recipe's cron line. */
function schedulePayload(workflow: Workflow): Payload {
  const schedule = workflow.on.schedule;
  expect(Array.isArray(schedule) && schedule.length > 0, 'on.schedule is a list of cron lines').toBe(true);
  const cron = mapping((schedule as unknown[])[0], 'on.schedule[0]').cron;
  expect(typeof cron).toBe('string');
  const { repository, organization, sender } = example('workflow_dispatch');
  return { schedule: cron, workflow: '.github/workflows/nightly.yml', repository, organization, sender };
}

function mergedPullRequest(): Payload {
  const payload = example('pull_request', (p) => p.action === 'closed');
  payload.pull_request.merged = true;
  payload.pull_request.merged_at = payload.pull_request.closed_at;
  payload.pull_request.merged_by = payload.sender;
  return payload;
}
/** The pull request's head in a fork of the repository, as GitHub's payload shows it. */
function fromFork(payload: Payload): Payload {
  const head = payload.pull_request.head;
  head.repo = { ...head.repo, full_name: 'octo-fork/Hello-World', fork: true, owner: { login: 'octo-fork' } };
  head.label = `octo-fork:${head.ref}`;
  return payload;
}
const pullRequestVars = (p: Payload): Record<string, string> => ({
  GITHUB_REF: `refs/pull/${p.pull_request.number}/merge`,
  GITHUB_REF_NAME: `${p.pull_request.number}/merge`,
  GITHUB_REF_TYPE: 'branch',
  GITHUB_HEAD_REF: String(p.pull_request.head.ref),
  GITHUB_BASE_REF: String(p.pull_request.base.ref),
  GITHUB_SHA: String(p.pull_request.merge_commit_sha),
});

/** Ada's topic, which the simulator knows (user 123456789, first name Ada). */
const ADA_TOPIC = 'https://t.me/c/2101424779/5343';

/** An issue opened with Ada's topic in its body (an issue form's field), or closed as done. */
function customerIssue(action: 'opened' | 'closed'): Payload {
  const payload = example('issues', (p) => p.action === 'opened');
  payload.issue.body = `### Topic link\n\n${ADA_TOPIC}\n\n### What happened\n\nThere is a typo in the README.`;
  if (action === 'closed') {
    payload.action = 'closed';
    Object.assign(payload.issue, { state: 'closed', state_reason: 'completed', closed_at: '2019-05-15T16:00:00Z' });
  }
  return payload;
}

/**
 * Codertocat/Hello-World on GitHub: release 0.0.0, then pull request #2 ("Update the README"),
 * closing issue #1, whose body links Ada's topic; release 0.0.1 (the examples' release) tags it.
 */
function helloWorld(state: GitHubState): void {
  Object.assign(state, { owner: 'Codertocat', repo: 'Hello-World', defaultBranch: 'master' });
  state.commits.push(...linearHistory(2));
  addTag(state, '0.0.0');
  state.issues.push({
    number: 1,
    title: 'Spelling error in the README file',
    body: `### Topic link\n\n${ADA_TOPIC}`,
  });
  addMergedPullRequest(state, { number: 2, title: 'Update the README with new information.', closes: [1] });
  addTag(state, '0.0.1');
  state.releases.push(
    { id: 17372000, tag_name: '0.0.0', published_at: '2019-05-01T10:00:00Z', created_at: '2019-05-01T10:00:00Z' },
    { id: 17372790, tag_name: '0.0.1', published_at: '2019-05-15T15:20:53Z', created_at: '2019-05-15T15:20:53Z' },
  );
}

/** This run (#57 of deploy.yml on main) and the one before it on main, completed with `conclusion`. */
const deployRuns =
  (conclusion: string) =>
  (state: GitHubState): void => {
    Object.assign(state, { owner: 'Codertocat', repo: 'Hello-World' });
    state.commits.push(...linearHistory(1));
    const deploy = { workflow_id: 161335, path: '.github/workflows/deploy.yml', head_branch: 'main' };
    state.workflowRuns.push(
      {
        id: 9876543210,
        ...deploy,
        run_number: 57,
        status: 'in_progress',
        conclusion: null,
        created_at: '2019-05-15T16:00:00Z',
      },
      {
        id: 9876543100,
        ...deploy,
        run_number: 56,
        status: 'completed',
        conclusion,
        created_at: '2019-05-15T15:00:00Z',
      },
    );
  };

const noKeys = { 'secrets.HOTLINE_X_API_KEY': '', 'secrets.HOTLINE_INSTANCE': '', 'secrets.HOTLINE_API_KEY': '' };

const SPECS: Spec[] = [
  {
    title: 'Deploy succeeded or failed, with environment and version',
    stepIf: 'always()',
    cases: [
      {
        name: 'the deploy succeeded',
        event: 'push',
        payload: pushToMain,
        runner: pushVars,
        expressions: { 'job.status': 'success' },
        arrives: [0],
      },
      {
        name: 'a step before it failed',
        event: 'push',
        payload: pushToMain,
        runner: pushVars,
        expressions: { 'job.status': 'failure' },
        arrives: [1],
      },
      {
        name: 'the run was cancelled ("reads `: cancelled`")',
        event: 'push',
        payload: pushToMain,
        runner: pushVars,
        expressions: { 'job.status': 'cancelled' },
        arrives: [1],
        adjust: (m) => m.replace(': failure\n', ': cancelled\n'),
      },
      {
        name: 'it failed before the version step ran (the commit stands in)',
        event: 'push',
        payload: pushToMain,
        runner: pushVars,
        expressions: { 'job.status': 'failure', 'steps.version.outputs.tag': '' },
        arrives: [1],
        adjust: (m) => m.replace(`Deploy of ${VERSION} `, 'Deploy of 6113728 '),
      },
    ],
  },
  {
    title: "New issue to the customer's topic",
    cases: [
      {
        name: 'an issue is opened',
        event: 'issues',
        payload: () => example('issues', (p) => p.action === 'opened'),
        runner: () => branch('master'),
        arrives: [0],
      },
      {
        name: 'the repository variable is not set',
        event: 'issues',
        payload: () => example('issues', (p) => p.action === 'opened'),
        runner: () => branch('master'),
        expressions: { 'vars.HOTLINE_USER_ID': '' },
        fails: "Input 'user_id': required: a Telegram user id, or several separated by commas, spaces or newlines",
      },
    ],
  },
  {
    title: 'Release notes, in parts when they are long',
    cases: [
      {
        name: 'a release is published',
        event: 'release',
        payload: () => releaseWithNotes(),
        runner: releaseVars,
        arrives: [0, 1],
        bundle: true,
      },
      {
        name: 'notes written in the web editor (CRLF) split at the same places',
        event: 'release',
        payload: () => releaseWithNotes('\r\n'),
        runner: releaseVars,
        arrives: [0, 1],
        normalize: (m) => m.replace(/\r\n/g, '\n'),
      },
    ],
  },
  {
    title: 'Nightly run failed',
    stepIf: 'failure()',
    cases: [
      {
        name: 'the scheduled run failed',
        event: 'schedule',
        payload: schedulePayload,
        runner: () => branch('main'),
        expressions: { 'job.status': 'failure' },
        arrives: [0],
      },
      {
        name: 'a run started by hand failed',
        event: 'workflow_dispatch',
        payload: () => example('workflow_dispatch'),
        runner: () => branch('main'),
        expressions: { 'job.status': 'failure' },
        arrives: [1],
      },
    ],
  },
  {
    title: 'Pull request merged',
    jobIf: 'github.event.pull_request.merged == true',
    cases: [
      {
        name: 'a pull request is merged',
        event: 'pull_request',
        payload: mergedPullRequest,
        runner: pullRequestVars,
        arrives: [0],
      },
      {
        name: 'from a fork, without secrets, the step skips with a notice (the check stays green)',
        event: 'pull_request',
        payload: () => fromFork(mergedPullRequest()),
        runner: pullRequestVars,
        expressions: noKeys,
        skips: 'pull request #2 comes from a fork (octo-fork/Hello-World), and GitHub gives a fork',
      },
      {
        name: 'not from a fork, empty secrets are an error',
        event: 'pull_request',
        payload: mergedPullRequest,
        runner: pullRequestVars,
        expressions: noKeys,
        fails: "Input 'x_api_key': required",
      },
    ],
  },
  {
    title: 'Answer the customer in the topic their issue links',
    cases: [
      {
        name: 'an issue is opened with the topic link in its body',
        event: 'issues',
        payload: () => customerIssue('opened'),
        runner: () => branch('master'),
        arrives: [0],
      },
      {
        name: 'the issue is closed',
        event: 'issues',
        payload: () => customerIssue('closed'),
        runner: () => branch('master'),
        arrives: [1],
      },
      {
        name: 'an issue that links no topic: a notice, nothing sent',
        event: 'issues',
        payload: () => example('issues', (p) => p.action === 'opened'),
        runner: () => branch('master'),
        skips: 'No topic to tell: issue #1 links no topic.',
      },
    ],
  },
  {
    title: 'Tell the customer when the fix is merged',
    jobIf: 'github.event.pull_request.merged == true',
    cases: [
      {
        name: 'pull request #2, closing issue #1, is merged',
        event: 'pull_request',
        payload: mergedPullRequest,
        runner: pullRequestVars,
        github: helloWorld,
        arrives: [0],
      },
    ],
  },
  {
    title: 'Tell the customers whose issues a release fixes',
    cases: [
      {
        name: 'release 0.0.1 is published',
        event: 'release',
        payload: () => example('release', (p) => p.action === 'published'),
        runner: releaseVars,
        github: helloWorld,
        arrives: [0],
      },
    ],
  },
  {
    title: 'Deploy broke, or works again',
    stepIf: 'always()',
    cases: [
      {
        name: 'the previous run succeeded, this one fails',
        event: 'push',
        payload: pushToMain,
        runner: pushVars,
        expressions: { 'job.status': 'failure' },
        github: deployRuns('success'),
        arrives: [0],
      },
      {
        name: 'the previous run failed, this one succeeds',
        event: 'push',
        payload: pushToMain,
        runner: pushVars,
        expressions: { 'job.status': 'success' },
        github: deployRuns('failure'),
        arrives: [1],
      },
      {
        name: 'failed again: nothing sent',
        event: 'push',
        payload: pushToMain,
        runner: pushVars,
        expressions: { 'job.status': 'failure' },
        github: deployRuns('failure'),
        quiet: 'notify is change and the status is failure, as in the previous run, #56 (',
      },
    ],
  },
];

// ---- the tests --------------------------------------------------------------------------------

const recipes = readRecipes();
const recipeOf = (title: string): Recipe => {
  const recipe = recipes.find((r) => r.title === title);
  if (!recipe) throw new Error(`docs/templates.md has no recipe "### ${title}"`);
  return recipe;
};
const arrivalsOf = (recipe: Recipe): string[] => recipe.blocks.filter((b) => b.lang === 'text').map((b) => b.content);

it('docs/templates.md has the recipes this file tests, and no others', () => {
  expect(recipes.map((r) => r.title)).toEqual(SPECS.map((s) => s.title));
});

describe.each(SPECS)('recipe: $title', (spec) => {
  it('is a complete workflow: when to use it, the workflow, then what arrives', () => {
    const recipe = recipeOf(spec.title);
    expect(recipe.intro, 'a sentence on when to use it').toMatch(/^Use this\b[\s\S]*\.$/);
    expect(recipe.blocks[0]?.lang, 'the workflow comes first').toBe('yaml');
    const workflow = readWorkflow(recipe);

    // Every shown arrival follows "… arrives as:" (or the part before it), and a case checks it.
    const texts = recipe.blocks.filter((b) => b.lang === 'text');
    expect(texts.length).toBeGreaterThan(0);
    expect(recipe.blocks.every((b) => b.lang === 'yaml' || b.lang === 'text')).toBe(true);
    texts.forEach((block, i) => {
      if (block.before === '') expect(i, 'a block right after another is the next part').toBeGreaterThan(0);
      else expect(block.before).toMatch(/arrives as:$/);
    });
    const checked = new Set(spec.cases.filter((c) => !c.adjust && !c.normalize).flatMap((c) => c.arrives ?? []));
    expect([...checked].sort()).toEqual(texts.map((_, i) => i));

    // The `if:` the recipe relies on, as written.
    if (spec.stepIf !== undefined) expect(workflow.step.if).toBe(spec.stepIf);
    else expect(workflow.step.if).toBeUndefined();
    if (spec.jobIf !== undefined) expect(workflow.job.if).toBe(spec.jobIf);
    else expect(workflow.job.if).toBeUndefined();

    // The events the cases run are among the workflow's triggers, with their activity types.
    for (const c of spec.cases) {
      expect(workflow.on, `on: ${c.event}`).toHaveProperty([c.event]);
      const types = (workflow.on[c.event] as Mapping | null)?.types;
      if (types !== undefined) expect(types).toContain(c.payload(workflow).action);
    }

    // Only inputs the action has; never the endpoint (the test points it at the simulator) or a dry run.
    const inputs = Object.keys(readActionYml().inputs);
    for (const name of Object.keys(workflow.with)) expect(inputs, `with: ${name}`).toContain(name);
    expect(workflow.with).not.toHaveProperty('endpoint');
    expect(workflow.with).not.toHaveProperty('dry_run');
    // Keys come from the secrets, in `with:` or in the HOTLINE_* variables.
    for (const [input, variable] of [
      ['x_api_key', 'HOTLINE_X_API_KEY'],
      ['instance', 'HOTLINE_INSTANCE'],
      ['api_key', 'HOTLINE_API_KEY'],
    ] as const) {
      const secret = `\${{ secrets.${variable} }}`;
      expect(
        workflow.with[input] === secret || workflow.env[variable] === secret,
        `${input} from secrets.${variable}`,
      ).toBe(true);
    }

    // Every expression in the workflow is one the test knows what to give (`job.status`: each case says).
    const known = [...Object.keys(expressionTable()), 'job.status'];
    for (const expression of workflow.expressions) expect(known, `\${{ ${expression} }}`).toContain(expression);
  });

  it.each(spec.cases)('$name', async (c) => {
    const recipe = recipeOf(spec.title);
    const workflow = readWorkflow(recipe);
    const table = expressionTable(c.expressions);
    const inputs: Record<string, string> = {};
    for (const [name, value] of Object.entries(workflow.with)) inputs[name] = fill(value, table, `with: ${name}`);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(workflow.env)) env[name] = fill(value, table, `env: ${name}`);

    const payload = c.payload(workflow);
    github.reset();
    c.github?.(github.state);
    const run = await (c.bundle ? runAction : runInProcess)({
      // github_token: what the runner gives its default, ${{ github.token }}.
      inputs: { github_token: github.token, ...inputs, endpoint: sim.url },
      event: { name: c.event, payload },
      env: {
        ...runnerVars(payload, c.runner?.(payload) ?? {}),
        GITHUB_WORKFLOW: workflow.name,
        GITHUB_JOB: workflow.jobId,
        GITHUB_API_URL: github.url,
        ...env,
      },
    });

    if (c.quiet !== undefined) {
      expect(run.code).toBe(0);
      expect(run.errors).toEqual([]);
      expect(run.warnings).toEqual([]);
      expect(run.notices).toEqual([]);
      expect(run.log).toContain(c.quiet);
      expect(run.summary).toContain(c.quiet);
      expect(sim.requests).toHaveLength(0);
      return;
    }
    if (c.skips !== undefined) {
      expect(run.code).toBe(0);
      expect(run.errors).toEqual([]);
      expect(run.warnings).toEqual([]);
      expect(run.notices).toHaveLength(1);
      expect(run.notices[0]).toContain(c.skips);
      expect(run.outputs.results).toBe('[]');
      expect(sim.requests).toHaveLength(0);
      return;
    }
    if (c.fails !== undefined) {
      expect(run.code).toBe(1);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toContain(c.fails);
      expect(sim.requests).toHaveLength(0);
      return;
    }
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.code).toBe(0);
    const shown = arrivalsOf(recipe);
    const expected = (c.arrives ?? []).map((i) => shown[i]).map((m) => (c.adjust ? c.adjust(m ?? '') : m));
    expect(expected.length).toBeGreaterThan(0);
    expect(sim.delivered.map((d) => (c.normalize ? c.normalize(d.message) : d.message))).toEqual(expected);
    expect(sim.delivered.every((d) => d.user_id === USER_ID)).toBe(true);
    // GitHub was asked only where the recipe reads it.
    if (!c.github) expect(github.requests).toEqual([]);
    // Nothing left over from rendering (the page could show it by mistake too).
    for (const d of sim.delivered) expect(d.message).not.toMatch(/\{\{|\{%|\bundefined\b|\bnull\b/);
  });
});
