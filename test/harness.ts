/**
 * Runs the bundled action the way the GitHub runner does: a child `node dist/index.js` with
 * `INPUT_*` variables (action.yml's defaults filled in, as the runner fills them), `GITHUB_OUTPUT`,
 * `GITHUB_STEP_SUMMARY`, `GITHUB_EVENT_PATH` and a workspace, then reads what it wrote.
 * Erasable TypeScript with no relative imports: scripts/demo.mjs imports it under plain Node 24.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist', 'index.js');

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

export function readActionYml(): ActionYml {
  return parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
}

export interface RunActionOptions {
  /** Inputs by their action.yml names; '' is passed as the runner passes an empty `with:` value. */
  inputs?: Record<string, string>;
  /** Extra environment (HOTLINE_*, RUNNER_DEBUG, GITHUB_* overrides). */
  env?: Record<string, string>;
  /** The triggering event: its name and the payload written to GITHUB_EVENT_PATH. */
  event?: { name: string; payload: unknown };
  /** Files to create in the workspace, by relative path. */
  files?: Record<string, string>;
  /** Milliseconds before the child is killed (a test safety net, not an assertion). */
  killAfterMs?: number;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** stdout without the `::add-mask::` lines, which only the runner reads (it hides their values). */
  log: string;
  /** The `::error::` lines, unescaped. */
  errors: string[];
  warnings: string[];
  /** The values the runner would register as secrets (`::add-mask::` it obeys). */
  masks: string[];
  workspace: string;
}

/** Parses the GITHUB_OUTPUT file format (`name<<delimiter` … `delimiter`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name as string] = value.join('\n');
  }
  return outputs;
}

const unescape = (s: string): string => s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');

/** The workflow commands the runner would obey, honouring `::stop-commands::<token>` … `::<token>::`. */
function commands(stdout: string, command: string): string[] {
  const prefix = `::${command}::`;
  const found: string[] = [];
  let stoppedUntil: string | undefined;
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (stoppedUntil !== undefined) {
      if (trimmed === stoppedUntil) stoppedUntil = undefined;
      continue;
    }
    if (trimmed.startsWith('::stop-commands::')) stoppedUntil = `::${trimmed.slice('::stop-commands::'.length)}::`;
    else if (trimmed.startsWith(prefix)) found.push(unescape(trimmed.slice(prefix.length)));
  }
  return found;
}

/** The environment a runner gives a step, without anything from this machine but PATH. */
export function runnerEnv(workspace: string, options: RunActionOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: workspace,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: join(workspace, '..', 'output'),
    GITHUB_STEP_SUMMARY: join(workspace, '..', 'summary'),
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_SHA: '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_ACTOR: 'octocat',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'Deploy',
    GITHUB_JOB: 'deploy',
    GITHUB_RUN_ID: '9876543210',
    GITHUB_RUN_NUMBER: '57',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: options.event?.name ?? 'workflow_dispatch',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 2',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: join(workspace, '..', 'runner-temp'),
  };
  const event = join(workspace, '..', 'event.json');
  writeFileSync(event, JSON.stringify(options.event?.payload ?? {}));
  env.GITHUB_EVENT_PATH = event;
  // The runner passes every input that has a default in action.yml, then the step's `with:`.
  for (const [name, spec] of Object.entries(readActionYml().inputs)) {
    if (spec.default !== undefined) env[`INPUT_${name.toUpperCase()}`] = String(spec.default);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[`INPUT_${name.toUpperCase()}`] = value;
  return { ...env, ...options.env };
}

export async function runAction(options: RunActionOptions = {}): Promise<ActionRun> {
  const home = mkdtempSync(join(tmpdir(), 'hotline-action-'));
  const workspace = join(home, 'workspace');
  mkdirSync(workspace);
  mkdirSync(join(home, 'runner-temp'));
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  const env = runnerEnv(workspace, options);
  writeFileSync(env.GITHUB_OUTPUT as string, '');
  writeFileSync(env.GITHUB_STEP_SUMMARY as string, '');
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [DIST],
        { env, cwd: workspace, timeout: options.killAfterMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(env.GITHUB_OUTPUT as string, 'utf8')),
      summary: readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8'),
      log: stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n'),
      errors: commands(stdout, 'error'),
      warnings: commands(stdout, 'warning'),
      masks: commands(stdout, 'add-mask'),
      workspace,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
