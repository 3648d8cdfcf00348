import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import {
  startGitHubFake,
  linearHistory,
  fakeSha,
  headSha,
  addTag,
  addMergedPullRequest,
  emptyGitHubState,
  rateLimitFault,
  secondaryRateLimitFault,
  GITHUB_FAKE_DEFAULTS,
} from './github-fake.ts';
import type { GitHubFake, GitHubState } from './github-fake.ts';

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

const REPO = `/repos/${GITHUB_FAKE_DEFAULTS.owner}/${GITHUB_FAKE_DEFAULTS.repo}`;

function get(path: string, opts: { token?: string | null; scheme?: string; base?: string } = {}): Promise<Response> {
  const token = opts.token === undefined ? fake.token : opts.token;
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  if (token !== null) headers.authorization = `${opts.scheme ?? 'Bearer'} ${token}`;
  const url = path.startsWith('http') ? path : `${opts.base ?? fake.url}${path}`;
  return fetch(url, { headers, signal: AbortSignal.timeout(5000) });
}

async function getJson(path: string): Promise<{ res: Response; body: unknown }> {
  const res = await get(path);
  return { res, body: await res.json() };
}

async function graphql(
  query: string,
  variables: Record<string, unknown> = {},
  opts: { url?: string; token?: string | null; operationName?: string } = {},
): Promise<{ res: Response; body: { data?: unknown; errors?: Array<Record<string, unknown>> } }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = opts.token === undefined ? fake.token : opts.token;
  if (token !== null) headers.authorization = `bearer ${token}`;
  const res = await fetch(opts.url ?? fake.graphqlUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables, ...(opts.operationName ? { operationName: opts.operationName } : {}) }),
    signal: AbortSignal.timeout(5000),
  });
  return { res, body: (await res.json()) as { data?: unknown; errors?: Array<Record<string, unknown>> } };
}

/** rel → URL of a Link header. */
function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get('link') ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part);
    if (m?.[1] && m[2]) out[m[2]] = m[1];
  }
  return out;
}

