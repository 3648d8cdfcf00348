/**
 * The failures the action reports. Each message is one line that says what to fix; the error it
 * came from, when there is one, is its `cause` (shown with the stack trace when debug is on).
 */

export interface InputProblem {
  input: string;
  problem: string;
}

/** Bad input, refused before any request is made. Names every input at fault in one line. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly problems: readonly InputProblem[];

  constructor(input: string, problem: string, options?: ErrorOptions);
  constructor(problems: readonly InputProblem[]);
  constructor(inputOrProblems: string | readonly InputProblem[], problem = '', options?: ErrorOptions) {
    const problems = typeof inputOrProblems === 'string' ? [{ input: inputOrProblems, problem }] : inputOrProblems;
    super(problems.map((p) => `Input '${p.input}': ${p.problem}`).join('; '), options);
    this.problems = problems;
  }
}

/** A message template that does not parse or render. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * `keys`: a 401 or 403, the keys do not match (the run's later calls are not made);
 * `not-sent`: a call not made because an earlier one found the keys refused.
 */
export type FailureKind = 'network' | 'timeout' | 'http' | 'response' | 'retry-after' | 'keys' | 'not-sent';

/** A call to the Topics API that did not succeed. Its message is already redacted. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: FailureKind;
  readonly retryable: boolean;
  readonly status: number | undefined;
  /** Milliseconds the server asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    details: { kind: FailureKind; retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.retryable = details.retryable;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A call to the GitHub API (topics_from: fixed_issues, notify: change) that did not succeed. */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly status: number | undefined;

  constructor(message: string, details: { status: number | undefined; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
  }
}

/** HTTP statuses that mean the keys do not match. The API's documents do not say which status
 * means which key, and servers built from them answer both ways: the user checks all three. */
export const KEYS_REFUSED_STATUSES: ReadonlySet<number> = new Set([401, 403]);

/** The one line a run whose keys were refused ends with. */
export function keysRefusedMessage(error: ApiError): string {
  return `The Topics API refused the keys (${error.message}): check the owner token (x_api_key) and the connection's instance and api_key`;
}

/** A message for any thrown value, never `[object Object]`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
