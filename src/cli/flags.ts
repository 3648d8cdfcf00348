/**
 * The flags of `hotline-topics`: one table, read by the parser (command-line.ts) and the help text
 * alike. A flag that sets an action input has that input's name in kebab case (`--user-id` →
 * user_id) and its default from INPUT_DEFAULTS; the keys have no flags at all.
 */
import { JOB_STATUSES, NOTIFY_WHEN, OVERFLOW_MODES, TOPICS_FROM, type InputName } from '../delivery/inputs.js';
import { InputError, TemplateError } from '../errors.js';
import { DeadLetterError } from './dead-letter-file.js';

export const COMMANDS = ['send', 'info', 'resend'] as const;
export type Command = (typeof COMMANDS)[number];

/** Bad usage: exit code 2, with a pointer to the help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Bad usage or bad input, found before any request (a flag, an input, a template, a file): exit code 2. */
export const isUsageError = (error: unknown): boolean =>
  error instanceof UsageError ||
  error instanceof InputError ||
  error instanceof TemplateError ||
  error instanceof DeadLetterError;

export interface FlagSpec {
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
const flag = (
  name: string,
  value: string | undefined,
  commands: readonly Command[],
  help: string,
  own = false,
): FlagSpec => ({
  name,
  ...(value ? { value } : {}),
  help,
  commands,
  ...(own ? {} : { input: name.replace(/-/g, '_') as InputName }),
});

export const FLAGS: readonly FlagSpec[] = [
  {
    ...flag(
      'user-id',
      'ids',
      ['send'],
      'Telegram user id(s), separated by commas or spaces; may be repeated. Each gets the message in the topic of its dialog, duplicates once.',
    ),
    repeat: true,
  },
  flag(
    'topic-link',
    'link',
    ['send', 'info'],
    'A topic link, e.g. https://t.me/c/2101424779/5343. send: instead of --user-id, sends to the user of that topic. info: the topic to look up.',
  ),
  flag(
    'group-id',
    'id',
    ['send', 'info'],
    'The topic by ids instead of --topic-link: the group id (2101424779 in the link above). Needs --topic-id.',
  ),
  flag('topic-id', 'id', ['send', 'info'], 'The topic id (5343 in the link above). Needs --group-id.'),
  flag(
    'topics-from',
    'what',
    ['send'],
    `${TOPICS_FROM.join(' or ')} (GitHub Actions only): also send to the topics linked from the issue or pull request the event is about (issue), or from the issues this change fixes (fixed_issues, read through the GitHub API with GITHUB_TOKEN). Each gets a message of its own; templates see topic and issue.`,
  ),
  flag(
    'notify',
    'when',
    ['send'],
    `${NOTIFY_WHEN.join(', ')}: send on every run, only when --status is failure or cancelled, or only when --status differs from the previous completed run of the workflow on the branch (GitHub Actions only, through the GitHub API with GITHUB_TOKEN).`,
  ),
  flag(
    'message',
    'template',
    ['send'],
    "The message, a Liquid template, e.g. 'Deployed {{ github.ref_name }} {{ run_url }}'. Outside GitHub Actions --message or --message-file is required.",
  ),
  flag(
    'message-file',
    'path',
    ['send'],
    'A template file instead of --message, relative to the current folder. {% include %} reads from its folder only.',
  ),
  flag(
    'vars',
    'yaml',
    ['send'],
    'A YAML or JSON mapping, seen by templates as vars: \'version: 1.2.3\' or \'{"env": "prod"}\'.',
  ),
  flag(
    'strict-template',
    undefined,
    ['send'],
    'Fail, before sending, when the template prints an object or a list, or a name that is not defined (otherwise a warning).',
  ),
  flag(
    'status',
    'status',
    ['send'],
    `The job's status, seen by templates as status: ${JOB_STATUSES.join(', ')}. On GitLab CI it defaults to CI_JOB_STATUS.`,
  ),
  flag('max-length', 'n', ['send'], 'Longest message sent, in UTF-16 code units (what Telegram counts), 1 to 4096.'),
  flag(
    'overflow',
    'mode',
    ['send'],
    `A longer message: ${OVERFLOW_MODES.join(', ')} (truncate cuts it and ends it with "…"; split sends up to 20 numbered parts; error refuses it).`,
  ),
  flag('concurrency', 'n', ['send', 'resend'], 'How many recipients are sent to at once, 1 to 20.'),
  flag(
    'rate-limit',
    'n',
    ['send', 'resend'],
    'At most this many API calls a minute, across recipients and retries, 1 to 6000.',
  ),
  flag('timeout', 'seconds', ALL, 'Seconds for one attempt (connect, send, read the answer).'),
  flag(
    'retries',
    'n',
    ALL,
    'Retries after the first attempt, for network errors, timeouts, 408, 425, 429, 5xx (0 to 10).',
  ),
  flag(
    'endpoint',
    'url',
    ALL,
    'The Topics API URL; https:// (http:// only for localhost). resend never takes it from the file.',
  ),
  flag('dry-run', undefined, ALL, 'Validate and render, print what would be sent; send nothing, need no keys.'),
  flag(
    'no-fail-on-error',
    undefined,
    ['send', 'info'],
    'A failure is a warning and exit code 0 (--json: ok is false and error says why).',
    true,
  ),
  flag(
    'dead-letter-dir',
    'dir',
    ['send', 'resend'],
    'Where a dead-letter file (what could not be delivered) is written. Default: RUNNER_TEMP, else the system temp folder.',
    true,
  ),
  flag(
    'json',
    undefined,
    ALL,
    'stdout gets exactly one JSON object: the outputs (topic_link, results, message, …) plus ok and error.',
    true,
  ),
  flag(
    'debug',
    undefined,
    ALL,
    'Debug lines and stack traces on stderr (also RUNNER_DEBUG=1). Keys are never printed.',
    true,
  ),
  flag('help', undefined, ALL, 'This help.', true),
];
