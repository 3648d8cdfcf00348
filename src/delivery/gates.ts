/**
 * When nothing is to be sent, and why, said before any message is made: a pull request from a fork
 * (GitHub gives its workflows no secrets, so the keys are empty), and `notify` (only on failure, or
 * only when the outcome changed since the previous run).
 */
import type { Env, Log } from '../host.js';
import type { GitHub } from '../github/client.js';
import type { RawInputs } from './inputs.js';
import type { Settings } from './settings.js';

/** The events whose payload says whether the pull request comes from a fork. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);

/**
 * Why this run cannot have the keys: a pull request from a fork, and none of the three keys given.
 * (pull_request_target runs with the base repository's secrets: not skipped.)
 */
export function forkWithoutSecrets(
  raw: RawInputs,
  eventName: string,
  event: () => Record<string, unknown>,
): string | undefined {
  if (!PULL_REQUEST_EVENTS.has(eventName) || raw.x_api_key || raw.instance || raw.api_key) return undefined;
  const pr = event().pull_request as
    | {
        number?: unknown;
        head?: { repo?: { full_name?: unknown; fork?: unknown } | null };
        base?: { repo?: { full_name?: unknown } };
      }
    | undefined;
  const head = pr?.head?.repo;
  // A fork whose repository was deleted has no head repository at all.
  const fromFork =
    head === null ||
    head?.fork === true ||
    (head?.full_name !== undefined && head.full_name !== pr?.base?.repo?.full_name);
  if (!pr || !fromFork) return undefined;
  const from = typeof head?.full_name === 'string' ? ` (${head.full_name})` : '';
  return `pull request #${String(pr.number)} comes from a fork${from}, and GitHub gives a fork's workflows no secrets: the Hotline keys are empty, so nothing was sent`;
}

/**
 * `notify`: why this run's status does not call for a message, or undefined to send. `change` asks
 * the Actions API how the previous completed run of the workflow on the branch ended.
 */
export async function notifyGate(
  settings: Pick<Settings, 'notify' | 'status' | 'dry_run'>,
  env: Env,
  github: () => Promise<GitHub>,
  log: Pick<Log, 'info'>,
): Promise<string | undefined> {
  const status = settings.status ?? '';
  if (settings.notify === 'always') return undefined;
  if (settings.notify === 'failure') {
    return status === 'failure' || status === 'cancelled'
      ? undefined
      : `notify is failure and the job's status is ${status}: nothing was sent.`;
  }
  if (settings.dry_run) {
    log.info('Dry run: notify change is not checked (it asks the GitHub API about the previous run).');
    return undefined;
  }
  // Loaded only here: a run without notify change does not carry the Actions API's code.
  const { conclusionAsStatus, previousRun } = await import('../github/previous-run.js');
  const previous = await previousRun(await github(), env.GITHUB_REPOSITORY ?? '', env.GITHUB_RUN_ID ?? '');
  if (!previous) {
    log.info(`notify change: no earlier completed run of this workflow on this branch: the status ${status} is news.`);
    return undefined;
  }
  const before = conclusionAsStatus(previous.conclusion);
  if (before !== status) {
    log.info(
      `notify change: the previous run, #${previous.run_number}, ended ${previous.conclusion}; this one is ${status}.`,
    );
    return undefined;
  }
  return `notify is change and the status is ${status}, as in the previous run, #${previous.run_number} (${previous.html_url}): nothing was sent.`;
}
