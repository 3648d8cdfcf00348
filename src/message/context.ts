/**
 * The data a message template sees: the workflow's `github` context under its own names, `env`,
 * `runner`, `status`, and the links people want in a notification. Read from the runner's
 * environment and event file; nothing here is ever rendered as a template itself.
 */
import { readFileSync } from 'node:fs';
import type { Env } from '../host.js';

export interface GithubContext {
  event_name: string;
  event: Record<string, unknown>;
  sha: string;
  ref: string;
  ref_name: string;
  ref_type: string;
  head_ref: string;
  base_ref: string;
  repository: string;
  repository_id: string;
  repository_owner: string;
  repository_owner_id: string;
  actor: string;
  actor_id: string;
  triggering_actor: string;
  workflow: string;
  workflow_ref: string;
  job: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  server_url: string;
  api_url: string;
  graphql_url: string;
}

export interface TemplateContext {
  github: GithubContext;
  env: Record<string, string>;
  runner: { os: string; arch: string; name: string; environment: string; temp: string };
  status: string;
  /** The `vars` input, parsed. */
  vars: Record<string, unknown>;
  run_url: string;
  commit_url: string;
  repository_url: string;
  short_sha: string;
}

/** The links a template sees; another CI system than GitHub gives its own. */
export type TemplateLinks = Partial<Pick<TemplateContext, 'run_url' | 'commit_url' | 'repository_url'>>;

export interface ContextResult {
  context: TemplateContext;
  /** Why the event payload could not be read, when it could not. */
  eventProblem?: string;
}

/** Environment variables a template may not see: the action's own inputs and the runner's tokens.
 * (A key rendered from elsewhere in `env` is caught after rendering, and the user is warned.) */
const HIDDEN_ENV = /^(INPUT_|ACTIONS_)/;

/** The event payload, or `{}` and why the file could not be used. */
export type EventRead = { event: Record<string, unknown>; problem?: string };

export function readEvent(path: string | undefined): EventRead {
  if (!path) return { event: {} };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { event: {}, problem: `the event file ${path} could not be read` };
  }
  try {
    const event: unknown = JSON.parse(text);
    if (event && typeof event === 'object' && !Array.isArray(event)) return { event: event as Record<string, unknown> };
    return { event: {}, problem: `the event file ${path} does not hold a JSON object` };
  } catch {
    return { event: {}, problem: `the event file ${path} is not valid JSON` };
  }
}

export function buildContext(
  env: Env,
  options: {
    status?: string;
    vars?: Record<string, unknown>;
    links?: TemplateLinks;
    /** The event file, when the caller has read it already (else it is read here). */
    event?: EventRead;
  } = {},
): ContextResult {
  const { event, problem } = options.event ?? readEvent(env.GITHUB_EVENT_PATH);
  const get = (name: string): string => env[name] ?? '';
  const serverUrl = get('GITHUB_SERVER_URL') || 'https://github.com';
  const repository = get('GITHUB_REPOSITORY');
  const sha = get('GITHUB_SHA');
  const runId = get('GITHUB_RUN_ID');

  const github: GithubContext = {
    event_name: get('GITHUB_EVENT_NAME'),
    event,
    sha,
    ref: get('GITHUB_REF'),
    ref_name: get('GITHUB_REF_NAME'),
    ref_type: get('GITHUB_REF_TYPE'),
    head_ref: get('GITHUB_HEAD_REF'),
    base_ref: get('GITHUB_BASE_REF'),
    repository,
    repository_id: get('GITHUB_REPOSITORY_ID'),
    repository_owner: get('GITHUB_REPOSITORY_OWNER') || repository.split('/')[0] || '',
    repository_owner_id: get('GITHUB_REPOSITORY_OWNER_ID'),
    actor: get('GITHUB_ACTOR'),
    actor_id: get('GITHUB_ACTOR_ID'),
    triggering_actor: get('GITHUB_TRIGGERING_ACTOR') || get('GITHUB_ACTOR'),
    workflow: get('GITHUB_WORKFLOW'),
    workflow_ref: get('GITHUB_WORKFLOW_REF'),
    job: get('GITHUB_JOB'),
    run_id: runId,
    run_number: get('GITHUB_RUN_NUMBER'),
    run_attempt: get('GITHUB_RUN_ATTEMPT'),
    server_url: serverUrl,
    api_url: get('GITHUB_API_URL') || 'https://api.github.com',
    graphql_url: get('GITHUB_GRAPHQL_URL') || 'https://api.github.com/graphql',
  };

  const templateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || HIDDEN_ENV.test(name)) continue;
    templateEnv[name] = value;
  }

  const repositoryUrl = repository ? `${serverUrl}/${repository}` : '';
  const context: TemplateContext = {
    github,
    env: templateEnv,
    runner: {
      os: get('RUNNER_OS'),
      arch: get('RUNNER_ARCH'),
      name: get('RUNNER_NAME'),
      environment: get('RUNNER_ENVIRONMENT'),
      temp: get('RUNNER_TEMP'),
    },
    status: options.status ?? '',
    vars: options.vars ?? {},
    // A re-run's link goes to its own attempt, the one whose logs explain this message.
    run_url:
      repositoryUrl && runId
        ? `${repositoryUrl}/actions/runs/${runId}${Number(github.run_attempt) > 1 ? `/attempts/${github.run_attempt}` : ''}`
        : '',
    commit_url: repositoryUrl && sha ? `${repositoryUrl}/commit/${sha}` : '',
    repository_url: repositoryUrl,
    short_sha: sha.slice(0, 7),
    ...options.links,
  };
  return problem ? { context, eventProblem: problem } : { context };
}
