/**
 * The command line of `hotline-topics`: its flags (one table, read by the parser and the help text
 * alike), the parser, the help, and the reading of the dead-letter file `resend` takes. A flag that
 * sets an action input has that input's name in kebab case (`--user-id` → user_id) and its default
 * from INPUT_DEFAULTS; the keys have no flags at all.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe } from './errors.js';
import { ENV_FALLBACKS, INPUT_DEFAULTS, JOB_STATUSES, OVERFLOW_MODES, TELEGRAM_LIMIT, type InputName } from './inputs.js';
import { parseTopicLink, TOPIC_LINK_FORM } from './links.js';

export const COMMANDS = ['send', 'info', 'resend'] as const;
export type Command = (typeof COMMANDS)[number];

/** Bad usage: exit code 2, with a pointer to the help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface FlagSpec {
  name: string;
  /** What the value is, for the help; none for a switch. */
  value?: string;
  help: string;
  commands: readonly Command[];
  /** The action input it sets; else the flag is the CLI's own. */
  input?: InputName;
  /** May be given several times (the values are joined with commas). */
  repeat?: boolean;
}

const ALL = COMMANDS;
const flag = (name: string, value: string | undefined, commands: readonly Command[], help: string, own = false): FlagSpec => ({
  name,
  ...(value ? { value } : {}),
  help,
  commands,
  ...(own ? {} : { input: name.replace(/-/g, '_') as InputName }),
});

export const FLAGS: readonly FlagSpec[] = [
  { ...flag('user-id', 'ids', ['send'], 'Telegram user id(s), separated by commas or spaces; may be repeated. Each gets the message in the topic of its dialog, duplicates once.'), repeat: true },
  flag('topic-link', 'link', ['send', 'info'], 'A topic link, e.g. https://t.me/c/2101424779/5343. send: instead of --user-id, sends to the user of that topic. info: the topic to look up.'),
  flag('group-id', 'id', ['send', 'info'], 'The topic by ids instead of --topic-link: the group id (2101424779 in the link above). Needs --topic-id.'),
  flag('topic-id', 'id', ['send', 'info'], 'The topic id (5343 in the link above). Needs --group-id.'),
  flag('message', 'template', ['send'], "The message, a Liquid template, e.g. 'Deployed {{ github.ref_name }} {{ run_url }}'. Outside GitHub Actions --message or --message-file is required."),
  flag('message-file', 'path', ['send'], 'A template file instead of --message, relative to the current folder. {% include %} reads from its folder only.'),
  flag('vars', 'yaml', ['send'], "A YAML or JSON mapping, seen by templates as vars: 'version: 1.2.3' or '{\"env\": \"prod\"}'."),
  flag('strict-template', undefined, ['send'], 'Fail, before sending, when the template prints an object or a list, or a name that is not defined (otherwise a warning).'),
  flag('status', 'status', ['send'], `The job's status, seen by templates as status: ${JOB_STATUSES.join(', ')}. On GitLab CI it defaults to CI_JOB_STATUS.`),
  flag('max-length', 'n', ['send'], 'Longest message sent, in UTF-16 code units (what Telegram counts), 1 to 4096.'),
  flag('overflow', 'mode', ['send'], `A longer message: ${OVERFLOW_MODES.join(', ')} (truncate cuts it and ends it with "…"; split sends up to 20 numbered parts; error refuses it).`),
  flag('concurrency', 'n', ['send', 'resend'], 'How many recipients are sent to at once, 1 to 20.'),
  flag('rate-limit', 'n', ['send', 'resend'], 'At most this many API calls a minute, across recipients and retries, 1 to 6000.'),
  flag('timeout', 'seconds', ALL, 'Seconds for one attempt (connect, send, read the answer).'),
  flag('retries', 'n', ALL, 'Retries after the first attempt, for network errors, timeouts, 408, 425, 429, 5xx (0 to 10).'),
  flag('endpoint', 'url', ALL, 'The Topics API URL; https:// (http:// only for localhost). resend never takes it from the file.'),
  flag('dry-run', undefined, ALL, 'Validate and render, print what would be sent; send nothing, need no keys.'),
  flag('no-fail-on-error', undefined, ['send', 'info'], 'A failure is a warning and exit code 0 (--json: ok is false and error says why).', true),
  flag('dead-letter-dir', 'dir', ['send', 'resend'], 'Where a dead-letter file (what could not be delivered) is written. Default: RUNNER_TEMP, else the system temp folder.', true),
  flag('json', undefined, ALL, 'stdout gets exactly one JSON object: the outputs (topic_link, results, message, …) plus ok and error.', true),
  flag('debug', undefined, ALL, 'Debug lines and stack traces on stderr (also RUNNER_DEBUG=1). Keys are never printed.', true),
  flag('help', undefined, ALL, 'This help.', true),
];

