/**
 * The customer's default message (templates/customer.liquid): what a topic found by `topics_from`
 * gets when neither `message` nor `message_file` is given. Rendered over every example payload in
 * @octokit/webhooks-examples of the events `topics_from` serves (issues, issue_comment, pull_request
 * and pull_request_target, pull_request_review with `issue`; pull_request, push, release and
 * deployment_status with `fixed_issues`), with the context the action builds on a runner and the
 * recipient's `topic` and `issue`. Every message must greet the person, name their report, end with
 * its link, print nothing the template did not mean (no template warning), and be short and tidy;
 * its wording must fit the event. A readable sample is kept in __snapshots__/customer-messages.md,
 * which docs/templates.md ("Messages to customers") quotes.
 *
 * The runner's environment for an event is test/support/webhooks.ts's, as default-messages.test.ts uses it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../../src/host.js';
import { prepareMessage, renderPrepared, type MessageOptions } from '../../src/message/compose.js';
import { buildContext, type TemplateContext } from '../../src/message/context.js';
import { CUSTOMER_TEMPLATE, TEMPLATES_DIR, loadDefaultTemplate } from '../../src/message/default-templates.js';
import { renderMessageChecked, type MessageTemplate, type TemplateWarning } from '../../src/message/template.js';
import { Redactor } from '../../src/redact.js';
import { definitions, example, knockouts, useEventRunner, type Payload } from '../support/webhooks.ts';

/** The topic as the action passes it after looking it up: info_by_topic's fields, its link and ids. */
const TOPIC = {
  user_first_name: 'Ada',
  user_name: 'Ada Lovelace',
  user_lang: 'en',
  topic_title: 'Ada Lovelace',
  link: 'https://t.me/c/2101424779/5343',
  group_id: '2101424779',
  topic_id: 5343,
} as const;

/** A dry run does not look the topic up: `topic` holds its link and ids only. */
const DRY_RUN_TOPIC = { link: TOPIC.link, group_id: TOPIC.group_id, topic_id: TOPIC.topic_id } as const;

type Topic = Record<string, unknown>;

interface Issue {
  number: number;
  title: string;
  html_url: string;
  state: string;
  repository: string;
}

/** The issue that linked the topic, as `fixed_issues` gives it: one the change fixes. */
function fixedIssue(repository: string): Issue {
  return {
    number: 12,
    title: 'Export fails for dates before 1970',
    html_url: `https://github.com/${repository}/issues/12`,
    state: 'closed',
    repository,
  };
}

/** The issue as `topics_from: issue` gives it: the issue or pull request the event is about. */
function issueOfEvent(payload: Payload, repository: string): Issue {
  const about = (payload.issue ?? payload.pull_request) as Payload;
  return {
    number: Number(about.number),
    title: typeof about.title === 'string' ? about.title : '',
    html_url: typeof about.html_url === 'string' ? about.html_url : '',
    state: typeof about.state === 'string' ? about.state : '',
    repository,
  };
}

const { envFor } = useEventRunner('customer-messages');

const repositoryOf = (payload: Payload): string =>
  typeof payload.repository?.full_name === 'string' ? payload.repository.full_name : 'acme/shop';

/** The context the action builds for this event on a runner. */
function contextFor(name: string, payload: Payload, repository: string): TemplateContext {
  const { context, eventProblem } = buildContext(envFor(name, payload, repository), { status: '' });
  expect(eventProblem).toBeUndefined();
  return context;
}

/** templates/customer.liquid, read once (rendering does not change it). */
let customer: Promise<MessageTemplate> | undefined;
const customerTemplate = (): Promise<MessageTemplate> => (customer ??= loadDefaultTemplate('push', true));

interface Rendered {
  text: string;
  warnings: TemplateWarning[];
  issue: Issue;
}

/**
 * The customer's message for this event, topic and issue (by default Ada's topic and the issue the
 * change fixes, #12), trimmed and with Telegram's line endings as renderPrepared makes them.
 */
