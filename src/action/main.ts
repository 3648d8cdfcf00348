/**
 * The action: the use case on the GitHub host. `run()` is what the runner's entry (index.ts) and
 * tools such as `@github/local-action` call; a failure is reported through @actions/core
 * (`setFailed`), which also sets the exit code.
 */
import { run as deliver, type RunOptions } from '../delivery/run.js';
import { GitHubHost } from './github-host.js';

/** Runs the action in this process; `options` lets a test bring time that does not wait. */
export async function run(options: Partial<Omit<RunOptions, 'env'>> = {}): Promise<void> {
  const code = await deliver(new GitHubHost(), { ...options, env: process.env });
  // setFailed already set 1; another code (none today) would be set here.
  if (code !== 0) process.exitCode = code;
}
