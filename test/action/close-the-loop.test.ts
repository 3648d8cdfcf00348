/**
 * Integration: "close the loop" (issue 11). `topics_from` finds the customers to tell in the topic
 * links of issues: the issue or pull request the event is about (`issue`, from the event itself), or
 * the issues a change fixes (`fixed_issues`: a merged pull request's closing issues; a push's, a
 * release's and a successful deployment's pull requests and theirs, through the GitHub API). Also
 * `notify` (failure, change), the skip of a pull request from a fork, GitHub Enterprise Server's URLs,
 * refusals naming the permission to add, dry runs, and `topics_from` next to `user_id`.
 *
 * In process (the action's own `run()`, test/support/in-process.ts), against the Topics API simulator
 * (test/support/simulator.ts, with a second user topic) and a fake of GitHub's REST and GraphQL APIs
 * on loopback (test/support/github-fake.ts), with real webhook payloads from
 * @octokit/webhooks-examples, adapted with structuredClone.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess, type InProcessRun } from '../support/in-process.ts';
import { creds, sim, useSimulator } from '../support/fixtures.ts';
import { obeyedCommands, type ActionRun } from '../support/harness.ts';
import { example, type Payload } from '../support/webhooks.ts';
import {
  addMergedPullRequest,
  addTag,
  fakeSha,
  headSha,
  linearHistory,
  startGitHubFake,
  type FakeWorkflowRun,
  type GitHubFake,
  type GitHubState,
} from '../support/github-fake.ts';
import type { RecipientResult } from '../../src/delivery/results.js';

/** The seeded topics (Ada's, and a chat topic) and a second user topic, Grace's. */
const GROUP = '2101424779';
const ADA = 123456789;
const ADA_LINK = `https://t.me/c/${GROUP}/5343`;
const GRACE = 222333444;
const GRACE_LINK = `https://t.me/c/${GROUP}/5344`;
const CHAT_LINK = `https://t.me/c/${GROUP}/5400`;
const CHAT_ID = -1002101424779;

useSimulator({
  topics: [
    {
      topic_id: 5344,
      frontend_type: 'private',
      topic_title: 'Grace Hopper',
      user_id: GRACE,
      user_name: 'Grace Hopper',
      user_first_name: 'Grace',
      user_username: 'grace',
      user_lang: 'en',
    },
  ],
});