async function render(
  name: string,
  payload: Payload,
  recipient: { topic?: Topic; issue?: Issue; repository?: string } = {},
): Promise<Rendered> {
  const repository = recipient.repository ?? repositoryOf(payload);
  const issue = recipient.issue ?? fixedIssue(repository);
  const context = contextFor(name, payload, repository);
  const checked = await renderMessageChecked(await customerTemplate(), {
    ...context,
    topic: recipient.topic ?? TOPIC,
    issue,
  });
  return { text: checked.text.replace(/\r\n?/g, '\n').trim(), warnings: checked.warnings, issue };
}

/**
 * Lines that show a missing field: empty, padded, ending in a separator, a separator with nothing on
 * a side, empty quotes. A colon may end a line that introduces the next (a comment's first line),
 * never the line before the link.
 */
function untidy(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') problems.push('an empty line');
    else if (line !== line.trim()) problems.push(`white space at an end: ${JSON.stringify(line)}`);
    const introduces = line.endsWith(':') && i < lines.length - 2;
    if (/[:·,(←#—-]$/.test(line) && !introduces) problems.push(`dangling at the end: ${JSON.stringify(line)}`);
    if (/^[:·,.)←—-]/.test(line)) problems.push(`dangling at the start: ${JSON.stringify(line)}`);
    if (/ {2}| [,.:;)]|\(\)|· ·|: ·|#[: ]|""|[.!?]"\.|[^.]\.\.$/.test(line))
      problems.push(`a gap where a field is missing: ${JSON.stringify(line)}`);
  });
  return problems;
}

/** What every customer's message must be, whatever the payload. */
function expectSound({ text, warnings, issue }: Rendered, greeting = `Hi ${TOPIC.user_first_name}, `): void {
  expect(warnings.map((w) => w.message)).toEqual([]);
  expect(text.startsWith(greeting), text).toBe(true);
  expect(text).not.toMatch(/\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]/);
  const lines = text.split('\n');
  expect(lines[0]).toContain(`#${issue.number}`);
  expect(lines.at(-1)).toBe(issue.html_url);
  expect(untidy(text), text).toEqual([]);
  // A note to a person, not a notification dump.
  expect(text.length).toBeLessThanOrEqual(600);
  expect(lines.length).toBeLessThanOrEqual(6);
}

/** The event's issue (or pull request) made issue #12 of the customer's report, as README shows it. */
function aboutIssue12(payload: Payload): Payload {
  const repository = repositoryOf(payload);
  Object.assign(payload.issue, {
    number: 12,
    title: 'Export fails for dates before 1970',
    html_url: `https://github.com/${repository}/issues/12`,
  });
  return payload;
}

/** The events topics_from serves: `issue` for the first five, `fixed_issues` for the last four. */
const ISSUE_EVENTS = ['issues', 'issue_comment', 'pull_request', 'pull_request_target', 'pull_request_review'];
const EVENTS = [
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_review',
  'release',
  'deployment_status',
  'push',
];

/** Every example of those events; pull_request's also as pull_request_target (the same payload). */
const everyExample: Array<[string, number, Payload]> = definitions
  .filter((d) => EVENTS.includes(d.name))
  .flatMap((d) =>
    (d.name === 'pull_request' ? ['pull_request', 'pull_request_target'] : [d.name]).flatMap((name) =>
      d.examples.map((payload, i): [string, number, Payload] => [name, i, payload]),
    ),
  );