/** Every item of a REST list, following rel="next" as @octokit/plugin-paginate-rest does. */
async function followAll(path: string): Promise<{ items: unknown[]; pages: number }> {
  let url: string | undefined = `${fake.url}${path}`;
  const items: unknown[] = [];
  let pages = 0;
  while (url) {
    const res = await get(url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as unknown;
    items.push(...(Array.isArray(body) ? body : ((body as { workflow_runs: unknown[] }).workflow_runs ?? [])));
    url = links(res).next;
    pages++;
  }
  return { items, pages };
}

const CLOSING_QUERY = `query ($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      number url merged
      closingIssuesReferences(first: 50, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { number title url state body repository { nameWithOwner } }
      }
    }
  }
}`;

function commitsQuery(oids: string[]): string {
  const aliases = oids
    .map(
      (oid, i) => `c${i}: object(oid: "${oid}") { ... on Commit { associatedPullRequests(first: 10) { nodes {
        number url merged
        closingIssuesReferences(first: 50) { nodes { number title url state body repository { nameWithOwner } } }
      } } } }`,
    )
    .join('\n    ');
  return `query ($owner: String!, $name: String!) {\n  repository(owner: $owner, name: $name) {\n    ${aliases}\n  }\n}`;
}

const repoVars = { owner: GITHUB_FAKE_DEFAULTS.owner, name: GITHUB_FAKE_DEFAULTS.repo };

/** The typical release: v1.4.1, then PRs #34 and #35 closing #12 and #13, then v1.4.2. */
function releaseState(s: GitHubState): void {
  s.commits.push(...linearHistory(3));
  addTag(s, 'v1.4.1');
  s.issues.push({ number: 12, title: 'Crash on start', body: 'It crashes' }, { number: 13, title: 'Typo in README' });
  addMergedPullRequest(s, { number: 34, title: 'Fix the crash', closes: [12] });
  addMergedPullRequest(s, { number: 35, title: 'Fix the typo', closes: [13], squash: true });
  addTag(s, 'v1.4.2');
  s.releases.push(
    { tag_name: 'v1.4.1', created_at: '2025-02-01T10:00:00Z' },
    { tag_name: 'v1.4.2', created_at: '2025-03-01T10:00:00Z' },
  );
}

describe('basics', () => {
  it('listens on loopback and exposes its URLs and token', () => {
    expect(fake.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.url).toBe(fake.origin);
    expect(fake.graphqlUrl).toBe(`${fake.origin}/graphql`);
    expect(fake.token).toBe('ghs_fake_token_0123456789');
    expect(fake.state).toEqual(emptyGitHubState());
  });

  it('answers JSON with a request id, and 404 with GitHub’s body for anything else', async () => {
    for (const path of ['/user', `${REPO}/issues`, `${REPO}/releases/1`, '/repos/octo-org', `${REPO}/actions/runs`]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-github-request-id')).toMatch(
        /^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$/,
      );
      expect(await res.json()).toEqual({
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
    }
    const post = await fetch(`${fake.url}${REPO}/releases`, {
      method: 'POST',
      headers: { authorization: `token ${fake.token}` },
    });
    expect(post.status).toBe(404);
    const other = await get('/repos/someone/else/releases');
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ message: 'Not Found', status: '404' });
  });

  it('records each request: method, path, route, query, headers, body, status', async () => {
    await get(`${REPO}/releases?per_page=5&page=2`);
    await graphql('query Probe { repository(owner: "octo-org", name: "octo-repo") { nameWithOwner } }', { x: 1 });
    await get('/nowhere');
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0]).toMatchObject({
      method: 'GET',
      path: `${REPO}/releases`,
      route: 'GET /repos/{owner}/{repo}/releases',
      query: { per_page: '5', page: '2' },
      status: 200,
      body: undefined,
    });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${fake.token}`);
    expect(fake.requests[1]).toMatchObject({
      method: 'POST',
      path: '/graphql',
      route: 'POST /graphql',
      status: 200,
      graphql: { operationName: 'Probe', variables: { x: 1 } },
    });
    expect(fake.requests[2]).toMatchObject({ path: '/nowhere', status: 404 });
    expect(fake.requests[2]?.route).toBeUndefined();
  });

  it('sends the rate-limit headers GitHub sends', async () => {
    const res = await get(`${REPO}/releases`);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(res.headers.get('x-ratelimit-used')).toBe('1');
    expect(res.headers.get('x-ratelimit-resource')).toBe('core');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('authentication', () => {
  it('accepts `token` and `Bearer` with the right token', async () => {
    expect((await get(`${REPO}/releases`, { scheme: 'token' })).status).toBe(200);
    expect((await get(`${REPO}/releases`, { scheme: 'Bearer' })).status).toBe(200);
  });

  it('answers 401 Bad credentials without a token or with a wrong one, on any path', async () => {
    for (const opts of [{ token: null }, { token: 'ghs_wrong' }, { token: fake.token, scheme: 'Basic' }]) {
      for (const path of [`${REPO}/releases`, '/nowhere']) {
        const res = await get(path, opts);
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
      }
    }
  });

  it('GraphQL: 401 too, as GitHub words it', async () => {
    const missing = await graphql('{ repository(owner: "a", name: "b") { name } }', {}, { token: null });
    expect(missing.res.status).toBe(401);
    expect(missing.body).toEqual({
      message: 'This endpoint requires you to be authenticated.',
      documentation_url:
        'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
      status: '401',
    });
    const wrong = await graphql('{ repository(owner: "a", name: "b") { name } }', {}, { token: 'nope' });
    expect(wrong.res.status).toBe(401);
    expect(wrong.body).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/graphql',
      status: '401',
    });
  });

  it('a custom token', async () => {
    const other = await startGitHubFake({ token: 'ghp_custom' });
    try {
      expect(other.token).toBe('ghp_custom');
      const ok = await fetch(`${other.url}${REPO}/releases`, { headers: { authorization: 'token ghp_custom' } });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${other.url}${REPO}/releases`, { headers: { authorization: `token ${fake.token}` } });
      expect(bad.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('pagination', () => {
  beforeEach(() => {
    for (let i = 1; i <= 7; i++) fake.state.releases.push({ tag_name: `v0.${i}.0`, id: i });
  });

  it('Link headers round trip: next and last, then prev and first, absolute on the fake’s host', async () => {
    const first = await get(`${REPO}/releases?per_page=3`);
    expect((await first.json()) as unknown[]).toHaveLength(3);
    const url = `${fake.url}${REPO}/releases`;
    expect(first.headers.get('link')).toBe(
      `<${url}?per_page=3&page=2>; rel="next", <${url}?per_page=3&page=3>; rel="last"`,
    );
    const second = await get(links(first).next ?? '');
    expect(second.headers.get('link')).toBe(
      `<${url}?per_page=3&page=1>; rel="prev", <${url}?per_page=3&page=3>; rel="next", ` +
        `<${url}?per_page=3&page=3>; rel="last", <${url}?per_page=3&page=1>; rel="first"`,
    );
    const last = await get(links(second).last ?? '');
    expect(((await last.json()) as Array<{ id: number }>).map((r) => r.id)).toEqual([1]);
    expect(links(last)).toEqual({ prev: `${url}?per_page=3&page=2`, first: `${url}?per_page=3&page=1` });
  });

  it('following rel="next" collects every item once, newest first', async () => {
    const all = await followAll(`${REPO}/releases?per_page=2`);
    expect(all.pages).toBe(4);
    expect((all.items as Array<{ id: number }>).map((r) => r.id)).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('no Link header when everything fits on one page; an empty page past the end', async () => {
    const one = await get(`${REPO}/releases`);
    expect(one.headers.get('link')).toBeNull();
    expect((await one.json()) as unknown[]).toHaveLength(7);
    const past = await get(`${REPO}/releases?per_page=3&page=9`);
    expect(await past.json()).toEqual([]);
    expect(links(past)).toMatchObject({ prev: `${fake.url}${REPO}/releases?per_page=3&page=3` });
  });

  it('per_page defaults to 30 and is capped at 100', async () => {
    fake.state.releases = Array.from({ length: 150 }, (_, i) => ({ tag_name: `v${i}`, id: i + 1 }));
    const byDefault = await get(`${REPO}/releases`);
    expect((await byDefault.json()) as unknown[]).toHaveLength(30);
    expect(links(byDefault).last).toBe(`${fake.url}${REPO}/releases?page=5`);
    const capped = await get(`${REPO}/releases?per_page=500`);
    expect((await capped.json()) as unknown[]).toHaveLength(100);
    expect(links(capped).last).toBe(`${fake.url}${REPO}/releases?per_page=500&page=2`);
  });

  it('perPageCap lowers the cap', async () => {
    const small = await startGitHubFake({ perPageCap: 2 });
    try {
      small.state.releases.push(...Array.from({ length: 5 }, (_, i) => ({ tag_name: `v${i}` })));
      const res = await fetch(`${small.url}${REPO}/releases?per_page=100`, {
        headers: { authorization: `token ${small.token}` },
      });
      expect((await res.json()) as unknown[]).toHaveLength(2);
      expect(res.headers.get('link')).toContain('page=3>; rel="last"');
    } finally {
      await small.close();
    }
  });
});

describe('workflow runs', () => {
  beforeEach(() => {
    const s = fake.state;
    s.commits.push(...linearHistory(2));
    const deploy = { workflow_id: 161335, path: '.github/workflows/deploy.yml' };
    s.workflowRuns.push(
      {
        id: 30433642,
        ...deploy,
        head_branch: 'main',
        run_number: 1,
        status: 'completed',
        conclusion: 'success',
        created_at: '2025-03-01T10:00:00Z',
      },
      {
        id: 30433643,
        ...deploy,
        head_branch: 'main',
        run_number: 2,
        status: 'completed',
        conclusion: 'failure',
        created_at: '2025-03-02T10:00:00Z',
      },
      {
        id: 30433644,
        ...deploy,
        head_branch: 'feature',
        run_number: 3,
        status: 'completed',
        conclusion: 'success',
        created_at: '2025-03-03T10:00:00Z',
      },
      {
        id: 30433645,
        ...deploy,
        head_branch: 'main',
        run_number: 4,
        status: 'in_progress',
        conclusion: null,
        created_at: '2025-03-04T10:00:00Z',
        event: 'workflow_dispatch',
      },
      {
        id: 40000001,
        workflow_id: 999,
        path: '.github/workflows/ci.yml',
        head_branch: 'main',
        run_number: 1,
        status: 'completed',
        conclusion: 'success',
        created_at: '2025-03-05T10:00:00Z',
      },
    );
    s.workflows.push({ id: 777, path: '.github/workflows/never.yml' });
  });

  it('gets a run with GitHub’s fields', async () => {
    const { res, body } = await getJson(`${REPO}/actions/runs/30433645`);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      id: 30433645,
      name: 'deploy',
      workflow_id: 161335,
      head_branch: 'main',
      head_sha: headSha(fake.state),
      run_number: 4,
      run_attempt: 1,
      event: 'workflow_dispatch',
      status: 'in_progress',
      conclusion: null,
      path: '.github/workflows/deploy.yml',
      display_title: 'Commit 2',
      html_url: 'https://github.com/octo-org/octo-repo/actions/runs/30433645',
      url: `${fake.url}${REPO}/actions/runs/30433645`,
      workflow_url: `${fake.url}${REPO}/actions/workflows/161335`,
      created_at: '2025-03-04T10:00:00Z',
      pull_requests: [],
      actor: { login: 'octocat' },
      repository: { full_name: 'octo-org/octo-repo' },
      head_commit: { id: headSha(fake.state), message: 'Commit 2' },
    });
    expect((await get(`${REPO}/actions/runs/1`)).status).toBe(404);
    expect(await (await get(`${REPO}/actions/runs/abc`)).json()).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run',
      status: '404',
    });
  });

  it('lists a workflow’s runs newest first, by id or by file name', async () => {
    for (const id of ['161335', 'deploy.yml']) {
      const { body } = await getJson(`${REPO}/actions/workflows/${id}/runs`);
      const list = body as { total_count: number; workflow_runs: Array<{ id: number }> };
      expect(list.total_count).toBe(4);
      expect(list.workflow_runs.map((r) => r.id)).toEqual([30433645, 30433644, 30433643, 30433642]);
    }
  });

  it('filters by branch and by status (a status or a conclusion)', async () => {
    const ids = async (query: string): Promise<number[]> => {
      const { body } = await getJson(`${REPO}/actions/workflows/deploy.yml/runs?${query}`);
      const list = body as { total_count: number; workflow_runs: Array<{ id: number }> };
      expect(list.total_count).toBe(list.workflow_runs.length);
      return list.workflow_runs.map((r) => r.id);
    };
    expect(await ids('branch=main')).toEqual([30433645, 30433643, 30433642]);
    expect(await ids('branch=main&status=completed')).toEqual([30433643, 30433642]);
    expect(await ids('status=success')).toEqual([30433644, 30433642]);
    expect(await ids('status=in_progress')).toEqual([30433645]);
    expect(await ids('branch=nope')).toEqual([]);
  });

  it('paginates with total_count for the whole list', async () => {
    const first = await get(`${REPO}/actions/workflows/deploy.yml/runs?per_page=3`);
    const body = (await first.json()) as { total_count: number; workflow_runs: unknown[] };
    expect(body.total_count).toBe(4);
    expect(body.workflow_runs).toHaveLength(3);
    expect(links(first).next).toBe(`${fake.url}${REPO}/actions/workflows/deploy.yml/runs?per_page=3&page=2`);
    const all = await followAll(`${REPO}/actions/workflows/161335/runs?per_page=1&branch=main`);
    expect(all.pages).toBe(3);
  });

  it('a workflow without runs has none; an unknown workflow is 404', async () => {
    expect((await getJson(`${REPO}/actions/workflows/never.yml/runs`)).body).toEqual({
      total_count: 0,
      workflow_runs: [],
    });
    expect((await get(`${REPO}/actions/workflows/nope.yml/runs`)).status).toBe(404);
    expect((await get(`${REPO}/actions/workflows/123/runs`)).status).toBe(404);
  });
});

