/**
 * A fake of the GitHub REST and GraphQL APIs on loopback, on node:http, for the tests of the action's
 * GitHub look-ups (made through @octokit/core: REST routes, pagination by `Link` headers, GraphQL).
 *
 * Like test/support/simulator.ts it imports only `node:` built-ins and uses erasable TypeScript only.
 * It serves one repository (`state.owner/state.repo`, plus issues of other repositories for
 * cross-repository closing references) and exactly these routes, answering as GitHub's
 * documentation shows (field names, status codes, error bodies, `Link` headers):
 *
 *   GET  /repos/{owner}/{repo}/actions/runs/{run_id}                      (actions)
 *   GET  /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs       (actions)
 *   GET  /repos/{owner}/{repo}/releases                                   (contents)
 *   GET  /repos/{owner}/{repo}/compare/{base}...{head}                    (contents)
 *   GET  /repos/{owner}/{repo}/commits                                    (contents)
 *   GET  /repos/{owner}/{repo}/deployments                                (deployments)
 *   GET  /repos/{owner}/{repo}/deployments/{deployment_id}/statuses       (deployments)
 *   POST /graphql  (GHES: REST under /api/v3, GraphQL at /api/graphql)
 *
 * Anything else is 404. GraphQL queries are parsed and validated against a small slice of GitHub's
 * schema (Query.repository; Repository.pullRequest/object; PullRequest.closingIssuesReferences;
 * Commit.associatedPullRequests; their connections, nodes and fields listed in SCHEMA below), so a
 * field the fake does not model fails loudly with GitHub's own "Field 'x' doesn't exist" error.
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

// ---- public types -----------------------------------------------------------------------------------

/** The GITHUB_TOKEN permissions the fake can withdraw (deny()). */
export type GitHubPermission = 'contents' | 'pull-requests' | 'issues' | 'actions' | 'deployments';

export interface GitHubFakeOptions {
  /** The token the fake accepts (`Authorization: token …` or `Bearer …`); default GITHUB_FAKE_DEFAULTS.token */
  token?: string;
  /** '' (github.com, the default) or '/api/v3' (GHES: REST under /api/v3, GraphQL at /api/graphql) */
  prefix?: '' | '/api/v3';
  /** The largest `per_page` honoured; default 100, as GitHub */
  perPageCap?: number;
  /** Where the `html_url`s point; default https://github.com */
  serverUrl?: string;
}

export const GITHUB_FAKE_DEFAULTS: { token: string; owner: string; repo: string; serverUrl: string } = Object.freeze({
  token: 'ghs_fake_token_0123456789',
  owner: 'octo-org',
  repo: 'octo-repo',
  serverUrl: 'https://github.com',
});

/** A commit of the repository's one linear history (`GitHubState.commits`, oldest first). */
export interface FakeCommit {
  sha: string;
  message: string;
  /** Author and committer date (ISO 8601); default: 2025-01-15T10:30:00Z plus one hour per position */
  date?: string;
  /** Default: The Octocat <octocat@github.com>, GitHub user octocat; a given author has a GitHub user only with `login` */
  author?: { name: string; email: string; login?: string | null };
}

/** An issue, of the repository or of one of `otherRepositories`. */
export interface FakeIssue {
  number: number;
  title: string;
  /** Default '' */
  body?: string;
  /** Default: CLOSED when a merged pull request of `pullRequests` closes it, else OPEN */
  state?: 'OPEN' | 'CLOSED';
  /** Default: {serverUrl}/{owner}/{repo}/issues/{number} */
  html_url?: string;
}

/** An issue in another repository: `{ repo: 'other-org/other-repo', number: 7 }`. */
export interface FakeIssueRef {
  repo: string;
  number: number;
}

export interface FakePullRequest {
  number: number;
  title: string;
  /** Default '' */
  body?: string;
  /** Default true */
  merged?: boolean;
  /** For an unmerged pull request: default OPEN (a merged one is MERGED) */
  state?: 'OPEN' | 'CLOSED';
  /** The shas of the commits the pull request contains (they need not be in the history: squash merges) */
  commits?: string[];
  /** The commit that merged it into the history; default null */
  merge_commit_sha?: string | null;
  /** Its closing issue references, in order: numbers of this repository's issues, or issues elsewhere */
  closes?: Array<number | FakeIssueRef>;
  /** Default: {serverUrl}/{owner}/{repo}/pull/{number} */
  html_url?: string;
}

export interface FakeRelease {
  /** Default: its position in `releases` plus 1 */
  id?: number;
  tag_name: string;
  /** Default: tag_name */
  name?: string | null;
  /** Default '' */
  body?: string | null;
  /** Default false */
  draft?: boolean;
  /** Default false */
  prerelease?: boolean;
  /** Default: 2025-01-15T10:30:00Z plus one day per position in `releases` */
  created_at?: string;
  /** Default: created_at, or null for a draft */
  published_at?: string | null;
  /** Default: …/releases/tag/{tag_name} (a draft: …/releases/tag/untagged-…) */
  html_url?: string;
  /** Default: the default branch */
  target_commitish?: string;
}

export interface FakeDeploymentStatus {
  /** Default: deployment id × 100 + position + 1 */
  id?: number;
  state: 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';
  created_at: string;
  environment_url?: string;
  log_url?: string;
  description?: string;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  environment: string;
  created_at: string;
  /** Default: the default branch */
  ref?: string;
  /** Default 'deploy' */
  task?: string;
  description?: string | null;
  /** In any order (listed newest first) */
  statuses?: FakeDeploymentStatus[];
}

/** A workflow with no runs yet (workflows with runs are known from their runs). */
export interface FakeWorkflow {
  id: number;
  /** '.github/workflows/deploy.yml' */
  path: string;
  name?: string;
}

export interface FakeWorkflowRun {
  id: number;
  workflow_id: number;
  /** The workflow file: '.github/workflows/deploy.yml' */
  path: string;
  /** The workflow's name; default: the file name without extension */
  name?: string;
  head_branch: string | null;
  /** Default: the newest commit's sha */
  head_sha?: string;
  run_number: number;
  /** Default 1 */
  run_attempt?: number;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  /** Set when status is completed: success, failure, cancelled, skipped, … */
  conclusion: string | null;
  /** Default 'push' */
  event?: string;
  created_at: string;
  /** Default created_at */
  updated_at?: string;
  /** Default: {serverUrl}/{owner}/{repo}/actions/runs/{id} */
  html_url?: string;
  /** Default: the head commit's message, first line */
  display_title?: string;
}

/**
 * Everything the fake answers from, for one repository. Mutable: tests fill it (directly or with the
 * helpers below) and the fake reads it on every request. reset() empties it.
 */
export interface GitHubState {
  owner: string;
  repo: string;
  /** 'main': it names the newest commit unless `branches` says otherwise */
  defaultBranch: string;
  /** The history, oldest first; each commit's parent is the one before it */
  commits: FakeCommit[];
  /** Branch name → sha (the default branch needs no entry) */
  branches: Record<string, string>;
  /** Tag name → sha */
  tags: Record<string, string>;
  issues: FakeIssue[];
  pullRequests: FakePullRequest[];
  releases: FakeRelease[];
  deployments: FakeDeployment[];
  workflows: FakeWorkflow[];
  workflowRuns: FakeWorkflowRun[];
  /** 'owner/name' → the issues of another repository (closing references across repositories) */
  otherRepositories: Record<string, { issues: FakeIssue[] }>;
}

export interface GitHubFakeRequest {
  method: string;
  /** The path as received, with the GHES prefix if any, without the query */
  path: string;
  /** The route that answered, e.g. 'GET /repos/{owner}/{repo}/releases' or 'POST /graphql'; unset when none */
  route?: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text if it was not JSON; undefined if empty */
  body: unknown;
  /** The status sent; 0 until answered (or when the connection was reset) */
  status: number;
  graphql?: { operationName?: string; variables?: unknown };
  /** The fault applied, if any */
  fault?: GitHubFault['type'];
}

/**
 * What the next matching request gets instead of its normal answer (fail()). `match` limits a fault to
 * requests whose path contains the string (or matches the pattern); without it, the next request.
 */
export type GitHubFault =
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string>; match?: string | RegExp }
  | { type: 'reset'; match?: string | RegExp };

export interface GitHubFake {
  /** The API base URL: http://127.0.0.1:<port> (GHES: http://127.0.0.1:<port>/api/v3) */
  url: string;
  /** http://127.0.0.1:<port>/graphql (GHES: http://127.0.0.1:<port>/api/graphql) */
  graphqlUrl: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  token: string;
  /** Every request received, in arrival order */
  requests: GitHubFakeRequest[];
  state: GitHubState;
  /** Requests needing the permission get 403 "Resource not accessible by integration" (GraphQL: FORBIDDEN) */
  deny(permission: GitHubPermission): void;
  /** Queue faults; each is used by the next request it matches */
  fail(...faults: GitHubFault[]): void;
  /** Clear requests, state, denials and faults */
  reset(): void;
  /** Destroy open sockets and close; never hangs */
  close(): Promise<void>;
}

// ---- helpers to build a state ---------------------------------------------------------------------------

/** A deterministic 40-hex sha for a label. */
export function fakeSha(label: string | number): string {
  return createHash('sha1').update(`github-fake:${label}`).digest('hex');
}

/** An empty state for owner/repo. */
export function emptyGitHubState(
  owner: string = GITHUB_FAKE_DEFAULTS.owner,
  repo: string = GITHUB_FAKE_DEFAULTS.repo,
): GitHubState {
  return {
    owner,
    repo,
    defaultBranch: 'main',
    commits: [],
    branches: {},
    tags: {},
    issues: [],
    pullRequests: [],
    releases: [],
    deployments: [],
    workflows: [],
    workflowRuns: [],
    otherRepositories: {},
  };
}