describe('the customer template', () => {
  it('covers every example of the events topics_from serves: 124 payloads', () => {
    expect(new Set(everyExample.map(([name]) => name))).toEqual(new Set([...EVENTS, 'pull_request_target']));
    expect(everyExample).toHaveLength(124);
  });

  it('is templates/customer.liquid, opening with a comment on how to override it', () => {
    const source = readFileSync(join(TEMPLATES_DIR, CUSTOMER_TEMPLATE), 'utf8');
    expect(source).toMatch(/^\{%-? comment -?%\}/);
    expect(source).toContain('message_file');
    // One file to copy: it includes no other.
    expect(source).not.toMatch(/\{%-?\s*(include|render|layout)\b/);
  });

  /** What the action logs, kept to be checked. */
  function recordingLog(): Log & { lines: string[] } {
    const lines: string[] = [];
    const keep = (kind: string) => (text: string) => lines.push(`${kind}: ${text}`);
    return {
      lines,
      info: keep('info'),
      untrusted: keep('untrusted'),
      debug: keep('debug'),
      notice: keep('notice'),
      warning: keep('warning'),
      error: keep('error'),
      group: keep('group'),
      endGroup: () => undefined,
    };
  }

  it('is what the action renders with topics_from and no message: per recipient, strict_template passes', async () => {
    const payload = aboutIssue12(example('issues', (p) => p.action === 'opened'));
    const env = envFor('issues', payload, repositoryOf(payload));
    const log = recordingLog();
    const composing = { env, log, redactor: new Redactor() };
    const options: MessageOptions = {
      message: undefined,
      message_file: undefined,
      vars: undefined,
      status: undefined,
      strict_template: true,
      max_length: 4096,
      overflow: 'error',
      topics_from: 'issue',
    };
    const prepared = await prepareMessage(options, composing);
    expect(prepared.template.origin).toBe(`the default message templates/${CUSTOMER_TEMPLATE}`);
    expect(prepared.perRecipient).toBe(true);
    const issue = issueOfEvent(payload, repositoryOf(payload));
    const fitted = await renderPrepared(prepared, { topic: TOPIC, issue }, options, composing);
    expect(fitted.parts).toEqual([(await render('issues', payload, { issue })).text]);
    expect(log.lines).toEqual([]);

    // Without topics_from (the users given by user_id or topic_link), the event's own message.
    const team = await prepareMessage({ ...options, topics_from: undefined }, composing);
    expect(team.template.origin).toBe('the default message templates/issues.liquid');
  });
});

describe('every example payload', () => {
  it.each(everyExample)(
    '%s #%i: to the customer of issue #12 (fixed_issues), greeted, sound, tidy and short',
    async (name, _i, payload) => {
      expectSound(await render(name, payload));
    },
  );

  it.each(everyExample.filter(([name]) => ISSUE_EVENTS.includes(name)))(
    '%s #%i: to the customer of the issue or pull request the event is about (topics_from: issue)',
    async (name, _i, payload) => {
      const issue = issueOfEvent(payload, repositoryOf(payload));
      const rendered = await render(name, payload, { issue });
      expectSound(rendered);
      if (issue.title) expect(rendered.text.split('\n')[0]).toContain(`#${issue.number} "${issue.title}"`);
    },
  );

  it.each(everyExample.filter(([name]) => name === 'pull_request'))(
    'pull_request #%i renders the same as pull_request_target',
    async (_name, _i, payload) => {
      const issue = issueOfEvent(payload, repositoryOf(payload));
      expect((await render('pull_request_target', payload, { issue })).text).toBe(
        (await render('pull_request', payload, { issue })).text,
      );
      expect((await render('pull_request_target', payload)).text).toBe((await render('pull_request', payload)).text);
    },
  );
});

describe('the wording fits the event', () => {
  const lines = async (name: string, payload: Payload, recipient?: { issue?: Issue }): Promise<string[]> =>
    (await render(name, payload, recipient)).text.split('\n');
  const first = async (name: string, payload: Payload, recipient?: { issue?: Issue }): Promise<string> =>
    (await lines(name, payload, recipient))[0]!;

  it('release: fixed in the repository and the release (its name, else its tag), with the release notes', async () => {
    const published = example('release', (p) => p.action === 'published');
    expect(await lines('release', published)).toEqual([
      'Hi Ada, your report #12 "Export fails for dates before 1970" is fixed in Codertocat/Hello-World 0.0.1.',
      'Release notes: https://github.com/Codertocat/Hello-World/releases/tag/0.0.1',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);

    published.release.name = 'Spring update';
    expect(await first('release', published)).toContain('is fixed in Codertocat/Hello-World Spring update.');

    // A draft's page is not public: no link to it.
    const draft = example('release', (p) => p.action === 'created');
    draft.release.draft = true;
    expect((await render('release', draft)).text).not.toContain('Release notes');

    const deleted = example('release', (p) => p.action === 'deleted');
    const gone = (await render('release', deleted)).text;
    expect(gone).not.toContain('fixed');
    expect(gone).not.toContain('/releases/');
    expect(gone.split('\n')[0]).toContain('the release 0.0.1 of Codertocat/Hello-World was deleted.');
  });

  it('deployment_status: deployed to the environment, with its URL; in progress and failed say so', async () => {
    const success = example('deployment_status', (p) => p.deployment_status.state === 'success');
    expect(await lines('deployment_status', success)).toEqual([
      'Hi Ada, the fix for your report #12 "Export fails for dates before 1970" is deployed to production.',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);

    success.deployment_status.environment_url = 'https://shop.example.com';
    expect((await lines('deployment_status', success)).slice(1)).toEqual([
      'Live at: https://shop.example.com',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);

    const running = example('deployment_status', (p) => p.deployment_status.state === 'in_progress');
    expect(await first('deployment_status', running)).toContain('is being deployed to github-pages.');
    expect(await first('deployment_status', running)).not.toContain('is deployed');

    const failed = example('deployment_status', (p) => p.deployment_status.state === 'success');
    failed.deployment_status.state = 'failure';
    expect(await first('deployment_status', failed)).toContain(
      'the deployment of the fix for your report #12 "Export fails for dates before 1970" to production failed.',
    );
  });

  it('push: in the repository, on the branch pushed to', async () => {
    const branch = example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/'));
    expect(await lines('push', branch)).toEqual([
      'Hi Ada, the fix for your report #12 "Export fails for dates before 1970" is in Codertocat/Hello-World (master); it ships with the next release.',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);
  });

  it('issues: opened, closed as completed or not planned, reopened, and any other action', async () => {
    const opened = aboutIssue12(example('issues', (p) => p.action === 'opened'));
    expect(await lines('issues', opened)).toEqual([
      'Hi Ada, thank you: your report is now issue #12 "Export fails for dates before 1970" in Codertocat/Hello-World. We will write here when it is fixed.',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);

    const closed = aboutIssue12(example('issues', (p) => p.action === 'opened'));
    Object.assign(closed, { action: 'closed' });
    Object.assign(closed.issue, { state: 'closed', state_reason: 'completed' });
    expect(await first('issues', closed)).toBe(
      'Hi Ada, your report #12 "Export fails for dates before 1970" is closed: it is done.',
    );
    closed.issue.state_reason = 'not_planned';
    expect(await first('issues', closed)).toBe(
      'Hi Ada, your report #12 "Export fails for dates before 1970" is closed as not planned.',
    );
    closed.issue.state_reason = 'duplicate';
    expect(await first('issues', closed)).toContain('is closed as a duplicate.');

    const reopened = aboutIssue12(example('issues', (p) => p.action === 'reopened'));
    expect(await first('issues', reopened)).toBe(
      'Hi Ada, your report #12 "Export fails for dates before 1970" is open again.',
    );

    const labeled = aboutIssue12(example('issues', (p) => p.action === 'labeled'));
    expect(await first('issues', labeled)).toBe(
      'Hi Ada, news on your report #12 "Export fails for dates before 1970": labeled (bug).',
    );
  });

  it("issue_comment: who commented and the comment's first line; an edit says so, a deletion repeats nothing", async () => {
    const created = aboutIssue12(example('issue_comment', (p) => p.action === 'created'));
    expect(await lines('issue_comment', created)).toEqual([
      'Hi Ada, a new comment on your report #12 "Export fails for dates before 1970" by Codertocat:',
      "You are totally right! I'll get this fixed right away.",
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);

    const multiLine = aboutIssue12(example('issue_comment', (p) => p.action === 'created'));
    multiLine.comment.body = 'Fixed in the next build.\r\n\r\n```diff\n- old\n+ new\n```';
    expect((await lines('issue_comment', multiLine))[1]).toBe('Fixed in the next build. …');

    const long = aboutIssue12(example('issue_comment', (p) => p.action === 'created'));
    long.comment.body = 'word '.repeat(20_000);
    const line = (await lines('issue_comment', long))[1]!;
    expect(line.length).toBeLessThanOrEqual(200);
    expect(line.endsWith('…')).toBe(true);

    const empty = aboutIssue12(example('issue_comment', (p) => p.action === 'created'));
    empty.comment.body = '  \n ';
    expect(await lines('issue_comment', empty)).toEqual([
      'Hi Ada, a new comment on your report #12 "Export fails for dates before 1970" by Codertocat.',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);

    const edited = aboutIssue12(example('issue_comment', (p) => p.action === 'edited'));
    expect(await first('issue_comment', edited)).toBe(
      'Hi Ada, an edited comment on your report #12 "Export fails for dates before 1970" by Codertocat:',
    );

    const deleted = aboutIssue12(example('issue_comment', (p) => p.action === 'deleted'));
    const gone = (await render('issue_comment', deleted)).text;
    expect(gone.split('\n')).toEqual([
      'Hi Ada, a comment on your report #12 "Export fails for dates before 1970" by Codertocat was deleted.',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);
    expect(gone).not.toContain(deleted.comment.body);
  });

  it('pull_request, the pull request itself (topics_from: issue): opened, merged, closed unmerged, other actions', async () => {
    const own = (payload: Payload): { issue: Issue } => ({ issue: issueOfEvent(payload, repositoryOf(payload)) });
    const opened = example('pull_request', (p) => p.action === 'opened');
    expect(await lines('pull_request', opened, own(opened))).toEqual([
      'Hi Ada, pull request #2 "Update the README with new information." is open for review.',
      'https://github.com/Codertocat/Hello-World/pull/2',
    ]);

    const merged = example('pull_request', (p) => p.action === 'closed');
    merged.pull_request.merged = true;
    expect(await first('pull_request', merged, own(merged))).toBe(
      'Hi Ada, the fix in pull request #2 "Update the README with new information." is merged; it ships with the next release.',
    );

    const closed = example('pull_request', (p) => p.action === 'closed');
    closed.pull_request.merged = false;
    expect(await first('pull_request', closed, own(closed))).toBe(
      'Hi Ada, pull request #2 "Update the README with new information." is closed without being merged.',
    );

    const reopened = example('pull_request', (p) => p.action === 'reopened');
    expect(await first('pull_request', reopened, own(reopened))).toContain('is open again.');
    const pushed = example('pull_request', (p) => p.action === 'synchronize');
    expect(await first('pull_request', pushed, own(pushed))).toContain('has new commits.');
    const labeled = example('pull_request', (p) => p.action === 'labeled');
    expect(await first('pull_request', labeled, own(labeled))).toMatch(
      /^Hi Ada, news on pull request #2 "Update the README with new information\.": labeled \(.+\)\.$/,
    );
    const requested = example('pull_request', (p) => p.action === 'review_requested');
    expect(await first('pull_request', requested, own(requested))).toContain(': review requested.');
  });

  it('pull_request, an issue the merged pull request fixes (fixed_issues): merged, naming the pull request', async () => {
    const merged = example('pull_request', (p) => p.action === 'closed');
    merged.pull_request.merged = true;
    expect(await lines('pull_request', merged)).toEqual([
      'Hi Ada, the fix for your report #12 "Export fails for dates before 1970" is merged (pull request #2); it ships with the next release.',
      'https://github.com/Codertocat/Hello-World/issues/12',
    ]);
    expect((await render('pull_request_target', merged)).text).toBe((await render('pull_request', merged)).text);

    // Issue #2 of another repository is not the pull request #2 that fixes it.
    const elsewhere = { ...fixedIssue('Codertocat/Other'), number: 2 };
    expect(await first('pull_request', merged, { issue: elsewhere })).toBe(
      'Hi Ada, the fix for your report #2 "Export fails for dates before 1970" is merged (pull request #2); it ships with the next release.',
    );

    // Not merged (fixed_issues sends nothing then, but the template still says no more than is so).
    const closed = example('pull_request', (p) => p.action === 'closed');
    expect(await first('pull_request', closed)).toBe(
      'Hi Ada, pull request #2 for your report #12 "Export fails for dates before 1970" is closed without being merged.',
    );
    const opened = example('pull_request', (p) => p.action === 'opened');
    expect(await first('pull_request', opened)).toBe(
      'Hi Ada, news on your report #12 "Export fails for dates before 1970": pull request #2 opened.',
    );
  });

  it("pull_request_review: the review's outcome", async () => {
    const reviewed = example('pull_request_review', (p) => p.review.state === 'commented');
    const issue = issueOfEvent(reviewed, repositoryOf(reviewed));
    expect(await lines('pull_request_review', reviewed, { issue })).toEqual([
      'Hi Ada, pull request #2 "Update the README with new information." has review comments.',
      'https://github.com/Codertocat/Hello-World/pull/2',
    ]);
    reviewed.review.state = 'APPROVED';
    expect(await first('pull_request_review', reviewed, { issue })).toContain('" is approved.');
    reviewed.review.state = 'changes_requested';
    expect(await first('pull_request_review', reviewed, { issue })).toContain('" needs changes after a review.');
    reviewed.review.state = 'dismissed';
    expect(await first('pull_request_review', reviewed, { issue })).toContain('" had a review dismissed.');
  });
});

describe('the greeting', () => {
  const opened = (): Payload => aboutIssue12(example('issues', (p) => p.action === 'opened'));

  it('by first name, else by the user name; "Hello, " when the topic says neither', async () => {
    expectSound(await render('issues', opened()));
    const { user_first_name: _, ...noFirstName } = TOPIC;
    expectSound(await render('issues', opened(), { topic: noFirstName }), 'Hi Ada Lovelace, ');
    expectSound(await render('issues', opened(), { topic: { ...TOPIC, user_first_name: '' } }), 'Hi Ada Lovelace, ');
    expectSound(await render('issues', opened(), { topic: { ...TOPIC, user_first_name: '  ' } }), 'Hello, ');
  });

  it('a dry run (the topic not looked up: its link and ids only), or no topic at all: "Hello, "', async () => {
    const dry = await render('issues', opened(), { topic: DRY_RUN_TOPIC });
    expectSound(dry, 'Hello, ');
    expect(dry.text.split('\n')[0]).toBe(
      'Hello, thank you: your report is now issue #12 "Export fails for dates before 1970" in Codertocat/Hello-World. We will write here when it is fixed.',
    );
    expectSound(await render('issues', opened(), { topic: {} }), 'Hello, ');
    const release = await render(
      'release',
      example('release', (p) => p.action === 'published'),
      {
        topic: DRY_RUN_TOPIC,
      },
    );
    expectSound(release, 'Hello, ');
  });
});

describe('hostile text in a name or a title', () => {
  const HOSTILE =
    'Line one\r\nLine two\rLine three\n{{ github.repository }} {% if true %}yes{% endif %} ::error::boom ';

  it('a title: on its line, cut, printed as written and never rendered as a template', async () => {
    const payload = aboutIssue12(example('issues', (p) => p.action === 'opened'));
    const issue = { ...fixedIssue('Codertocat/Hello-World'), title: `${HOSTILE}${'x'.repeat(5000)}` };
    for (const [name, p] of [
      ['issues', payload],
      ['release', example('release', (r) => r.action === 'published')],
      ['issue_comment', aboutIssue12(example('issue_comment', (c) => c.action === 'created'))],
    ] as Array<[string, Payload]>) {
      const rendered = await render(name, p, { issue });
      expect(rendered.warnings).toEqual([]);
      const lines = rendered.text.split('\n');
      expect(lines.length, rendered.text).toBe(name === 'issues' ? 2 : 3);
      expect(lines.at(-1)).toBe(issue.html_url);
      expect(lines[0]).toContain(
        '"Line one Line two Line three {{ github.repository }} {% if true %}yes{% endif %} ::error::boom xxx',
      );
      expect(lines[0]).toContain('…"');
      expect(lines[0]).not.toContain('x'.repeat(120));
      expect(lines[0]!.startsWith('::')).toBe(false);
      expect(rendered.text.length).toBeLessThanOrEqual(600);
    }
  });

  it('a user name: on the greeting line, cut to 40 characters, never rendered', async () => {
    const payload = aboutIssue12(example('issues', (p) => p.action === 'opened'));
    for (const topic of [
      { ...TOPIC, user_first_name: `${HOSTILE}${'y'.repeat(500)}` },
      { ...DRY_RUN_TOPIC, user_name: `${HOSTILE}${'y'.repeat(500)}` },
    ]) {
      const rendered = await render('issues', payload, { topic });
      expect(rendered.warnings).toEqual([]);
      const lines = rendered.text.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        /^Hi Line one Line two Line three \{\{ github\.…, thank you: your report is now issue #12 /,
      );
      expect(lines[1]).toBe('https://github.com/Codertocat/Hello-World/issues/12');
    }
  });

  it('a comment: its first line only, printed as written', async () => {
    const payload = aboutIssue12(example('issue_comment', (p) => p.action === 'created'));
    payload.comment.body = '{{ topic.link }} {% raw %}::error::boom\n{{ issue.title }}';
    const rendered = await render('issue_comment', payload);
    expect(rendered.warnings).toEqual([]);
    expect(rendered.text.split('\n')[1]).toBe('{{ topic.link }} {% raw %}::error::boom …');
    expect(rendered.text).not.toContain(TOPIC.link);
  });
});

describe('payloads that lack fields', () => {
  const merged = example('pull_request', (p) => p.action === 'closed');
  merged.pull_request.merged = true;
  const withUrl = example('deployment_status', (p) => p.deployment_status.state === 'success');
  withUrl.deployment_status.environment_url = 'https://shop.example.com';
  const payloads: Array<[string, Payload]> = [
    ['issues', example('issues', (p) => p.action === 'labeled')],
    ['issue_comment', example('issue_comment', (p) => p.action === 'created')],
    ['pull_request', merged],
    ['pull_request_review', example('pull_request_review')],
    ['release', example('release', (p) => p.action === 'published')],
    ['deployment_status', withUrl],
    ['push', example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/'))],
  ];

  it.each(payloads)('%s: with any one field missing, still sound, tidy and without warnings', async (name, payload) => {
    const repository = repositoryOf(payload);
    const rendered = new Map<string, string>();
    for (const [field, variant] of knockouts(payload)) {
      const json = JSON.stringify(variant);
      if (rendered.has(json)) continue;
      const message = await render(name, variant, { repository });
      rendered.set(json, message.text);
      expect(message.warnings, `${name} without ${field}`).toEqual([]);
      expect(untidy(message.text), `${name} without ${field}:\n${message.text}`).toEqual([]);
      expectSound(message);
    }
  });

  it.each(EVENTS)('%s: an empty payload gives a sound message', async (name) => {
    expectSound(await render(name, {}, { repository: 'acme/shop' }));
  });
});

/** The inline `message` docs/templates.md gives as the way to write one's own. */
const INLINE_MESSAGE = [
  'Hi {{ topic.user_first_name }}, your report #{{ issue.number }} is fixed in {{ github.event.release.tag_name }}.',
  '{{ issue.html_url }}',
].join('\n');

describe('a readable sample for review', () => {
  interface Sample {
    name: string;
    what: string;
    from: 'issue' | 'fixed_issues';
    payload: Payload;
    topic?: Topic;
    /** The issue that linked the topic; by default #12, the one the change fixes. */
    issue?: (payload: Payload) => Issue;
  }

  const own = (payload: Payload): Issue => issueOfEvent(payload, repositoryOf(payload));

  function samples(): Sample[] {
    const closed = aboutIssue12(example('issues', (p) => p.action === 'opened'));
    Object.assign(closed, { action: 'closed' });
    Object.assign(closed.issue, { state: 'closed', state_reason: 'not_planned' });
    const merged = example('pull_request', (p) => p.action === 'closed');
    merged.pull_request.merged = true;
    const deployed = example('deployment_status', (p) => p.deployment_status.state === 'success');
    deployed.deployment_status.environment_url = 'https://shop.example.com';
    return [
      {
        name: 'issues',
        what: 'opened',
        from: 'issue',
        payload: aboutIssue12(example('issues', (p) => p.action === 'opened')),
        issue: own,
      },
      { name: 'issues', what: 'closed as not planned', from: 'issue', payload: closed, issue: own },
      {
        name: 'issue_comment',
        what: 'created',
        from: 'issue',
        payload: aboutIssue12(example('issue_comment', (p) => p.action === 'created')),
        issue: own,
      },
      {
        name: 'pull_request',
        what: 'opened, the pull request itself',
        from: 'issue',
        payload: example('pull_request', (p) => p.action === 'opened'),
        issue: own,
      },
      { name: 'pull_request', what: 'closed, merged', from: 'fixed_issues', payload: merged },
      {
        name: 'push',
        what: 'to a branch',
        from: 'fixed_issues',
        payload: example('push', (p) => p.created === true && String(p.ref).startsWith('refs/heads/')),
      },
      {
        name: 'release',
        what: 'published',
        from: 'fixed_issues',
        payload: example('release', (p) => p.action === 'published'),
      },
      { name: 'deployment_status', what: 'success', from: 'fixed_issues', payload: deployed },
      {
        name: 'release',
        what: 'published, a dry run (no name: the topic is not looked up)',
        from: 'fixed_issues',
        payload: example('release', (p) => p.action === 'published'),
        topic: DRY_RUN_TOPIC,
      },
    ];
  }

  it('matches __snapshots__/customer-messages.md', async () => {
    const parts = [
      "# Customers' messages",
      '',
      'Rendered by test/action/customer-messages.test.ts from @octokit/webhooks-examples payloads with',
      `templates/${CUSTOMER_TEMPLATE}, for the topic of Ada Lovelace (\`topic.user_first_name\` "Ada"). With`,
      '`topics_from: issue` the issue is the one the event is about; with `fixed_issues`, issue #12',
      '"Export fails for dates before 1970", which the change fixes. Each heading names the event, the',
      "payload's action and `topics_from`.",
    ];
    for (const { name, what, from, payload, topic, issue } of samples()) {
      const rendered = await render(name, payload, {
        ...(topic ? { topic } : {}),
        ...(issue ? { issue: issue(payload) } : {}),
      });
      expectSound(rendered, topic ? 'Hello, ' : 'Hi Ada, ');
      parts.push('', `## ${name} · ${what} · topics_from: ${from}`, '', '```text', rendered.text, '```');
    }
    // The inline message docs/templates.md shows, for the release above.
    const release = example('release', (p) => p.action === 'published');
    const inline = await renderMessageChecked(
      { source: INLINE_MESSAGE, origin: "input 'message'" },
      {
        ...contextFor('release', release, repositoryOf(release)),
        topic: TOPIC,
        issue: fixedIssue(repositoryOf(release)),
      },
    );
    expect(inline.warnings).toEqual([]);
    parts.push('', '## release · published · topics_from: fixed_issues, the inline `message` of docs/templates.md', '');
    parts.push('```text', inline.text.trim(), '```');
    await expect(`${parts.join('\n')}\n`).toMatchFileSnapshot('./__snapshots__/customer-messages.md');
  });

  it('docs/templates.md shows the messages as the snapshot has them, in its section before the recipes', () => {
    const docs = readFileSync(join(TEMPLATES_DIR, '..', 'docs', 'templates.md'), 'utf8');
    const heading = '\n## Messages to customers (`topics_from`)\n';
    // Right after the events' messages (default-messages.test.ts checks those), right before the recipes.
    expect(docs.includes(heading), `docs/templates.md has no ${heading.trim()}`).toBe(true);
    const section = docs.split(heading)[1]!.split('\n## ')[0]!;
    expect(docs.split(heading)[1]!.startsWith(`${section}\n## Recipes\n`)).toBe(true);
    expect(docs.split(heading)[0]!.split('\n## ').at(-1)!.startsWith('Every other event\n')).toBe(true);

    const snapshot = readFileSync(
      join(TEMPLATES_DIR, '..', 'test', 'action', '__snapshots__', 'customer-messages.md'),
      'utf8',
    );
    const blocks = [...section.matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(snapshot).toContain(`\`\`\`text\n${block}\n\`\`\``);
    // The inline message is the one the snapshot renders.
    expect(section).toContain(`          message: |\n${INLINE_MESSAGE.replace(/^/gm, '            ')}\n\`\`\``);
  });
});