describe('releases', () => {
  it('lists releases newest first by created_at, drafts included', async () => {
    fake.state.releases.push(
      { id: 1, tag_name: 'v1.0.0', created_at: '2025-01-01T00:00:00Z' },
      { id: 3, tag_name: 'v1.2.0', draft: true, created_at: '2025-03-01T00:00:00Z', name: 'Next' },
      { id: 2, tag_name: 'v1.1.0-rc.1', prerelease: true, created_at: '2025-02-01T00:00:00Z', body: 'Notes' },
    );
    const { res, body } = await getJson(`${REPO}/releases`);
    expect(res.status).toBe(200);
    const list = body as Array<Record<string, unknown>>;
    expect(list.map((r) => r.tag_name)).toEqual(['v1.2.0', 'v1.1.0-rc.1', 'v1.0.0']);
    expect(list[0]).toMatchObject({ id: 3, name: 'Next', draft: true, prerelease: false, published_at: null });
    expect(String(list[0]?.html_url)).toMatch(
      /^https:\/\/github\.com\/octo-org\/octo-repo\/releases\/tag\/untagged-[0-9a-f]+$/,
    );
    expect(list[1]).toMatchObject({
      id: 2,
      tag_name: 'v1.1.0-rc.1',
      name: 'v1.1.0-rc.1',
      body: 'Notes',
      draft: false,
      prerelease: true,
      created_at: '2025-02-01T00:00:00Z',
      published_at: '2025-02-01T00:00:00Z',
      html_url: 'https://github.com/octo-org/octo-repo/releases/tag/v1.1.0-rc.1',
      url: `${fake.url}${REPO}/releases/2`,
      target_commitish: 'main',
      assets: [],
      author: { login: 'github-actions[bot]', type: 'Bot' },
    });
  });
});

