/**
 * Settings: the raw inputs → one zod schema → `Settings`, every problem reported at once in one
 * InputError, each naming its input, before any request is made.
 */
import { z } from 'zod';
import { InputError, type InputProblem } from '../errors.js';
import { MIN_SPLIT_LENGTH } from '../message/split.js';
import { TOPIC_LINK_FORM, type TopicRef } from '../topics/links.js';
import {
  booleanInput,
  endpointInput,
  groupIdInput,
  keyInput,
  oneOf,
  oneOfOrNone,
  optional,
  secondsInput,
  statusInput,
  topicIdInput,
  topicLinkInput,
  userIdsInput,
  wholeNumber,
} from './input-forms.js';
import {
  API_ACTIONS,
  ENV_FALLBACKS,
  NOTIFY_WHEN,
  OVERFLOW_MODES,
  TELEGRAM_LIMIT,
  TOPICS_FROM,
  type RawInputs,
} from './inputs.js';

export const settingsSchema = z.object({
  x_api_key: keyInput('the owner access token', /^[\x20-\x7e]*$/, 'printable ASCII without line breaks'),
  instance: z.string(),
  api_key: keyInput('the connection api_key', /^\P{Cc}*$/u, 'text without line breaks or control characters'),
  endpoint: endpointInput,
  action: oneOf(API_ACTIONS),
  user_id: userIdsInput,
  topics_from: oneOfOrNone(TOPICS_FROM),
  /** Checked only for being there when needed (below); a token is GitHub's to judge. */
  github_token: z.string(),
  notify: oneOf(NOTIFY_WHEN),
  topic_link: topicLinkInput,
  group_id: groupIdInput,
  topic_id: topicIdInput,
  message: optional,
  message_file: optional,
  /** Parsed (YAML) by vars.ts, which loads its parser only when there is something to parse. */
  vars: optional,
  strict_template: booleanInput,
  status: statusInput,
  max_length: wholeNumber(1, TELEGRAM_LIMIT, 'the longest message in UTF-16 code units'),
  overflow: oneOf(OVERFLOW_MODES),
  concurrency: wholeNumber(1, 20, 'how many recipients are sent to at once'),
  rate_limit: wholeNumber(1, 6000, 'the most API calls a minute'),
  timeout: secondsInput,
  retries: wholeNumber(0, 10, 'how many retries after the first attempt'),
  dry_run: booleanInput,
  fail_on_error: booleanInput,
});

/**
 * The inputs, checked: `user_id` is the de-duplicated list of ids; `topic` is the topic named by
 * `topic_link` or by `group_id` and `topic_id`; `timeoutMs` is `timeout` in milliseconds.
 */
export type Settings = Omit<z.output<typeof settingsSchema>, 'timeout'> & {
  timeoutMs: number;
  topic: TopicRef | undefined;
};

/** Whether failures should fail the step; read on its own so even bad input knows how to fail. */
export function readFailOnError(raw: RawInputs): boolean {
  const parsed = booleanInput.safeParse(raw.fail_on_error);
  return parsed.success ? parsed.data : true;
}

/**
 * Validates every input at once; throws one InputError naming each input at fault. With
 * `recipients: 'elsewhere'` (a re-send, whose recipients are in its file) no recipient is required.
 */
export function parseSettings(
  raw: RawInputs,
  options: { recipients: 'inputs' | 'elsewhere' } = { recipients: 'inputs' },
): Settings {
  const parsed = settingsSchema.safeParse(raw);
  const problems: InputProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ input: String(issue.path[0] ?? 'inputs'), problem: issue.message }));

  // What is missing is judged on the raw strings, so it is reported together with what is malformed.
  const dryRun = booleanInput.safeParse(raw.dry_run);
  if (!(dryRun.success && dryRun.data)) {
    for (const name of ['x_api_key', 'instance', 'api_key'] as const) {
      if (!raw[name]) {
        problems.push({
          input: name,
          problem: `required (or set the ${ENV_FALLBACKS[name]} environment variable, e.g. from a secret)`,
        });
      }
    }
  }
  if (options.recipients === 'inputs') problems.push(...recipientProblems(raw));
  problems.push(...gitHubProblems(raw, parsed.success ? parsed.data : undefined));
  if (raw.message && raw.message_file) {
    problems.push({ input: 'message', problem: "give either 'message' or 'message_file', not both" });
  }
  if (parsed.success && parsed.data.overflow === 'split' && parsed.data.max_length < MIN_SPLIT_LENGTH) {
    problems.push({
      input: 'max_length',
      problem: `expected at least ${MIN_SPLIT_LENGTH} with overflow 'split' (room for the part number and some text); got '${raw.max_length}'`,
    });
  }
  if (problems.length > 0 || !parsed.success) throw new InputError(problems);
  const { timeout, ...settings } = parsed.data;
  const { topic_link, group_id, topic_id } = settings;
  const topic = topic_link ?? (group_id !== undefined && topic_id !== undefined ? { group_id, topic_id } : undefined);
  return { ...settings, timeoutMs: timeout, topic };
}

