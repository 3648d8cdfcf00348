/**
 * The default messages (templates/*.liquid) over every example webhook payload in
 * @octokit/webhooks-examples, rendered the way the action renders them: the payload in the event
 * file, the context from a runner's environment, the default template for the event, the result
 * trimmed. Every message must be short, tidy, free of "undefined"/"null"/"NaN"/"[object Object]",
 * start with the repository and end with the run link, whatever the payload holds or lacks.
 * A readable sample is kept in __snapshots__/default-messages.md for review.
 *
 * All in process, through src/message. The runner's environment (harness.ts's runnerEnv, which reads
 * action.yml: most of a render's time if done per render) is made once; each render writes its
 * payload to the event file and takes the environment runnerEnv would give for it. Each default
 * template is read once. An oversized payload (megabytes) is written and read into a context once
 * for its five statuses. Tests check both shortcuts: the environment is runnerEnv's, and a status
 * changes nothing in the context but `status`. A knocked-out field that was null already gives the
 * same event file again: that message is rendered once, and checked for each field.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildContext, type TemplateContext } from '../../src/message/context.js';
import {
  CUSTOMER_TEMPLATE,
  DEFAULT_EVENTS,
  TEMPLATES_DIR,
  defaultTemplateFile,
  loadDefaultTemplate,
} from '../../src/message/default-templates.js';
import { renderMessage, type MessageTemplate } from '../../src/message/template.js';
import { runnerEnv } from '../support/harness.ts';
import { definitions, example, knockouts, refsFor, useEventRunner, type Payload } from '../support/webhooks.ts';

const STATUSES = ['success', 'failure', 'cancelled', 'skipped', ''] as const;
type Status = (typeof STATUSES)[number];
const MARKS: Record<Status, string> = { success: '✅', failure: '❌', cancelled: '⚪', skipped: '⏭', '': '' };
const ALL_MARKS = ['✅', '❌', '⚪', '⏭'];

const events = useEventRunner('default-messages');
const { envFor, runnerEnvFor } = events;

/** The context the action builds from this environment (its event file as it is now). */
function contextIn(env: Record<string, string>, status: Status): TemplateContext {
  const { context, eventProblem } = buildContext(env, { status });
  expect(eventProblem).toBeUndefined();
  return context;
}

/** The context the action builds for this event on a runner. */
function contextFor(name: string, payload: Payload, status: Status = '', repository?: string): TemplateContext {
  return contextIn(envFor(name, payload, repository), status);
}

/** Each default template, read once (renderMessage does not change it). */
const templates = new Map<string, Promise<MessageTemplate>>();
function defaultTemplate(name: string): Promise<MessageTemplate> {
  let template = templates.get(name);
  if (!template) templates.set(name, (template = loadDefaultTemplate(name)));
  return template;
}

/** The message the action would send from this context when no `message`/`message_file` is given. */
async function renderIn(name: string, context: TemplateContext): Promise<{ text: string; context: TemplateContext }> {
  const text = (await renderMessage(await defaultTemplate(name), context)).trim();
  return { text, context };
}

/** The message the action would send when no `message`/`message_file` is given (before max_length). */
async function render(
  name: string,
  payload: Payload,
  status: Status = '',
  repository?: string,
): Promise<{ text: string; context: TemplateContext }> {
  return renderIn(name, contextFor(name, payload, status, repository));
}

/** What every default message must be, whatever the payload. */
function expectSound(text: string, context: TemplateContext): void {
  expect(text.length).toBeGreaterThan(0);
  expect(text.length).toBeLessThanOrEqual(4096);
  expect(text).not.toMatch(/\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]/);
  expect(context.run_url).not.toBe('');
  expect(text).toContain(context.run_url);
  expect(text.split('\n').at(-1)).toContain(context.run_url);
  expect(text.split('\n')[0]).toContain(context.github.repository);
}

