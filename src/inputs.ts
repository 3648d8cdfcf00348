/**
 * Inputs: raw strings → secrets masked at once → one zod schema → `Settings`.
 * The names and defaults here are the ones in action.yml (a test holds them together).
 */
import { z } from 'zod';
import { InputError, type InputProblem } from './errors.js';
import { groupIdProblem, parseTopicLink, TOPIC_LINK_FORM, topicIdProblem, type TopicRef } from './links.js';
import { MIN_SPLIT_LENGTH } from './split.js';

export const DEFAULT_ENDPOINT = 'https://n8n.production.hotline.tg/webhook/topic_action';
/** What Telegram accepts in one message, in UTF-16 code units. */
export const TELEGRAM_LIMIT = 4096;

/** Every input the action reads, with the default action.yml declares ('' = none). */
export const INPUT_DEFAULTS = {
  x_api_key: '',
  instance: '',
  api_key: '',
  endpoint: DEFAULT_ENDPOINT,
  action: 'incoming_in_topic',
  user_id: '',
  topic_link: '',
  group_id: '',
  topic_id: '',
  message: '',
  message_file: '',
  vars: '',
  strict_template: 'false',
  status: '',
  max_length: String(TELEGRAM_LIMIT),
  overflow: 'truncate',
  concurrency: '4',
  rate_limit: '60',
  timeout: '15',
  retries: '3',
  dry_run: 'false',
  fail_on_error: 'true',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export type RawInputs = Record<InputName, string>;

/** Inputs that fall back to an environment variable when not given. */
export const ENV_FALLBACKS = {
  x_api_key: 'HOTLINE_X_API_KEY',
  instance: 'HOTLINE_INSTANCE',
  api_key: 'HOTLINE_API_KEY',
} as const satisfies Partial<Record<InputName, string>>;

/** Inputs registered as secrets before anything else happens. */
export const SECRET_INPUTS = ['x_api_key', 'api_key'] as const satisfies readonly InputName[];

export const JOB_STATUSES = ['success', 'failure', 'cancelled', 'skipped'] as const;
export const OVERFLOW_MODES = ['truncate', 'split', 'error'] as const;
export const API_ACTIONS = ['incoming_in_topic', 'info_by_topic'] as const;

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);
const isLoopback = (hostname: string): boolean =>
  LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);

const quote = (value: string): string =>
  `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;

/** A boolean as GitHub's own actions read one (`core.getBooleanInput`): YAML 1.2's core schema words. */
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];
const booleanInput = z.stringbool({
  truthy: TRUE_WORDS,
  falsy: FALSE_WORDS,
  case: 'sensitive',
  error: (issue) => `expected true or false (or True, TRUE, False, FALSE); got ${quote(String(issue.input))}`,
});

const endpointInput = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected an https:// URL; got ${quote(value)}` });
    return z.NEVER;
  }
  const loopback = isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an https:// URL (http:// only for a loopback host: localhost, 127.x.x.x, [::1]); got ${quote(`${url.protocol}//${url.host}`)}`,
    });
    return z.NEVER;
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'expected a URL without user:password@; the keys travel in their own inputs' });
    return z.NEVER;
  }
  return url.href;
});

const userIdsInput = z.string().transform((value, ctx) => {
  const ids: number[] = [];
  for (const token of value.split(/[\s,]+/).filter(Boolean)) {
    const id = /^\d{1,16}$/.test(token) ? Number(token) : NaN;
    if (!Number.isSafeInteger(id) || id <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected Telegram user ids (positive whole numbers) separated by commas, spaces or newlines; got ${quote(token)}`,
      });
      return z.NEVER;
    }
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
});

const wholeNumber = (min: number, max: number, what: string) =>
  z.string().transform((value, ctx) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, a whole number from ${min} to ${max}; got ${quote(value)}` });
      return z.NEVER;
    }
    return n;
  });

const secondsInput = z.string().transform((value, ctx) => {
  // Decimal notation only (`15`, `2.5`, `.5`, `5.`): no exponent, sign or hex that Number() would take.
  const n = /^(\d+\.?\d*|\.\d+)$/.test(value) ? Number(value) : NaN;
  if (!(n > 0 && n <= 600)) {
    ctx.addIssue({ code: 'custom', message: `expected seconds for one attempt, a number above 0 and at most 600; got ${quote(value)}` });
    return z.NEVER;
  }
  return Math.ceil(n * 1000);
});

const statusInput = z.string().transform((value, ctx) => {
  const status = value.toLowerCase();
  if (status === '') return undefined;
  if (!(JOB_STATUSES as readonly string[]).includes(status)) {
    ctx.addIssue({ code: 'custom', message: `expected one of ${JOB_STATUSES.join(', ')} (as \${{ job.status }} gives); got ${quote(value)}` });
    return z.NEVER;
  }
  return status as (typeof JOB_STATUSES)[number];
});

const optional = z.string().transform((value) => value || undefined);