describe('compare', () => {
  beforeEach(() => releaseState(fake.state));

  it('compares two tags: the commits after base up to head, oldest first', async () => {
    const { res, body } = await getJson(`${REPO}/compare/v1.4.1...v1.4.2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('link')).toBeNull();
    const s = fake.state;
    const cmp = body as Record<string, unknown> & {
      commits: Array<{ sha: string; commit: { message: string }; parents: Array<{ sha: string }> }>;
    };
    expect(cmp).toMatchObject({ status: 'ahead', ahead_by: 3, behind_by: 0, total_commits: 3, files: [] });
    expect(cmp.commits.map((c) => c.sha)).toEqual(s.commits.slice(3).map((c) => c.sha));
    expect(cmp.commits.map((c) => c.commit.message.split('\n')[0])).toEqual([
      'Fix the crash (part 1)',
      'Merge pull request #34 from octo-org/pr-34',
      'Fix the typo (#35)',
    ]);
    expect(cmp.commits[0]?.parents).toEqual([expect.objectContaining({ sha: s.tags['v1.4.1'] })]);
    expect(cmp.base_commit).toMatchObject({ sha: s.tags['v1.4.1'] });
    expect(cmp.merge_base_commit).toMatchObject({ sha: s.tags['v1.4.1'] });
    expect(cmp.url).toBe(`${fake.url}${REPO}/compare/v1.4.1...v1.4.2`);
    expect(cmp.html_url).toBe('https://github.com/octo-org/octo-repo/compare/v1.4.1...v1.4.2');
    expect(cmp.commits[0]).toMatchObject({
      html_url: `https://github.com/octo-org/octo-repo/commit/${cmp.commits[0]?.sha}`,
      commit: { author: { name: 'The Octocat', email: 'octocat@github.com' }, verification: { verified: false } },
      author: { login: 'octocat' },
    });
  });

  it('accepts branches (main is the newest commit), shas and sha prefixes', async () => {
    const s = fake.state;
    const base = s.commits[1]?.sha ?? '';
    for (const path of [
      `v1.4.1...main`,
      `${s.tags['v1.4.1']}...${headSha(s)}`,
      `${s.tags['v1.4.1']?.slice(0, 7)}...HEAD`,
    ]) {
      const { body } = await getJson(`${REPO}/compare/${path}`);
      expect(body, path).toMatchObject({ total_commits: 3, status: 'ahead' });
    }
    s.branches['release/1.4'] = base;
    const { body } = await getJson(`${REPO}/compare/release/1.4...v1.4.1`);
    expect(body).toMatchObject({ total_commits: 1, ahead_by: 1 });
  });

  it('behind and identical', async () => {
    expect((await getJson(`${REPO}/compare/v1.4.2...v1.4.1`)).body).toMatchObject({
      status: 'behind',
      ahead_by: 0,
      behind_by: 3,
      total_commits: 0,
      commits: [],
    });
    expect((await getJson(`${REPO}/compare/v1.4.2...main`)).body).toMatchObject({
      status: 'identical',
      ahead_by: 0,
      behind_by: 0,
    });
  });

  it('an unknown ref, or no base...head, is 404', async () => {
    for (const path of ['v9.9.9...v1.4.2', 'v1.4.1...nope', 'v1.4.1..v1.4.2', 'v1.4.1']) {
      const res = await get(`${REPO}/compare/${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
        status: '404',
      });
    }
  });

  it('paginates the commits by per_page and page, oldest first', async () => {
    const first = await get(`${REPO}/compare/v1.4.1...v1.4.2?per_page=2`);
    const page1 = (await first.json()) as { total_commits: number; commits: Array<{ sha: string }> };
    expect(page1.total_commits).toBe(3);
    expect(page1.commits.map((c) => c.sha)).toEqual(fake.state.commits.slice(3, 5).map((c) => c.sha));
    expect(links(first)).toEqual({
      next: `${fake.url}${REPO}/compare/v1.4.1...v1.4.2?per_page=2&page=2`,
      last: `${fake.url}${REPO}/compare/v1.4.1...v1.4.2?per_page=2&page=2`,
    });
    const second = (await (await get(links(first).next ?? '')).json()) as { commits: Array<{ sha: string }> };
    expect(second.commits.map((c) => c.sha)).toEqual([headSha(fake.state)]);
  });

  it('without paging parameters: at most 250 commits, the newest of the range; with page alone, 250 a page from the oldest', async () => {
    const s = emptyGitHubState();
    s.commits = linearHistory(301);
    addTag(s, 'base', s.commits[0]?.sha);
    fake.state = s;
    const plain = await get(`${REPO}/compare/base...main`);
    const all = (await plain.json()) as { total_commits: number; commits: Array<{ commit: { message: string } }> };
    expect(plain.headers.get('link')).toBeNull();
    expect(all.total_commits).toBe(300);
    expect(all.commits).toHaveLength(250);
    expect(all.commits[0]?.commit.message).toBe('Commit 52');
    expect(all.commits.at(-1)?.commit.message).toBe('Commit 301');
    const paged = await get(`${REPO}/compare/base...main?page=1`);
    const page1 = (await paged.json()) as { commits: Array<{ commit: { message: string } }> };
    expect(page1.commits).toHaveLength(250);
    expect(page1.commits[0]?.commit.message).toBe('Commit 2');
    expect(links(paged).next).toBe(`${fake.url}${REPO}/compare/base...main?page=2`);
  });

  it('a tag naming a commit outside the history fails loudly', async () => {
    fake.state.tags['broken'] = fakeSha('elsewhere');
    const res = await get(`${REPO}/compare/broken...main`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /tag broken names [0-9a-f]{40}, which is not in state\.commits/,
    );
  });
});

describe('commits', () => {
  beforeEach(() => releaseState(fake.state));

  it('lists the commits reachable from a tag, branch or sha, newest first', async () => {
    const s = fake.state;
    const fromTag = (await getJson(`${REPO}/commits?sha=v1.4.1`)).body as Array<{ sha: string }>;
    expect(fromTag.map((c) => c.sha)).toEqual(
      s.commits
        .slice(0, 3)
        .map((c) => c.sha)
        .reverse(),
    );
    const fromMain = (await getJson(`${REPO}/commits`)).body as Array<{ sha: string }>;
    expect(fromMain.map((c) => c.sha)).toEqual(s.commits.map((c) => c.sha).reverse());
    const fromSha = (await getJson(`${REPO}/commits?sha=${s.commits[1]?.sha}`)).body as Array<{ sha: string }>;
    expect(fromSha).toHaveLength(2);
  });

  it('paginates', async () => {
    const all = await followAll(`${REPO}/commits?sha=main&per_page=2`);
    expect(all.pages).toBe(3);
    expect((all.items as Array<{ sha: string }>).map((c) => c.sha)).toEqual(
      fake.state.commits.map((c) => c.sha).reverse(),
    );
  });

  it('an unknown sha is 404; an empty repository is 409', async () => {
    const res = await get(`${REPO}/commits?sha=nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      message: 'No commit found for SHA: nope',
      documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits',
      status: '404',
    });
    fake.state.commits = [];
    const empty = await get(`${REPO}/commits`);
    expect(empty.status).toBe(409);
    expect(await empty.json()).toMatchObject({ message: 'Git Repository is empty.', status: '409' });
  });
});