/** Lines that show a missing field: empty, padded, ending in a separator, or a separator with nothing on a side. */
function untidy(text: string): string[] {
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') problems.push('an empty line');
    else if (line !== line.trim()) problems.push(`white space at an end: ${JSON.stringify(line)}`);
    if (/[:·,(←#—-]$/.test(line)) problems.push(`dangling at the end: ${JSON.stringify(line)}`);
    if (/^[:·,)←—-]/.test(line)) problems.push(`dangling at the start: ${JSON.stringify(line)}`);
    if (/ {2}| [,)]|\(\)|· ·|: ·|#[: ]/.test(line))
      problems.push(`a gap where a field is missing: ${JSON.stringify(line)}`);
  }
  return problems;
}

const firstLine = (text: string): string => text.split('\n')[0] ?? '';

/** `schedule` has no webhook, so no example: the payload a runner writes for it. */
function schedulePayload(): Payload {
  const { repository, sender } = example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/'));
  return { schedule: '30 5 * * 1-5', workflow: '.github/workflows/nightly.yml', repository, sender };
}

/** An ordinary push of three commits to an existing branch, adapted from the examples (which have none). */
function ordinaryPush(): Payload {
  const payload = example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/'));
  const commit = payload.head_commit as Payload;
  const messages = [
    'Add the order export endpoint',
    'Validate the export date range',
    'Fix the login redirect after session expiry\n\nThe redirect lost the return URL when the session had expired.',
  ];
  const commits = messages.map((message, i) => ({
    ...commit,
    id: `${'abcdef0'.slice(0, 6)}${i}${commit.id.slice(7)}`,
    message,
  }));
  return {
    ...payload,
    ref: 'refs/heads/main',
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after: commits[2]!.id,
    created: false,
    compare: `https://github.com/Codertocat/Hello-World/compare/6113728f27ae...${commits[2]!.id.slice(0, 12)}`,
    commits,
    head_commit: commits[2],
  };
}

/** One payload per event that has a template of its own (and one for every other event). */
function onePerEvent(): Array<[string, Payload]> {
  const list: Array<[string, Payload]> = definitions.map((d) => [d.name, structuredClone(d.examples[0]!)]);
  list.push(['pull_request_target', example('pull_request', (p) => p.action === 'opened')]);
  list.push(['schedule', schedulePayload()]);
  return list;
}

const everyExample: Array<[string, number, Payload]> = definitions.flatMap((d) =>
  d.examples.map((payload, i): [string, number, Payload] => [d.name, i, payload]),
);

describe('the default message templates', () => {
  it('covers the 58 example events and 329 payloads', () => {
    expect(definitions).toHaveLength(58);
    expect(everyExample).toHaveLength(329);
  });

  it("renders in the runner's environment: what runnerEnv gives for the event", () => {
    const payload = example('pull_request', (p) => p.action === 'opened');
    const env = { GITHUB_REPOSITORY: 'team/app', ...refsFor('pull_request', payload) };
    const expected = runnerEnv(events.workspace, { event: { name: 'pull_request', payload }, env });
    const written = readFileSync(expected.GITHUB_EVENT_PATH as string, 'utf8');
    writeFileSync(expected.GITHUB_EVENT_PATH as string, '');
    expect(runnerEnvFor('pull_request', payload, env)).toEqual(expected);
    expect(readFileSync(events.base.GITHUB_EVENT_PATH as string, 'utf8')).toBe(written);
  });

  it('builds the same context for every status but for `status` itself', () => {
    const payload = example('issues', (p) => p.action === 'opened');
    const env = envFor('issues', payload);
    const plain = contextIn(env, '');
    for (const status of STATUSES) expect(contextIn(env, status)).toEqual({ ...plain, status });
  });

  it('has a template for each event with a message of its own, each opening with a comment on how to override it', () => {
    const files = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.liquid'));
    // customer.liquid is no event's: it is the message to customers with topics_from (customer-messages.test.ts).
    expect(files).toContain(CUSTOMER_TEMPLATE);
    const own = files.filter((f) => !f.startsWith('_') && f !== CUSTOMER_TEMPLATE);
    expect(own.sort()).toEqual([...DEFAULT_EVENTS.map((e) => `${e}.liquid`), 'generic.liquid'].sort());
    for (const file of files) {
      const source = readFileSync(join(TEMPLATES_DIR, file), 'utf8');
      expect(source, file).toMatch(/^\{%-? comment -?%\}/);
      expect(source, file).toContain('message_file');
    }
    expect(defaultTemplateFile('star')).toBe('generic.liquid');
  });
});

describe('every example payload', () => {
  it.each(everyExample)(
    '%s #%i renders a short, tidy message with the repository first and the run link last',
    async (name, _i, payload) => {
      const { text, context } = await render(name, payload);
      expectSound(text, context);
      expect(untidy(text)).toEqual([]);
      // Well under Telegram's 4096: a notification, not a dump of the payload.
      expect(text.length).toBeLessThanOrEqual(800);
      expect(text.split('\n').length).toBeLessThanOrEqual(8);
    },
  );

  it.each(everyExample.filter(([name]) => name === 'pull_request'))(
    'pull_request #%i renders the same as pull_request_target',
    async (_name, _i, payload) => {
      const asPr = await render('pull_request', payload);
      const asTarget = await render('pull_request_target', payload);
      expect(asTarget.text).toBe(asPr.text);
      expect(asTarget.text).toContain(`Pull request #${payload.pull_request.number}`);
      expect(asTarget.text).toContain(payload.pull_request.title);
    },
  );
});

describe('the status mark', () => {
  const cases = onePerEvent().flatMap(([name, payload]) =>
    STATUSES.map((status): [string, Status, Payload] => [name, status, payload]),
  );

  it.each(cases)('%s with status %j', async (name, status, payload) => {
    const { text, context } = await render(name, payload, status);
    expectSound(text, context);
    expect(untidy(text)).toEqual([]);
    const first = firstLine(text);
    if (status === '') {
      expect(first.startsWith(context.github.repository)).toBe(true);
      for (const mark of ALL_MARKS) expect(first).not.toContain(mark);
    } else {
      expect(first.startsWith(`${MARKS[status]} ${context.github.repository}`)).toBe(true);
      for (const mark of ALL_MARKS.filter((m) => m !== MARKS[status])) expect(first).not.toContain(mark);
    }
    if (status === 'failure') expect(first).toMatch(/\bfailed\b/);
    else expect(first).not.toMatch(/fail/i);
    if (status === 'cancelled') expect(first).toContain('cancelled');
    if (status === 'skipped') expect(first).toContain('skipped');
  });

  it('names the workflow, or says "workflow" when it has no name', async () => {
    expect(firstLine((await render('push', ordinaryPush(), 'failure')).text)).toBe(
      '❌ Codertocat/Hello-World — Deploy failed',
    );
    const context = contextFor('push', ordinaryPush(), 'failure');
    context.github.workflow = '';
    const text = (await renderMessage(await loadDefaultTemplate('push'), context)).trim();
    expect(firstLine(text)).toBe('❌ Codertocat/Hello-World — workflow failed');
  });
});

describe('the messages say what happened', () => {
  it('push: branch, pusher, commit count, head commit first line, compare link', async () => {
    const payload = ordinaryPush();
    const { text } = await render('push', payload, 'success');
    expect(text.split('\n')).toEqual([
      '✅ Codertocat/Hello-World — Deploy succeeded',
      'Push to main by Codertocat: 3 commits',
      'Latest commit: Fix the login redirect after session expiry',
      `Changes: ${payload.compare}`,
      'Run #57: https://github.com/Codertocat/Hello-World/actions/runs/9876543210',
    ]);
  });

  it('push: a force-push, a tag, a new branch, and deletions with no head commit and an all-zero after', async () => {
    const forced = { ...ordinaryPush(), forced: true };
    expect((await render('push', forced)).text).toContain('Force-push to main by Codertocat: 3 commits');

    const tag = example('push', (p) => p.created === true && String(p.ref).startsWith('refs/tags/'));
    expect((await render('push', tag)).text).toContain('Tag simple-tag pushed by Codertocat');

    const branch = example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/'));
    expect((await render('push', branch)).text).toContain(
      'New branch master pushed by Codertocat: 1 commit\nLatest commit: Initial commit',
    );

    const deletedTag = example('push', (p) => p.deleted === true);
    const deleted = (await render('push', deletedTag)).text;
    expect(deleted).toContain('Tag simple-tag deleted by Codertocat');
    expect(deleted).not.toContain('Changes:');
    expect(deleted).not.toContain('Latest commit');

    // A deleted branch: no `deleted` flag, only the all-zero `after`.
    const deletedBranch = { ...deletedTag, ref: 'refs/heads/feature/login', deleted: undefined };
    const text = (await render('push', deletedBranch)).text;
    expect(text).toContain('Branch feature/login deleted by Codertocat');
    expect(untidy(text)).toEqual([]);
  });

  it('push: a long multi-line commit message gives its first line, cut to 200 characters', async () => {
    const payload = ordinaryPush();
    payload.head_commit.message = `${'Refactor '.repeat(60)}\r\n\r\n${'body '.repeat(5000)}`;
    const { text } = await render('push', payload);
    const line = text.split('\n').find((l) => l.startsWith('Latest commit: '))!;
    expect(line.length).toBeLessThanOrEqual('Latest commit: '.length + 200);
    expect(line.endsWith('…')).toBe(true);
    expect(text).not.toContain('body');
  });

  it('pull_request: action, number, title, author, base ← head, link; merged; a fork shows owner:branch', async () => {
    const opened = example('pull_request', (p) => p.action === 'opened');
    expect((await render('pull_request', opened)).text.split('\n').slice(1, 4)).toEqual([
      'Pull request #2 opened: Update the README with new information.',
      'By Codertocat · master ← changes',
      'https://github.com/Codertocat/Hello-World/pull/2',
    ]);

    const merged = example('pull_request', (p) => p.action === 'closed');
    merged.pull_request.merged = true;
    expect((await render('pull_request', merged)).text).toContain('Pull request #2 merged: ');

    const closed = example('pull_request', (p) => p.action === 'closed');
    expect((await render('pull_request', closed)).text).toContain('Pull request #2 closed: ');

    const labeled = example('pull_request', (p) => p.action === 'labeled');
    expect((await render('pull_request', labeled)).text).toContain('Pull request #2 label bug added: ');

    const fork = example('pull_request', (p) => p.action === 'opened');
    fork.pull_request.head.repo.full_name = 'octocat/Hello-World';
    fork.pull_request.head.label = 'octocat:patch-1';
    expect((await render('pull_request_target', fork)).text).toContain('By Codertocat · master ← octocat:patch-1');

    const draft = example('pull_request', (p) => p.action === 'converted_to_draft');
    expect((await render('pull_request', draft)).text).toContain('By Codertocat · master ← changes · draft');
  });

  it('issues: action, number, title, author, labels (no "Labels:" line without labels), link', async () => {
    const opened = example('issues', (p) => p.action === 'opened');
    expect((await render('issues', opened)).text.split('\n').slice(1)).toEqual([
      'Issue #1 opened: Spelling error in the README file',
      'By Codertocat',
      'Labels: bug',
      'https://github.com/Codertocat/Hello-World/issues/1',
      'Run #57: https://github.com/Codertocat/Hello-World/actions/runs/9876543210',
    ]);

    const unlabeled = example('issues', (p) => Array.isArray(p.issue.labels) && p.issue.labels.length === 0);
    expect((await render('issues', unlabeled)).text).not.toContain('Labels');

    const many = example('issues', (p) => p.action === 'opened');
    many.issue.labels = Array.from({ length: 100 }, (_, i) => ({
      ...many.issue.labels[0],
      name: `area/component-${i}-with-a-long-name`,
    }));
    const labels = (await render('issues', many)).text.split('\n').find((l) => l.startsWith('Labels: '))!;
    expect(labels.length).toBeLessThanOrEqual('Labels: '.length + 200);

    const closed = example('issues', (p) => p.action === 'opened');
    Object.assign(closed, { action: 'closed' });
    closed.issue.state_reason = 'not_planned';
    expect((await render('issues', closed)).text).toContain('Issue #1 closed as not planned: ');

    const deleted = example('issues', (p) => p.action === 'deleted');
    expect((await render('issues', deleted)).text).not.toContain(deleted.issue.html_url);

    const transferred = example('issues', (p) => p.action === 'transferred');
    expect((await render('issues', transferred)).text).toContain(transferred.changes.new_issue.html_url);
  });

  it('issue_comment: number and title, commenter, first line of the comment, link; on a pull request says so', async () => {
    const created = example('issue_comment', (p) => p.action === 'created');
    expect((await render('issue_comment', created)).text.split('\n').slice(1, 4)).toEqual([
      'New comment on issue #1: Spelling error in the README file',
      "Codertocat: You are totally right! I'll get this fixed right away.",
      'https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400',
    ]);

    const multiLine = example('issue_comment', (p) => p.action === 'created');
    multiLine.comment.body = 'Looks good to me.\r\n\r\n```diff\n- old\n+ new\n```';
    multiLine.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
    const text = (await render('issue_comment', multiLine)).text;
    expect(text).toContain('New comment on pull request #1: ');
    expect(text).toContain('Codertocat: Looks good to me. …');
    expect(text).not.toContain('diff');

    const long = example('issue_comment', (p) => p.action === 'created');
    long.comment.body = 'word '.repeat(20_000);
    const line = (await render('issue_comment', long)).text.split('\n')[2]!;
    expect(line.length).toBeLessThanOrEqual('Codertocat: '.length + 200);

    const deleted = example('issue_comment', (p) => p.action === 'deleted');
    const gone = (await render('issue_comment', deleted)).text;
    expect(gone).toContain('Comment deleted on issue #1: ');
    expect(gone).not.toContain(deleted.comment.body);
    expect(gone).not.toContain('#issuecomment-');
  });

  it('release: action, tag, name, author, link (none when deleted); a pre-release says so', async () => {
    const published = example('release', (p) => p.action === 'published');
    published.release.name = 'Spring update';
    expect((await render('release', published)).text.split('\n').slice(1, 4)).toEqual([
      'Release 0.0.1 published: Spring update',
      'By Codertocat',
      'https://github.com/Codertocat/Hello-World/releases/tag/0.0.1',
    ]);
    const deleted = example('release', (p) => p.action === 'deleted');
    expect((await render('release', deleted)).text).not.toContain('/releases/tag/');
    const pre = example('release', (p) => p.action === 'prereleased');
    expect((await render('release', pre)).text).toContain('Pre-release 0.0.1 published');
  });

  it('deployment and deployment_status: environment, state, ref, creator, description, URLs', async () => {
    const deployment = example('deployment');
    deployment.deployment.description = 'Deploy request from hubot';
    expect((await render('deployment', deployment)).text.split('\n').slice(1, 4)).toEqual([
      'Deployment to production created',
      'By Codertocat · master (f95f852)',
      'Deploy request from hubot',
    ]);

    const status = example('deployment_status', (p) => p.deployment_status.state === 'success');
    status.deployment_status.state = 'failure';
    status.deployment_status.environment_url = 'https://shop.example.com';
    status.deployment_status.target_url = 'https://github.com/Codertocat/Hello-World/actions/runs/1';
    expect((await render('deployment_status', status)).text.split('\n').slice(1, 5)).toEqual([
      'Deployment to production failed',
      'By Codertocat · master (f95f852)',
      'URL: https://shop.example.com',
      'Log: https://github.com/Codertocat/Hello-World/actions/runs/1',
    ]);
  });

  it('workflow_run: workflow, conclusion or status, branch, link to that run', async () => {
    const failed = example('workflow_run', (p) => p.workflow_run.conclusion === 'success');
    failed.workflow_run.conclusion = 'failure';
    expect((await render('workflow_run', failed)).text.split('\n').slice(1, 5)).toEqual([
      'Workflow test #163 failed',
      'On master · repository dispatch by Codertocat',
      'ci(action): update actions/setup-node digest to 8c91899',
      'https://github.com/octo-org/octo-repo/actions/runs/289782451',
    ]);
    const queued = example('workflow_run', (p) => p.workflow_run.conclusion === null);
    expect((await render('workflow_run', queued)).text).toContain('#36 is queued');
  });

  it('workflow_dispatch: workflow, ref, actor, the first ten inputs cut short', async () => {
    const payload = example('workflow_dispatch');
    payload.inputs = { environment: 'production', dry_run: false, notes: 'line one\nline two', tag: '' };
    expect((await render('workflow_dispatch', payload)).text.split('\n').slice(1, 4)).toEqual([
      'Manual run of Deploy by octocat',
      'On main',
      'Inputs: environment=production, dry_run=false, notes=line one line two, tag=(empty)',
    ]);
    payload.inputs = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`input_${i}`, 'v'.repeat(1000)]));
    const inputs = (await render('workflow_dispatch', payload)).text.split('\n').find((l) => l.startsWith('Inputs: '))!;
    expect(inputs).toContain('input_9=');
    expect(inputs).not.toContain('input_10=');
    expect(inputs.endsWith(', …')).toBe(true);
    expect(inputs.length).toBeLessThan(1000);
    payload.inputs = null;
    expect((await render('workflow_dispatch', payload)).text).not.toContain('Inputs');
  });

  it('schedule: workflow and cron', async () => {
    expect((await render('schedule', schedulePayload())).text.split('\n').slice(1, 4)).toEqual([
      'Scheduled run of Deploy',
      'Schedule: 30 5 * * 1-5 (cron, UTC)',
      'On master',
    ]);
  });

  it('generic: event, action, subject, actor, ref', async () => {
    const star = example('star', (p) => p.action === 'created');
    expect((await render('star', star)).text.split('\n').slice(1, 3)).toEqual([
      'Star created',
      'By Codertocat · On master',
    ]);
    const discussion = example('discussion', (p) => p.action === 'created');
    expect((await render('discussion', discussion)).text).toContain(
      `Discussion created: ${discussion.discussion.title}\n`,
    );
    expect((await render('discussion', discussion)).text).toContain(discussion.discussion.html_url);
  });
});