/** n commits `${label} 1` … `${label} n` with deterministic shas, oldest first: `state.commits.push(...linearHistory(3))`. */
export function linearHistory(n: number, label = 'Commit'): FakeCommit[] {
  return Array.from({ length: n }, (_, i) => ({ sha: fakeSha(`${label} ${i + 1}`), message: `${label} ${i + 1}` }));
}

/** The newest commit's sha (throws on an empty history). */
export function headSha(state: GitHubState): string {
  const last = state.commits.at(-1);
  if (!last) throw new Error('github-fake: the history is empty');
  return last.sha;
}

/** Tag a commit (default: the newest); returns its sha. */
export function addTag(state: GitHubState, name: string, sha: string = headSha(state)): string {
  state.tags[name] = sha;
  return sha;
}

/**
 * Append a merged pull request to the history: its `commits` (default 1) commits, then its merge
 * commit ("Merge pull request #n from …"); with `squash`, one commit "Title (#n)" only, the pull
 * request's own commits staying off the history. Returns the pull request added to `pullRequests`.
 */
export function addMergedPullRequest(
  state: GitHubState,
  pr: {
    number: number;
    title: string;
    body?: string;
    closes?: Array<number | FakeIssueRef>;
    commits?: number;
    squash?: boolean;
  },
): FakePullRequest {
  const count = pr.commits ?? 1;
  const own = Array.from({ length: count }, (_, i) => ({
    sha: fakeSha(`pr ${pr.number} commit ${i + 1}`),
    message: `${pr.title} (part ${i + 1})`,
  }));
  const merge = pr.squash
    ? { sha: fakeSha(`pr ${pr.number} squash`), message: `${pr.title} (#${pr.number})` }
    : {
        sha: fakeSha(`pr ${pr.number} merge`),
        message: `Merge pull request #${pr.number} from ${state.owner}/pr-${pr.number}\n\n${pr.title}`,
      };
  if (!pr.squash) state.commits.push(...own);
  state.commits.push(merge);
  const added: FakePullRequest = {
    number: pr.number,
    title: pr.title,
    body: pr.body ?? '',
    merged: true,
    commits: own.map((c) => c.sha),
    merge_commit_sha: merge.sha,
    closes: pr.closes ?? [],
  };
  state.pullRequests.push(added);
  return added;
}

/**
 * A fault answering as GitHub does once the primary rate limit is spent: 403 (or 429) with
 * x-ratelimit-remaining: 0 for REST; for GraphQL (resource 'graphql') 200 with a RATE_LIMITED error.
 */
export function rateLimitFault(
  options: { resource?: 'core' | 'graphql'; status?: 403 | 429; resetAt?: number; match?: string | RegExp } = {},
): GitHubFault {
  const resource = options.resource ?? 'core';
  const status = options.status ?? 403;
  const headers = {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-used': '5000',
    'x-ratelimit-reset': String(options.resetAt ?? Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': resource,
  };
  const match = options.match ?? (resource === 'graphql' ? 'graphql' : undefined);
  if (resource === 'graphql') {
    const body = {
      errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 12345678.' }],
    };
    return { type: 'status', status: 200, headers, body, match };
  }
  const body = {
    message: 'API rate limit exceeded for installation ID 12345678.',
    documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
    status: String(status),
  };
  return { type: 'status', status, headers, body, match };
}

/** A fault answering as GitHub does for a secondary rate limit: 403 with retry-after. */
export function secondaryRateLimitFault(retryAfterSeconds = 60, match?: string | RegExp): GitHubFault {
  return {
    type: 'status',
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:222222:333333:44444444.',
      documentation_url:
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '403',
    },
    match,
  };
}

// ---- internals: common ---------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_BODY_BYTES = 1024 * 1024;
const BASE_TIME = Date.parse('2025-01-15T10:30:00Z');
const HOUR = 3_600_000;
const REPO_ID = 1296269;
const REST_DOCS = 'https://docs.github.com/rest';
const GRAPHQL_DOCS = 'https://docs.github.com/graphql';
const NOT_ACCESSIBLE = 'Resource not accessible by integration';

/** A state the fake cannot answer from (a tag naming no commit, a reference to a missing issue…): fails loudly. */
class FakeStateError extends Error {}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function nodeId(prefix: string, key: string | number): string {
  return `${prefix}_kwDO${Buffer.from(String(key)).toString('base64url').slice(0, 14)}`;
}

function userId(login: string): number {
  return login === 'octocat'
    ? 1
    : login === 'github-actions[bot]'
      ? 41898282
      : parseInt(fakeSha(login).slice(0, 7), 16);
}

interface Ctx {
  state: GitHubState;
  /** The REST base URL (with the GHES prefix) */
  api: string;
  serverUrl: string;
}