export type ParsedLine =
  | { kind: 'help'; command?: Command }
  | { kind: 'version' }
  | { kind: 'run'; command: Command; inputs: Partial<Record<InputName, string>>; file?: string; json: boolean; debug: boolean; deadLetterDir?: string };

export function parseCommandLine(argv: readonly string[]): ParsedLine {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('a command is required: send, info or resend');
  if (first === '--help' || first === '-h') return { kind: 'help' };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (first === 'help') {
    const about = rest[0];
    if (about === undefined) return { kind: 'help' };
    if (!isCommand(about)) throw new UsageError(`unknown command '${about}': the commands are ${COMMANDS.join(', ')}`);
    return { kind: 'help', command: about };
  }
  if (!isCommand(first)) throw new UsageError(`unknown command '${first}': the commands are ${COMMANDS.join(', ')}`);
  const command = first;
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--') {
      positional.push(...rest.slice(i + 1));
      break;
    }
    if (arg === '-h') return { kind: 'help', command };
    if (!arg.startsWith('--') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = FLAGS.find((f) => f.name === name);
    if (!spec || !spec.commands.includes(command)) throw new UsageError(unknownFlag(name, command, spec !== undefined));
    if (spec.name === 'help') return { kind: 'help', command };
    let value: string;
    if (!spec.value) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      value = 'true';
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = rest[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value (<${spec.value}>)${next ? `; for a value that starts with --, write --${name}=${next}` : ''}`);
      value = next;
    }
    if (values.has(name) && !spec.repeat) throw new UsageError(`--${name} is given twice`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }

  const inputs: Partial<Record<InputName, string>> = {};
  for (const spec of FLAGS) {
    const given = values.get(spec.name);
    if (given && spec.input) inputs[spec.input] = given.join(',');
  }
  if (values.has('no-fail-on-error')) inputs.fail_on_error = 'false';
  if (command === 'resend') {
    if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'resend needs the dead-letter file: hotline-topics resend <file>' : `resend takes one dead-letter file; got ${positional.length} arguments`);
  } else if (positional.length > 0) {
    throw new UsageError(`unexpected argument '${positional[0]}' (${command} takes flags only; quote a value that has spaces)`);
  }
  return {
    kind: 'run',
    command,
    inputs,
    ...(command === 'resend' ? { file: positional[0] } : {}),
    json: values.has('json'),
    debug: values.has('debug'),
    ...(values.has('dead-letter-dir') ? { deadLetterDir: values.get('dead-letter-dir')?.at(-1) } : {}),
  };
}

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

function unknownFlag(name: string, command: Command, elsewhere: boolean): string {
  if (elsewhere) return `--${name} is not a flag of ${command}`;
  if (/^(x-api-key|api-key|instance)$/.test(name)) {
    return `there is no --${name}: the keys come from the environment only (HOTLINE_X_API_KEY, HOTLINE_INSTANCE, HOTLINE_API_KEY), so they stay out of ps and shell history`;
  }
  const near = FLAGS.filter((f) => f.commands.includes(command)).find((f) => distance(f.name, name) <= 2);
  return `unknown flag --${name}${near ? ` (did you mean --${near.name}?)` : ''}`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] as number;
}

// ---- the dead-letter file resend takes (dead-letter.ts writes it) ----------------------------------

const entrySchema = z
  .object({
    user_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    topic_link: z.string().refine((link) => parseTopicLink(link).ok, `expected ${TOPIC_LINK_FORM}`).optional(),
    message: z.string().min(1, 'expected the text to send').max(TELEGRAM_LIMIT, `expected at most ${TELEGRAM_LIMIT} characters`),
    part: z.number().int().positive().optional(),
    parts: z.number().int().positive().optional(),
    error: z.string().optional(),
  })
  .refine((e) => (e.user_id === undefined) !== (e.topic_link === undefined), 'expected either user_id or topic_link');
const letterSchema = z.object({
  version: z.literal(1, 'expected version 1'),
  action: z.literal('incoming_in_topic').optional(),
  endpoint: z.string().optional(),
  repository: z.string().optional(),
  run_url: z.string().optional(),
  undelivered: z.array(entrySchema),
});
export type LetterEntry = z.output<typeof entrySchema>;

/** The dead-letter file `resend` takes, validated: a UsageError (exit 2) says what is wrong with it. */
export function readDeadLetter(file: string, cliVersion: string): z.output<typeof letterSchema> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(error instanceof SyntaxError ? `'${file}' is not a dead-letter file: it is not JSON` : `the dead-letter file '${file}' cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? describe(error))})`);
  }
  // Only a file with the list of undelivered messages is a dead letter at all (a package.json has a version too).
  const letter = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  if (!Array.isArray(letter?.undelivered)) {
    throw new UsageError(`'${file}' is not a dead-letter file: it has no "undelivered" list (send and resend write one when delivery finally fails)`);
  }
  if (letter.version !== undefined && letter.version !== 1) {
    throw new UsageError(`'${file}' is a dead letter of version ${JSON.stringify(letter.version)}; this hotline-topics ${cliVersion} reads version 1`);
  }
  const parsed = letterSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = (path: PropertyKey[]): string => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || 'the file';
  const problems = parsed.error.issues.slice(0, 3).map((issue) => `${where(issue.path)}: ${issue.message}`);
  throw new UsageError(`'${file}' is not a dead-letter file (version 1, as send and resend write it): ${problems.join('; ')}`);
}

// ---- help ------------------------------------------------------------------------------------

const WIDTH = 100;

function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

function flagHelp(spec: FlagSpec, showCommands: boolean): string {
  const fallback = spec.value && spec.input && INPUT_DEFAULTS[spec.input] ? ` Default: ${INPUT_DEFAULTS[spec.input]}.` : '';
  const head = `  --${spec.name}${spec.value ? ` <${spec.value}>` : ''}${showCommands && spec.commands.length < COMMANDS.length ? `   (${spec.commands.join(', ')})` : ''}`;
  return `${head}\n${wrap(spec.help + fallback, '      ')}`;
}

const USAGE: Record<Command, string> = {
  send: 'hotline-topics send (--user-id <ids> | --topic-link <link> | --group-id <id> --topic-id <id>)\n                      (--message <template> | --message-file <path>) [flags]',
  info: 'hotline-topics info (--topic-link <link> | --group-id <id> --topic-id <id>) [flags]',
  resend: 'hotline-topics resend <dead-letter file> [flags]',
};

const ABOUT: Record<Command, string> = {
  send: 'Render a message template (Liquid) and send it into the topic of each user (API action incoming_in_topic). stdout: the topic link(s) it went to (with --dry-run: the message).',
  info: "Look a topic up (API action info_by_topic). stdout: the topic's details.",
  resend: 'Send again the messages a dead-letter file holds (written by a send or resend that failed), exactly as they were rendered, each to its user (or to the user of its topic), in order. stdout: one line per message. What fails again goes into a new dead-letter file.',
};

const EXAMPLES: Record<Command, string[]> = {
  send: [
    "hotline-topics send --user-id 123456789 --message 'Deployed {{ github.ref_name }} ({{ short_sha }}) {{ run_url }}'",
    "hotline-topics send --user-id 1,2,3 --message-file release.liquid --vars 'version: 1.4.2' --overflow split",
    "hotline-topics send --topic-link https://t.me/c/2101424779/5343 --message 'Hello' --json",
  ],
  info: ['hotline-topics info --topic-link https://t.me/c/2101424779/5343', 'hotline-topics info --group-id 2101424779 --topic-id 5343 --json'],
  resend: ['hotline-topics resend /tmp/hotline-undelivered-local-1a2b3c4d.json', 'hotline-topics resend undelivered.json --dry-run'],
};

const ENVIRONMENT = `Environment:
  ${ENV_FALLBACKS.x_api_key}   owner access token (the X-API-KEY header)
  ${ENV_FALLBACKS.instance}    connection instance id
  ${ENV_FALLBACKS.api_key}     connection api_key
    The three are required unless --dry-run, and read from the environment only: a flag's value
    would show in ps and in shell history. They are never printed; whatever the server sends back
    is redacted.
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY   a proxy for the API calls
  RUNNER_TEMP                         the folder for dead-letter files (unless --dead-letter-dir)
  GITHUB_*, GitLab CI (GITLAB_CI, CI_*), Jenkins (JENKINS_URL, BUILD_*, GIT_*, CHANGE_*)
    the template context: github.repository, github.sha, github.ref_name, run_url, commit_url, …
    GitLab's and Jenkins' variables are mapped onto the GitHub names (see docs/cli.md).`;

const OUTPUT = `Output:
  stderr  what happens: the message, one audit line per API call, notices, warnings, the error.
  stdout  a short result (see each command); with --json exactly one JSON object instead:
          the action's outputs (topic_link, chat_id, thread_id, message, truncated, results as an
          array, dead_letter, topic_info as an object, …) plus ok (true or false) and error.`;

const EXIT_CODES = `Exit codes:
  0  success (also a failure with --no-fail-on-error, reported as a warning)
  1  the API or the delivery failed (after the retries); what was not delivered is kept in a
     dead-letter file (stderr and dead_letter name it) for hotline-topics resend
  2  bad usage or bad input, before any request: unknown command or flag, missing argument, an
     input refused (error: Input 'user_id': …), a template error, not a dead-letter file`;

export function helpText(version: string, command?: Command): string {
  const commands = command ? [command] : COMMANDS;
  const parts = command
    ? [`hotline-topics ${command}: ${ABOUT[command]}`, `Usage:\n  ${USAGE[command]}`]
    : [
        `hotline-topics ${version}: post messages into customers' Telegram topics through the Hotline CRM Topics API.\nThe command line of the GitHub Action "Hotline CRM Topics": the same inputs, templates, retries and redaction.`,
        `Usage:\n${COMMANDS.map((c) => `  ${USAGE[c]}`).join('\n')}\n  hotline-topics help [<command>]\n  hotline-topics --version`,
        `Commands:\n${COMMANDS.map((c) => `  ${c}\n${wrap(ABOUT[c], '      ')}`).join('\n')}`,
      ];
  const flags = FLAGS.filter((f) => commands.some((c) => f.commands.includes(c)));
  parts.push(
    `Flags${command ? '' : ' (in parentheses: the commands a flag belongs to, when not all)'}:\n${flags.map((f) => flagHelp(f, !command)).join('\n')}`,
    ENVIRONMENT,
    OUTPUT,
    EXIT_CODES,
    `Examples:\n  export HOTLINE_X_API_KEY=… HOTLINE_INSTANCE=… HOTLINE_API_KEY=…\n${commands.flatMap((c) => EXAMPLES[c]).map((e) => `  npx ${e}`).join('\n')}`,
  );
  return `${parts.join('\n\n')}\n`;
}