describe('payloads that lack fields or overflow', () => {
  const ownTemplates = onePerEvent().filter(([name]) => defaultTemplateFile(name) !== 'generic.liquid');
  ownTemplates.push(['push', ordinaryPush()]);

  it.each(ownTemplates)('%s: with any one field missing, still sound and tidy', async (name, payload) => {
    const repository = payload.repository.full_name as string;
    // A field that is null already gives the payload itself again: the action gets the payload as
    // JSON, so the same JSON is the same message, rendered once and checked for each field.
    const rendered = new Map<string, Promise<{ text: string; context: TemplateContext }>>();
    for (const [field, variant] of knockouts(payload)) {
      const json = JSON.stringify(variant);
      let message = rendered.get(json);
      if (!message) rendered.set(json, (message = render(name, variant, 'failure', repository)));
      const { text, context } = await message;
      expectSound(text, context);
      expect(untidy(text), `${name} without ${field}:\n${text}`).toEqual([]);
    }
  });

  it.each(onePerEvent())('%s: an empty payload gives a sound message', async (name) => {
    const { text, context } = await render(name, {}, 'success', 'acme/shop');
    expectSound(text, context);
    expect(untidy(text)).toEqual([]);
  });

  /** Every text in the payload made huge (free text) or long (names, refs), every list a hundred long. */
  function inflate(value: unknown, key = ''): unknown {
    if (typeof value === 'string') {
      if (/^https?:\/\//.test(value)) return value;
      return /^(body|message|title|name|description|summary|note|display_title|schedule)$/.test(key)
        ? 'A very long text\nwith many lines and words; '.repeat(1_000)
        : 'n'.repeat(300);
    }
    if (Array.isArray(value))
      return value.length === 0 ? [] : Array.from({ length: 100 }, () => inflate(value[0], key));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inflate(v, k)]));
    return value;
  }

  it.each(onePerEvent())('%s: an oversized payload stays within 4096 characters', async (name, payload) => {
    const inflated = inflate(payload) as Payload;
    if (name === 'workflow_dispatch') {
      inflated.inputs = Object.fromEntries(
        Array.from({ length: 25 }, (_, i) => [`${'k'.repeat(100)}${i}`, 'v\n'.repeat(10_000)]),
      );
    }
    const repository = typeof payload.repository?.full_name === 'string' ? payload.repository.full_name : 'acme/shop';
    // Megabytes of JSON: written to the event file and read into a context once; a status changes
    // nothing in the context but `status` (checked above).
    const read = contextIn(envFor(name, inflated, repository), '');
    for (const status of STATUSES) {
      const { text, context } = await renderIn(name, { ...read, status });
      expectSound(text, context);
      expect(text.length).toBeLessThanOrEqual(4096);
      // Multi-line text in a title or a name does not spill onto lines of its own.
      expect(text.split('\n').length, text).toBeLessThanOrEqual(8);
    }
  });
});

