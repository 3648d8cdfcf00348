/**
 * Runs the bundled action the way the GitHub runner does: a child `node dist/index.js` with
 * `INPUT_*` variables (action.yml's defaults filled in, as the runner fills them), `GITHUB_OUTPUT`,
 * `GITHUB_STEP_SUMMARY`, `GITHUB_EVENT_PATH` and a workspace, then reads what it wrote.
 * Erasable TypeScript with no relative imports: scripts/demo.mjs imports it under plain Node 24.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist', 'index.js');

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

let actionYml: { text: string; parsed: ActionYml } | undefined;

/** action.yml, parsed (again only when the file changed). */
export function readActionYml(): ActionYml {
  const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  if (actionYml?.text !== text) actionYml = { text, parsed: parse(text) as ActionYml };
  return actionYml.parsed;
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
  notices: string[];
  /** The values the runner would register as secrets (`::add-mask::` it obeys). */
  masks: string[];
  workspace: string;
  /** The text of the file the dead_letter output names, read before the run's folders are removed. */
  deadLetter?: string;
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

/**
 * A model of how the GitHub runner (actions/runner, ActionCommandManager) reads a step's output, line
 * by line (a line ends at \n, \r or \r\n):
 * - the current form `::cmd props::data` after any leading white space as .NET's String.TrimStart()
 *   sees it (char.IsWhiteSpace: also U+0085 NEL, U+00A0, U+2028…, which JavaScript's `\s` partly misses);
 * - else the legacy form `##[cmd props]data` **anywhere** in the line (ActionCommand.TryParse);
 * - only registered command names count, and after `stop-commands` only its token resumes.
 */
export interface RunnerCommand {
  command: string;
  /** The text after the name, before `::` or `]`: `name=error` in `::set-output name=error::`. */
  properties: string;
  data: string;
  /** Which form the runner recognised. */
  form: 'current' | 'legacy';
  line: string;
  /** The line's index in the output. */
  index: number;
}

const REGISTERED_COMMANDS = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'internal-set-repo-path',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
];
const DOTNET_WHITE_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
const unescape = (s: string): string => s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
const unescapeLegacy = (s: string): string =>
  s.replace(/%3B/g, ';').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%5D/g, ']').replace(/%25/g, '%');

function parseCommand(line: string, index: number, registered: Set<string>): RunnerCommand | undefined {
  const trimmed = line.replace(DOTNET_WHITE_SPACE, '');
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end > 2) {
      const info = trimmed.slice(2, end);
      const space = info.indexOf(' ');
      const command = space < 0 ? info : info.slice(0, space);
      if (registered.has(command.toLowerCase())) {
        return {
          command: command.toLowerCase(),
          properties: space < 0 ? '' : info.slice(space + 1),
          data: unescape(trimmed.slice(end + 2)),
          form: 'current',
          line,
          index,
        };
      }
    }
  }
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const close = line.indexOf(']', prefix);
  if (close < 0) return undefined;
  const info = line.slice(prefix + 3, close);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered.has(command.toLowerCase())) return undefined;
  return {
    command: command.toLowerCase(),
    properties: space < 0 ? '' : info.slice(space + 1),
    data: unescapeLegacy(line.slice(close + 1)),
    form: 'legacy',
    line,
    index,
  };
}

/** Every workflow command the runner would obey in this output, in order (fence commands included). */
export function obeyedCommands(output: string): RunnerCommand[] {
  const registered = new Set(REGISTERED_COMMANDS);
  let stopToken: string | undefined;
  const obeyed: RunnerCommand[] = [];
  for (const [index, line] of output.split(/\r\n|\r|\n/).entries()) {
    const command = parseCommand(line, index, registered);
    if (!command) continue;
    if (stopToken !== undefined) {
      if (command.command !== stopToken) continue;
      registered.delete(stopToken);
      stopToken = undefined;
    } else if (command.command === 'stop-commands') {
      stopToken = command.data.toLowerCase();
      registered.add(stopToken);
    }
    obeyed.push(command);
  }
  return obeyed;
}