const repoApi = (ctx: Ctx): string => `${ctx.api}/repos/${ctx.state.owner}/${ctx.state.repo}`;
const repoHtml = (ctx: Ctx): string => `${ctx.serverUrl}/${ctx.state.owner}/${ctx.state.repo}`;
const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function simpleUser(ctx: Ctx, login: string): JsonObject {
  const api = `${ctx.api}/users/${login}`;
  const id = userId(login);
  return {
    login,
    id,
    node_id: nodeId('U', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${ctx.serverUrl}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

function minimalRepository(ctx: Ctx): JsonObject {
  const { owner, repo } = ctx.state;
  return {
    id: REPO_ID,
    node_id: nodeId('R', REPO_ID),
    name: repo,
    full_name: `${owner}/${repo}`,
    private: false,
    owner: simpleUser(ctx, owner),
    html_url: repoHtml(ctx),
    description: null,
    fork: false,
    url: repoApi(ctx),
  };
}

// ---- internals: the history -------------------------------------------------------------------------------

function commitDate(state: GitHubState, index: number): string {
  return state.commits[index]?.date ?? iso(BASE_TIME + index * HOUR);
}

function indexOfSha(state: GitHubState, sha: string, what: string): number {
  const index = state.commits.findIndex((c) => c.sha === sha);
  if (index < 0) throw new FakeStateError(`github-fake state: ${what} names ${sha}, which is not in state.commits`);
  return index;
}

/** A tag, branch (the default branch: the newest commit), full sha or unique sha prefix → position in the history. */
function resolveRef(state: GitHubState, ref: string): number | undefined {
  let name = ref;
  for (const prefix of ['refs/tags/', 'refs/heads/', 'tags/', 'heads/']) {
    if (name.startsWith(prefix)) {
      name = name.slice(prefix.length);
      break;
    }
  }
  const tagged = state.tags[name];
  if (tagged !== undefined) return indexOfSha(state, tagged, `tag ${name}`);
  const branch = state.branches[name];
  if (branch !== undefined) return indexOfSha(state, branch, `branch ${name}`);
  if (name === state.defaultBranch || name === 'HEAD')
    return state.commits.length > 0 ? state.commits.length - 1 : undefined;
  if (/^[0-9a-f]{7,40}$/i.test(name)) {
    const lower = name.toLowerCase();
    const found = state.commits.flatMap((c, i) => (c.sha.toLowerCase().startsWith(lower) ? [i] : []));
    if (found.length === 1) return found[0];
  }
  return undefined;
}

function restCommit(ctx: Ctx, index: number): JsonObject {
  const c = ctx.state.commits[index];
  if (!c) throw new FakeStateError(`github-fake: no commit at position ${index}`);
  const api = repoApi(ctx);
  const html = repoHtml(ctx);
  const date = commitDate(ctx.state, index);
  const person = c.author ?? { name: 'The Octocat', email: 'octocat@github.com' };
  const login = person.login === undefined ? (c.author ? null : 'octocat') : person.login;
  const user = login === null ? null : simpleUser(ctx, login);
  const tree = fakeSha(`tree ${c.sha}`);
  const parent = index > 0 ? ctx.state.commits[index - 1] : undefined;
  return {
    sha: c.sha,
    node_id: nodeId('C', c.sha),
    commit: {
      author: { name: person.name, email: person.email, date },
      committer: { name: person.name, email: person.email, date },
      message: c.message,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      url: `${api}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    url: `${api}/commits/${c.sha}`,
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    author: user,
    committer: user,
    parents: parent
      ? [{ sha: parent.sha, url: `${api}/commits/${parent.sha}`, html_url: `${html}/commit/${parent.sha}` }]
      : [],
  };
}

// ---- internals: issues and pull requests --------------------------------------------------------------------

interface RepoIssues {
  nameWithOwner: string;
  issues: FakeIssue[];
  main: boolean;
}

function findRepository(state: GitHubState, nameWithOwner: string): RepoIssues | undefined {
  const main = `${state.owner}/${state.repo}`;
  if (sameName(nameWithOwner, main)) return { nameWithOwner: main, issues: state.issues, main: true };
  for (const [name, other] of Object.entries(state.otherRepositories)) {
    if (sameName(name, nameWithOwner)) return { nameWithOwner: name, issues: other.issues, main: false };
  }
  return undefined;
}

function closingIssues(state: GitHubState, pr: FakePullRequest): Array<{ issue: FakeIssue; repo: RepoIssues }> {
  return (pr.closes ?? []).map((ref) => {
    const repoName = typeof ref === 'number' ? `${state.owner}/${state.repo}` : ref.repo;
    const number = typeof ref === 'number' ? ref : ref.number;
    const repo = findRepository(state, repoName);
    const issue = repo?.issues.find((i) => i.number === number);
    if (!repo || !issue) {
      throw new FakeStateError(
        `github-fake state: pull request #${pr.number} closes ${repoName}#${number}, which is not in the state` +
          (repo ? '' : ` (add it to state.otherRepositories['${repoName}'].issues)`),
      );
    }
    return { issue, repo };
  });
}

function issueState(state: GitHubState, issue: FakeIssue, repo: RepoIssues): 'OPEN' | 'CLOSED' {
  if (issue.state) return issue.state;
  const closedByMerge = state.pullRequests.some(
    (pr) =>
      pr.merged !== false &&
      (pr.closes ?? []).some((ref) =>
        typeof ref === 'number'
          ? repo.main && ref === issue.number
          : sameName(ref.repo, repo.nameWithOwner) && ref.number === issue.number,
      ),
  );
  return closedByMerge ? 'CLOSED' : 'OPEN';
}

// ---- internals: REST -------------------------------------------------------------------------------------

interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface RestRoute {
  template: string;
  permission: GitHubPermission;
  docs: string;
  handle: (ctx: Ctx, params: string[], url: URL, query: Record<string, string>) => Outcome;
}

const errorBody = (message: string, docs: string, status: number): JsonObject => ({
  message,
  documentation_url: docs,
  status: String(status),
});

const notFound = (docs: string = REST_DOCS): Outcome => ({ status: 404, body: errorBody('Not Found', docs, 404) });

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

/** One page of `items` by `per_page`/`page`, and the `Link` header GitHub sends with it. */
function pageOf<T>(
  items: T[],
  url: URL,
  query: Record<string, string>,
  defaultPerPage: number,
  perPageCap: number,
): { items: T[]; link?: string } {
  const asked = positiveInt(query.per_page);
  const perPage = asked === undefined ? defaultPerPage : Math.min(asked, perPageCap);
  const page = positiveInt(query.page) ?? 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const to = (n: number): string => {
    const params = new URLSearchParams(url.searchParams);
    params.set('page', String(n));
    return `<${url.origin}${url.pathname}?${params.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${to(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${to(page + 1)}; rel="next"`, `${to(last)}; rel="last"`);
  if (page > 1) rels.push(`${to(1)}; rel="first"`);
  return rels.length > 0 ? { items: slice, link: rels.join(', ') } : { items: slice };
}

const withLink = (link: string | undefined): Record<string, string> | undefined => (link ? { link } : undefined);

const byNewest = <T extends { created_at: string; id: number }>(a: T, b: T): number =>
  Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id;

function restWorkflowRun(ctx: Ctx, run: FakeWorkflowRun): JsonObject {
  const api = repoApi(ctx);
  const head = run.head_sha ?? ctx.state.commits.at(-1)?.sha ?? fakeSha('no commits');
  const headIndex = ctx.state.commits.findIndex((c) => c.sha === head);
  const headCommit = headIndex >= 0 ? ctx.state.commits[headIndex] : undefined;
  const file = run.path.split('/').at(-1) ?? run.path;
  const runUrl = `${api}/actions/runs/${run.id}`;
  const actor = simpleUser(ctx, 'octocat');
  const author = { name: 'The Octocat', email: 'octocat@github.com' };
  return {
    id: run.id,
    name: run.name ?? file.replace(/\.ya?ml$/, ''),
    node_id: nodeId('WFR', run.id),
    head_branch: run.head_branch,
    head_sha: head,
    path: run.path,
    display_title: run.display_title ?? headCommit?.message.split('\n')[0] ?? '',
    run_number: run.run_number,
    event: run.event ?? 'push',
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflow_id,
    check_suite_id: run.id + 1_000_000,
    check_suite_node_id: nodeId('CS', run.id + 1_000_000),
    url: runUrl,
    html_url: run.html_url ?? `${repoHtml(ctx)}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.created_at,
    updated_at: run.updated_at ?? run.created_at,
    actor,
    run_attempt: run.run_attempt ?? 1,
    referenced_workflows: [],
    run_started_at: run.created_at,
    triggering_actor: actor,
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${api}/check-suites/${run.id + 1_000_000}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${api}/actions/workflows/${run.workflow_id}`,
    head_commit: {
      id: head,
      tree_id: fakeSha(`tree ${head}`),
      message: headCommit?.message ?? '',
      timestamp: headIndex >= 0 ? commitDate(ctx.state, headIndex) : run.created_at,
      author,
      committer: author,
    },
    repository: minimalRepository(ctx),
    head_repository: minimalRepository(ctx),
  };
}

function restRelease(ctx: Ctx, release: FakeRelease, index: number): JsonObject {
  const api = repoApi(ctx);
  const id = release.id ?? index + 1;
  const draft = release.draft ?? false;
  const created = release.created_at ?? iso(BASE_TIME + index * 24 * HOUR);
  const untagged = `untagged-${fakeSha(`release ${id}`).slice(0, 20)}`;
  return {
    url: `${api}/releases/${id}`,
    assets_url: `${api}/releases/${id}/assets`,
    upload_url: `${ctx.api.replace('://', '://uploads.')}/repos/${ctx.state.owner}/${ctx.state.repo}/releases/${id}/assets{?name,label}`,
    html_url: release.html_url ?? `${repoHtml(ctx)}/releases/tag/${draft ? untagged : release.tag_name}`,
    id,
    author: simpleUser(ctx, 'github-actions[bot]'),
    node_id: nodeId('RE', id),
    tag_name: release.tag_name,
    target_commitish: release.target_commitish ?? ctx.state.defaultBranch,
    name: release.name === undefined ? release.tag_name : release.name,
    draft,
    immutable: false,
    prerelease: release.prerelease ?? false,
    created_at: created,
    updated_at: created,
    published_at: release.published_at === undefined ? (draft ? null : created) : release.published_at,
    assets: [],
    tarball_url: draft ? null : `${api}/tarball/${release.tag_name}`,
    zipball_url: draft ? null : `${api}/zipball/${release.tag_name}`,
    body: release.body ?? '',
  };
}

function restDeployment(ctx: Ctx, d: FakeDeployment): JsonObject {
  const api = repoApi(ctx);
  return {
    url: `${api}/deployments/${d.id}`,
    id: d.id,
    node_id: nodeId('DE', d.id),
    task: d.task ?? 'deploy',
    original_environment: d.environment,
    environment: d.environment,
    description: d.description ?? null,
    created_at: d.created_at,
    updated_at: d.created_at,
    statuses_url: `${api}/deployments/${d.id}/statuses`,
    repository_url: api,
    creator: simpleUser(ctx, 'github-actions[bot]'),
    sha: d.sha,
    ref: d.ref ?? ctx.state.defaultBranch,
    payload: {},
    transient_environment: false,
    production_environment: d.environment === 'production',
    performed_via_github_app: null,
  };
}

function restDeploymentStatus(ctx: Ctx, d: FakeDeployment, s: FakeDeploymentStatus & { id: number }): JsonObject {
  const api = repoApi(ctx);
  return {
    url: `${api}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DES', s.id),
    state: s.state,
    creator: simpleUser(ctx, 'github-actions[bot]'),
    description: s.description ?? '',
    environment: d.environment,
    target_url: s.log_url ?? '',
    created_at: s.created_at,
    updated_at: s.created_at,
    deployment_url: `${api}/deployments/${d.id}`,
    repository_url: api,
    environment_url: s.environment_url ?? '',
    log_url: s.log_url ?? '',
    performed_via_github_app: null,
  };
}

function knownWorkflows(state: GitHubState): FakeWorkflow[] {
  const all = new Map<number, FakeWorkflow>();
  for (const w of state.workflows) all.set(w.id, w);
  for (const r of state.workflowRuns)
    if (!all.has(r.workflow_id)) all.set(r.workflow_id, { id: r.workflow_id, path: r.path });
  return [...all.values()];
}

function makeRoutes(perPageCap: number): Record<string, RestRoute> {
  const docs = {
    run: 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run',
    workflowRuns: 'https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow',
    releases: 'https://docs.github.com/rest/releases/releases#list-releases',
    compare: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
    commits: 'https://docs.github.com/rest/commits/commits#list-commits',
    deployments: 'https://docs.github.com/rest/deployments/deployments#list-deployments',
    statuses: 'https://docs.github.com/rest/deployments/statuses#list-deployment-statuses',
  };
  return {
    run: {
      template: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
      permission: 'actions',
      docs: docs.run,
      handle: (ctx, [runId]) => {
        const id = positiveInt(runId);
        const run = ctx.state.workflowRuns.find((r) => r.id === id);
        return run ? { status: 200, body: restWorkflowRun(ctx, run) } : notFound(docs.run);
      },
    },
    workflowRuns: {
      template: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      permission: 'actions',
      docs: docs.workflowRuns,
      handle: (ctx, [workflowId = ''], url, query) => {
        const numeric = positiveInt(workflowId);
        const workflow = knownWorkflows(ctx.state).find((w) =>
          numeric !== undefined ? w.id === numeric : w.path.split('/').at(-1) === workflowId,
        );
        if (!workflow) return notFound(docs.workflowRuns);
        const runs = ctx.state.workflowRuns
          .filter((r) => r.workflow_id === workflow.id)
          .filter((r) => !query.branch || r.head_branch === query.branch)
          .filter((r) => !query.event || (r.event ?? 'push') === query.event)
          .filter((r) => !query.status || r.status === query.status || r.conclusion === query.status)
          .filter((r) => !query.head_sha || r.head_sha === query.head_sha)
          .sort(byNewest);
        const page = pageOf(runs, url, query, 30, perPageCap);
        return {
          status: 200,
          body: { total_count: runs.length, workflow_runs: page.items.map((r) => restWorkflowRun(ctx, r)) },
          headers: withLink(page.link),
        };
      },
    },
    releases: {
      template: 'GET /repos/{owner}/{repo}/releases',
      permission: 'contents',
      docs: docs.releases,
      handle: (ctx, _params, url, query) => {
        const all = ctx.state.releases.map((r, i) => restRelease(ctx, r, i));
        all.sort(
          (a, b) => Date.parse(String(b.created_at)) - Date.parse(String(a.created_at)) || Number(b.id) - Number(a.id),
        );
        const page = pageOf(all, url, query, 30, perPageCap);
        return { status: 200, body: page.items, headers: withLink(page.link) };
      },
    },
    compare: {
      template: 'GET /repos/{owner}/{repo}/compare/{base}...{head}',
      permission: 'contents',
      docs: docs.compare,
      handle: (ctx, [basehead = ''], url, query) => {
        const dots = basehead.indexOf('...');
        const base = dots > 0 ? basehead.slice(0, dots) : '';
        const head = dots > 0 ? basehead.slice(dots + 3) : '';
        const from = base ? resolveRef(ctx.state, base) : undefined;
        const to = head ? resolveRef(ctx.state, head) : undefined;
        if (from === undefined || to === undefined) return notFound(docs.compare);
        const ahead = Math.max(0, to - from);
        const behind = Math.max(0, from - to);
        const range = Array.from({ length: ahead }, (_, i) => from + 1 + i);
        // Without paging parameters GitHub sends at most 250 commits, the newest of the range, and no
        // Link header; with per_page or page, pages in chronological order (per_page defaulting to 250).
        const paged = query.per_page !== undefined || query.page !== undefined;
        const page = paged ? pageOf(range, url, query, 250, perPageCap) : { items: range.slice(-250), link: undefined };
        const api = repoApi(ctx);
        const html = repoHtml(ctx);
        const short = (i: number): string => ctx.state.commits[i]?.sha.slice(0, 7) ?? '';
        const owner = ctx.state.owner;
        return {
          status: 200,
          body: {
            url: `${api}/compare/${base}...${head}`,
            html_url: `${html}/compare/${base}...${head}`,
            permalink_url: `${html}/compare/${owner}:${short(from)}...${owner}:${short(to)}`,
            diff_url: `${html}/compare/${base}...${head}.diff`,
            patch_url: `${html}/compare/${base}...${head}.patch`,
            base_commit: restCommit(ctx, from),
            merge_base_commit: restCommit(ctx, Math.min(from, to)),
            status: ahead > 0 ? 'ahead' : behind > 0 ? 'behind' : 'identical',
            ahead_by: ahead,
            behind_by: behind,
            total_commits: ahead,
            commits: page.items.map((i) => restCommit(ctx, i)),
            files: [],
          },
          headers: withLink(page.link),
        };
      },
    },
    commits: {
      template: 'GET /repos/{owner}/{repo}/commits',
      permission: 'contents',
      docs: docs.commits,
      handle: (ctx, _params, url, query) => {
        if (ctx.state.commits.length === 0) {
          return { status: 409, body: errorBody('Git Repository is empty.', docs.commits, 409) };
        }
        const ref = query.sha || ctx.state.defaultBranch;
        const top = resolveRef(ctx.state, ref);
        if (top === undefined)
          return { status: 404, body: errorBody(`No commit found for SHA: ${ref}`, docs.commits, 404) };
        const reachable = Array.from({ length: top + 1 }, (_, i) => top - i);
        const page = pageOf(reachable, url, query, 30, perPageCap);
        return { status: 200, body: page.items.map((i) => restCommit(ctx, i)), headers: withLink(page.link) };
      },
    },
    deployments: {
      template: 'GET /repos/{owner}/{repo}/deployments',
      permission: 'deployments',
      docs: docs.deployments,
      handle: (ctx, _params, url, query) => {
        const list = ctx.state.deployments
          .filter((d) => !query.environment || d.environment === query.environment)
          .filter((d) => !query.sha || d.sha === query.sha)
          .filter((d) => !query.ref || (d.ref ?? ctx.state.defaultBranch) === query.ref)
          .filter((d) => !query.task || (d.task ?? 'deploy') === query.task)
          .sort(byNewest);
        const page = pageOf(list, url, query, 30, perPageCap);
        return { status: 200, body: page.items.map((d) => restDeployment(ctx, d)), headers: withLink(page.link) };
      },
    },
    statuses: {
      template: 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      permission: 'deployments',
      docs: docs.statuses,
      handle: (ctx, [deploymentId], url, query) => {
        const id = positiveInt(deploymentId);
        const d = ctx.state.deployments.find((x) => x.id === id);
        if (!d) return notFound(docs.statuses);
        const statuses = (d.statuses ?? []).map((s, i) => ({ ...s, id: s.id ?? d.id * 100 + i + 1 })).sort(byNewest);
        const page = pageOf(statuses, url, query, 30, perPageCap);
        return {
          status: 200,
          body: page.items.map((s) => restDeploymentStatus(ctx, d, s)),
          headers: withLink(page.link),
        };
      },
    },
  };
}

/** Path segments after /repos/{owner}/{repo} → route name and its parameters. */
function matchRest(rest: string[]): { name: string; params: string[] } | undefined {
  const [a, b, c, d, ...more] = rest;
  if (a === 'actions' && b === 'runs' && c !== undefined && d === undefined) return { name: 'run', params: [c] };
  if (a === 'actions' && b === 'workflows' && c !== undefined && d === 'runs' && more.length === 0) {
    return { name: 'workflowRuns', params: [c] };
  }
  if (a === 'releases' && b === undefined) return { name: 'releases', params: [] };
  if (a === 'compare' && b !== undefined) return { name: 'compare', params: [rest.slice(1).join('/')] };
  if (a === 'commits' && b === undefined) return { name: 'commits', params: [] };
  if (a === 'deployments' && b === undefined) return { name: 'deployments', params: [] };
  if (a === 'deployments' && b !== undefined && c === 'statuses' && d === undefined)
    return { name: 'statuses', params: [b] };
  return undefined;
}

// ---- internals: GraphQL, the parser --------------------------------------------------------------------------

interface Loc {
  line: number;
  column: number;
}

interface Tok extends Loc {
  kind: 'punct' | 'name' | 'int' | 'float' | 'string' | 'eof';
  value: string;
}

type GqlValue =
  | { kind: 'var'; name: string }
  | { kind: 'int' | 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'enum'; value: string }
  | { kind: 'list'; values: GqlValue[] }
  | { kind: 'object'; fields: Array<{ name: string; value: GqlValue }> };

interface GqlArg {
  name: string;
  value: GqlValue;
  loc: Loc;
}

interface Directive {
  name: string;
  args: GqlArg[];
}

interface FieldNode {
  kind: 'field';
  alias?: string;
  name: string;
  args: GqlArg[];
  directives: Directive[];
  selections?: Selection[];
  loc: Loc;
}

interface InlineFragment {
  kind: 'inline';
  typeCondition?: string;
  directives: Directive[];
  selections: Selection[];
  loc: Loc;
}

interface FragmentSpread {
  kind: 'spread';
  name: string;
  directives: Directive[];
  loc: Loc;
}

type Selection = FieldNode | InlineFragment | FragmentSpread;

type TypeRef = { kind: 'named'; name: string; nonNull: boolean } | { kind: 'list'; of: TypeRef; nonNull: boolean };

interface VarDef {
  name: string;
  type: TypeRef;
  defaultValue?: GqlValue;
  loc: Loc;
}

interface OperationDef {
  kind: 'query' | 'mutation' | 'subscription';
  name?: string;
  variables: VarDef[];
  selections: Selection[];
  loc: Loc;
}

interface FragmentDef {
  name: string;
  typeCondition: string;
  selections: Selection[];
  loc: Loc;
}

class GqlSyntaxError extends Error {
  loc: Loc;
  constructor(message: string, loc: Loc) {
    super(message);
    this.loc = loc;
  }
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (ch === '\n' || ch === '\r') {
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === ',' || ch === '\uFEFF') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      continue;
    }
    const loc = { line, column: i - lineStart + 1 };
    if (src.startsWith('...', i)) {
      toks.push({ kind: 'punct', value: '...', ...loc });
      i += 3;
    } else if ('!$&():=@[]{}|'.includes(ch)) {
      toks.push({ kind: 'punct', value: ch, ...loc });
      i++;
    } else if (/[_A-Za-z]/.test(ch)) {
      const start = i;
      while (i < src.length && /[_0-9A-Za-z]/.test(src[i] ?? '')) i++;
      toks.push({ kind: 'name', value: src.slice(start, i), ...loc });
    } else if (/[-0-9]/.test(ch)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) throw new GqlSyntaxError(`Parse error on "${ch}" at [${loc.line}, ${loc.column}]`, loc);
      toks.push({ kind: m[1] || m[2] ? 'float' : 'int', value: m[0], ...loc });
      i += m[0].length;
    } else if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new GqlSyntaxError(`Parse error on unterminated string at [${loc.line}, ${loc.column}]`, loc);
      const raw = src.slice(i + 3, end);
      toks.push({ kind: 'string', value: raw.trim(), ...loc });
      for (const c of raw) if (c === '\n') line++;
      const lastNl = raw.lastIndexOf('\n');
      if (lastNl >= 0) lineStart = i + 3 + lastNl + 1;
      i = end + 3;
    } else if (ch === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const c = src[j];
        if (c === undefined || c === '\n' || c === '\r') {
          throw new GqlSyntaxError(`Parse error on unterminated string at [${loc.line}, ${loc.column}]`, loc);
        }
        if (c === '"') break;
        if (c === '\\') {
          const e = src[j + 1] ?? '';
          const simple: Record<string, string> = {
            '"': '"',
            '\\': '\\',
            '/': '/',
            b: '\b',
            f: '\f',
            n: '\n',
            r: '\r',
            t: '\t',
          };
          if (e === 'u') {
            value += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            value += simple[e] ?? e;
            j += 2;
          }
          continue;
        }
        value += c;
        j++;
      }
      toks.push({ kind: 'string', value, ...loc });
      i = j + 1;
    } else {
      throw new GqlSyntaxError(`Parse error on "${ch}" at [${loc.line}, ${loc.column}]`, loc);
    }
  }
  toks.push({ kind: 'eof', value: '', line, column: i - lineStart + 1 });
  return toks;
}

function parseDocument(src: string): { operations: OperationDef[]; fragments: Map<string, FragmentDef> } {
  const toks = tokenize(src);
  let pos = 0;
  const peek = (): Tok => toks[pos] ?? toks[toks.length - 1]!;
  const next = (): Tok => {
    const t = peek();
    if (pos < toks.length - 1) pos++;
    return t;
  };
  const fail = (t: Tok): never => {
    const what = t.kind === 'eof' ? 'end of document' : `"${t.value}"`;
    throw new GqlSyntaxError(`Parse error on ${what} at [${t.line}, ${t.column}]`, t);
  };
  const at = (value: string): boolean => peek().kind === 'punct' && peek().value === value;
  const expect = (value: string): Tok => {
    const t = next();
    if (t.kind !== 'punct' || t.value !== value) fail(t);
    return t;
  };
  const name = (): Tok => {
    const t = next();
    if (t.kind !== 'name') fail(t);
    return t;
  };

  const value = (): GqlValue => {
    const t = next();
    if (t.kind === 'punct' && t.value === '$') return { kind: 'var', name: name().value };
    if (t.kind === 'int' || t.kind === 'float') return { kind: t.kind, value: Number(t.value) };
    if (t.kind === 'string') return { kind: 'string', value: t.value };
    if (t.kind === 'name') {
      if (t.value === 'true' || t.value === 'false') return { kind: 'boolean', value: t.value === 'true' };
      if (t.value === 'null') return { kind: 'null' };
      return { kind: 'enum', value: t.value };
    }
    if (t.kind === 'punct' && t.value === '[') {
      const values: GqlValue[] = [];
      while (!at(']')) values.push(value());
      next();
      return { kind: 'list', values };
    }
    if (t.kind === 'punct' && t.value === '{') {
      const fields: Array<{ name: string; value: GqlValue }> = [];
      while (!at('}')) {
        const key = name().value;
        expect(':');
        fields.push({ name: key, value: value() });
      }
      next();
      return { kind: 'object', fields };
    }
    return fail(t);
  };
  const args = (): GqlArg[] => {
    const out: GqlArg[] = [];
    if (!at('(')) return out;
    next();
    do {
      const n = name();
      expect(':');
      out.push({ name: n.value, value: value(), loc: { line: n.line, column: n.column } });
    } while (!at(')'));
    next();
    return out;
  };
  const directives = (): Directive[] => {
    const out: Directive[] = [];
    while (at('@')) {
      next();
      out.push({ name: name().value, args: args() });
    }
    return out;
  };
  const typeRef = (): TypeRef => {
    let ref: TypeRef;
    if (at('[')) {
      next();
      const of = typeRef();
      expect(']');
      ref = { kind: 'list', of, nonNull: false };
    } else {
      ref = { kind: 'named', name: name().value, nonNull: false };
    }
    if (at('!')) {
      next();
      ref.nonNull = true;
    }
    return ref;
  };
  const selectionSet = (): Selection[] => {
    expect('{');
    const out: Selection[] = [];
    do out.push(selection());
    while (!at('}'));
    next();
    return out;
  };
  const selection = (): Selection => {
    const first = peek();
    const loc = { line: first.line, column: first.column };
    if (at('...')) {
      next();
      if (peek().kind === 'name' && peek().value === 'on') {
        next();
        const typeCondition = name().value;
        return { kind: 'inline', typeCondition, directives: directives(), selections: selectionSet(), loc };
      }
      if (at('{') || at('@')) return { kind: 'inline', directives: directives(), selections: selectionSet(), loc };
      return { kind: 'spread', name: name().value, directives: directives(), loc };
    }
    let fieldName = name().value;
    let alias: string | undefined;
    if (at(':')) {
      next();
      alias = fieldName;
      fieldName = name().value;
    }
    const field: FieldNode = { kind: 'field', name: fieldName, args: args(), directives: directives(), loc };
    if (alias !== undefined) field.alias = alias;
    if (at('{')) field.selections = selectionSet();
    return field;
  };

  const operations: OperationDef[] = [];
  const fragments = new Map<string, FragmentDef>();
  while (peek().kind !== 'eof') {
    const t = peek();
    const loc = { line: t.line, column: t.column };
    if (at('{')) {
      operations.push({ kind: 'query', variables: [], selections: selectionSet(), loc });
    } else if (t.kind === 'name' && (t.value === 'query' || t.value === 'mutation' || t.value === 'subscription')) {
      next();
      const op: OperationDef = { kind: t.value, variables: [], selections: [], loc };
      if (peek().kind === 'name') op.name = next().value;
      if (at('(')) {
        next();
        do {
          const dollar = expect('$');
          const varName = name().value;
          expect(':');
          const def: VarDef = { name: varName, type: typeRef(), loc: { line: dollar.line, column: dollar.column } };
          if (at('=')) {
            next();
            def.defaultValue = value();
          }
          directives();
          op.variables.push(def);
        } while (!at(')'));
        next();
      }
      directives();
      op.selections = selectionSet();
      operations.push(op);
    } else if (t.kind === 'name' && t.value === 'fragment') {
      next();
      const fragmentName = name().value;
      const on = name();
      if (on.value !== 'on') fail(on);
      const typeCondition = name().value;
      directives();
      fragments.set(fragmentName, { name: fragmentName, typeCondition, selections: selectionSet(), loc });
    } else {
      fail(t);
    }
  }
  return { operations, fragments };
}

// ---- internals: GraphQL, the schema slice ------------------------------------------------------------------

interface FieldSpec {
  type: string;
  args?: Record<string, string>;
}

const CONNECTION_ARGS = { first: 'Int', after: 'String', last: 'Int', before: 'String' };

const GIT_OBJECT_FIELDS: Record<string, FieldSpec> = {
  id: { type: 'ID!' },
  oid: { type: 'GitObjectID!' },
  abbreviatedOid: { type: 'String!' },
  commitUrl: { type: 'URI!' },
  repository: { type: 'Repository!' },
};

/** The slice of GitHub's GraphQL schema the fake answers (object types → fields). */
const SCHEMA: Record<string, Record<string, FieldSpec>> = {
  Query: {
    repository: { type: 'Repository', args: { owner: 'String!', name: 'String!', followRenames: 'Boolean' } },
  },
  Repository: {
    id: { type: 'ID!' },
    name: { type: 'String!' },
    nameWithOwner: { type: 'String!' },
    url: { type: 'URI!' },
    pullRequest: { type: 'PullRequest', args: { number: 'Int!' } },
    object: { type: 'GitObject', args: { oid: 'GitObjectID', expression: 'String' } },
  },
  PullRequest: {
    id: { type: 'ID!' },
    number: { type: 'Int!' },
    title: { type: 'String!' },
    body: { type: 'String!' },
    url: { type: 'URI!' },
    merged: { type: 'Boolean!' },
    state: { type: 'PullRequestState!' },
    mergeCommit: { type: 'Commit' },
    repository: { type: 'Repository!' },
    closingIssuesReferences: {
      type: 'IssueConnection',
      args: { ...CONNECTION_ARGS, userLinkedOnly: 'Boolean', orderByState: 'Boolean' },
    },
  },
  Issue: {
    id: { type: 'ID!' },
    number: { type: 'Int!' },
    title: { type: 'String!' },
    body: { type: 'String!' },
    url: { type: 'URI!' },
    state: { type: 'IssueState!' },
    closed: { type: 'Boolean!' },
    repository: { type: 'Repository!' },
  },
  Commit: {
    ...GIT_OBJECT_FIELDS,
    message: { type: 'String!' },
    messageHeadline: { type: 'String!' },
    url: { type: 'URI!' },
    committedDate: { type: 'DateTime!' },
    associatedPullRequests: {
      type: 'PullRequestConnection',
      args: { ...CONNECTION_ARGS, orderBy: 'PullRequestOrder' },
    },
  },
  Tree: GIT_OBJECT_FIELDS,
  Blob: GIT_OBJECT_FIELDS,
  Tag: GIT_OBJECT_FIELDS,
  GitObject: GIT_OBJECT_FIELDS,
  IssueConnection: {
    nodes: { type: '[Issue]' },
    edges: { type: '[IssueEdge]' },
    pageInfo: { type: 'PageInfo!' },
    totalCount: { type: 'Int!' },
  },
  IssueEdge: { cursor: { type: 'String!' }, node: { type: 'Issue' } },
  PullRequestConnection: {
    nodes: { type: '[PullRequest]' },
    edges: { type: '[PullRequestEdge]' },
    pageInfo: { type: 'PageInfo!' },
    totalCount: { type: 'Int!' },
  },
  PullRequestEdge: { cursor: { type: 'String!' }, node: { type: 'PullRequest' } },
  PageInfo: {
    hasNextPage: { type: 'Boolean!' },
    hasPreviousPage: { type: 'Boolean!' },
    startCursor: { type: 'String' },
    endCursor: { type: 'String' },
  },
};

/** Interfaces → the object types implementing them. */
const POSSIBLE: Record<string, string[]> = { GitObject: ['Commit', 'Tree', 'Blob', 'Tag'] };

const namedType = (type: string): string => type.replace(/[[\]!]/g, '');
const isComposite = (type: string): boolean => namedType(type) in SCHEMA;

function typeApplies(condition: string, concrete: string): boolean {
  return condition === concrete || (POSSIBLE[condition] ?? []).includes(concrete);
}

function typesOverlap(a: string, b: string): boolean {
  return a === b || (POSSIBLE[a] ?? []).includes(b) || (POSSIBLE[b] ?? []).includes(a);
}

function printType(ref: TypeRef): string {
  const inner = ref.kind === 'named' ? ref.name : `[${printType(ref.of)}]`;
  return ref.nonNull ? `${inner}!` : inner;
}

/** Whether a literal fits a schema type ('Int!', 'String', …); variables are checked separately. */
function literalFits(v: GqlValue, type: string): boolean {
  if (v.kind === 'var') return true;
  if (v.kind === 'null') return !type.endsWith('!');
  const named = namedType(type);
  if (type.startsWith('[')) return v.kind === 'list' ? v.values.every((x) => literalFits(x, type.slice(1, -1))) : true;
  switch (named) {
    case 'Int':
      return v.kind === 'int';
    case 'Float':
      return v.kind === 'int' || v.kind === 'float';
    case 'Boolean':
      return v.kind === 'boolean';
    case 'ID':
      return v.kind === 'string' || v.kind === 'int';
    case 'String':
    case 'GitObjectID':
    case 'URI':
    case 'DateTime':
      return v.kind === 'string';
    case 'PullRequestOrder':
      return v.kind === 'object';
    default:
      return true;
  }
}

function printValue(v: GqlValue): string {
  switch (v.kind) {
    case 'var':
      return `$${v.name}`;
    case 'string':
      return JSON.stringify(v.value);
    case 'null':
      return 'null';
    case 'list':
      return `[${v.values.map(printValue).join(', ')}]`;
    case 'object':
      return `{${v.fields.map((f) => `${f.name}: ${printValue(f.value)}`).join(', ')}}`;
    default:
      return String(v.value);
  }
}

/** Whether a variable's value fits its declared type; undefined if fine, else the problem. */
function variableProblem(value: unknown, ref: TypeRef): string | undefined {
  if (value === null || value === undefined) return ref.nonNull ? 'Expected value to not be null' : undefined;
  if (ref.kind === 'list') {
    if (!Array.isArray(value)) return variableProblem(value, ref.of);
    for (const item of value) {
      const p = variableProblem(item, ref.of);
      if (p) return p;
    }
    return undefined;
  }
  const bad = `Could not coerce value ${JSON.stringify(value)} to ${ref.name}`;
  switch (ref.name) {
    case 'Int':
      return Number.isInteger(value) ? undefined : bad;
    case 'Float':
      return typeof value === 'number' ? undefined : bad;
    case 'Boolean':
      return typeof value === 'boolean' ? undefined : bad;
    case 'ID':
      return typeof value === 'string' || Number.isInteger(value) ? undefined : bad;
    case 'String':
    case 'GitObjectID':
    case 'URI':
    case 'DateTime':
      return typeof value === 'string' ? undefined : bad;
    default:
      return undefined;
  }
}

// ---- internals: GraphQL, validation ----------------------------------------------------------------------------

function validateOperation(op: OperationDef, fragments: Map<string, FragmentDef>): JsonObject[] {
  const errors: JsonObject[] = [];
  const declared = new Set(op.variables.map((v) => v.name));
  const opLabel = op.name ? `${op.kind} ${op.name}` : op.kind;
  const opName = op.name ? `operation ${op.name}` : `anonymous ${op.kind}`;

  const checkArgs = (field: FieldNode, spec: FieldSpec, path: string[]): void => {
    const allowed = spec.args ?? {};
    for (const arg of field.args) {
      const type = allowed[arg.name];
      if (type === undefined) {
        errors.push({
          path: [...path, arg.name],
          extensions: { code: 'argumentNotAccepted', name: field.name, typeName: 'Field', argumentName: arg.name },
          locations: [arg.loc],
          message: `Field '${field.name}' doesn't accept argument '${arg.name}'`,
        });
        continue;
      }
      const vars: string[] = [];
      const collect = (v: GqlValue): void => {
        if (v.kind === 'var') vars.push(v.name);
        if (v.kind === 'list') v.values.forEach(collect);
        if (v.kind === 'object') v.fields.forEach((f) => collect(f.value));
      };
      collect(arg.value);
      for (const v of vars) {
        if (!declared.has(v)) {
          errors.push({
            path: [...path, arg.name],
            extensions: { code: 'variableNotDefined', variableName: v },
            locations: [arg.loc],
            message: `Variable $${v} is used by ${opName} but not declared`,
          });
        }
      }
      if (!literalFits(arg.value, type)) {
        errors.push({
          path: [...path, arg.name],
          extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: arg.name },
          locations: [arg.loc],
          message: `Argument '${arg.name}' on Field '${field.name}' has an invalid value (${printValue(arg.value)}). Expected type '${type}'.`,
        });
      }
    }
    const missing = Object.entries(allowed)
      .filter(([n, t]) => t.endsWith('!') && !field.args.some((a) => a.name === n))
      .map(([n]) => n);
    if (missing.length > 0) {
      errors.push({
        path,
        extensions: {
          code: 'missingRequiredArguments',
          className: 'Field',
          name: field.name,
          arguments: missing.join(', '),
        },
        locations: [field.loc],
        message: `Field '${field.name}' is missing required arguments: ${missing.join(', ')}`,
      });
    }
  };

  const walk = (selections: Selection[], typeName: string, path: string[], seen: Set<string>): void => {
    for (const sel of selections) {
      if (sel.kind === 'spread') {
        const fragment = fragments.get(sel.name);
        if (!fragment) {
          errors.push({
            path: [...path, `... ${sel.name}`],
            extensions: { code: 'undefinedFragment', fragmentName: sel.name },
            locations: [sel.loc],
            message: `Fragment ${sel.name} was used, but not defined`,
          });
        } else if (!seen.has(sel.name)) {
          const inner = new Set(seen).add(sel.name);
          if (!(fragment.typeCondition in SCHEMA)) {
            errors.push({
              locations: [fragment.loc],
              message: `No such type ${fragment.typeCondition}, so it can't be a fragment condition`,
            });
          } else if (!typesOverlap(fragment.typeCondition, typeName)) {
            errors.push({
              locations: [sel.loc],
              message: `Fragment ${sel.name} on ${fragment.typeCondition} can't be spread inside ${typeName}`,
            });
          } else {
            walk(fragment.selections, fragment.typeCondition, [...path, `... ${sel.name}`], inner);
          }
        }
        continue;
      }
      if (sel.kind === 'inline') {
        const cond = sel.typeCondition ?? typeName;
        const here = [...path, `... on ${cond}`];
        if (!(cond in SCHEMA)) {
          errors.push({
            path: here,
            extensions: { code: 'undefinedType', typeName: cond },
            locations: [sel.loc],
            message: `No such type ${cond}, so it can't be a fragment condition`,
          });
        } else if (!typesOverlap(cond, typeName)) {
          errors.push({
            path: here,
            extensions: { code: 'cannotSpreadFragment', typeName: cond, fragmentName: 'unknown', parentName: typeName },
            locations: [sel.loc],
            message: `Fragment on ${cond} can't be spread inside ${typeName}`,
          });
        } else {
          walk(sel.selections, cond, here, seen);
        }
        continue;
      }
      const key = sel.alias ?? sel.name;
      const here = [...path, key];
      if (sel.name === '__typename') continue;
      const spec = SCHEMA[typeName]?.[sel.name];
      if (!spec) {
        errors.push({
          path: here,
          extensions: { code: 'undefinedField', typeName, fieldName: sel.name },
          locations: [sel.loc],
          message: `Field '${sel.name}' doesn't exist on type '${typeName}'`,
        });
        continue;
      }
      checkArgs(sel, spec, here);
      if (isComposite(spec.type) && !sel.selections) {
        errors.push({
          path: here,
          extensions: { code: 'selectionMismatch', nodeName: `field '${sel.name}'`, typeName: namedType(spec.type) },
          locations: [sel.loc],
          message: `Field must have selections (field '${sel.name}' returns ${spec.type} but has no selections. Did you mean '${sel.name} { ... }'?)`,
        });
      } else if (!isComposite(spec.type) && sel.selections) {
        errors.push({
          path: here,
          extensions: { code: 'selectionMismatch', nodeName: `field '${sel.name}'`, typeName: spec.type },
          locations: [sel.loc],
          message: `Selections can't be made on scalars (field '${sel.name}' returns ${spec.type} but has selections [${sel.selections
            .map((s) => (s.kind === 'field' ? s.name : '...'))
            .join(', ')}])`,
        });
      } else if (sel.selections) {
        walk(sel.selections, namedType(spec.type), here, seen);
      }
    }
  };
  walk(op.selections, 'Query', [opLabel], new Set());
  return errors;
}