let fake: GitHubFake;
beforeAll(async () => {
  fake = await startGitHubFake();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

// ---- payloads ------------------------------------------------------------------------------------------

/** The examples are about Codertocat/Hello-World: the ones about the fake's repository say so. */
const REPOSITORY = 'octo-org/octo-repo';
const HTML = `https://github.com/${REPOSITORY}`;
function ours(payload: Payload): Payload {
  Object.assign(payload.repository, {
    name: 'octo-repo',
    full_name: REPOSITORY,
    html_url: HTML,
    owner: { ...payload.repository.owner, login: 'octo-org' },
  });
  return payload;
}

/** An issue opened (its body given), about Codertocat/Hello-World as the example is. */
function issueOpened(body: string | null): Payload {
  const payload = example('issues', (p) => p.action === 'opened' && typeof p.issue.body === 'string');
  payload.issue.body = body;
  return payload;
}
const ISSUE_TITLE = 'Spelling error in the README file';
const ISSUE_URL = 'https://github.com/Codertocat/Hello-World/issues/1';

/** A pull request opened from a branch of the same repository (number 2). */
function pullRequestOpened(body: string | null): Payload {
  const payload = example('pull_request', (p) => p.action === 'opened' && p.pull_request.head.repo?.fork === false);
  payload.pull_request.body = body;
  return payload;
}

/** A pull request closed: merged, or not, with the given number. */
function pullRequestClosed(number: number, merged: boolean): Payload {
  const payload = ours(example('pull_request', (p) => p.action === 'closed'));
  Object.assign(payload.pull_request, {
    number,
    merged,
    state: 'closed',
    html_url: `${HTML}/pull/${number}`,
    title: 'Fix the export',
  });
  payload.number = number;
  return payload;
}

function releasePublished(tag: string, id: number, publishedAt: string): Payload {
  const payload = ours(example('release', (p) => p.action === 'published'));
  Object.assign(payload.release, {
    id,
    tag_name: tag,
    name: tag,
    draft: false,
    prerelease: false,
    created_at: publishedAt,
    published_at: publishedAt,
    html_url: `${HTML}/releases/tag/${tag}`,
  });
  return payload;
}

/** The commits of a push, as the push event lists them (ids and messages). */
function pushOf(shas: readonly string[]): Payload {
  const payload = ours(example('push', (p) => String(p.ref).startsWith('refs/heads/') && p.commits.length > 0));
  const commit = payload.head_commit as Payload;
  const commits = shas.map((id, i) => ({ ...commit, id, message: `Commit ${i + 1}` }));
  return {
    ...payload,
    ref: 'refs/heads/main',
    before: fakeSha('before the push'),
    after: shas.at(-1),
    created: false,
    deleted: false,
    commits,
    head_commit: commits.at(-1),
  };
}

function deploymentStatus(state: string, deployment: { id: number; sha: string; created_at: string }): Payload {
  const payload = ours(example('deployment_status', (p) => p.deployment_status.state === 'success'));
  Object.assign(payload.deployment, { ...deployment, environment: 'production', original_environment: 'production' });
  Object.assign(payload.deployment_status, {
    state,
    environment: 'production',
    environment_url: 'https://shop.example.com',
  });
  return payload;
}

// ---- the GitHub the fixes are found in --------------------------------------------------------------------

/**
 * The history of a release: v1.3.0, then pull request #30 (fixing #10, Ada's), v1.4.1, then #34
 * (fixing #12: Ada's topic linked twice in its body), #35, squashed (fixing #13: Ada's and Grace's)
 * and #36 (fixing #14: the chat topic), and v1.4.2. Issue #15 (Grace's) is fixed by nothing.
 */
function releaseHistory(s: GitHubState): void {
  s.commits.push(...linearHistory(2));
  addTag(s, 'v1.3.0');
  s.issues.push(
    { number: 10, title: 'Crash on start', body: `Reported by ${ADA_LINK}` },
    {
      number: 12,
      title: 'Export fails on big orders',
      body: `### Hotline topic\n\n${ADA_LINK}\n\n### What happened\n\nSee also [her message](${ADA_LINK}/88).`,
    },
    { number: 13, title: 'Login loops', body: `Customers: ${ADA_LINK}, and t.me/c/${GROUP}/5344.` },
    { number: 14, title: 'Partner API timeout', body: `From the partners chat: ${CHAT_LINK}` },
    { number: 15, title: 'Dark mode', body: `Asked by ${GRACE_LINK}` },
  );
  addMergedPullRequest(s, { number: 30, title: 'Fix the crash on start', closes: [10] });
  addTag(s, 'v1.4.1');
  addMergedPullRequest(s, { number: 34, title: 'Fix the export', closes: [12], commits: 2 });
  addMergedPullRequest(s, { number: 35, title: 'Fix the login loop', closes: [13], squash: true });
  addMergedPullRequest(s, { number: 36, title: 'Raise the partner API timeout', closes: [14] });
  addTag(s, 'v1.4.2');
  s.releases.push(
    { id: 1, tag_name: 'v1.3.0', published_at: '2025-01-01T10:00:00Z', created_at: '2025-01-01T10:00:00Z' },
    { id: 2, tag_name: 'v1.4.1', published_at: '2025-02-01T10:00:00Z', created_at: '2025-02-01T10:00:00Z' },
    { id: 3, tag_name: 'v1.4.2', published_at: '2025-03-01T10:00:00Z', created_at: '2025-03-01T10:00:00Z' },
  );
}
const releaseEvent = (): Payload => releasePublished('v1.4.2', 3, '2025-03-01T10:00:00Z');

// ---- running and reading ---------------------------------------------------------------------------------

/** The runner's environment for a run about the fake's repository, its API at the fake. */
const onGitHub = (extra: Record<string, string> = {}, api: GitHubFake = fake): Record<string, string> => ({
  GITHUB_API_URL: api.url,
  GITHUB_REPOSITORY: REPOSITORY,
  GITHUB_REPOSITORY_OWNER: 'octo-org',
  ...extra,
});

const notices = (run: ActionRun): string[] =>
  obeyedCommands(run.stdout)
    .filter((c) => c.command === 'notice')
    .map((c) => c.data);
const results = (run: ActionRun): RecipientResult[] => JSON.parse(run.outputs.results ?? 'null') as RecipientResult[];
/** What reached whom, sorted (recipients are sent to concurrently). */
const delivered = (): Array<[number, string]> =>
  sim.delivered
    .map((d): [number, string] => [d.user_id, d.message])
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
const routes = (api: GitHubFake = fake): string[] => api.requests.map((r) => `${r.route ?? r.path} ${r.status}`);
/** A customer message (templates/customer.liquid): its first line exactly, the issue's link as its last line. */
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const customer = (first: string, url: string): unknown =>
  expect.stringMatching(new RegExp(`^${escaped(first)}\\n(?:.*\\n)*${escaped(url)}$`));
const sent = (user_id: number, issue: number, link: string, thread_id: number): RecipientResult =>
  ({ user_id, ok: true, topic_link: link, chat_id: CHAT_ID, thread_id, error: null, issue }) as RecipientResult;

/** Exit 0, one notice saying why, the summary saying so, `results` [], nothing asked of the Topics API. */
function expectNothingSent(run: InProcessRun, why: string): void {
  expect(run.code).toBe(0);
  expect(run.errors).toEqual([]);
  expect(notices(run)).toEqual([why]);
  expect(run.summary).toContain('### ⏭ Hotline: nothing sent');
  expect(run.summary).toContain(why);
  expect(run.outputs.results).toBe('[]');
  expect(sim.requests).toEqual([]);
}

/** Exit 1, exactly this one `::error::` line, nothing sent, and the token nowhere in what was written. */
function expectFailed(run: InProcessRun, error: string): void {
  expect(run.code).toBe(1);
  expect(run.errors).toEqual([error]);
  expect(sim.delivered).toEqual([]);
  for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
    expect(text).not.toContain(fake.token);
  }
}

// ---- topics_from: issue ----------------------------------------------------------------------------------

describe('topics_from: issue', () => {
  const inputs = (): Record<string, string> => ({ ...creds(), topics_from: 'issue', github_token: fake.token });
  const env = (): Record<string, string> => onGitHub({ GITHUB_REPOSITORY: 'Codertocat/Hello-World' });

  it('issues opened: each topic the body links, in any form, gets the customer message once; a chat topic is skipped; GitHub is not asked', async () => {
    const body = [
      '### Hotline topic',
      '',
      ADA_LINK,
      '',
      '### What happened',
      '',
      `Her colleague too (https://telegram.me/c/${GROUP}/120?thread=5344). The partners saw it: [chat](${CHAT_LINK}).`,
      `Again: <${ADA_LINK}>, and a message in her topic: \`t.me/c/${GROUP}/5343/99\`.`,
    ].join('\n');
    const run = await runInProcess({
      inputs: inputs(),
      env: env(),
      event: { name: 'issues', payload: issueOpened(body) },
    });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    const thanks = (name: string): unknown =>
      customer(
        `Hi ${name}, thank you: your report is now issue #1 "${ISSUE_TITLE}" in Codertocat/Hello-World. We will write here when it is fixed.`,
        ISSUE_URL,
      );
    expect(delivered()).toEqual([
      [ADA, thanks('Ada')],
      [GRACE, thanks('Grace')],
    ]);
    expect(results(run)).toEqual([sent(ADA, 1, ADA_LINK, 5343), sent(GRACE, 1, GRACE_LINK, 5344)]);
    expect(notices(run)).toEqual([
      `${CHAT_LINK} (linked from issue #1) is a chat topic (frontend_type group): skipped.`,
    ]);
    expect(run.log).toContain(`issue #1 links ${ADA_LINK}, ${GRACE_LINK}, ${CHAT_LINK}.`);
    expect(run.summary).toContain('| 123456789 | #1 | sent |');
    expect(fake.requests).toEqual([]);
  });

  it('a body with no topic link: a notice, exit 0, "nothing sent", results []', async () => {
    for (const body of [
      null,
      `It crashes. See https://example.com/c/${GROUP}/5343, https://example.com/go/t.me/c/${GROUP}/5344 or t.me/hotline_support.`,
    ]) {
      sim.reset();
      const run = await runInProcess({
        inputs: inputs(),
        env: env(),
        event: { name: 'issues', payload: issueOpened(body) },
      });
      expectNothingSent(run, 'No topic to tell: issue #1 links no topic.');
    }
    expect(fake.requests).toEqual([]);
  });

  it('a body linking only a chat topic: its notice, then "nothing sent", exit 0, nothing sent', async () => {
    const run = await runInProcess({
      inputs: inputs(),
      env: env(),
      event: { name: 'issues', payload: issueOpened(`From the partners chat: ${CHAT_LINK}`) },
    });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(notices(run)).toEqual([
      `${CHAT_LINK} (linked from issue #1) is a chat topic (frontend_type group): skipped.`,
      'No topic to tell: every topic found is a chat topic, with no user.',
    ]);
    expect(run.summary).toContain('### ⏭ Hotline: nothing sent');
    expect(run.outputs.results).toBe('[]');
    expect(sim.delivered).toEqual([]);
  });

  it('pull_request opened: the topics its body links; none is "pull request #2 links no topic"', async () => {
    const linked = await runInProcess({
      inputs: inputs(),
      env: env(),
      event: { name: 'pull_request', payload: pullRequestOpened(`Fixes #1, reported in ${GRACE_LINK}`) },
    });
    expect(linked.code).toBe(0);
    expect(delivered()).toEqual([
      [
        GRACE,
        customer(
          'Hi Grace, pull request #2 "Update the README with new information." is open for review.',
          'https://github.com/Codertocat/Hello-World/pull/2',
        ),
      ],
    ]);
    expect(results(linked)).toEqual([sent(GRACE, 2, GRACE_LINK, 5344)]);

    sim.reset();
    const none = await runInProcess({
      inputs: inputs(),
      env: env(),
      event: { name: 'pull_request', payload: pullRequestOpened(null) },
    });
    expectNothingSent(none, 'No topic to tell: pull request #2 links no topic.');
    expect(fake.requests).toEqual([]);
  });

  it("issue_comment: the topics of the issue's body, not of the comment", async () => {
    const payload = example('issue_comment', (p) => p.action === 'created' && p.comment.body !== '');
    payload.issue.body = `### Hotline topic\n\n${ADA_LINK}`;
    payload.comment.body = `I'll get this fixed right away.\nAlso asked by ${GRACE_LINK}`;
    const run = await runInProcess({ inputs: inputs(), env: env(), event: { name: 'issue_comment', payload } });
    expect(run.code).toBe(0);
    expect(delivered()).toEqual([
      [ADA, customer(`Hi Ada, a new comment on your report #1 "${ISSUE_TITLE}" by Codertocat:`, ISSUE_URL)],
    ]);
    expect(results(run)).toEqual([sent(ADA, 1, ADA_LINK, 5343)]);
    expect(fake.requests).toEqual([]);
  });

  it('an event about no issue is refused naming topics_from, before any request', async () => {
    const run = await runInProcess({
      inputs: inputs(),
      env: env(),
      event: { name: 'push', payload: pushOf([fakeSha('x')]) },
    });
    expectFailed(
      run,
      "Input 'topics_from': issue needs an event about an issue or a pull request (issues, issue_comment, pull_request, pull_request_review, …); this run's event is push",
    );
    expect(sim.requests).toEqual([]);
  });
});

// ---- topics_from: fixed_issues -----------------------------------------------------------------------------

describe('topics_from: fixed_issues on a release', () => {
  const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...creds(),
    topics_from: 'fixed_issues',
    github_token: fake.token,
    ...extra,
  });
  const fixedIn = (name: string, issue: number, title: string): unknown =>
    customer(
      `Hi ${name}, your report #${issue} "${title}" is fixed in ${REPOSITORY} v1.4.2.`,
      `${HTML}/issues/${issue}`,
    );

  it('the issues fixed since the previous release: one message per topic and issue, with the default customer message', async () => {
    releaseHistory(fake.state);
    const run = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(delivered()).toEqual([
      [ADA, fixedIn('Ada', 12, 'Export fails on big orders')],
      [ADA, fixedIn('Ada', 13, 'Login loops')],
      [GRACE, fixedIn('Grace', 13, 'Login loops')],
    ]);
    expect(results(run)).toEqual([
      sent(ADA, 12, ADA_LINK, 5343),
      sent(ADA, 13, ADA_LINK, 5343),
      sent(GRACE, 13, GRACE_LINK, 5344),
    ]);
    expect(notices(run)).toEqual([
      `${CHAT_LINK} (linked from issue #14) is a chat topic (frontend_type group): skipped.`,
    ]);
    expect(run.log).toContain(`issue #12 links ${ADA_LINK} (fixed by pull request #34).`);
    expect(run.log).toContain(`issue #13 links ${ADA_LINK}, ${GRACE_LINK} (fixed by pull request #35).`);
    expect(run.log).toContain(`issue #14 links ${CHAT_LINK} (fixed by pull request #36).`);
    expect(run.log).not.toContain('issue #10');
    expect(run.log).not.toContain('issue #15');
    // The summary: a message per topic and issue, each row naming its issue.
    expect(run.summary).toContain('### ✅ Hotline: 3 messages sent to 2 topics');
    expect(run.summary).toContain('| Recipient | Issue | Result | Topic |');
    expect(run.summary).toContain(`| ${GRACE} | #13 | sent | [${GRACE_LINK}](${GRACE_LINK}) |`);
    expect(run.summary).toContain("Message (the first recipient's: each got their own)");
    // Each topic looked up once, whatever the number of issues linking it.
    const lookups = sim.requests.filter((r) => (r.body as { action?: string }).action === 'info_by_topic');
    expect(lookups.map((r) => (r.body as { topic_id: number }).topic_id).sort()).toEqual([5343, 5344, 5400]);
    expect(routes()).toEqual([
      'GET /repos/{owner}/{repo}/releases 200',
      'GET /repos/{owner}/{repo}/compare/{base}...{head} 200',
      'POST /graphql 200',
    ]);
    expect(fake.requests[1]?.path).toBe(`/repos/${REPOSITORY}/compare/v1.4.1...v1.4.2`);
    expect(fake.requests[0]?.headers.authorization).toBe(`token ${fake.token}`);
    expect(run.stdout).not.toContain(fake.token);
  });

  it('a message of your own, with topic and issue: each recipient gets its own', async () => {
    releaseHistory(fake.state);
    const run = await runInProcess({
      inputs: inputs({
        message:
          'Hi {{ topic.user_first_name }}, your report #{{ issue.number }} is fixed in {{ github.event.release.tag_name }}',
      }),
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expect(run.code).toBe(0);
    expect(delivered()).toEqual([
      [ADA, 'Hi Ada, your report #12 is fixed in v1.4.2'],
      [ADA, 'Hi Ada, your report #13 is fixed in v1.4.2'],
      [GRACE, 'Hi Grace, your report #13 is fixed in v1.4.2'],
    ]);
    expect(results(run).map((r) => [r.user_id, r.issue])).toEqual([
      [ADA, 12],
      [ADA, 13],
      [GRACE, 13],
    ]);
  });

  it('the first release: the last commits stand for the change, with a notice', async () => {
    releaseHistory(fake.state);
    fake.state.releases = fake.state.releases.filter((r) => r.tag_name === 'v1.4.2');
    const run = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expect(run.code).toBe(0);
    const count = fake.state.commits.length;
    expect(notices(run)).toEqual([
      `no earlier release: the last ${count} commits up to v1.4.2 are looked at for fixed issues.`,
      `${CHAT_LINK} (linked from issue #14) is a chat topic (frontend_type group): skipped.`,
    ]);
    // Issue #10, fixed before v1.4.1, is in the last commits too.
    expect(
      results(run)
        .map((r) => [r.user_id, r.issue])
        .sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1])),
    ).toEqual([
      [ADA, 10],
      [ADA, 12],
      [ADA, 13],
      [GRACE, 13],
    ]);
  });

  it('a release whose issues link no topic, or that fixes no issue: a notice, nothing sent', async () => {
    releaseHistory(fake.state);
    for (const issue of fake.state.issues) issue.body = 'No customer link here.';
    const noLinks = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expectNothingSent(noLinks, 'No topic to tell: the 3 issue(s) this change fixes link no topic.');

    fake.reset();
    fake.state.commits.push(...linearHistory(3));
    addTag(fake.state, 'v1.4.1', fake.state.commits[0]!.sha);
    addTag(fake.state, 'v1.4.2');
    fake.state.releases.push(
      { id: 2, tag_name: 'v1.4.1', published_at: '2025-02-01T10:00:00Z' },
      { id: 3, tag_name: 'v1.4.2', published_at: '2025-03-01T10:00:00Z' },
    );
    const noIssues = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expectNothingSent(noIssues, 'No topic to tell: this change fixes no issue.');
  });
});

