/**
 * The inputs: their names and the defaults action.yml declares (a test holds them together), the
 * environment variables the keys fall back to, and reading them raw, before any validation.
 */
import type { Env } from '../host.js';
import { DEFAULT_ENDPOINT } from '../topics/client.js';

export { DEFAULT_ENDPOINT };

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
  topics_from: '',
  github_token: '', // action.yml: ${{ github.token }}, which the runner fills in
  notify: 'always',
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
  github_token: 'GITHUB_TOKEN',
} as const satisfies Partial<Record<InputName, string>>;

/**
 * Inputs registered as secrets before anything else happens. (github_token is redacted too, but not
 * registered: the runner masks the workflow's token, and any secret a workflow passes, already.)
 */
export const SECRET_INPUTS = ['x_api_key', 'api_key'] as const satisfies readonly InputName[];

export const JOB_STATUSES = ['success', 'failure', 'cancelled', 'skipped'] as const;
export const OVERFLOW_MODES = ['truncate', 'split', 'error'] as const;
export const API_ACTIONS = ['incoming_in_topic', 'info_by_topic'] as const;
export const TOPICS_FROM = ['issue', 'fixed_issues'] as const;
export const NOTIFY_WHEN = ['always', 'failure', 'change'] as const;

/** Reads every input: the input itself, else its environment fallback, else its default. */
export function readRawInputs(getInput: (name: string) => string, env: Env): RawInputs {
  const raw = {} as RawInputs;
  for (const name of Object.keys(INPUT_DEFAULTS) as InputName[]) {
    const fallback = name in ENV_FALLBACKS ? env[ENV_FALLBACKS[name as keyof typeof ENV_FALLBACKS]] : undefined;
    raw[name] = getInput(name) || fallback?.trim() || INPUT_DEFAULTS[name];
  }
  return raw;
}