// ---- internals: GraphQL, execution ------------------------------------------------------------------------------

type GqlObj = { __typename: string } & JsonObject;

/** A field that resolves to null with an error (NOT_FOUND, FORBIDDEN, pagination problems). */
class FieldFailure {
  type: string;
  message: string;
  constructor(type: string, message: string) {
    this.type = type;
    this.message = message;
  }
}

const forbidden = (): FieldFailure => new FieldFailure('FORBIDDEN', NOT_ACCESSIBLE);

function encodeCursor(position: number): string {
  return Buffer.from(`cursor:v2:${position}`).toString('base64');
}

function decodeCursor(cursor: string): number | undefined {
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return m && encodeCursor(Number(m[1])) === cursor ? Number(m[1]) : undefined;
}

function connection(
  typename: 'IssueConnection' | 'PullRequestConnection',
  field: string,
  items: unknown[],
  args: JsonObject,
): GqlObj | FieldFailure {
  const first = typeof args.first === 'number' ? args.first : undefined;
  const last = typeof args.last === 'number' ? args.last : undefined;
  if (first === undefined && last === undefined) {
    return new FieldFailure(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`,
    );
  }
  for (const [name, n] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (n !== undefined && (n > 100 || n < 0)) {
      return new FieldFailure(
        'EXCESSIVE_PAGINATION',
        `Requesting ${n} records on the \`${field}\` connection exceeds the \`${name}\` limit of 100 records.`,
      );
    }
  }
  let start = 0;
  let end = items.length;
  for (const [name, cursor] of [
    ['after', args.after],
    ['before', args.before],
  ] as const) {
    if (cursor === undefined || cursor === null) continue;
    const position = typeof cursor === 'string' ? decodeCursor(cursor) : undefined;
    if (position === undefined) {
      return new FieldFailure(
        'INVALID_CURSOR_ARGUMENTS',
        `\`${String(cursor)}\` does not appear to be a valid cursor.`,
      );
    }
    if (name === 'after') start = Math.min(position, items.length);
    else end = Math.min(end, Math.max(0, position - 1));
  }
  if (first !== undefined) end = Math.min(end, start + first);
  if (last !== undefined) start = Math.max(start, end - last);
  start = Math.min(start, end);
  const slice = items.slice(start, end);
  const edgeType = typename === 'IssueConnection' ? 'IssueEdge' : 'PullRequestEdge';
  return {
    __typename: typename,
    totalCount: items.length,
    nodes: slice,
    edges: slice.map((node, i) => ({ __typename: edgeType, cursor: encodeCursor(start + i + 1), node })),
    pageInfo: {
      __typename: 'PageInfo',
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length > 0 ? encodeCursor(start + 1) : null,
      endCursor: slice.length > 0 ? encodeCursor(end) : null,
    },
  };
}

