/**
 * The template context on CI systems other than GitHub Actions. Templates are written against the
 * GitHub names (`github.repository`, `github.sha`, `run_url`…); on GitLab CI and Jenkins the same
 * facts live under other variables. This maps them onto the GITHUB_* names buildContext reads, only
 * where an equivalent exists and only where the GITHUB_* variable is not already set, and gives the
 * links (run, commit, repository) in the CI system's own form. Pure: no I/O, the input is not changed.
 */
import type { TemplateLinks } from '../message/context.js';
import type { Env } from '../host.js';

export type CiSystem = 'github' | 'gitlab' | 'jenkins';

export interface CiEnvironment {
  /** Which CI system the variables are from; undefined outside any known one. */
  ci: CiSystem | undefined;
  /** The environment with the GITHUB_* names filled in (a new object). */
  env: Env;
  /** Links that replace GitHub's (only the ones known; none on GitHub Actions). */
  links: TemplateLinks;
  /** The job's status in the action's words, when the CI system tells it (GitLab's CI_JOB_STATUS). */
  status?: string;
}

type Mapping = Record<string, string | undefined>;

export function mapCiEnv(env: Env): CiEnvironment {
  if (env.GITHUB_ACTIONS === 'true') return { ci: 'github', env: { ...env }, links: {} };
  const mapped = env.GITLAB_CI
    ? { ci: 'gitlab' as const, ...gitlab(env) }
    : env.JENKINS_URL
      ? { ci: 'jenkins' as const, ...jenkins(env) }
      : undefined;
  if (!mapped) return { ci: undefined, env: { ...env }, links: {} };
  const out: Env = { ...env };
  for (const [name, value] of Object.entries(mapped.vars)) {
    if (value && !out[name]) out[name] = value;
  }
  const links: TemplateLinks = {};
  for (const [name, value] of Object.entries(mapped.links) as Array<[keyof TemplateLinks, string | undefined]>) {
    if (value) links[name] = value;
  }
  const status = mapped.ci === 'gitlab' ? GITLAB_STATUS.get(env.CI_JOB_STATUS ?? '') : undefined;
  return { ci: mapped.ci, env: out, links, ...(status ? { status } : {}) };
}

/** CI_JOB_STATUS (set in after_script) in the words of the status input; running has none. */
const GITLAB_STATUS = new Map([
  ['success', 'success'],
  ['failed', 'failure'],
  ['canceled', 'cancelled'],
  ['canceling', 'cancelled'],
]);

/** GitLab CI's predefined variables (https://docs.gitlab.com/ci/variables/predefined_variables/). */
function gitlab(env: Env): { vars: Mapping; links: TemplateLinks } {
  const tag = env.CI_COMMIT_TAG;
  const branch = env.CI_COMMIT_BRANCH ?? env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME;
  const ref = tag ? `refs/tags/${tag}` : env.CI_MERGE_REQUEST_REF_PATH || (branch ? `refs/heads/${branch}` : undefined);
  const sha = env.GITHUB_SHA || env.CI_COMMIT_SHA;
  const project = env.CI_PROJECT_URL;
  return {
    vars: {
      GITHUB_REPOSITORY: env.CI_PROJECT_PATH,
      GITHUB_REPOSITORY_ID: env.CI_PROJECT_ID,
      GITHUB_REPOSITORY_OWNER: env.CI_PROJECT_NAMESPACE,
      GITHUB_SHA: env.CI_COMMIT_SHA,
      GITHUB_REF: ref,
      GITHUB_REF_NAME: env.CI_COMMIT_REF_NAME,
      GITHUB_REF_TYPE: tag ? 'tag' : env.CI_COMMIT_REF_NAME ? 'branch' : undefined,
      GITHUB_HEAD_REF: env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME,
      GITHUB_BASE_REF: env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME,
      GITHUB_ACTOR: env.GITLAB_USER_LOGIN,
      GITHUB_ACTOR_ID: env.GITLAB_USER_ID,
      GITHUB_RUN_ID: env.CI_PIPELINE_ID,
      GITHUB_RUN_NUMBER: env.CI_PIPELINE_IID,
      GITHUB_JOB: env.CI_JOB_NAME,
      GITHUB_WORKFLOW: env.CI_PIPELINE_NAME || env.CI_PROJECT_NAME,
      GITHUB_SERVER_URL: env.CI_SERVER_URL,
      GITHUB_API_URL: env.CI_API_V4_URL,
      GITHUB_EVENT_NAME: env.CI_PIPELINE_SOURCE,
      RUNNER_NAME: env.CI_RUNNER_DESCRIPTION,
    },
    links: {
      run_url: env.CI_PIPELINE_URL,
      commit_url: project && sha ? `${project}/-/commit/${sha}` : undefined,
      repository_url: project,
    },
  };
}

