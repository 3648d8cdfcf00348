/**
 * `topics_from: fixed_issues`: the issues this change fixes, with their bodies (where the topic links
 * are). A merged pull request fixes its closing issues (GitHub's closing references: "Fixes #12", and
 * issues linked by hand). A push, a release and a successful deployment fix the closing issues of the
 * merged pull requests of their commits: the pushed commits; the commits since the previous release;
 * the commits since the previous successful deployment of the same environment.
 */
import { InputError } from '../errors.js';
import type { Log } from '../host.js';
import type { GitHub } from './client.js';
import { CLOSING_ISSUES, pullRequestsOfCommits } from './queries.js';

/** An issue a change fixes, and how it was found. */
export interface FixedIssue {
  number: number;
  title: string;
  html_url: string;
  /** `open` or `closed`, as REST writes it (GraphQL's OPEN/CLOSED, lower-cased). */
  state: string;
  body: string;
  /** owner/name: an issue can be fixed from another repository. */
  repository: string;
  /** "pull request #34". */
  via: string;
}

/** The event and repository the run is about. */
export interface RunOf {
  event_name: string;
  event: Record<string, unknown>;
  /** owner/name */
  repository: string;
}

/** The issues found, or why none can be (said as a notice: nothing to send is not a failure). */
export type Found = { issues: FixedIssue[]; none?: undefined } | { issues: []; none: string };

/** At most this many commits are looked at: a range longer than that is cut, with a notice. */
export const MAX_COMMITS = 1000;
/** Commits asked about in one GraphQL query (each an alias). */
const COMMITS_PER_QUERY = 25;

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export async function findFixedIssues(gh: GitHub, run: RunOf, log: Pick<Log, 'notice' | 'info'>): Promise<Found> {
  const [owner = '', name = ''] = run.repository.split('/');
  const repo = { owner, repo: name };
  const ev = run.event;
  switch (run.event_name) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = record(ev.pull_request);
      if (ev.action !== 'closed' || pr.merged !== true) {
        return {
          issues: [],
          none: `pull request #${String(pr.number)} is not merged (${text(ev.action) || 'no action'}): it fixes nothing yet`,
        };
      }
      return { issues: await closingIssues(gh, owner, name, Number(pr.number)) };
    }
    case 'push': {
      if (/^0+$/.test(text(ev.after)))
        return { issues: [], none: 'the push deleted a branch or tag: it fixes nothing' };
      const shas = (Array.isArray(ev.commits) ? ev.commits : []).map((c) => text(record(c).id)).filter(Boolean);
      return { issues: await issuesOfCommits(gh, owner, name, shas) };
    }
    case 'release': {
      const release = record(ev.release);
      const tag = text(release.tag_name);
      const previous = await previousRelease(gh, repo, release);
      const shas = previous
        ? await commitsBetween(gh, repo, previous, tag, log)
        : await recentCommits(gh, repo, tag, log, 'no earlier release');
      return { issues: await issuesOfCommits(gh, owner, name, shas) };
    }
    case 'deployment_status': {
      const status = record(ev.deployment_status);
      const deployment = record(ev.deployment);
      if (status.state !== 'success') {
        return {
          issues: [],
          none: `the deployment's state is ${text(status.state) || 'unknown'}, not success: nothing is deployed yet`,
        };
      }
      const sha = text(deployment.sha);
      const previous = await previousSuccessfulDeployment(gh, repo, deployment);
      const shas = previous
        ? await commitsBetween(gh, repo, previous, sha, log)
        : await recentCommits(
            gh,
            repo,
            sha,
            log,
            `no earlier successful deployment to ${text(deployment.environment)}`,
          );
      return { issues: await issuesOfCommits(gh, owner, name, shas) };
    }
    default:
      throw new InputError(
        'topics_from',
        `fixed_issues needs an event that ships a change: pull_request (merged), push, release or deployment_status; this run's event is ${run.event_name || 'unknown'}`,
      );
  }
}

interface IssueNode {
  number: number;
  title: string;
  url: string;
  state: string;
  body: string | null;
  repository: { nameWithOwner: string } | null;
}

const asFixed = (node: IssueNode, via: string): FixedIssue => ({
  number: node.number,
  title: node.title,
  html_url: node.url,
  state: node.state.toLowerCase(),
  body: node.body ?? '',
  repository: node.repository?.nameWithOwner ?? '',
  via,
});

/** A merged pull request's closing issues, every page of them. */
async function closingIssues(gh: GitHub, owner: string, name: string, number: number): Promise<FixedIssue[]> {
  type Answer = {
    repository: {
      pullRequest: {
        closingIssuesReferences: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: IssueNode[] };
      } | null;
    } | null;
  };
  const issues: FixedIssue[] = [];
  for (let after: string | null = null; ;) {
    const answer: Answer = await gh.graphql<Answer>(
      CLOSING_ISSUES,
      { owner, name, number, after },
      { what: `the issues pull request #${number} closes`, need: 'pull-requests: read' },
    );
    const references = answer.repository?.pullRequest?.closingIssuesReferences;
    for (const node of references?.nodes ?? []) issues.push(asFixed(node, `pull request #${number}`));
    if (!references?.pageInfo.hasNextPage) return issues;
    after = references.pageInfo.endCursor;
  }
}

/**
 * The closing issues of the merged pull requests the commits belong to (a commit of the PR, or its
 * merge commit), each issue once, in the order first found. Several commits per GraphQL query.
 */