/**
 * What `notify` and `topics_from` need: the job's status to compare, and a token for the GitHub API
 * (judged on the checked values, so a malformed one is reported once, by its own check).
 */
function gitHubProblems(raw: RawInputs, settings: z.output<typeof settingsSchema> | undefined): InputProblem[] {
  if (!settings) return [];
  const problems: InputProblem[] = [];
  if (settings.notify !== 'always' && settings.status === undefined) {
    problems.push({
      input: 'status',
      problem: `required with notify '${settings.notify}', which compares the job's status: status: \${{ job.status }}`,
    });
  }
  const callsGitHub = [
    settings.topics_from === 'fixed_issues' ? 'topics_from fixed_issues' : undefined,
    settings.notify === 'change' && !settings.dry_run ? 'notify change' : undefined,
  ].filter(Boolean);
  if (callsGitHub.length > 0 && !raw.github_token) {
    problems.push({
      input: 'github_token',
      problem: `required with ${callsGitHub.join(' and ')}, which read${callsGitHub.length > 1 ? '' : 's'} the GitHub API: its default, \${{ github.token }}, is empty here (or set the ${ENV_FALLBACKS.github_token} environment variable)`,
    });
  }
  return problems;
}

/**
 * Who the call is about: user ids, or one topic (by link, or by its two ids), as `action` needs;
 * `topics_from` finds more (or all) of them.
 */
function recipientProblems(raw: RawInputs): InputProblem[] {
  const problems: InputProblem[] = [];
  const hasUsers = raw.user_id.replace(/[\s,]+/g, '') !== '';
  const byIds = raw.group_id !== '' || raw.topic_id !== '';
  const hasTopic = raw.topic_link !== '' || byIds;
  if (raw.topic_link && byIds) {
    problems.push({ input: 'topic_link', problem: 'give topic_link, or group_id and topic_id, not both' });
  } else if (byIds && !(raw.group_id && raw.topic_id)) {
    const missing = raw.group_id ? 'topic_id' : 'group_id';
    problems.push({
      input: missing,
      problem: `required with ${missing === 'topic_id' ? 'group_id' : 'topic_id'}: a topic is named by both (or by topic_link)`,
    });
  }
  if (raw.action.toLowerCase() === 'info_by_topic') {
    if (!hasTopic)
      problems.push({
        input: 'topic_link',
        problem: `required for action info_by_topic: ${TOPIC_LINK_FORM} (or group_id and topic_id)`,
      });
    for (const name of ['user_id', 'topics_from'] as const) {
      if (name === 'user_id' ? hasUsers : raw.topics_from)
        problems.push({
          input: name,
          problem:
            'not used by action info_by_topic, which looks a topic up: remove it, or set action to incoming_in_topic',
        });
    }
    for (const name of ['message', 'message_file'] as const) {
      if (raw[name])
        problems.push({
          input: name,
          problem:
            'not used by action info_by_topic, which sends nothing: remove it, or set action to incoming_in_topic',
        });
    }
  } else if (hasUsers && hasTopic) {
    problems.push({
      input: 'user_id',
      problem: 'give user_id, or topic_link (the action then sends to the user of that topic), not both',
    });
  } else if (!hasUsers && !hasTopic && !raw.topics_from) {
    problems.push({
      input: 'user_id',
      problem: `required: a Telegram user id, or several separated by commas, spaces or newlines; or instead ${TOPIC_LINK_FORM} in topic_link, or topics_from`,
    });
  }
  return problems;
}