/** Jenkins' variables (env-vars.html), with the Git plugin's GIT_* and a multibranch job's CHANGE_*. */
function jenkins(env: Env): { vars: Mapping; links: TemplateLinks } {
  const tag = env.TAG_NAME;
  const branch = env.GIT_BRANCH
    ? env.GIT_BRANCH.replace(/^(refs\/heads\/|refs\/remotes\/)?origin\//, '')
    : env.BRANCH_NAME;
  const repo = webRepository(env.GIT_URL);
  const pullRequest = Boolean(env.CHANGE_ID);
  const sha = env.GITHUB_SHA || env.GIT_COMMIT;
  const repositoryUrl = repo ? `${repo.server}/${repo.path}` : undefined;
  // Bitbucket Cloud names a commit's page /commits/; GitHub, GitLab (redirects), Gitea and Forgejo /commit/.
  const commitPath = repo?.server === 'https://bitbucket.org' ? 'commits' : 'commit';
  return {
    vars: {
      GITHUB_REPOSITORY: repo?.path,
      GITHUB_SERVER_URL: repo?.server,
      GITHUB_SHA: env.GIT_COMMIT,
      GITHUB_REF: tag ? `refs/tags/${tag}` : branch && !pullRequest ? `refs/heads/${branch}` : undefined,
      GITHUB_REF_NAME: tag || branch,
      GITHUB_REF_TYPE: tag ? 'tag' : branch ? 'branch' : undefined,
      GITHUB_HEAD_REF: pullRequest ? env.CHANGE_BRANCH : undefined,
      GITHUB_BASE_REF: pullRequest ? env.CHANGE_TARGET : undefined,
      GITHUB_EVENT_NAME: pullRequest ? 'pull_request' : undefined,
      GITHUB_ACTOR: env.BUILD_USER_ID || (pullRequest ? env.CHANGE_AUTHOR : undefined),
      GITHUB_WORKFLOW: env.JOB_NAME,
      GITHUB_JOB: env.STAGE_NAME,
      GITHUB_RUN_ID: env.BUILD_ID,
      GITHUB_RUN_NUMBER: env.BUILD_NUMBER,
      RUNNER_NAME: env.NODE_NAME,
    },
    links: {
      run_url: env.BUILD_URL,
      // Only when the repository's web address is known: never a github.com guess for another host.
      commit_url: repositoryUrl && sha ? `${repositoryUrl}/${commitPath}/${sha}` : undefined,
      repository_url: repositoryUrl,
    },
  };
}

/**
 * The web address of a Git remote: https://host/owner/repo(.git), ssh://git@host[:port]/owner/repo.git
 * or git@host:owner/repo.git → { server: 'https://host', path: 'owner/repo' }. Credentials in the URL
 * are dropped. Undefined when it is not such a URL.
 */
export function webRepository(url: string | undefined): { server: string; path: string } | undefined {
  if (!url) return undefined;
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(url);
  let server: string;
  let path: string;
  if (scp) {
    server = `https://${scp[1] as string}`;
    path = scp[2] as string;
  } else {
    if (!URL.canParse(url)) return undefined;
    const parsed = new URL(url);
    if (!/^(https?|ssh|git):$/.test(parsed.protocol) || !parsed.hostname) return undefined;
    // A web remote keeps its scheme and port; an SSH or git:// remote's web side is https on its host.
    server = /^https?:$/.test(parsed.protocol) ? `${parsed.protocol}//${parsed.host}` : `https://${parsed.hostname}`;
    path = parsed.pathname;
  }
  path = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  if (!/^[^/\s]+(\/[^/\s]+)+$/.test(path)) return undefined;
  return { server, path };
}