describe('deployments', () => {
  beforeEach(() => {
    const s = fake.state;
    s.commits.push(...linearHistory(2));
    s.deployments.push(
      {
        id: 101,
        sha: s.commits[0]?.sha ?? '',
        environment: 'production',
        created_at: '2025-03-01T10:00:00Z',
        statuses: [
          { state: 'in_progress', created_at: '2025-03-01T10:00:05Z' },
          { state: 'success', created_at: '2025-03-01T10:02:00Z', environment_url: 'https://example.com' },
        ],
      },
      { id: 102, sha: headSha(s), environment: 'staging', created_at: '2025-03-02T10:00:00Z' },
      {
        id: 103,
        sha: headSha(s),
        environment: 'production',
        created_at: '2025-03-03T10:00:00Z',
        statuses: [{ id: 9, state: 'failure', created_at: '2025-03-03T10:01:00Z' }],
      },
    );
  });

  it('lists deployments newest first, filtered by environment', async () => {
    const all = (await getJson(`${REPO}/deployments`)).body as Array<{ id: number }>;
    expect(all.map((d) => d.id)).toEqual([103, 102, 101]);
    const prod = (await getJson(`${REPO}/deployments?environment=production`)).body as Array<Record<string, unknown>>;
    expect(prod.map((d) => d.id)).toEqual([103, 101]);
    expect(prod[1]).toMatchObject({
      id: 101,
      sha: fake.state.commits[0]?.sha,
      ref: 'main',
      task: 'deploy',
      environment: 'production',
      original_environment: 'production',
      production_environment: true,
      created_at: '2025-03-01T10:00:00Z',
      statuses_url: `${fake.url}${REPO}/deployments/101/statuses`,
      creator: { login: 'github-actions[bot]' },
    });
    expect((await getJson(`${REPO}/deployments?environment=qa`)).body).toEqual([]);
    const paged = await get(`${REPO}/deployments?per_page=1`);
    expect(links(paged).last).toBe(`${fake.url}${REPO}/deployments?per_page=1&page=3`);
  });

  it('lists a deployment’s statuses newest first; an unknown deployment is 404', async () => {
    const statuses = (await getJson(`${REPO}/deployments/101/statuses`)).body as Array<Record<string, unknown>>;
    expect(statuses.map((s) => s.state)).toEqual(['success', 'in_progress']);
    expect(statuses[0]).toMatchObject({
      id: 10102,
      state: 'success',
      environment: 'production',
      environment_url: 'https://example.com',
      created_at: '2025-03-01T10:02:00Z',
      deployment_url: `${fake.url}${REPO}/deployments/101`,
    });
    expect(((await getJson(`${REPO}/deployments/103/statuses`)).body as Array<{ id: number }>)[0]?.id).toBe(9);
    expect((await getJson(`${REPO}/deployments/102/statuses`)).body).toEqual([]);
    const missing = await get(`${REPO}/deployments/999/statuses`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      documentation_url: 'https://docs.github.com/rest/deployments/statuses#list-deployment-statuses',
    });
  });
});

describe('denied permissions (REST)', () => {
  const cases = [
    ['actions', '/actions/runs/1', 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run'],
    [
      'actions',
      '/actions/workflows/deploy.yml/runs',
      'https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow',
    ],
    ['contents', '/releases', 'https://docs.github.com/rest/releases/releases#list-releases'],
    ['contents', '/compare/a...b', 'https://docs.github.com/rest/commits/commits#compare-two-commits'],
    ['contents', '/commits', 'https://docs.github.com/rest/commits/commits#list-commits'],
    ['deployments', '/deployments', 'https://docs.github.com/rest/deployments/deployments#list-deployments'],
    [
      'deployments',
      '/deployments/1/statuses',
      'https://docs.github.com/rest/deployments/statuses#list-deployment-statuses',
    ],
  ] as const;

  for (const [permission, path, docs] of cases) {
    it(`${permission}: ${path} is 403 Resource not accessible by integration`, async () => {
      fake.deny(permission);
      const res = await get(`${REPO}${path}`);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        message: 'Resource not accessible by integration',
        documentation_url: docs,
        status: '403',
      });
    });
  }

  it('other permissions are unaffected', async () => {
    fake.deny('issues');
    fake.deny('pull-requests');
    fake.deny('actions');
    expect((await get(`${REPO}/releases`)).status).toBe(200);
  });
});