interface GqlContext {
  state: GitHubState;
  serverUrl: string;
  denied: Set<GitHubPermission>;
  variables: JsonObject;
  fragments: Map<string, FragmentDef>;
  errors: JsonObject[];
}

function executeOperation(op: OperationDef, ctx: GqlContext): JsonObject {
  const { state, serverUrl, denied } = ctx;
  const mainName = (): string => `${state.owner}/${state.repo}`;

  const repositoryObj = (nameWithOwner: string, main: boolean): GqlObj => ({
    __typename: 'Repository',
    nameWithOwner,
    main,
  });
  const issueObj = (issue: FakeIssue, repo: RepoIssues): GqlObj => ({ __typename: 'Issue', issue, repo });
  const prObj = (pr: FakePullRequest): GqlObj => ({ __typename: 'PullRequest', pr });
  const commitObj = (index: number): GqlObj => ({ __typename: 'Commit', index });
  const commitOf = (parent: GqlObj): FakeCommit => {
    const c = state.commits[parent.index as number];
    if (!c) throw new FakeStateError('github-fake: the history changed during a query');
    return c;
  };

  type Resolver = (parent: GqlObj, args: JsonObject) => unknown;
  const resolvers: Record<string, Record<string, Resolver>> = {
    Query: {
      repository: (_p, args) => {
        const full = `${String(args.owner)}/${String(args.name)}`;
        const found = findRepository(state, full);
        if (!found) return new FieldFailure('NOT_FOUND', `Could not resolve to a Repository with the name '${full}'.`);
        return repositoryObj(found.nameWithOwner, found.main);
      },
    },
    Repository: {
      id: (p) => nodeId('R', String(p.nameWithOwner)),
      name: (p) => String(p.nameWithOwner).split('/')[1],
      url: (p) => `${serverUrl}/${String(p.nameWithOwner)}`,
      pullRequest: (p, args) => {
        if (denied.has('pull-requests')) return forbidden();
        const pr = p.main ? state.pullRequests.find((x) => x.number === args.number) : undefined;
        if (!pr)
          return new FieldFailure(
            'NOT_FOUND',
            `Could not resolve to a PullRequest with the number of ${String(args.number)}.`,
          );
        return prObj(pr);
      },
      object: (p, args) => {
        if (denied.has('contents')) return forbidden();
        if (!p.main) return null;
        if (typeof args.oid === 'string') {
          const index = state.commits.findIndex((c) => c.sha === args.oid);
          return index >= 0 ? commitObj(index) : null;
        }
        if (typeof args.expression === 'string') {
          const index = resolveRef(state, args.expression);
          return index === undefined ? null : commitObj(index);
        }
        return null;
      },
    },
    PullRequest: {
      id: (p) => nodeId('PR', (p.pr as FakePullRequest).number),
      number: (p) => (p.pr as FakePullRequest).number,
      title: (p) => (p.pr as FakePullRequest).title,
      body: (p) => (p.pr as FakePullRequest).body ?? '',
      url: (p) =>
        (p.pr as FakePullRequest).html_url ?? `${serverUrl}/${mainName()}/pull/${(p.pr as FakePullRequest).number}`,
      merged: (p) => (p.pr as FakePullRequest).merged !== false,
      state: (p) => {
        const pr = p.pr as FakePullRequest;
        return pr.merged !== false ? 'MERGED' : (pr.state ?? 'OPEN');
      },
      mergeCommit: (p) => {
        const pr = p.pr as FakePullRequest;
        if (pr.merged === false || !pr.merge_commit_sha) return null;
        const index = state.commits.findIndex((c) => c.sha === pr.merge_commit_sha);
        return index >= 0 ? commitObj(index) : null;
      },
      repository: () => repositoryObj(mainName(), true),
      closingIssuesReferences: (p, args) => {
        const items = closingIssues(state, p.pr as FakePullRequest).map(({ issue, repo }) =>
          denied.has('issues') ? forbidden() : issueObj(issue, repo),
        );
        return connection('IssueConnection', 'closingIssuesReferences', items, args);
      },
    },
    Issue: {
      id: (p) => nodeId('I', `${(p.repo as RepoIssues).nameWithOwner}#${(p.issue as FakeIssue).number}`),
      number: (p) => (p.issue as FakeIssue).number,
      title: (p) => (p.issue as FakeIssue).title,
      body: (p) => (p.issue as FakeIssue).body ?? '',
      url: (p) => {
        const issue = p.issue as FakeIssue;
        return issue.html_url ?? `${serverUrl}/${(p.repo as RepoIssues).nameWithOwner}/issues/${issue.number}`;
      },
      state: (p) => issueState(state, p.issue as FakeIssue, p.repo as RepoIssues),
      closed: (p) => issueState(state, p.issue as FakeIssue, p.repo as RepoIssues) === 'CLOSED',
      repository: (p) => repositoryObj((p.repo as RepoIssues).nameWithOwner, (p.repo as RepoIssues).main),
    },
    Commit: {
      id: (p) => nodeId('C', commitOf(p).sha),
      oid: (p) => commitOf(p).sha,
      abbreviatedOid: (p) => commitOf(p).sha.slice(0, 7),
      commitUrl: (p) => `${serverUrl}/${mainName()}/commit/${commitOf(p).sha}`,
      url: (p) => `${serverUrl}/${mainName()}/commit/${commitOf(p).sha}`,
      repository: () => repositoryObj(mainName(), true),
      message: (p) => commitOf(p).message,
      messageHeadline: (p) => commitOf(p).message.split('\n')[0] ?? '',
      committedDate: (p) => commitDate(state, p.index as number),
      associatedPullRequests: (p, args) => {
        if (denied.has('pull-requests')) return forbidden();
        const sha = commitOf(p).sha;
        const prs = state.pullRequests
          .filter((pr) => (pr.commits ?? []).includes(sha) || (pr.merged !== false && pr.merge_commit_sha === sha))
          .sort((a, b) => a.number - b.number)
          .map(prObj);
        return connection('PullRequestConnection', 'associatedPullRequests', prs, args);
      },
    },
  };

  const argValue = (v: GqlValue): unknown => {
    switch (v.kind) {
      case 'var':
        return ctx.variables[v.name] ?? null;
      case 'null':
        return null;
      case 'list':
        return v.values.map(argValue);
      case 'object':
        return Object.fromEntries(v.fields.map((f) => [f.name, argValue(f.value)]));
      default:
        return v.value;
    }
  };
  const included = (directives: Directive[]): boolean =>
    directives.every((d) => {
      const cond = d.args.find((a) => a.name === 'if');
      const value = cond ? argValue(cond.value) === true : false;
      if (d.name === 'skip') return !value;
      if (d.name === 'include') return value;
      return true;
    });

  const collect = (
    concrete: string,
    selections: Selection[],
    into: Map<string, FieldNode[]>,
    seen: Set<string>,
  ): void => {
    for (const sel of selections) {
      if (!included(sel.directives)) continue;
      if (sel.kind === 'field') {
        const key = sel.alias ?? sel.name;
        into.set(key, [...(into.get(key) ?? []), sel]);
      } else if (sel.kind === 'inline') {
        if (!sel.typeCondition || typeApplies(sel.typeCondition, concrete))
          collect(concrete, sel.selections, into, seen);
      } else if (!seen.has(sel.name)) {
        const fragment = ctx.fragments.get(sel.name);
        if (fragment && typeApplies(fragment.typeCondition, concrete)) {
          collect(concrete, fragment.selections, into, new Set(seen).add(sel.name));
        }
      }
    }
  };

  const fail = (failure: FieldFailure, path: Array<string | number>, field: FieldNode): null => {
    ctx.errors.push({
      type: failure.type,
      path,
      ...(failure.type === 'FORBIDDEN' ? { extensions: { saml_failure: false } } : {}),
      locations: [field.loc],
      message: failure.message,
    });
    return null;
  };

  const complete = (
    value: unknown,
    type: string,
    field: FieldNode,
    selections: Selection[],
    path: Array<string | number>,
  ): unknown => {
    if (value instanceof FieldFailure) return fail(value, path, field);
    if (value === null || value === undefined) return null;
    const bare = type.endsWith('!') ? type.slice(0, -1) : type;
    if (bare.startsWith('[')) {
      const inner = bare.slice(1, -1);
      return (value as unknown[]).map((item, i) => complete(item, inner, field, selections, [...path, i]));
    }
    if (!isComposite(bare)) return value;
    return execute(value as GqlObj, selections, path);
  };

  const execute = (parent: GqlObj, selections: Selection[], path: Array<string | number>): JsonObject => {
    const fields = new Map<string, FieldNode[]>();
    collect(parent.__typename, selections, fields, new Set());
    const out: JsonObject = {};
    for (const [key, nodes] of fields) {
      const field = nodes[0]!;
      if (field.name === '__typename') {
        out[key] = parent.__typename;
        continue;
      }
      const spec = SCHEMA[parent.__typename]?.[field.name];
      if (!spec) continue;
      const args = Object.fromEntries(field.args.map((a) => [a.name, argValue(a.value)]));
      const resolver = resolvers[parent.__typename]?.[field.name];
      const value = resolver ? resolver(parent, args) : parent[field.name];
      const subSelections = nodes.flatMap((n) => n.selections ?? []);
      out[key] = complete(value, spec.type, field, subSelections, [...path, key]);
    }
    return out;
  };

  return execute({ __typename: 'Query' }, op.selections, []);
}

