/**
 * `hotline-topics`: the action on the command line. `send` and `info` run the action's use case
 * (delivery/run.ts) on a terminal host whose inputs are the flags; `resend` sends a dead letter again.
 * Keys come from HOTLINE_* only; stdout is the result, stderr the log.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { run } from '../delivery/run.js';
import { errorMessage, InputError } from '../errors.js';
import type { Env } from '../host.js';
import type { Clock } from '../topics/pacing.js';
import { mapCiEnv } from './ci-env.js';
import { parseCommandLine } from './command-line.js';
import { COMMANDS, isUsageError } from './flags.js';
import { helpText } from './help.js';
import { jsonLine, report } from './report.js';
import { resend } from './resend.js';
import { fenceFor, TerminalHost, type Write } from './terminal-host.js';

/** Where the command runs: what it writes to (the result, stdout; the log, stderr), its folder, its time. */
export interface Streams {
  stdout: Write;
  stderr: Write;
  /** Relative paths on the command line are relative to it (default: the process's). */
  cwd?: string;
  /** For tests: time that does not wait (pacing, retries). */
  clock?: Clock;
}

/** Runs the command line `argv` in `processEnv`; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  processEnv: Env,
  { stdout, stderr, cwd = process.cwd(), clock }: Streams,
): Promise<number> {
  let line;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    return usageFailure(
      { stdout, stderr },
      errorMessage(error),
      argv.includes('--json'),
      argv[0],
      processEnv.GITHUB_ACTIONS === 'true',
    );
  }
  if (line.kind !== 'run') {
    stdout(line.kind === 'help' ? helpText(pkg.version, line.command) : `${pkg.version}\n`);
    return 0;
  }

  const { command, json } = line;
  const ci = mapCiEnv(processEnv);
  const env = ci.env;
  if (line.deadLetterDir) {
    // Where send and resend write dead letters; made now, so a CI job can keep it as an artifact.
    env.RUNNER_TEMP = resolve(cwd, line.deadLetterDir);
    try {
      mkdirSync(env.RUNNER_TEMP, { recursive: true });
    } catch {
      // Writing the letter there fails with its own warning, which says why.
    }
  }
  const inputs = { ...line.inputs, action: command === 'info' ? 'info_by_topic' : 'incoming_in_topic' };
  // A path on the command line is relative to where the command runs.
  if (inputs.message_file) inputs.message_file = resolve(cwd, inputs.message_file);
  if (command === 'send' && ci.status && !inputs.status) inputs.status = ci.status;
  if (command === 'send' && !inputs.message && !inputs.message_file && ci.ci !== 'github') {
    return usageFailure(
      { stdout, stderr },
      '--message or --message-file is required: the default message describes a GitHub event, and there is none outside GitHub Actions',
      json,
      command,
      false,
    );
  }

  const needsGitHub = [
    inputs.topics_from ? '--topics-from' : undefined,
    inputs.notify?.toLowerCase() === 'change' ? '--notify change' : undefined,
  ].filter(Boolean);
  if (needsGitHub.length > 0 && ci.ci !== 'github') {
    return usageFailure(
      { stdout, stderr },
      `${needsGitHub.join(' and ')} work${needsGitHub.length > 1 ? '' : 's'} in GitHub Actions only: ${needsGitHub.length > 1 ? 'they read' : 'it reads'} the workflow's event and the GitHub API`,
      json,
      command,
      false,
    );
  }

  const github = ci.ci === 'github';
  const host = new TerminalHost({
    inputs,
    debug: line.debug || processEnv.RUNNER_DEBUG === '1',
    github,
    write: stderr,
  });
  let code: number;
  let parts: string[] | undefined;
  if (command === 'resend') {
    code = await resend(line.file as string, host, {
      env,
      json,
      github,
      version: pkg.version,
      stdout,
      cwd,
      ...(clock ? { clock } : {}),
    });
  } else {
    let refused = false;
    const failureCode = (error: unknown): number => {
      refused = error instanceof InputError;
      return isUsageError(error) ? 2 : 1;
    };
    code = await run(host, {
      env,
      links: ci.links,
      failureCode,
      onDelivery: (delivery) => (parts = delivery.parts),
      ...(clock ? { clock } : {}),
    });
    if (refused && code === 2) {
      host.info(
        `Flags are the inputs in kebab case (input user_id is --user-id); the keys come from HOTLINE_X_API_KEY, HOTLINE_INSTANCE, HOTLINE_API_KEY, github_token from GITHUB_TOKEN. See: hotline-topics help ${command}`,
      );
    }
  }
  const deadLetter = host.outputs.dead_letter;
  if (deadLetter) host.info(`Send them again with: hotline-topics resend ${deadLetter}`);
  report({ command, outputs: host.outputs, code, json, github, dryRun: inputs.dry_run === 'true', parts }, stdout);
  return code;
}

function usageFailure(
  { stdout, stderr }: Streams,
  message: string,
  json: boolean,
  command: string | undefined,
  github: boolean,
): number {
  const about = command && (COMMANDS as readonly string[]).includes(command) ? ` ${command}` : '';
  stderr(
    fenceFor(github, `error: ${message}\nRun 'hotline-topics help${about}' for the commands, flags and examples.`),
  );
  if (json) stdout(jsonLine({ ok: false, error: message }));
  return 2;
}