describe('topics_from: fixed_issues on a merged pull request, a push, a deployment', () => {
  const inputs = (): Record<string, string> => ({ ...creds(), topics_from: 'fixed_issues', github_token: fake.token });

  /** Pull request #34 fixes #12 (Ada's) and #13 (Grace's); #35 fixes #14 (nobody's). */
  function twoPullRequests(s: GitHubState): void {
    s.commits.push(...linearHistory(2));
    s.issues.push(
      { number: 12, title: 'Export fails on big orders', body: `### Hotline topic\n\n${ADA_LINK}` },
      { number: 13, title: 'Login loops', body: `Reported in ${GRACE_LINK}` },
      { number: 14, title: 'Refactor the exporter' },
    );
    addMergedPullRequest(s, { number: 34, title: 'Fix the export and the login', closes: [12, 13] });
    addMergedPullRequest(s, { number: 35, title: 'Refactor', closes: [14], squash: true });
  }

  it('a merged pull request: its closing issues, from one GraphQL query', async () => {
    twoPullRequests(fake.state);
    const run = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'pull_request', payload: pullRequestClosed(34, true) },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(delivered()).toEqual([
      [
        ADA,
        customer(
          'Hi Ada, the fix for your report #12 "Export fails on big orders" is merged (pull request #34); it ships with the next release.',
          `${HTML}/issues/12`,
        ),
      ],
      [
        GRACE,
        customer(
          'Hi Grace, the fix for your report #13 "Login loops" is merged (pull request #34); it ships with the next release.',
          `${HTML}/issues/13`,
        ),
      ],
    ]);
    expect(results(run)).toEqual([sent(ADA, 12, ADA_LINK, 5343), sent(GRACE, 13, GRACE_LINK, 5344)]);
    expect(routes()).toEqual(['POST /graphql 200']);
    expect(fake.requests[0]?.graphql?.variables).toMatchObject({ owner: 'octo-org', name: 'octo-repo', number: 34 });
  });

  it('a pull request closed without merging, or only opened: a notice, and nothing asked of GitHub', async () => {
    twoPullRequests(fake.state);
    const closed = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'pull_request', payload: pullRequestClosed(34, false) },
    });
    expectNothingSent(closed, 'No topic to tell: pull request #34 is not merged (closed): it fixes nothing yet.');

    const opened = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'pull_request', payload: ours(pullRequestOpened(`${ADA_LINK}`)) },
    });
    expectNothingSent(opened, 'No topic to tell: pull request #2 is not merged (opened): it fixes nothing yet.');
    expect(fake.requests).toEqual([]);
  });

  it("a push: its commits' merged pull requests and their closing issues", async () => {
    twoPullRequests(fake.state);
    const direct = { sha: fakeSha('direct commit'), message: 'Bump the version' };
    fake.state.commits.push(direct);
    // An unmerged pull request holding a pushed commit fixes nothing.
    fake.state.issues.push({ number: 16, title: 'Unmerged', body: GRACE_LINK });
    fake.state.pullRequests.push({ number: 40, title: 'Draft', merged: false, commits: [direct.sha], closes: [16] });
    const pushed = [fakeSha('pr 34 commit 1'), fakeSha('pr 34 merge'), fakeSha('pr 35 squash'), direct.sha];
    expect(fake.state.commits.slice(-4).map((c) => c.sha)).toEqual(pushed);
    const run = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'push', payload: pushOf(pushed) },
    });
    expect(run.code).toBe(0);
    expect(delivered()).toEqual([
      [
        ADA,
        customer(
          `Hi Ada, the fix for your report #12 "Export fails on big orders" is in ${REPOSITORY} (main); it ships with the next release.`,
          `${HTML}/issues/12`,
        ),
      ],
      [
        GRACE,
        customer(
          `Hi Grace, the fix for your report #13 "Login loops" is in ${REPOSITORY} (main); it ships with the next release.`,
          `${HTML}/issues/13`,
        ),
      ],
    ]);
    expect(results(run).map((r) => [r.user_id, r.issue])).toEqual([
      [ADA, 12],
      [GRACE, 13],
    ]);
    expect(run.log).toContain('issue #14 links no topic.');
    expect(routes()).toEqual(['POST /graphql 200']);
  });

  it('a push that deletes a branch: a notice, nothing asked of GitHub', async () => {
    const payload = {
      ...pushOf([fakeSha('gone')]),
      after: '0'.repeat(40),
      deleted: true,
      commits: [],
      head_commit: null,
    };
    const run = await runInProcess({ inputs: inputs(), env: onGitHub(), event: { name: 'push', payload } });
    expectNothingSent(run, 'No topic to tell: the push deleted a branch or tag: it fixes nothing.');
    expect(fake.requests).toEqual([]);
  });

  /**
   * production: deployment 101 (success) at A, after #30 (fixing #10, Ada's); 102 (failure) at B,
   * after #34 (fixing #12, Ada's); then #35 (fixing #13, Grace's) and 103, the one deploying now, at C.
   * staging: 201 (success) at B, newer than 101: another environment, not the previous deployment.
   */
  function deployments(s: GitHubState): { sha: string } {
    s.commits.push(...linearHistory(1));
    s.issues.push(
      { number: 10, title: 'Crash on start', body: ADA_LINK },
      { number: 12, title: 'Export fails on big orders', body: ADA_LINK },
      { number: 13, title: 'Login loops', body: GRACE_LINK },
    );
    addMergedPullRequest(s, { number: 30, title: 'Fix the crash', closes: [10] });
    const a = headSha(s);
    addMergedPullRequest(s, { number: 34, title: 'Fix the export', closes: [12] });
    const b = headSha(s);
    addMergedPullRequest(s, { number: 35, title: 'Fix the login', closes: [13] });
    const c = headSha(s);
    s.deployments.push(
      {
        id: 101,
        sha: a,
        environment: 'production',
        created_at: '2025-03-01T10:00:00Z',
        statuses: [
          { state: 'in_progress', created_at: '2025-03-01T10:00:10Z' },
          { state: 'success', created_at: '2025-03-01T10:01:00Z' },
        ],
      },
      {
        id: 102,
        sha: b,
        environment: 'production',
        created_at: '2025-03-02T10:00:00Z',
        statuses: [{ state: 'failure', created_at: '2025-03-02T10:01:00Z' }],
      },
      {
        id: 201,
        sha: b,
        environment: 'staging',
        created_at: '2025-03-02T12:00:00Z',
        statuses: [{ state: 'success', created_at: '2025-03-02T12:01:00Z' }],
      },
      {
        id: 103,
        sha: c,
        environment: 'production',
        created_at: '2025-03-03T10:00:00Z',
        statuses: [{ state: 'success', created_at: '2025-03-03T10:01:00Z' }],
      },
    );
    return { sha: c };
  }

  it('a successful deployment: the fixes since the previous successful deployment to the same environment', async () => {
    const { sha } = deployments(fake.state);
    const payload = deploymentStatus('success', { id: 103, sha, created_at: '2025-03-03T10:00:00Z' });
    const run = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'deployment_status', payload },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(delivered()).toEqual([
      [
        ADA,
        customer(
          'Hi Ada, the fix for your report #12 "Export fails on big orders" is deployed to production.',
          `${HTML}/issues/12`,
        ),
      ],
      [
        GRACE,
        customer('Hi Grace, the fix for your report #13 "Login loops" is deployed to production.', `${HTML}/issues/13`),
      ],
    ]);
    for (const { message } of sim.delivered) expect(message).toContain('https://shop.example.com');
    expect(results(run).map((r) => [r.user_id, r.issue])).toEqual([
      [ADA, 12],
      [GRACE, 13],
    ]);
    expect(fake.requests.find((r) => r.route?.includes('compare'))?.path).toBe(
      `/repos/${REPOSITORY}/compare/${fake.state.deployments[0]!.sha}...${sha}`,
    );
    expect(fake.requests[0]?.query).toMatchObject({ environment: 'production' });
  });

  it('a deployment that failed: a notice, nothing asked of GitHub', async () => {
    const { sha } = deployments(fake.state);
    const payload = deploymentStatus('failure', { id: 103, sha, created_at: '2025-03-03T10:00:00Z' });
    const run = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'deployment_status', payload },
    });
    expectNothingSent(
      run,
      "No topic to tell: the deployment's state is failure, not success: nothing is deployed yet.",
    );
    expect(fake.requests).toEqual([]);
  });

  it('an event that ships nothing is refused naming topics_from, before any request', async () => {
    const run = await runInProcess({
      inputs: inputs(),
      env: onGitHub(),
      event: { name: 'issues', payload: issueOpened(ADA_LINK) },
    });
    expectFailed(
      run,
      "Input 'topics_from': fixed_issues needs an event that ships a change: pull_request (merged), push, release or deployment_status; this run's event is issues",
    );
    expect(fake.requests).toEqual([]);
    expect(sim.requests).toEqual([]);
  });
});

