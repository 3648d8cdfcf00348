/**
 * The GitHub API, for the two inputs that read it (`topics_from: fixed_issues`, `notify: change`):
 * REST and GraphQL through Octokit (@octokit/core, with its pagination plugin), loaded only when one
 * of them is used, so a plain send does not pay for it. Requests go through this action's own HTTP
 * stack (net/http.ts: its timeouts, its proxy from HTTPS_PROXY/NO_PROXY, no redirects), against
 * `GITHUB_API_URL` (GitHub Enterprise Server included). The token is redacted from everything shown;
 * a refusal names the permission the workflow's token needs.
 *
 * Why not @actions/github's `getOctokit`: it is this same Octokit, plus @actions/http-client and its
 * own copy of undici (v6, the whole index, for `fetch`): 1.16 MB in the bundle (271 kB gzipped, which
 * the runner downloads with the action) against 85 kB for Octokit here, with the requests on the
 * undici the action already carries.
 */
import { GitHubError, errorMessage } from '../errors.js';
import type { Log } from '../host.js';
import { createAgent, send, type HttpAgent } from '../net/http.js';
import { networkError } from '../net/network-errors.js';
import type { Redactor } from '../redact.js';

/** The permission a call needs, as a workflow's `permissions:` block writes it. */
export type Permission =
  'contents: read' | 'pull-requests: read' | 'issues: read' | 'actions: read' | 'deployments: read';

/** What a call is, for the audit line and for a refusal: "the workflow runs of deploy.yml". */
export interface Call {
  what: string;
  need: Permission;
}

export interface GitHubOptions {
  token: string;
  /** GITHUB_API_URL: https://api.github.com, or https://<host>/api/v3 on GitHub Enterprise Server. */
  apiUrl: string;
  timeoutMs: number;
  proxy?: string | undefined;
  redactor: Redactor;
  log: Pick<Log, 'untrusted'>;
}

export interface GitHub {
  /** One REST call, e.g. `GET /repos/{owner}/{repo}/actions/runs/{run_id}`. */
  request<T>(route: string, params: Record<string, unknown>, call: Call): Promise<T>;
  /** A REST list, page after page (100 a page), until `take` returns false or the pages end. */
  pages<T>(route: string, params: Record<string, unknown>, call: Call, take: (items: T[]) => boolean): Promise<void>;
  graphql<T>(query: string, variables: Record<string, unknown>, call: Call): Promise<T>;
  close(): Promise<void>;
}

/** GitHub's answers are JSON lists and objects: a few MB at most, even at 100 a page. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export async function connectGitHub(options: GitHubOptions): Promise<GitHub> {
  const [{ Octokit }, { paginateRest }] = await Promise.all([
    import('@octokit/core'),
    import('@octokit/plugin-paginate-rest'),
  ]);
  const agent = createAgent(options.timeoutMs, options.proxy);
  const octokit = new (Octokit.plugin(paginateRest))({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'hotline-topics-action',
    request: { fetch: fetchThrough(agent, options.timeoutMs) },
    // Octokit's own warnings would print outside the action's log (and its redaction).
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const audit = async <T>(call: Call, label: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const took = (): string => `${Math.round(performance.now() - started)} ms`;
    try {
      const result = await run();
      options.log.untrusted(`GitHub: ${call.what} (${label}): done in ${took()}`);
      return result;
    } catch (error) {
      const refused = gitHubError(error, call, options.redactor);
      options.log.untrusted(`GitHub: ${call.what} (${label}): ${refused.message} (${took()})`);
      throw refused;
    }
  };
  return {
    request: (route, params, call) =>
      audit(call, route.split(' ')[0] ?? 'GET', async () => (await octokit.request(route, params)).data as never),
    pages: (route, params, call, take) =>
      audit(call, `${route.split(' ')[0] ?? 'GET'}, pages`, async () => {
        for await (const page of octokit.paginate.iterator(route, { per_page: 100, ...params })) {
          if (!take(page.data as never)) break;
        }
      }),
    graphql: (query, variables, call) => audit(call, 'GraphQL', () => octokit.graphql(query, variables)),
    close: async () => (await agent).close(),
  };
}

/** `fetch` as Octokit calls it, on the action's own undici pool: the timeout per request, no redirects. */
function fetchThrough(agent: Promise<HttpAgent>, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(init?.signal ? [init.signal] : [])]);
    let answer;
    try {
      answer = await send(await agent, url, {
        method: init?.method === 'POST' ? 'POST' : 'GET',
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        ...(typeof init?.body === 'string' ? { body: init.body } : {}),
        signal,
        maxBodyBytes: MAX_RESPONSE_BYTES,
      });
    } catch (cause) {
      throw networkError(cause, timeoutMs, url, undefined);
    }
    if (answer.bodyCut) throw new Error(`GitHub's answer from ${url.host} is over ${MAX_RESPONSE_BYTES} bytes`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
    }
    const empty = answer.status === 204 || answer.status === 304;
    const response = new Response(empty ? null : answer.body, { status: answer.status, headers });
    // A Response made here has no url; Octokit's pagination reads it (new URL(response.url)).
    Object.defineProperty(response, 'url', { value: url.href });
    return response;
  };
}

