/**
 * `notify: change`: how the previous completed run of this workflow on this branch ended (the
 * Actions API), to compare with this run's status.
 */
import type { GitHub } from './client.js';

export interface PreviousRun {
  run_number: number;
  /** As the Actions API writes it: success, failure, cancelled, skipped, timed_out, … */
  conclusion: string;
  html_url: string;
}

type Run = {
  id: number;
  run_number: number;
  workflow_id: number;
  head_branch: string | null;
  conclusion: string | null;
  html_url: string;
  path?: string;
};

/** The run of the same workflow, on the same branch, completed before this one; undefined for the first. */
export async function previousRun(gh: GitHub, repository: string, runId: string): Promise<PreviousRun | undefined> {
  const [owner = '', repo = ''] = repository.split('/');
  const need = 'actions: read';
  const current = await gh.request<Run>(
    'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
    { owner, repo, run_id: runId },
    { what: `workflow run ${runId}`, need },
  );
  let found: PreviousRun | undefined;
  let pagesLeft = 5;
  await gh.pages<{ workflow_runs?: Run[] } | Run>(
    'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
    {
      owner,
      repo,
      workflow_id: current.workflow_id,
      ...(current.head_branch ? { branch: current.head_branch } : {}),
      status: 'completed',
    },
    {
      need,
      what: `the completed runs of ${current.path?.split('/').pop() ?? `workflow ${current.workflow_id}`}${current.head_branch ? ` on ${current.head_branch}` : ''}`,
    },
    (page) => {
      // The pagination plugin gives the runs themselves (it unwraps `workflow_runs`), newest first.
      const runs = (page as Run[]).filter((run) => run.id !== current.id && run.run_number < current.run_number);
      const previous = runs[0];
      if (previous)
        found = {
          run_number: previous.run_number,
          conclusion: previous.conclusion ?? 'unknown',
          html_url: previous.html_url,
        };
      return !found && --pagesLeft > 0;
    },
  );
  return found;
}

/** A run's conclusion in the words of the status input: a timeout or a failed start is a failure. */
export function conclusionAsStatus(conclusion: string): string {
  return conclusion === 'timed_out' || conclusion === 'startup_failure' ? 'failure' : conclusion;
}