// ---- GitHub Enterprise Server -----------------------------------------------------------------------------

describe('GitHub Enterprise Server', () => {
  it('GITHUB_API_URL https://<host>/api/v3: REST under /api/v3, GraphQL at /api/graphql', async () => {
    const ghes = await startGitHubFake({ prefix: '/api/v3' });
    try {
      releaseHistory(ghes.state);
      const run = await runInProcess({
        inputs: { ...creds(), topics_from: 'fixed_issues', github_token: ghes.token },
        env: onGitHub({}, ghes),
        event: { name: 'release', payload: releaseEvent() },
      });
      expect(run.code).toBe(0);
      expect(run.errors).toEqual([]);
      expect(results(run).map((r) => [r.user_id, r.issue])).toEqual([
        [ADA, 12],
        [ADA, 13],
        [GRACE, 13],
      ]);
      expect(ghes.url).toMatch(/\/api\/v3$/);
      expect(ghes.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        `GET /api/v3/repos/${REPOSITORY}/releases 200`,
        `GET /api/v3/repos/${REPOSITORY}/compare/v1.4.1...v1.4.2 200`,
        'POST /api/graphql 200',
      ]);
      expect(fake.requests).toEqual([]);
    } finally {
      await ghes.close();
    }
  });
});

// ---- refusals ---------------------------------------------------------------------------------------------