describe('GraphQL: closing issues of a pull request', () => {
  beforeEach(() => {
    releaseState(fake.state);
    fake.state.otherRepositories['octo-org/docs'] = { issues: [{ number: 7, title: 'Document it', state: 'OPEN' }] };
    fake.state.pullRequests.push({
      number: 40,
      title: 'Open one',
      merged: false,
      closes: [{ repo: 'octo-org/docs', number: 7 }, 13],
    });
  });

  it('answers the closing references with GitHub’s shape', async () => {
    const { res, body } = await graphql(CLOSING_QUERY, { ...repoVars, number: 34, after: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(body).toEqual({
      data: {
        repository: {
          pullRequest: {
            number: 34,
            url: 'https://github.com/octo-org/octo-repo/pull/34',
            merged: true,
            closingIssuesReferences: {
              pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
              nodes: [
                {
                  number: 12,
                  title: 'Crash on start',
                  url: 'https://github.com/octo-org/octo-repo/issues/12',
                  state: 'CLOSED',
                  body: 'It crashes',
                  repository: { nameWithOwner: 'octo-org/octo-repo' },
                },
              ],
            },
          },
        },
      },
    });
  });

  it('closing references in another repository; an unmerged pull request', async () => {
    const { body } = await graphql(CLOSING_QUERY, { ...repoVars, number: 40 });
    const pr = (body.data as { repository: { pullRequest: Record<string, unknown> } }).repository.pullRequest;
    expect(pr.merged).toBe(false);
    expect((pr.closingIssuesReferences as { nodes: unknown[] }).nodes).toEqual([
      {
        number: 7,
        title: 'Document it',
        url: 'https://github.com/octo-org/docs/issues/7',
        state: 'OPEN',
        body: '',
        repository: { nameWithOwner: 'octo-org/docs' },
      },
      expect.objectContaining({ number: 13, state: 'CLOSED', repository: { nameWithOwner: 'octo-org/octo-repo' } }),
    ]);
  });

  it('paginates closingIssuesReferences by first/after with opaque cursors', async () => {
    const s = fake.state;
    for (let n = 100; n < 155; n++) s.issues.push({ number: n, title: `Issue ${n}` });
    s.pullRequests.push({ number: 50, title: 'Big', closes: Array.from({ length: 55 }, (_, i) => 100 + i) });
    const page1 = await graphql(CLOSING_QUERY, { ...repoVars, number: 50, after: null });
    type Refs = { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ number: number }> };
    const refs1 = (page1.body.data as { repository: { pullRequest: { closingIssuesReferences: Refs } } }).repository
      .pullRequest.closingIssuesReferences;
    expect(refs1.nodes).toHaveLength(50);
    expect(refs1.pageInfo.hasNextPage).toBe(true);
    expect(refs1.pageInfo.endCursor).not.toMatch(/^\d+$/);
    const page2 = await graphql(CLOSING_QUERY, { ...repoVars, number: 50, after: refs1.pageInfo.endCursor });
    const refs2 = (page2.body.data as { repository: { pullRequest: { closingIssuesReferences: Refs } } }).repository
      .pullRequest.closingIssuesReferences;
    expect(refs2.nodes.map((n) => n.number)).toEqual([150, 151, 152, 153, 154]);
    expect(refs2.pageInfo.hasNextPage).toBe(false);

    const small = `query ($after: String) { repository(owner: "octo-org", name: "octo-repo") { pullRequest(number: 40) {
      closingIssuesReferences(first: 1, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { number } } } } } }`;
    const a = await graphql(small);
    type Edges = {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string };
      edges: Array<{ cursor: string; node: { number: number } }>;
    };
    const ea = (a.body.data as { repository: { pullRequest: { closingIssuesReferences: Edges } } }).repository
      .pullRequest.closingIssuesReferences;
    expect(ea).toMatchObject({
      totalCount: 2,
      pageInfo: { hasNextPage: true, hasPreviousPage: false },
      edges: [{ node: { number: 7 } }],
    });
    expect(ea.edges[0]?.cursor).toBe(ea.pageInfo.endCursor);
    const b = await graphql(small, { after: ea.pageInfo.endCursor });
    const eb = (b.body.data as { repository: { pullRequest: { closingIssuesReferences: Edges } } }).repository
      .pullRequest.closingIssuesReferences;
    expect(eb).toMatchObject({
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
      edges: [{ node: { number: 13 } }],
    });

    const bad = await graphql(small, { after: 'not-a-cursor' });
    expect(bad.body.errors?.[0]).toMatchObject({
      type: 'INVALID_CURSOR_ARGUMENTS',
      path: ['repository', 'pullRequest', 'closingIssuesReferences'],
      message: '`not-a-cursor` does not appear to be a valid cursor.',
    });
  });

  it('a missing pull request: pullRequest null and a NOT_FOUND error', async () => {
    const { res, body } = await graphql(CLOSING_QUERY, { ...repoVars, number: 99 });
    expect(res.status).toBe(200);
    expect(body).toEqual({
      data: { repository: { pullRequest: null } },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository', 'pullRequest'],
          locations: [{ line: 3, column: 5 }],
          message: 'Could not resolve to a PullRequest with the number of 99.',
        },
      ],
    });
  });

  it('a missing repository: repository null and a NOT_FOUND error', async () => {
    const { body } = await graphql(CLOSING_QUERY, { owner: 'octo-org', name: 'gone', number: 34 });
    expect(body).toEqual({
      data: { repository: null },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          locations: [{ line: 2, column: 3 }],
          message: "Could not resolve to a Repository with the name 'octo-org/gone'.",
        },
      ],
    });
  });

  it('a closing reference to an issue missing from the state fails loudly', async () => {
    fake.state.pullRequests.push({ number: 60, title: 'Bad', closes: [404, { repo: 'x/y', number: 1 }] });
    const { body } = await graphql(CLOSING_QUERY, { ...repoVars, number: 60 });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toMatch(
      /pull request #60 closes octo-org\/octo-repo#404, which is not in the state/,
    );
  });
});