async function issuesOfCommits(
  gh: GitHub,
  owner: string,
  name: string,
  shas: readonly string[],
): Promise<FixedIssue[]> {
  const oids = [...new Set(shas.filter((sha) => /^[0-9a-f]{40}$/.test(sha)))];
  const found = new Map<string, FixedIssue>();
  const seenPulls = new Set<number>();
  type PullNode = { number: number; url: string; merged: boolean; closingIssuesReferences: { nodes: IssueNode[] } };
  type Answer = { repository: Record<string, { associatedPullRequests: { nodes: PullNode[] } } | null> | null };
  for (let at = 0; at < oids.length; at += COMMITS_PER_QUERY) {
    const batch = oids.slice(at, at + COMMITS_PER_QUERY);
    const answer = await gh.graphql<Answer>(
      pullRequestsOfCommits(batch),
      { owner, name },
      { what: `the pull requests of ${batch.length} commit(s)`, need: 'pull-requests: read' },
    );
    for (const [, commit] of Object.entries(answer.repository ?? {}).sort(
      ([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)),
    )) {
      for (const pull of commit?.associatedPullRequests.nodes ?? []) {
        if (!pull.merged || seenPulls.has(pull.number)) continue;
        seenPulls.add(pull.number);
        for (const node of pull.closingIssuesReferences.nodes) {
          const key = `${node.repository?.nameWithOwner ?? ''}#${node.number}`;
          if (!found.has(key)) found.set(key, asFixed(node, `pull request #${pull.number}`));
        }
      }
    }
  }
  return [...found.values()];
}

type Repo = { owner: string; repo: string };

/** The release published before this one (drafts aside), by publication date; undefined for the first. */
async function previousRelease(gh: GitHub, repo: Repo, release: Json): Promise<string | undefined> {
  const when = (r: Json): string => text(r.published_at) || text(r.created_at);
  const current = when(release);
  let previous: { tag: string; at: string } | undefined;
  await gh.pages<Json>(
    'GET /repos/{owner}/{repo}/releases',
    repo,
    { what: 'the releases', need: 'contents: read' },
    (releases) => {
      for (const r of releases) {
        if (r.draft === true || r.id === release.id || !(when(r) < current)) continue;
        if (!previous || when(r) > previous.at) previous = { tag: text(r.tag_name), at: when(r) };
      }
      // Newest first: once a whole page is older than the one found, no later page holds a closer one.
      return !(previous && releases.every((r) => when(r) < (previous?.at ?? '')));
    },
  );
  return previous?.tag;
}

/** The sha of the previous successful deployment to the same environment; undefined for the first. */
async function previousSuccessfulDeployment(gh: GitHub, repo: Repo, deployment: Json): Promise<string | undefined> {
  const environment = text(deployment.environment);
  const older: Json[] = [];
  await gh.pages<Json>(
    'GET /repos/{owner}/{repo}/deployments',
    { ...repo, environment },
    { what: `the deployments to ${environment}`, need: 'deployments: read' },
    (page) => {
      older.push(...page.filter((d) => d.id !== deployment.id && text(d.created_at) < text(deployment.created_at)));
      return older.length < 30;
    },
  );
  // Newest first: the first one with a success status.
  older.sort((a, b) => text(b.created_at).localeCompare(text(a.created_at)));
  for (const candidate of older.slice(0, 30)) {
    const statuses = await gh.request<Json[]>(
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      { ...repo, deployment_id: candidate.id, per_page: 100 },
      { what: `the statuses of deployment ${String(candidate.id)}`, need: 'deployments: read' },
    );
    if (statuses.some((s) => s.state === 'success')) return text(candidate.sha);
  }
  return undefined;
}

/** The commits after `base` up to `head`, oldest first (GitHub's compare, page after page). */
async function commitsBetween(
  gh: GitHub,
  repo: Repo,
  base: string,
  head: string,
  log: Pick<Log, 'notice'>,
): Promise<string[]> {
  const shas: string[] = [];
  type Compare = { total_commits: number; commits: Array<{ sha: string }> };
  for (let page = 1; ; page++) {
    const compare = await gh.request<Compare>(
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      { ...repo, basehead: `${base}...${head}`, per_page: 100, page },
      { what: `the commits from ${base} to ${head}`, need: 'contents: read' },
    );
    shas.push(...compare.commits.map((c) => c.sha));
    if (compare.commits.length === 0 || shas.length >= compare.total_commits) break;
    if (shas.length >= MAX_COMMITS) {
      log.notice(
        `${base}...${head} holds ${compare.total_commits} commits: only the last ${MAX_COMMITS} are looked at for fixed issues.`,
      );
      break;
    }
  }
  return shas.slice(-MAX_COMMITS);
}

/** With nothing before it to compare with: the last 100 commits up to `head`. */
async function recentCommits(
  gh: GitHub,
  repo: Repo,
  head: string,
  log: Pick<Log, 'notice'>,
  because: string,
): Promise<string[]> {
  const commits = await gh.request<Array<{ sha: string }>>(
    'GET /repos/{owner}/{repo}/commits',
    { ...repo, sha: head, per_page: 100 },
    { what: `the commits up to ${head}`, need: 'contents: read' },
  );
  log.notice(`${because}: the last ${commits.length} commits up to ${head} are looked at for fixed issues.`);
  // Newest first from GitHub: oldest first, as compare gives them.
  return commits.map((c) => c.sha).reverse();
}