describe('GitHub refuses: the error names the permission to add', () => {
  const fixed = (): Record<string, string> => ({ ...creds(), topics_from: 'fixed_issues', github_token: fake.token });
  const mergedPullRequest = (s: GitHubState): void => {
    s.commits.push(...linearHistory(1));
    s.issues.push({ number: 12, title: 'Export fails', body: ADA_LINK });
    addMergedPullRequest(s, { number: 34, title: 'Fix the export', closes: [12] });
  };

  it('without pull-requests: read', async () => {
    mergedPullRequest(fake.state);
    fake.deny('pull-requests');
    const run = await runInProcess({
      inputs: fixed(),
      env: onGitHub(),
      event: { name: 'pull_request', payload: pullRequestClosed(34, true) },
    });
    expectFailed(
      run,
      "GitHub refused the issues pull request #34 closes (GraphQL FORBIDDEN: Resource not accessible by integration): the token needs `pull-requests: read`; add it to the job's `permissions:`",
    );
    expect(sim.requests).toEqual([]);
  });

  it('without issues: read', async () => {
    mergedPullRequest(fake.state);
    fake.deny('issues');
    const run = await runInProcess({
      inputs: fixed(),
      env: onGitHub(),
      event: { name: 'pull_request', payload: pullRequestClosed(34, true) },
    });
    expectFailed(
      run,
      "GitHub refused the issues pull request #34 closes (GraphQL FORBIDDEN: Resource not accessible by integration): the token needs `issues: read`; add it to the job's `permissions:`",
    );
    expect(sim.requests).toEqual([]);
  });

  it('without contents: read', async () => {
    releaseHistory(fake.state);
    fake.deny('contents');
    const run = await runInProcess({
      inputs: fixed(),
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expectFailed(
      run,
      "GitHub refused the releases (HTTP 403: Resource not accessible by integration): the token needs `contents: read`; add it to the job's `permissions:`",
    );
    expect(routes()).toEqual(['GET /repos/{owner}/{repo}/releases 403']);
    expect(sim.requests).toEqual([]);
  });

  it('without actions: read (notify change)', async () => {
    fake.deny('actions');
    const run = await runInProcess({
      inputs: {
        ...creds(),
        user_id: String(ADA),
        message: 'Build {{ status }}',
        notify: 'change',
        status: 'failure',
        github_token: fake.token,
      },
      env: onGitHub({ GITHUB_RUN_ID: '9876543210' }),
    });
    expectFailed(
      run,
      "GitHub refused workflow run 9876543210 (HTTP 403: Resource not accessible by integration): the token needs `actions: read`; add it to the job's `permissions:`",
    );
    expect(sim.requests).toEqual([]);
  });

  it('a 404: the run is not found, or the token cannot see it', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        user_id: String(ADA),
        message: 'Build {{ status }}',
        notify: 'change',
        status: 'failure',
        github_token: fake.token,
      },
      env: onGitHub({ GITHUB_RUN_ID: '9876543210' }),
    });
    expectFailed(
      run,
      'GitHub could not find workflow run 9876543210 (HTTP 404: Not Found): it does not exist, or the token cannot see it (it needs `actions: read`)',
    );
    expect(sim.requests).toEqual([]);
  });

  it('a 404 on the range of a release (its previous tag is gone)', async () => {
    releaseHistory(fake.state);
    delete fake.state.tags['v1.4.1'];
    const run = await runInProcess({
      inputs: fixed(),
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^GitHub could not find the commits from v1\.4\.1 to v1\.4\.2 \(HTTP 404: Not Found\): it does not exist, or the token cannot see it \(it needs `contents: read`\)$/,
    );
    expect(sim.requests).toEqual([]);
  });

  it('a token GitHub does not know: 401, and neither token is shown', async () => {
    mergedPullRequest(fake.state);
    const wrong = 'ghs_wrong_token_9876543210';
    const run = await runInProcess({
      inputs: { ...fixed(), github_token: wrong },
      env: onGitHub(),
      event: { name: 'pull_request', payload: pullRequestClosed(34, true) },
    });
    expectFailed(
      run,
      'GitHub refused github_token (HTTP 401: Bad credentials): the token is not valid, or has expired',
    );
    expect(run.stdout).not.toContain(wrong);
    expect(sim.requests).toEqual([]);
  });
});