function graphqlOutcome(
  body: unknown,
  rec: GitHubFakeRequest,
  base: Omit<GqlContext, 'variables' | 'fragments' | 'errors'>,
): Outcome {
  const answer = (value: JsonObject): Outcome => ({ status: 200, body: value });
  if (body === undefined || typeof body === 'string') {
    return { status: 400, body: errorBody('Problems parsing JSON', GRAPHQL_DOCS, 400) };
  }
  if (!isObject(body) || typeof body.query !== 'string') {
    return answer({ errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
  }
  const variables = body.variables ?? {};
  const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
  rec.graphql = { variables };
  if (operationName !== undefined) rec.graphql.operationName = operationName;
  if (!isObject(variables)) return answer({ errors: [{ message: 'Variables are invalid JSON.' }] });

  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(body.query);
  } catch (e) {
    if (e instanceof GqlSyntaxError) return answer({ errors: [{ message: e.message, locations: [e.loc] }] });
    throw e;
  }
  const named = operationName ?? (doc.operations.length === 1 ? doc.operations[0]?.name : undefined);
  if (named !== undefined && rec.graphql.operationName === undefined) rec.graphql.operationName = named;
  const op =
    operationName !== undefined
      ? doc.operations.find((o) => o.name === operationName)
      : doc.operations.length === 1
        ? doc.operations[0]
        : undefined;
  if (!op) {
    const message =
      operationName !== undefined
        ? `No operation named "${operationName}"`
        : doc.operations.length === 0
          ? 'github-fake: the document holds no operation'
          : 'An operation name is required';
    return answer({ errors: [{ message }] });
  }
  if (op.kind !== 'query') {
    return answer({
      errors: [{ message: `github-fake: only queries are modelled, not a ${op.kind}`, locations: [op.loc] }],
    });
  }
  const invalid = validateOperation(op, doc.fragments);
  if (invalid.length > 0) return answer({ errors: invalid });

  const values: JsonObject = {};
  const problems: JsonObject[] = [];
  for (const def of op.variables) {
    const given = variables[def.name];
    const value = given === undefined && def.defaultValue ? literalToJs(def.defaultValue) : given;
    const problem = variableProblem(value, def.type);
    if (problem) {
      problems.push({
        extensions: { value: value ?? null, problems: [{ path: [], explanation: problem }] },
        locations: [def.loc],
        message: `Variable $${def.name} of type ${printType(def.type)} was provided invalid value`,
      });
    }
    values[def.name] = value ?? null;
  }
  if (problems.length > 0) return answer({ errors: problems });

  const ctx: GqlContext = { ...base, variables: values, fragments: doc.fragments, errors: [] };
  try {
    const data = executeOperation(op, ctx);
    return answer(ctx.errors.length > 0 ? { data, errors: ctx.errors } : { data });
  } catch (e) {
    if (e instanceof FakeStateError) return answer({ errors: [{ message: e.message }] });
    throw e;
  }
}

function literalToJs(v: GqlValue): unknown {
  switch (v.kind) {
    case 'var':
    case 'null':
      return null;
    case 'list':
      return v.values.map(literalToJs);
    case 'object':
      return Object.fromEntries(v.fields.map((f) => [f.name, literalToJs(f.value)]));
    default:
      return v.value;
  }
}

// ---- the server ------------------------------------------------------------------------------------------------

export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const token = options.token ?? GITHUB_FAKE_DEFAULTS.token;
  const prefix = options.prefix ?? '';
  const perPageCap = options.perPageCap ?? 100;
  const serverUrl = (options.serverUrl ?? GITHUB_FAKE_DEFAULTS.serverUrl).replace(/\/$/, '');
  const graphqlPath = prefix === '/api/v3' ? '/api/graphql' : '/graphql';
  const routes = makeRoutes(perPageCap);

  const requests: GitHubFakeRequest[] = [];
  let denied = new Set<GitHubPermission>();
  let faults: GitHubFault[] = [];
  let closed = false;
  const used = { core: 0, graphql: 0 };
  const resetAt = Math.floor(Date.now() / 1000) + 3600;

  const requestId = (): string => {
    const hex = randomBytes(16).toString('hex').toUpperCase();
    return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 14)}:${hex.slice(14, 20)}:${hex.slice(20, 28)}`;
  };
  const headersFor = (resource: 'core' | 'graphql'): Record<string, string> => ({
    'content-type': JSON_TYPE,
    'x-github-request-id': requestId(),
    'x-github-media-type': 'github.v3; format=json',
    ...(resource === 'core' ? { 'x-github-api-version-selected': '2022-11-28' } : {}),
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(5000 - used[resource]),
    'x-ratelimit-reset': String(resetAt),
    'x-ratelimit-used': String(used[resource]),
    'x-ratelimit-resource': resource,
  });

  const authorized = (headers: IncomingHttpHeaders): 'ok' | 'missing' | 'bad' => {
    const value = headers.authorization;
    if (!value) return 'missing';
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(value);
    return m && m[1] === token ? 'ok' : 'bad';
  };

  const respond = (rec: GitHubFakeRequest, url: URL): Outcome & { resource: 'core' | 'graphql' } => {
    const pathname = url.pathname;
    const isGraphql = pathname === graphqlPath;
    const resource = isGraphql ? 'graphql' : 'core';
    const auth = authorized(rec.headers);
    if (auth !== 'ok') {
      const body =
        isGraphql && auth === 'missing'
          ? errorBody(
              'This endpoint requires you to be authenticated.',
              'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
              401,
            )
          : errorBody('Bad credentials', isGraphql ? GRAPHQL_DOCS : REST_DOCS, 401);
      return { status: 401, body, resource };
    }
    used[resource]++;
    const ctx: Ctx = { state: fake.state, api: fake.url, serverUrl };
    if (isGraphql) {
      if (rec.method !== 'POST') return { ...notFound(GRAPHQL_DOCS), resource };
      rec.route = `POST ${graphqlPath}`;
      return { ...graphqlOutcome(rec.body, rec, { state: fake.state, serverUrl, denied }), resource };
    }
    if (!pathname.startsWith(`${prefix}/`)) return { ...notFound(), resource };
    let segments: string[];
    try {
      segments = pathname
        .slice(prefix.length + 1)
        .split('/')
        .map(decodeURIComponent);
    } catch {
      return { ...notFound(), resource };
    }
    const [repos, owner, repo, ...rest] = segments;
    const match = repos === 'repos' && owner && repo ? matchRest(rest) : undefined;
    const route = match ? routes[match.name] : undefined;
    if (!match || !route || rec.method !== 'GET') return { ...notFound(), resource };
    rec.route = route.template;
    if (!sameName(owner ?? '', fake.state.owner) || !sameName(repo ?? '', fake.state.repo)) {
      return { ...notFound(route.docs), resource };
    }
    if (denied.has(route.permission)) {
      return { status: 403, body: errorBody(NOT_ACCESSIBLE, route.docs, 403), resource };
    }
    return { ...route.handle(ctx, match.params, url, rec.query), resource };
  };

  // ---- sockets (so close() never hangs) ----------------------------------------------------------------
  const sockets = new Set<Socket>();

  const readBody = (req: IncomingMessage): Promise<string | undefined> =>
    new Promise((resolve) => {
      const parts: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (value: string | undefined): void => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) parts.push(chunk);
      });
      req.once('end', () => finish(Buffer.concat(parts).toString('utf8')));
      req.once('error', () => finish(undefined));
      req.once('close', () => finish(req.complete ? Buffer.concat(parts).toString('utf8') : undefined));
    });

  const send = (
    res: ServerResponse,
    rec: GitHubFakeRequest,
    status: number,
    value: unknown,
    headers: Record<string, string>,
  ): void => {
    if (res.destroyed || res.headersSent) return;
    const payload = JSON.stringify(value);
    rec.status = status;
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
    res.end(payload);
  };

  const nextFault = (path: string): GitHubFault | undefined => {
    const index = faults.findIndex((f) =>
      f.match === undefined ? true : typeof f.match === 'string' ? path.includes(f.match) : f.match.test(path),
    );
    return index < 0 ? undefined : faults.splice(index, 1)[0];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', fake.origin);
    const rec: GitHubFakeRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: undefined,
      status: 0,
    };
    requests.push(rec);
    const raw = await readBody(req);
    if (raw === undefined || closed) return;
    if (raw.length > 0) {
      try {
        rec.body = JSON.parse(raw);
      } catch {
        rec.body = raw;
      }
    }
    const fault = nextFault(url.pathname);
    if (fault) {
      rec.fault = fault.type;
      if (fault.type === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      const resource = url.pathname === graphqlPath ? 'graphql' : 'core';
      const body = fault.body ?? errorBody(STATUS_CODES[fault.status] ?? 'Error', REST_DOCS, fault.status);
      send(res, rec, fault.status, body, { ...headersFor(resource), ...fault.headers });
      return;
    }
    let out: Outcome & { resource: 'core' | 'graphql' };
    try {
      out = respond(rec, url);
    } catch (e) {
      if (!(e instanceof FakeStateError)) throw e;
      out = { status: 500, body: { message: e.message }, resource: 'core' };
    }
    send(res, rec, out.status, out.body, { ...headersFor(out.resource), ...out.headers });
  };

  const server = createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': JSON_TYPE });
        res.end(
          JSON.stringify({ message: `github-fake internal error: ${e instanceof Error ? e.message : String(e)}` }),
        );
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  const fake: GitHubFake = {
    url: `${origin}${prefix}`,
    graphqlUrl: `${origin}${graphqlPath}`,
    origin,
    token,
    requests,
    state: emptyGitHubState(),
    deny(permission: GitHubPermission): void {
      denied.add(permission);
    },
    fail(...more: GitHubFault[]): void {
      faults.push(...more);
    },
    reset(): void {
      requests.length = 0;
      const fresh = emptyGitHubState();
      const current = fake.state as unknown as JsonObject;
      for (const key of Object.keys(current)) delete current[key];
      Object.assign(fake.state, fresh);
      denied = new Set();
      faults = [];
      used.core = 0;
      used.graphql = 0;
    },
    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
  return fake;
}