describe('GraphQL: pull requests of commits', () => {
  beforeEach(() => releaseState(fake.state));

  it('answers each alias: a commit’s pull requests by their commits or merge commit, null for an unknown oid', async () => {
    const s = fake.state;
    const pr34 = s.pullRequests[0];
    const oids = [
      pr34?.commits?.[0] ?? '',
      pr34?.merge_commit_sha ?? '',
      fakeSha('unknown'),
      s.commits[0]?.sha ?? '',
      headSha(s),
    ];
    const { res, body } = await graphql(commitsQuery(oids), repoVars);
    expect(res.status).toBe(200);
    expect(body.errors).toBeUndefined();
    const repo = (body.data as { repository: Record<string, unknown> }).repository;
    expect(Object.keys(repo)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    const pr = (n: number, issue: number, title: string): unknown => ({
      number: n,
      url: `https://github.com/octo-org/octo-repo/pull/${n}`,
      merged: true,
      closingIssuesReferences: {
        nodes: [
          {
            number: issue,
            title,
            url: `https://github.com/octo-org/octo-repo/issues/${issue}`,
            state: 'CLOSED',
            body: issue === 12 ? 'It crashes' : '',
            repository: { nameWithOwner: 'octo-org/octo-repo' },
          },
        ],
      },
    });
    expect(repo.c0).toEqual({ associatedPullRequests: { nodes: [pr(34, 12, 'Crash on start')] } });
    expect(repo.c1).toEqual({ associatedPullRequests: { nodes: [pr(34, 12, 'Crash on start')] } });
    expect(repo.c2).toBeNull();
    expect(repo.c3).toEqual({ associatedPullRequests: { nodes: [] } });
    expect(repo.c4).toEqual({ associatedPullRequests: { nodes: [pr(35, 13, 'Typo in README')] } });
  });

  it('any number of aliases, other names, and a non-Commit fragment', async () => {
    const shas = fake.state.commits.map((c) => c.sha);
    const query = `query ($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {
      ${shas.map((sha, i) => `commit_${i}: object(oid: "${sha}") { __typename ... on Tree { oid } ... on Commit { oid } }`).join('\n')}
    } }`;
    const { body } = await graphql(query, repoVars);
    const repo = (body.data as { repository: Record<string, { __typename: string; oid: string }> }).repository;
    expect(Object.values(repo).map((c) => c.oid)).toEqual(shas);
    expect(repo.commit_0?.__typename).toBe('Commit');
  });
});

describe('GraphQL: denied permissions', () => {
  beforeEach(() => releaseState(fake.state));

  it('pull-requests: pullRequest null with a FORBIDDEN error', async () => {
    fake.deny('pull-requests');
    const { res, body } = await graphql(CLOSING_QUERY, { ...repoVars, number: 34 });
    expect(res.status).toBe(200);
    expect(body).toEqual({
      data: { repository: { pullRequest: null } },
      errors: [
        {
          type: 'FORBIDDEN',
          path: ['repository', 'pullRequest'],
          extensions: { saml_failure: false },
          locations: [{ line: 3, column: 5 }],
          message: 'Resource not accessible by integration',
        },
      ],
    });
  });

  it('pull-requests: associatedPullRequests null with a FORBIDDEN error per alias', async () => {
    fake.deny('pull-requests');
    const query = commitsQuery([headSha(fake.state), fake.state.commits[0]?.sha ?? '']);
    const { body } = await graphql(query, repoVars);
    expect(body.data).toEqual({
      repository: { c0: { associatedPullRequests: null }, c1: { associatedPullRequests: null } },
    });
    const column = (query.split('\n')[2] ?? '').indexOf('associatedPullRequests') + 1;
    expect(column).toBe(83);
    expect(body.errors).toEqual([
      expect.objectContaining({
        type: 'FORBIDDEN',
        path: ['repository', 'c0', 'associatedPullRequests'],
        locations: [{ line: 3, column }],
      }),
      expect.objectContaining({ type: 'FORBIDDEN', path: ['repository', 'c1', 'associatedPullRequests'] }),
    ]);
  });

  it('issues: each closing issue node null with a FORBIDDEN error', async () => {
    fake.deny('issues');
    fake.state.pullRequests.push({ number: 41, title: 'Two', closes: [12, 13] });
    const { body } = await graphql(CLOSING_QUERY, { ...repoVars, number: 41 });
    const refs = (body.data as { repository: { pullRequest: { closingIssuesReferences: { nodes: unknown[] } } } })
      .repository.pullRequest.closingIssuesReferences;
    expect(refs.nodes).toEqual([null, null]);
    expect(body.errors).toEqual([
      expect.objectContaining({
        type: 'FORBIDDEN',
        path: ['repository', 'pullRequest', 'closingIssuesReferences', 'nodes', 0],
        message: 'Resource not accessible by integration',
      }),
      expect.objectContaining({
        type: 'FORBIDDEN',
        path: ['repository', 'pullRequest', 'closingIssuesReferences', 'nodes', 1],
      }),
    ]);
  });

  it('contents: the commit objects null with a FORBIDDEN error', async () => {
    fake.deny('contents');
    const { body } = await graphql(commitsQuery([headSha(fake.state)]), repoVars);
    expect(body).toEqual({
      data: { repository: { c0: null } },
      errors: [
        {
          type: 'FORBIDDEN',
          path: ['repository', 'c0'],
          extensions: { saml_failure: false },
          locations: [{ line: 3, column: 5 }],
          message: 'Resource not accessible by integration',
        },
      ],
    });
  });
});

describe('GraphQL: queries the fake does not answer fail loudly', () => {
  it('an unknown field: GitHub’s validation error, no data', async () => {
    const { res, body } = await graphql(
      'query { repository(owner: "octo-org", name: "octo-repo") { issues(first: 5) { nodes { title } } } }',
    );
    expect(res.status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        path: ['query', 'repository', 'issues'],
        extensions: { code: 'undefinedField', typeName: 'Repository', fieldName: 'issues' },
        locations: [{ line: 1, column: 60 }],
        message: "Field 'issues' doesn't exist on type 'Repository'",
      },
    ]);
  });

  it('syntax errors, mutations, missing or mistyped variables, bad arguments', async () => {
    const parse = await graphql('query { repository(owner: "a" { name } }');
    expect(parse.body.errors?.[0]?.message).toMatch(/^Parse error on "\{" at \[1, 31\]$/);
    const mutation = await graphql('mutation { addStar(input: {}) { clientMutationId } }');
    expect(mutation.body.errors?.[0]?.message).toMatch(/only queries/);
    const missing = await graphql(CLOSING_QUERY, { ...repoVars });
    expect(missing.body.errors).toEqual([
      expect.objectContaining({
        message: 'Variable $number of type Int! was provided invalid value',
        locations: [{ line: 1, column: 41 }],
      }),
    ]);
    const mistyped = await graphql(CLOSING_QUERY, { ...repoVars, number: '34' });
    expect(mistyped.body.errors?.[0]).toMatchObject({
      extensions: { problems: [{ explanation: 'Could not coerce value "34" to Int' }] },
    });
    const literal = await graphql(
      '{ repository(owner: "octo-org", name: "octo-repo") { pullRequest(number: "34") { number } } }',
    );
    expect(literal.body.errors?.[0]?.message).toBe(
      `Argument 'number' on Field 'pullRequest' has an invalid value ("34"). Expected type 'Int!'.`,
    );
    const undeclared = await graphql('{ repository(owner: $owner, name: "x") { name } }');
    expect(undeclared.body.errors?.[0]?.message).toBe('Variable $owner is used by anonymous query but not declared');
    const noQuery = await fetch(fake.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `bearer ${fake.token}` },
      body: '{}',
    });
    expect(await noQuery.json()).toEqual({
      errors: [{ message: 'A query attribute must be specified and must be a string.' }],
    });
    const notJson = await fetch(fake.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `bearer ${fake.token}` },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it('connections need first or last, at most 100', async () => {
    fake.state.pullRequests.push({ number: 1, title: 'x' });
    const q = (args: string): string =>
      `{ repository(owner: "octo-org", name: "octo-repo") { pullRequest(number: 1) { closingIssuesReferences${args} { nodes { number } } } } }`;
    const none = await graphql(q(''));
    expect(none.body.errors?.[0]).toMatchObject({
      type: 'MISSING_PAGINATION_BOUNDARIES',
      message:
        'You must provide a `first` or `last` value to properly paginate the `closingIssuesReferences` connection.',
    });
    const many = await graphql(q('(first: 101)'));
    expect(many.body.errors?.[0]).toMatchObject({
      type: 'EXCESSIVE_PAGINATION',
      message:
        'Requesting 101 records on the `closingIssuesReferences` connection exceeds the `first` limit of 100 records.',
    });
  });

  it('records operationName and variables', async () => {
    await graphql(
      'query Closing($n: Int!) { repository(owner: "o", name: "r") { pullRequest(number: $n) { number } } }',
      { n: 3 },
    );
    await graphql(
      'query A { repository(owner: "o", name: "r") { name } } query B { repository(owner: "o", name: "r") { url } }',
      {},
      { operationName: 'B' },
    );
    expect(fake.requests.map((r) => r.graphql)).toEqual([
      { operationName: 'Closing', variables: { n: 3 } },
      { operationName: 'B', variables: {} },
    ]);
  });
});