// ---- notify -----------------------------------------------------------------------------------------------

describe('notify', () => {
  const RUN_ID = '9876543210';
  const send = (extra: Record<string, string>): Record<string, string> => ({
    ...creds(),
    user_id: String(ADA),
    message: 'Deploy {{ status }}',
    github_token: fake.token,
    ...extra,
  });
  const info = (run: ActionRun): string[] =>
    run.log.split('\n').filter((l) => l.startsWith('notify') || l.startsWith('Dry run: notify'));

  /** This run (#57 on main, in progress), and before it, completed: #55 on main, #56 on a feature branch. */
  function runs(previousOnMain: string | undefined, onFeature = 'cancelled'): void {
    const deploy = { workflow_id: 161335, path: '.github/workflows/deploy.yml' };
    fake.state.commits.push(...linearHistory(1));
    const list: FakeWorkflowRun[] = [
      {
        id: Number(RUN_ID),
        ...deploy,
        head_branch: 'main',
        run_number: 57,
        status: 'in_progress',
        conclusion: null,
        created_at: '2025-03-05T10:00:00Z',
      },
      {
        id: 9876543100,
        ...deploy,
        head_branch: 'feature',
        run_number: 56,
        status: 'completed',
        conclusion: onFeature,
        created_at: '2025-03-04T10:00:00Z',
      },
    ];
    if (previousOnMain)
      list.push({
        id: 9876543000,
        ...deploy,
        head_branch: 'main',
        run_number: 55,
        status: 'completed',
        conclusion: previousOnMain,
        created_at: '2025-03-03T10:00:00Z',
      });
    fake.state.workflowRuns.push(...list);
  }

  it('failure: a successful job sends nothing (an info line, no notice), a failed or cancelled one sends', async () => {
    const quiet = await runInProcess({ inputs: send({ notify: 'failure', status: 'success' }) });
    expect(quiet.code).toBe(0);
    expect(quiet.errors).toEqual([]);
    expect(quiet.log.split('\n')).toContain("notify is failure and the job's status is success: nothing was sent.");
    expect(notices(quiet)).toEqual([]);
    expect(quiet.summary).toContain("notify is failure and the job's status is success: nothing was sent.");
    expect(quiet.outputs.results).toBe('[]');
    expect(sim.requests).toEqual([]);

    for (const status of ['failure', 'cancelled']) {
      sim.reset();
      const told = await runInProcess({ inputs: send({ notify: 'failure', status }) });
      expect(told.code).toBe(0);
      expect(delivered()).toEqual([[ADA, `Deploy ${status}`]]);
    }
    expect(fake.requests).toEqual([]);
  });

  it('change: the same status as the previous run on this branch sends nothing', async () => {
    runs('success', 'failure');
    const run = await runInProcess({
      inputs: send({ notify: 'change', status: 'success' }),
      env: onGitHub({ GITHUB_RUN_ID: RUN_ID }),
    });
    const why = `notify is change and the status is success, as in the previous run, #55 (${HTML}/actions/runs/9876543000): nothing was sent.`;
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.log.split('\n')).toContain(why);
    expect(run.summary).toContain('### ⏭ Hotline: nothing sent');
    expect(run.summary).toContain(why);
    expect(run.outputs.results).toBe('[]');
    expect(sim.requests).toEqual([]);
    expect(routes()).toEqual([
      'GET /repos/{owner}/{repo}/actions/runs/{run_id} 200',
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs 200',
    ]);
    expect(fake.requests[1]?.query).toMatchObject({ branch: 'main', status: 'completed' });
  });

  it('change: a timeout before, a failure now, is no change', async () => {
    runs('timed_out');
    const run = await runInProcess({
      inputs: send({ notify: 'change', status: 'failure' }),
      env: onGitHub({ GITHUB_RUN_ID: RUN_ID }),
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.log).toContain('notify is change and the status is failure, as in the previous run, #55');
    expect(sim.requests).toEqual([]);
  });

  it('change: a different status sends, and says what it compared', async () => {
    runs('success', 'failure');
    const run = await runInProcess({
      inputs: send({ notify: 'change', status: 'failure' }),
      env: onGitHub({ GITHUB_RUN_ID: RUN_ID }),
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(info(run)).toEqual(['notify change: the previous run, #55, ended success; this one is failure.']);
    expect(delivered()).toEqual([[ADA, 'Deploy failure']]);
  });

  it('change: no earlier completed run on this branch sends', async () => {
    runs(undefined, 'success');
    const run = await runInProcess({
      inputs: send({ notify: 'change', status: 'success' }),
      env: onGitHub({ GITHUB_RUN_ID: RUN_ID }),
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(info(run)).toEqual([
      'notify change: no earlier completed run of this workflow on this branch: the status success is news.',
    ]);
    expect(delivered()).toEqual([[ADA, 'Deploy success']]);
  });

  it('change in a dry run: not checked, and no token needed', async () => {
    const run = await runInProcess({
      inputs: {
        user_id: String(ADA),
        message: 'Deploy {{ status }}',
        notify: 'change',
        status: 'success',
        dry_run: 'true',
      },
      env: onGitHub({ GITHUB_RUN_ID: RUN_ID }),
    });
    expect(run.code).toBe(0);
    expect(info(run)).toEqual([
      'Dry run: notify change is not checked (it asks the GitHub API about the previous run).',
    ]);
    expect(fake.requests).toEqual([]);
    expect(sim.requests).toEqual([]);
  });

  it('failure or change without status: the input error, before any request', async () => {
    for (const notify of ['failure', 'change']) {
      const run = await runInProcess({ inputs: send({ notify }), env: onGitHub({ GITHUB_RUN_ID: RUN_ID }) });
      expectFailed(
        run,
        `Input 'status': required with notify '${notify}', which compares the job's status: status: \${{ job.status }}`,
      );
      expect(sim.requests).toEqual([]);
    }
    expect(fake.requests).toEqual([]);
  });
});

// ---- forks --------------------------------------------------------------------------------------------------

describe('a pull request from a fork', () => {
  const noKeys = (): Record<string, string> => ({
    x_api_key: '',
    instance: '',
    api_key: '',
    endpoint: sim.url,
    user_id: String(ADA),
  });
  const fromFork = (): Payload => {
    const payload = pullRequestOpened('A fix');
    payload.pull_request.head.repo.fork = true;
    payload.pull_request.head.repo.full_name = 'forker/Hello-World';
    return payload;
  };
  const SKIPPED =
    "Skipped: pull request #2 comes from a fork (forker/Hello-World), and GitHub gives a fork's workflows no secrets: the Hotline keys are empty, so nothing was sent.";

  it('with the three keys empty: one notice, exit 0, the summary says why, the Topics API is not called', async () => {
    const run = await runInProcess({ inputs: noKeys(), event: { name: 'pull_request', payload: fromFork() } });
    expectNothingSent(run, SKIPPED);
    expect(run.warnings).toEqual([]);
  });

  it('a fork told only by its full name, or whose repository is deleted: skipped too', async () => {
    const byName = pullRequestOpened('A fix');
    byName.pull_request.head.repo.full_name = 'forker/Hello-World';
    const deleted = pullRequestOpened('A fix');
    deleted.pull_request.head.repo = null;
    for (const payload of [byName, deleted]) {
      const run = await runInProcess({ inputs: noKeys(), event: { name: 'pull_request', payload } });
      expect(run.code).toBe(0);
      expect(notices(run)).toHaveLength(1);
      expect(notices(run)[0]).toMatch(/^Skipped: pull request #2 comes from a fork\b/);
    }
    expect(sim.requests).toEqual([]);
  });

  it('not from a fork, with the keys empty: the keys error as before', async () => {
    const run = await runInProcess({
      inputs: noKeys(),
      event: { name: 'pull_request', payload: pullRequestOpened('A fix') },
    });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      "Input 'x_api_key': required (or set the HOTLINE_X_API_KEY environment variable, e.g. from a secret); Input 'instance': required (or set the HOTLINE_INSTANCE environment variable, e.g. from a secret); Input 'api_key': required (or set the HOTLINE_API_KEY environment variable, e.g. from a secret)",
    ]);
    expect(notices(run)).toEqual([]);
    expect(sim.requests).toEqual([]);
  });

  it('pull_request_target from a fork, with the keys: sent as usual', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: String(ADA), message: 'PR #{{ github.event.number }}' },
      event: { name: 'pull_request_target', payload: fromFork() },
    });
    expect(run.code).toBe(0);
    expect(notices(run)).toEqual([]);
    expect(delivered()).toEqual([[ADA, 'PR #2']]);
  });
});