interface OctokitFailure {
  status?: number;
  message?: string;
  cause?: unknown;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
  errors?: Array<{ type?: string; message?: string; path?: Array<string | number> }>;
}

/**
 * The permission a GraphQL FORBIDDEN names by where it happened (the field that resolved to null):
 * an issue a pull request closes needs `issues`, a pull request `pull-requests`, a commit `contents`.
 */
function permissionAt(path: ReadonlyArray<string | number> | undefined, need: Permission): Permission {
  if (!path) return need;
  if (path.includes('closingIssuesReferences')) return 'issues: read';
  if (path.includes('associatedPullRequests') || path.includes('pullRequest')) return 'pull-requests: read';
  if (path.some((step) => typeof step === 'string' && /^c\d+$/.test(step))) return 'contents: read';
  return need;
}

/** A failed call in words: what was refused, why, and the permission to add. Never the token. */
export function gitHubError(error: unknown, call: Call, redactor: Redactor): GitHubError {
  const failure = (error ?? {}) as OctokitFailure;
  const what = call.what;
  const said = (): string => {
    const data = failure.response?.data as { message?: unknown } | undefined;
    const words =
      typeof data?.message === 'string' ? data.message : (failure.errors?.[0]?.message ?? failure.message ?? '');
    return redactor.redact(words.replace(/\s+/g, ' ').trim()).slice(0, 300);
  };
  const because = (status: number | undefined, text: string): GitHubError =>
    new GitHubError(redactor.redact(text), { status, cause: error });
  const graphqlType = failure.errors?.[0]?.type;
  const need = graphqlType === 'FORBIDDEN' ? permissionAt(failure.errors?.[0]?.path, call.need) : call.need;
  if (failure.cause instanceof Error && failure.status === 500 && !failure.response) {
    // Octokit wraps what the connection threw (net/network-errors.ts already put it in words).
    return because(undefined, `GitHub could not be reached for ${what}: ${errorMessage(failure.cause)}`);
  }
  const status = graphqlType === 'FORBIDDEN' ? 403 : graphqlType === 'NOT_FOUND' ? 404 : failure.status;
  const shown = graphqlType ? `GraphQL ${graphqlType}` : status ? `HTTP ${status}` : 'no HTTP status';
  if (status === 401)
    return because(401, `GitHub refused github_token (${shown}: ${said()}): the token is not valid, or has expired`);
  if (status === 403 && failure.response?.headers?.['x-ratelimit-remaining'] === '0') {
    return because(403, `GitHub's rate limit for github_token is spent (${shown}: ${said()}); run again later`);
  }
  if (status === 403) {
    return because(
      403,
      `GitHub refused ${what} (${shown}: ${said()}): the token needs \`${need}\`; add it to the job's \`permissions:\``,
    );
  }
  if (status === 404) {
    return because(
      404,
      `GitHub could not find ${what} (${shown}: ${said()}): it does not exist, or the token cannot see it (it needs \`${need}\`)`,
    );
  }
  return because(status, `GitHub answered ${what} with ${shown}${said() ? `: ${said()}` : ''}`);
}