describe('faults', () => {
  it('the next request gets the given status and body, then the fake answers normally', async () => {
    fake.fail({ type: 'status', status: 500, body: { message: 'Server Error' } });
    const failed = await get(`${REPO}/releases`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Server Error' });
    expect(failed.headers.get('x-github-request-id')).toBeTruthy();
    expect((await get(`${REPO}/releases`)).status).toBe(200);
    expect(fake.requests.map((r) => [r.status, r.fault])).toEqual([
      [500, 'status'],
      [200, undefined],
    ]);
  });

  it('a default body for a bare status', async () => {
    fake.fail({ type: 'status', status: 502 });
    const res = await get(`${REPO}/releases`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      message: 'Bad Gateway',
      documentation_url: 'https://docs.github.com/rest',
      status: '502',
    });
  });

  it('rate limits: primary (x-ratelimit-remaining: 0), secondary (retry-after), GraphQL', async () => {
    fake.fail(rateLimitFault({ resetAt: 1_900_000_000 }), secondaryRateLimitFault(30));
    const primary = await get(`${REPO}/releases`);
    expect(primary.status).toBe(403);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(primary.headers.get('x-ratelimit-reset')).toBe('1900000000');
    expect(await primary.json()).toMatchObject({
      message: expect.stringMatching(/^API rate limit exceeded/),
      status: '403',
    });
    const secondary = await get(`${REPO}/releases`);
    expect(secondary.status).toBe(403);
    expect(secondary.headers.get('retry-after')).toBe('30');
    expect(await secondary.json()).toMatchObject({ message: expect.stringMatching(/secondary rate limit/) });

    fake.fail(rateLimitFault({ resource: 'graphql' }));
    expect((await get(`${REPO}/releases`)).status).toBe(200);
    const gq = await graphql('{ repository(owner: "o", name: "r") { name } }');
    expect(gq.res.status).toBe(200);
    expect(gq.res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(gq.body).toEqual({ errors: [{ type: 'RATE_LIMITED', message: expect.stringMatching(/rate limit/) }] });
  });

  it('match: only a matching request takes the fault', async () => {
    fake.fail({ type: 'status', status: 503, match: /\/compare\// });
    expect((await get(`${REPO}/releases`)).status).toBe(200);
    expect((await get(`${REPO}/compare/a...b`)).status).toBe(503);
    expect((await get(`${REPO}/compare/a...b`)).status).toBe(404);
  });

  it('reset: the connection is dropped', async () => {
    fake.fail({ type: 'reset' });
    await expect(get(`${REPO}/releases`)).rejects.toThrow();
    expect((await get(`${REPO}/releases`)).status).toBe(200);
  });
});

describe('GHES prefix', () => {
  let ghes: GitHubFake;
  beforeAll(async () => {
    ghes = await startGitHubFake({ prefix: '/api/v3', serverUrl: 'https://ghes.example.com' });
  });
  afterAll(async () => {
    await ghes.close();
  });

  it('REST under /api/v3 with Link headers on the prefix, GraphQL at /api/graphql', async () => {
    expect(ghes.url).toBe(`${ghes.origin}/api/v3`);
    expect(ghes.graphqlUrl).toBe(`${ghes.origin}/api/graphql`);
    releaseState(ghes.state);
    const auth = { authorization: `token ${ghes.token}` };
    const res = await fetch(`${ghes.url}${REPO}/commits?per_page=2`, { headers: auth });
    expect(res.status).toBe(200);
    expect(links(res).next).toBe(`${ghes.origin}/api/v3${REPO}/commits?per_page=2&page=2`);
    const rel = (await (await fetch(`${ghes.url}${REPO}/releases`, { headers: auth })).json()) as Array<{
      html_url: string;
      url: string;
    }>;
    expect(rel[0]?.html_url).toBe('https://ghes.example.com/octo-org/octo-repo/releases/tag/v1.4.2');
    expect(rel[0]?.url).toMatch(new RegExp(`^${ghes.origin}/api/v3/repos/`));
    expect((await fetch(`${ghes.origin}${REPO}/commits`, { headers: auth })).status).toBe(404);

    const gq = await graphql(CLOSING_QUERY, { ...repoVars, number: 34 }, { url: ghes.graphqlUrl, token: ghes.token });
    expect(gq.res.status).toBe(200);
    expect(gq.body.data).toMatchObject({
      repository: { pullRequest: { number: 34, url: 'https://ghes.example.com/octo-org/octo-repo/pull/34' } },
    });
    expect((await graphql(CLOSING_QUERY, {}, { url: `${ghes.origin}/graphql`, token: ghes.token })).res.status).toBe(
      404,
    );
    expect(ghes.requests.at(-2)).toMatchObject({ path: '/api/graphql', route: 'POST /api/graphql' });
  });
});

describe('reset and close', () => {
  it('reset() clears requests, state, denials and faults (the state object is kept)', async () => {
    const state = fake.state;
    releaseState(state);
    fake.deny('contents');
    fake.fail({ type: 'status', status: 500 });
    await get(`${REPO}/releases`);
    fake.reset();
    expect(fake.requests).toEqual([]);
    expect(fake.state).toBe(state);
    expect(state).toEqual(emptyGitHubState());
    const res = await get(`${REPO}/releases`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it('close() never hangs, with a request in flight, and twice', async () => {
    const other = await startGitHubFake();
    // A body that never ends: the request stays in flight until the fake drops it.
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":'));
      },
    });
    const pending = fetch(other.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `bearer ${other.token}` },
      body: endless,
      duplex: 'half',
    } as RequestInit).catch((e: unknown) => e);
    for (let i = 0; i < 100 && other.requests.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(other.requests).toHaveLength(1);
    await Promise.all([other.close(), other.close()]);
    expect(await pending).toBeInstanceOf(Error);
    expect(other.requests[0]?.status).toBe(0);
  });
});

describe('helpers', () => {
  it('fakeSha, linearHistory, addMergedPullRequest, addTag', () => {
    expect(fakeSha('x')).toMatch(/^[0-9a-f]{40}$/);
    expect(fakeSha('x')).toBe(fakeSha('x'));
    const s = emptyGitHubState('me', 'thing');
    s.commits.push(...linearHistory(2));
    expect(s.commits.map((c) => c.message)).toEqual(['Commit 1', 'Commit 2']);
    const pr = addMergedPullRequest(s, { number: 3, title: 'Three', commits: 2, closes: [1] });
    expect(s.commits).toHaveLength(5);
    expect(pr).toMatchObject({ number: 3, merged: true, merge_commit_sha: headSha(s), closes: [1] });
    expect(pr.commits).toEqual([s.commits[2]?.sha, s.commits[3]?.sha]);
    const squash = addMergedPullRequest(s, { number: 4, title: 'Four', squash: true });
    expect(s.commits).toHaveLength(6);
    expect(s.commits.at(-1)?.message).toBe('Four (#4)');
    expect(squash.commits?.every((sha) => !s.commits.some((c) => c.sha === sha))).toBe(true);
    expect(addTag(s, 'v1')).toBe(headSha(s));
    expect(s.tags).toEqual({ v1: headSha(s) });
  });
});