// ---- dry run ------------------------------------------------------------------------------------------------

describe('dry run with topics_from', () => {
  it('issue: lists each topic found with its issue, prints the message, calls nothing', async () => {
    const run = await runInProcess({
      inputs: { topics_from: 'issue', dry_run: 'true' },
      env: onGitHub({ GITHUB_REPOSITORY: 'Codertocat/Hello-World' }),
      event: { name: 'issues', payload: issueOpened(`${ADA_LINK}\n\n${GRACE_LINK}\n\n${ADA_LINK}/7`) },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    const lines = run.log.split('\n');
    for (const link of [ADA_LINK, GRACE_LINK]) {
      expect(lines).toContain(`Dry run: would send to the user of ${link} (issue #1): "${ISSUE_TITLE}" ${ISSUE_URL}`);
    }
    expect(lines.filter((l) => l.startsWith('Dry run: would send'))).toHaveLength(2);
    expect(lines).toContain('Dry run: nothing was sent (the users of the topics are looked up only when sending).');
    // Not looked up in a dry run, the topic has no name to greet.
    expect(lines).toContain(
      `Hello, thank you: your report is now issue #1 "${ISSUE_TITLE}" in Codertocat/Hello-World. We will write here when it is fixed.`,
    );
    expect(lines.filter((l) => l.startsWith('::group::Message for '))).toEqual([
      expect.stringMatching(
        new RegExp(`^::group::Message for the user of ${escaped(ADA_LINK)} \\(issue #1\\) \\(\\d+ characters\\)$`),
      ),
      expect.stringMatching(
        new RegExp(`^::group::Message for the user of ${escaped(GRACE_LINK)} \\(issue #1\\) \\(\\d+ characters\\)$`),
      ),
    ]);
    expect(sim.requests).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('fixed_issues: reads GitHub to find them, never the Topics API', async () => {
    releaseHistory(fake.state);
    const run = await runInProcess({
      inputs: { topics_from: 'fixed_issues', github_token: fake.token, dry_run: 'true' },
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.log.split('\n').filter((l) => l.startsWith('Dry run: would send'))).toEqual([
      `Dry run: would send to the user of ${ADA_LINK} (issue #12): "Export fails on big orders" ${HTML}/issues/12`,
      `Dry run: would send to the user of ${ADA_LINK} (issue #13): "Login loops" ${HTML}/issues/13`,
      `Dry run: would send to the user of ${GRACE_LINK} (issue #13): "Login loops" ${HTML}/issues/13`,
      `Dry run: would send to the user of ${CHAT_LINK} (issue #14): "Partner API timeout" ${HTML}/issues/14`,
    ]);
    expect(run.log).toContain(`Hello, your report #12 "Export fails on big orders" is fixed in ${REPOSITORY} v1.4.2.`);
    expect(sim.requests).toEqual([]);
    expect(routes()).toHaveLength(3);
  });
});

// ---- topics_from with user_id -----------------------------------------------------------------------------

describe('topics_from next to user_id', () => {
  it("the users given get the event's default message, the topics found the customer message", async () => {
    const TEAM = 777000111;
    const payload = issueOpened(`### Hotline topic\n\n${ADA_LINK}`);
    const env = onGitHub({ GITHUB_REPOSITORY: 'Codertocat/Hello-World' });
    const alone = await runInProcess({
      inputs: { ...creds(), user_id: String(TEAM) },
      env,
      event: { name: 'issues', payload },
    });
    expect(alone.code).toBe(0);
    const eventMessage = sim.delivered[0]?.message ?? '';
    expect(eventMessage).not.toBe('');
    expect(eventMessage).not.toContain('Hi ');

    sim.reset();
    const run = await runInProcess({
      inputs: { ...creds(), user_id: String(TEAM), topics_from: 'issue' },
      env,
      event: { name: 'issues', payload },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(delivered()).toEqual([
      [
        ADA,
        customer(
          `Hi Ada, thank you: your report is now issue #1 "${ISSUE_TITLE}" in Codertocat/Hello-World. We will write here when it is fixed.`,
          ISSUE_URL,
        ),
      ],
      [TEAM, eventMessage],
    ]);
    expect(results(run).map((r) => [r.user_id, r.issue])).toEqual([
      [TEAM, undefined],
      [ADA, 1],
    ]);
    expect(results(run)[0]).not.toHaveProperty('issue');
  });

  it('user_id with topics_from finding nothing: the users given are still sent to', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: String(ADA), message: 'New issue', topics_from: 'issue' },
      env: onGitHub({ GITHUB_REPOSITORY: 'Codertocat/Hello-World' }),
      event: { name: 'issues', payload: issueOpened('No link') },
    });
    expect(run.code).toBe(0);
    expect(delivered()).toEqual([[ADA, 'New issue']]);
  });
});

// ---- github_token -------------------------------------------------------------------------------------------

describe('github_token', () => {
  it('missing with fixed_issues: the input error, before any request', async () => {
    releaseHistory(fake.state);
    const run = await runInProcess({
      inputs: { ...creds(), topics_from: 'fixed_issues' },
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expectFailed(
      run,
      "Input 'github_token': required with topics_from fixed_issues, which reads the GitHub API: its default, ${{ github.token }}, is empty here (or set the GITHUB_TOKEN environment variable)",
    );
    expect(fake.requests).toEqual([]);
    expect(sim.requests).toEqual([]);
  });

  it('missing with fixed_issues and notify change: one line for both', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), topics_from: 'fixed_issues', notify: 'change', status: 'success' },
      env: onGitHub(),
      event: { name: 'release', payload: releaseEvent() },
    });
    expectFailed(
      run,
      "Input 'github_token': required with topics_from fixed_issues and notify change, which read the GitHub API: its default, ${{ github.token }}, is empty here (or set the GITHUB_TOKEN environment variable)",
    );
    expect(fake.requests).toEqual([]);
  });

  it('from the GITHUB_TOKEN environment variable', async () => {
    releaseHistory(fake.state);
    const run = await runInProcess({
      inputs: { ...creds(), topics_from: 'fixed_issues' },
      env: onGitHub({ GITHUB_TOKEN: fake.token }),
      event: { name: 'release', payload: releaseEvent() },
    });
    expect(run.code).toBe(0);
    expect(results(run)).toHaveLength(3);
    expect(run.stdout).not.toContain(fake.token);
  });
});