/** The data of each obeyed `::<command>::`. */
function commands(stdout: string, command: string): string[] {
  return obeyedCommands(stdout)
    .filter((c) => c.command === command)
    .map((c) => c.data);
}

/** The commands a run of the action may make the runner obey; anything else was smuggled in. */
export const OWN_COMMANDS: ReadonlySet<string> = new Set([
  'add-mask',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'stop-commands',
]);

/**
 * The commands in this output the action did not mean: a command outside OWN_COMMANDS (including a
 * fence's resume token that no fence opened), anything in the legacy `##[` form, and a fence left open.
 */
export function smuggledCommands(output: string): RunnerCommand[] {
  const obeyed = obeyedCommands(output);
  const smuggled: RunnerCommand[] = [];
  let open: string | undefined;
  for (const c of obeyed) {
    if (c.form === 'legacy') smuggled.push(c);
    else if (c.command === 'stop-commands') open = c.data.toLowerCase();
    else if (open !== undefined && c.command === open) open = undefined;
    else if (!OWN_COMMANDS.has(c.command)) smuggled.push(c);
  }
  if (open !== undefined)
    smuggled.push({
      command: 'stop-commands',
      properties: '',
      data: `${open} (never resumed)`,
      form: 'current',
      line: '',
      index: -1,
    });
  return smuggled;
}

/** The log as a person reads it in GitHub's UI: processed commands hidden, groups and annotations shown. */
export function logAsShown(output: string): string {
  const byLine = new Map(obeyedCommands(output).map((c) => [c.index, c] as const));
  const shown: string[] = [];
  for (const [index, line] of output.split(/\r\n|\r|\n/).entries()) {
    const c = byLine.get(index);
    if (!c) shown.push(line);
    else if (c.command === 'group') shown.push(`▸ ${c.data}`);
    else if (['error', 'warning', 'notice'].includes(c.command))
      shown.push(`${c.command[0]!.toUpperCase()}${c.command.slice(1)}: ${c.data}`);
  }
  return shown.join('\n');
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
    // An expression default (`${{ github.token }}`) is the runner's to fill in: here it gives none.
    if (spec.default !== undefined && !String(spec.default).startsWith('${{'))
      env[`INPUT_${name.toUpperCase()}`] = String(spec.default);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[`INPUT_${name.toUpperCase()}`] = value;
  return { ...env, ...options.env };
}

/** What ran the action: its exit code and what it wrote to stdout and stderr. */
export interface Execution {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Sets up what a runner gives a step (a workspace with `files`, RUNNER_TEMP, the event file, empty
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the environment), has `execute` run the action in it,
 * then reads back what it wrote, and removes it all.
 */
export async function inRunner(
  options: RunActionOptions,
  execute: (env: Record<string, string>, workspace: string) => Promise<Execution>,
): Promise<ActionRun> {
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
    const { code, stdout, stderr } = await execute(env, workspace);
    const outputs = parseOutputFile(readFileSync(env.GITHUB_OUTPUT as string, 'utf8'));
    return {
      code,
      stdout,
      stderr,
      outputs,
      summary: readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8'),
      log: stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
      errors: commands(stdout, 'error'),
      warnings: commands(stdout, 'warning'),
      notices: commands(stdout, 'notice'),
      masks: commands(stdout, 'add-mask'),
      workspace,
      ...(outputs.dead_letter && existsSync(outputs.dead_letter)
        ? { deadLetter: readFileSync(outputs.dead_letter, 'utf8') }
        : {}),
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs the bundled action, `node dist/index.js`, as the runner does. */
export async function runAction(options: RunActionOptions = {}): Promise<ActionRun> {
  return inRunner(
    options,
    (env, workspace) =>
      new Promise<Execution>((done) => {
        execFile(
          process.execPath,
          [DIST],
          { env, cwd: workspace, timeout: options.killAfterMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) =>
            done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        );
      }),
  );
}