/** One of a few words, in any letter case. */
const oneOf = <const T extends readonly string[]>(words: T) =>
  z.string().transform((value, ctx) => {
    const word = value.toLowerCase();
    if (!(words as readonly string[]).includes(word)) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${words.join(', ')}; got ${quote(value)}` });
      return z.NEVER;
    }
    return word as T[number];
  });

const topicLinkInput = z.string().transform((value, ctx) => {
  if (!value) return undefined;
  const parsed = parseTopicLink(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: `expected ${TOPIC_LINK_FORM}; ${parsed.problem}` });
    return z.NEVER;
  }
  return parsed.topic;
});

const groupIdInput = z.string().transform((value, ctx) => {
  if (!value) return undefined;
  if (groupIdProblem(value) !== undefined) {
    ctx.addIssue({ code: 'custom', message: `expected the group id, the digits after t.me/c/ in a topic link (2101424779 in ${TOPIC_LINK_FORM.replace(/^a topic link like /, '')}); got ${quote(value)}` });
    return z.NEVER;
  }
  return value;
});

const topicIdInput = z.string().transform((value, ctx) => {
  if (!value) return undefined;
  if (topicIdProblem(value) !== undefined) {
    ctx.addIssue({ code: 'custom', message: `expected the topic id, the number after the group id in a topic link (5343 in ${TOPIC_LINK_FORM.replace(/^a topic link like /, '')}); got ${quote(value)}` });
    return z.NEVER;
  }
  return Number(value);
});

// x_api_key travels in an HTTP header: printable ASCII. api_key travels in JSON: anything but control
// characters. A value is never quoted back, not even in an error.
const keyInput = (what: string, allowed: RegExp, form: string) =>
  z.string().refine((value) => allowed.test(value), {
    message: `expected ${what} as ${form} (check the secret's value; it is not shown here)`,
  });

export const settingsSchema = z.object({
  x_api_key: keyInput('the owner access token', /^[\x20-\x7e]*$/, 'printable ASCII without line breaks'),
  instance: z.string(),
  api_key: keyInput('the connection api_key', /^\P{Cc}*$/u, 'text without line breaks or control characters'),
  endpoint: endpointInput,
  action: oneOf(API_ACTIONS),
  user_id: userIdsInput,
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
 * `timeout` is in milliseconds here; `user_id` is the de-duplicated list of ids; `topic` is the topic
 * named by `topic_link` or by `group_id` and `topic_id`.
 */
export type Settings = z.output<typeof settingsSchema> & { topic: TopicRef | undefined };

/** Reads every input: the input itself, else its environment fallback, else its default. */
export function readRawInputs(
  getInput: (name: string) => string,
  env: Record<string, string | undefined>,
): RawInputs {
  const raw = {} as RawInputs;
  for (const name of Object.keys(INPUT_DEFAULTS) as InputName[]) {
    const fallback = name in ENV_FALLBACKS ? env[ENV_FALLBACKS[name as keyof typeof ENV_FALLBACKS]] : undefined;
    raw[name] = getInput(name) || fallback?.trim() || INPUT_DEFAULTS[name];
  }
  return raw;
}

/** Whether failures should fail the step; read on its own so even bad input knows how to fail. */
export function readFailOnError(raw: RawInputs): boolean {
  const parsed = booleanInput.safeParse(raw.fail_on_error);
  return parsed.success ? parsed.data : true;
}

/** Validates every input at once; throws one InputError naming each input at fault. */
export function parseSettings(raw: RawInputs): Settings {
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
  problems.push(...recipientProblems(raw));
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
  const { topic_link, group_id, topic_id } = parsed.data;
  const topic = topic_link ?? (group_id !== undefined && topic_id !== undefined ? { group_id, topic_id } : undefined);
  return { ...parsed.data, topic };
}

/** Who the call is about: user ids, or one topic (by link, or by its two ids), as `action` needs. */
function recipientProblems(raw: RawInputs): InputProblem[] {
  const problems: InputProblem[] = [];
  const hasUsers = raw.user_id.replace(/[\s,]+/g, '') !== '';
  const byIds = raw.group_id !== '' || raw.topic_id !== '';
  const hasTopic = raw.topic_link !== '' || byIds;
  if (raw.topic_link && byIds) {
    problems.push({ input: 'topic_link', problem: 'give topic_link, or group_id and topic_id, not both' });
  } else if (byIds && !(raw.group_id && raw.topic_id)) {
    const missing = raw.group_id ? 'topic_id' : 'group_id';
    problems.push({ input: missing, problem: `required with ${missing === 'topic_id' ? 'group_id' : 'topic_id'}: a topic is named by both (or by topic_link)` });
  }
  if (raw.action.toLowerCase() === 'info_by_topic') {
    if (!hasTopic) problems.push({ input: 'topic_link', problem: `required for action info_by_topic: ${TOPIC_LINK_FORM} (or group_id and topic_id)` });
    if (hasUsers) problems.push({ input: 'user_id', problem: 'not used by action info_by_topic, which looks a topic up: remove it, or set action to incoming_in_topic' });
    for (const name of ['message', 'message_file'] as const) {
      if (raw[name]) problems.push({ input: name, problem: 'not used by action info_by_topic, which sends nothing: remove it, or set action to incoming_in_topic' });
    }
  } else if (hasUsers && hasTopic) {
    problems.push({ input: 'user_id', problem: 'give user_id, or topic_link (the action then sends to the user of that topic), not both' });
  } else if (!hasUsers && !hasTopic) {
    problems.push({ input: 'user_id', problem: `required: a Telegram user id, or several separated by commas, spaces or newlines; or instead ${TOPIC_LINK_FORM} in topic_link` });
  }
  return problems;
}