describe('a readable sample for review', () => {
  it('matches __snapshots__/default-messages.md', async () => {
    const samples: Array<{ name: string; what: string; status: Status; payload: Payload }> = [
      {
        name: 'push',
        what: 'three commits to a branch (adapted from the examples)',
        status: 'success',
        payload: ordinaryPush(),
      },
      {
        name: 'push',
        what: 'a new branch',
        status: 'failure',
        payload: example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/')),
      },
      { name: 'push', what: 'a tag deleted', status: '', payload: example('push', (p) => p.deleted === true) },
      {
        name: 'pull_request',
        what: 'opened',
        status: '',
        payload: example('pull_request', (p) => p.action === 'opened'),
      },
      {
        name: 'pull_request_target',
        what: 'review_requested',
        status: 'success',
        payload: example('pull_request', (p) => p.action === 'review_requested'),
      },
      { name: 'issues', what: 'opened', status: '', payload: example('issues', (p) => p.action === 'opened') },
      {
        name: 'issue_comment',
        what: 'created',
        status: '',
        payload: example('issue_comment', (p) => p.action === 'created'),
      },
      {
        name: 'release',
        what: 'published',
        status: 'success',
        payload: example('release', (p) => p.action === 'published'),
      },
      { name: 'deployment', what: 'created', status: '', payload: example('deployment') },
      {
        name: 'deployment_status',
        what: 'created (in_progress)',
        status: 'success',
        payload: example('deployment_status', (p) => p.deployment_status.state === 'in_progress'),
      },
      {
        name: 'workflow_run',
        what: 'completed',
        status: 'success',
        payload: example('workflow_run', (p) => p.workflow_run.conclusion === 'success'),
      },
      {
        name: 'workflow_dispatch',
        what: 'with inputs',
        status: 'cancelled',
        payload: { ...example('workflow_dispatch'), inputs: { environment: 'staging', dry_run: true } },
      },
      { name: 'schedule', what: 'cron', status: 'failure', payload: schedulePayload() },
      { name: 'star', what: 'created (generic)', status: '', payload: example('star', (p) => p.action === 'created') },
      {
        name: 'discussion',
        what: 'created (generic)',
        status: '',
        payload: example('discussion', (p) => p.action === 'created'),
      },
      {
        name: 'check_run',
        what: 'completed (generic)',
        status: 'skipped',
        payload: example('check_run', (p) => p.action === 'completed'),
      },
    ];
    const parts = [
      '# Default messages',
      '',
      'Rendered by test/default-messages.test.ts from @octokit/webhooks-examples payloads, with the run',
      'environment of test/harness.ts (workflow "Deploy", run #57). Each heading names the event, the',
      "payload's action and the `status` input given.",
    ];
    for (const { name, what, status, payload } of samples) {
      const { text } = await render(name, payload, status);
      parts.push(
        '',
        `## ${name} · ${what} · status: ${status === '' ? '(none)' : status}`,
        '',
        `templates/${defaultTemplateFile(name)}`,
        '',
        '```text',
        text,
        '```',
      );
    }
    await expect(`${parts.join('\n')}\n`).toMatchFileSnapshot('./__snapshots__/default-messages.md');
  });

  it('docs/templates.md shows the messages as the snapshot has them', () => {
    // The events' messages: up to the customers' (customer-messages.test.ts checks those) and the recipes.
    const docs = readFileSync(join(TEMPLATES_DIR, '..', 'docs', 'templates.md'), 'utf8')
      .split('\n## Recipes')[0]!
      .split('\n## Messages to customers (`topics_from`)')[0]!;
    const snapshot = readFileSync(
      join(TEMPLATES_DIR, '..', 'test', 'action', '__snapshots__', 'default-messages.md'),
      'utf8',
    );
    const blocks = [...docs.matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    for (const block of blocks) expect(snapshot).toContain(`\`\`\`text\n${block}\n\`\`\``);
  });
});
