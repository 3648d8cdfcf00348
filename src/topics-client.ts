/**
 * The Hotline CRM Topics API (v1): one endpoint, POST JSON, `X-API-KEY` header, `action`,
 * `instance` and `api_key` in the body. Each call is retried by the policy in retry.ts and leaves
 * one audit line per attempt. Everything the server says is redacted before anyone sees it.
 */
import { z } from 'zod';
import { ApiError, describe, KEYS_REFUSED_STATUSES } from './errors.js';
import { createAgent, displayProxy, post, type HttpAgent, type HttpResponse } from './http.js';
import { topicLink, type TopicRef } from './links.js';
import type { Clock, RateLimiter } from './pacing.js';
import type { Redactor } from './redact.js';
import { parseRetryAfter, RETRYABLE_STATUSES, withRetries, type RetryOptions } from './retry.js';

export interface TopicsClientOptions {
  endpoint: string;
  xApiKey: string;
  instance: string;
  apiKey: string;
  /** Per attempt, including reading the response. */
  timeoutMs: number;
  retries: number;
  redactor: Redactor;
  /** Receives one audit line per attempt. */
  log: AuditLog;
  /** Time for the retries' waits and the call's deadline (tests inject one that does not wait). */
  clock?: Clock;
  random?: RetryOptions['random'];
  /** Paces every attempt; a 429 or a Retry-After pauses it for all callers. */
  limiter?: RateLimiter;
  /** The proxy to go through (`proxyFor`: HTTPS_PROXY, HTTP_PROXY, NO_PROXY), if any. */
  proxy?: string;
}

/**
 * Where the audit lines go: `info` takes the client's own words (action, recipient, attempt, status,
 * duration); `untrusted` takes lines that quote a server or the network, which the log fences.
 */
export interface AuditLog {
  info(line: string): void;
  untrusted(text: string): void;
}

/** Responses are small JSON objects; anything past this is not read. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** How much of a server's own words goes into an error message. */
const EXCERPT_LENGTH = 300;

const id = z.union([z.number(), z.string()]);

// Only `result` decides success: a message the API says it sent must not be sent again because
// another field came in an unexpected type, so those fall back to undefined instead of failing.
export const messageSentSchema = z.looseObject({
  result: z.literal('message_sent'),
  topic_link: z.string().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  chat_id: id.optional().catch(undefined),
  thread_id: id.optional().catch(undefined),
});
export type MessageSent = z.output<typeof messageSentSchema>;

const text = z.string().optional().catch(undefined);
/** `info_by_topic`: a user topic (`frontend_type: private`, `user_*` fields) or a chat topic (`group`). */
export const topicInfoSchema = z.looseObject({
  result: z.literal('topic_info'),
  user_id: id.optional().catch(undefined),
  topic_status: text,
  topic_title: text,
  topic_last_date: z.union([z.string(), z.number()]).optional().catch(undefined),
  frontend_type: text,
  instance_name: text,
  user_name: text,
  user_username: text,
  user_lang: text,
});
export type TopicInfo = z.output<typeof topicInfoSchema>;

type Json = Record<string, unknown>;

export class TopicsClient {
  readonly #options: TopicsClientOptions;
  readonly #url: URL;
  readonly #proxy: string | undefined;
  #agent: Promise<HttpAgent> | undefined;
  #keysRefused: ApiError | undefined;

  constructor(options: TopicsClientOptions) {
    this.#options = options;
    this.#url = new URL(options.endpoint);
    this.#proxy = options.proxy === undefined ? undefined : displayProxy(options.proxy);
  }

  /** `incoming_in_topic`: sends `message` into the topic of the user's dialog. */
  async sendMessage(userId: number, message: string): Promise<MessageSent> {
    return this.#call('incoming_in_topic', `user ${userId}`, { user_id: userId, message }, messageSentSchema);
  }

  /** `info_by_topic`: what the CRM knows of a topic, its user among it (for a user topic). */
  async topicInfo(topic: TopicRef): Promise<TopicInfo> {
    return this.#call('info_by_topic', `topic ${topicLink(topic)}`, { group_id: topic.group_id, topic_id: topic.topic_id }, topicInfoSchema);
  }

  /**
   * The 401 or 403 that showed the keys do not match, once one came: the keys are the same for every
   * call, so from then on no call is made (each fails at once as not sent).
   */
  get keysRefused(): ApiError | undefined {
    return this.#keysRefused;
  }

  async close(): Promise<void> {
    const agent = this.#agent;
    this.#agent = undefined;
    // An agent that could not be created has nothing to close (its error was reported already).
    await (await agent?.catch(() => undefined))?.close();
  }

  async #call<T>(action: string, recipient: string, params: Json, schema: z.ZodType<T>): Promise<T> {
    const { xApiKey, instance, apiKey, timeoutMs, retries, redactor, log } = this.#options;
    const body = JSON.stringify({ action, instance, api_key: apiKey, ...params });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'hotline-topics-action',
      'x-api-key': xApiKey,
    };
    // One pool for all calls, created by the first (concurrent first calls share it).
    this.#agent ??= createAgent(timeoutMs, this.#options.proxy);
    const agent = await this.#agent;

    const { limiter } = this.#options;
    // Once a call found the keys refused, no call (or retry) is made, nor waits for its turn.
    const stopIfKeysRefused = (): void => {
      const refused = this.#keysRefused;
      if (refused) throw new ApiError(`not sent: the API refused the keys (HTTP ${refused.status}) on an earlier call`, { kind: 'not-sent', retryable: false });
    };
    return withRetries(
      async (attempt, attempts, attemptTimeoutMs) => {
        const started = performance.now();
        const elapsed = (): string => `${Math.round(performance.now() - started)} ms`;
        const audit = `${action} → ${recipient}: attempt ${attempt}/${attempts}`;
        let response: HttpResponse;
        try {
          response = await post(agent, this.#url, {
            headers,
            body,
            signal: AbortSignal.timeout(attemptTimeoutMs),
            maxBodyBytes: MAX_RESPONSE_BYTES,
          });
        } catch (cause) {
          const error = networkError(cause, attemptTimeoutMs, this.#url, this.#proxy);
          // Node's and the TLS peer's words (a certificate's names) are not ours: fenced.
          log.untrusted(`${audit}: ${error.message} after ${elapsed()}`);
          throw error;
        }
        try {
          const result = interpret(response, schema, redactor);
          log.info(`${audit}: HTTP ${response.status} in ${elapsed()}`);
          return result;
        } catch (error) {
          if (error instanceof ApiError && error.kind === 'keys') this.#keysRefused ??= error;
          log.untrusted(`${audit}: ${describe(error)} (${elapsed()})`);
          throw error;
        }
      },
      {
        retries,
        attemptTimeoutMs: timeoutMs,
        ...(this.#options.clock ? { sleep: this.#options.clock.sleep, now: this.#options.clock.now } : {}),
        random: this.#options.random,
        pace: async () => {
          stopIfKeysRefused();
          await limiter?.acquire(() => this.#keysRefused === undefined);
          stopIfKeysRefused();
        },
        onRetry: ({ error, delayMs }) => {
          // The server said to slow down: every caller waits, not only this one.
          const everyone = delayMs > 0 && (error.status === 429 || error.retryAfterMs !== undefined);
          if (everyone) limiter?.pauseFor(delayMs);
          log.info(`${action} → ${recipient}: retrying in ${formatDelay(delayMs)}${everyone && limiter ? ' (all calls wait)' : ''}`);
        },
      },
    );
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|ALTNAME|VERIFY|ISSUER/;

/** An error from the connection (not from an HTTP answer) as the user should read it. */
function networkError(cause: unknown, timeoutMs: number, url: URL, proxy: string | undefined): ApiError {
  type Cause = { name?: string; code?: string; message?: string; cause?: Cause };
  const error = cause as Cause;
  const code = error.code ?? error.cause?.code ?? '';
  const host = url.host;
  const via = proxy ? ` (through the proxy ${proxy})` : '';
  if (proxy) {
    const refused = /Proxy response \((\d+)\)/.exec(error.message ?? '') ?? /\((407)\)/.exec(error.message ?? '');
    if (refused) {
      const status = Number(refused[1]);
      const hint = status === 407 ? ': it wants credentials, as http://user:password@host:port in the proxy URL (HTTPS_PROXY or HTTP_PROXY)' : '';
      return new ApiError(`the proxy ${proxy} refused the tunnel to ${host} with HTTP ${status}${hint}`, {
        kind: 'network',
        retryable: RETRYABLE_STATUSES.has(status),
        status,
      });
    }
    if (code === 'UND_ERR_PRX_CONN' || code === 'UND_ERR_PRX_TLS') {
      const inner = error.cause?.code ?? error.cause?.message ?? error.message ?? 'unknown error';
      return new ApiError(`could not reach ${host} through the proxy ${proxy}: ${inner}`, { kind: 'network', retryable: code === 'UND_ERR_PRX_CONN' });
    }
  }
  // (After the proxy's answers: undici reports a refused tunnel as an AbortError.)
  if (error.name === 'TimeoutError' || error.name === 'AbortError' || /TIMEOUT/.test(code) || code === 'ETIMEDOUT') {
    return new ApiError(`no answer from ${host} within ${+(timeoutMs / 1000).toFixed(1)} s (timeout)${via}`, { kind: 'timeout', retryable: true });
  }
  // Through a proxy, the socket is the proxy's: the endpoint's refusals come back as a tunnel status.
  if (proxy && (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')) {
    return new ApiError(`could not reach the proxy ${proxy} (${code})`, { kind: 'network', retryable: true });
  }
  if (TLS_CODES.test(code)) {
    // Node's own hint (--use-system-ca) is no use in an action; a runner trusts a private CA through NODE_EXTRA_CA_CERTS.
    const what = (error.message ?? code).split(';')[0];
    return new ApiError(`TLS with ${host} failed: ${what} (${code}); the certificate is not trusted (for a private CA, set NODE_EXTRA_CA_CERTS on the runner)${via}`, {
      kind: 'network',
      retryable: false,
    });
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: `connection to ${host} refused`,
    ECONNRESET: `connection to ${host} reset`,
    UND_ERR_SOCKET: `connection to ${host} closed by the server`,
    ENOTFOUND: `host ${url.hostname} not found (DNS)`,
    EAI_AGAIN: `host ${url.hostname} could not be resolved now (DNS)`,
    EPIPE: `connection to ${host} broken`,
  };
  // System errors (ECONNABORTED, EHOSTUNREACH, …) and a dropped socket may pass; anything else
  // (undici refusing an argument, say) would fail the same way again.
  // (Node's own ERR_* codes are programming errors, not the network's: not retried.)
  const transient = code in reasons || /^E[A-Z]+$/.test(code) || code.startsWith('UND_ERR_SOCKET');
  const reason = reasons[code] ?? `${transient ? 'network error talking to' : 'the request could not be sent to'} ${host}: ${error.message ?? 'unknown error'}`;
  return new ApiError(`${reason}${code ? ` (${code})` : ''}${via}`, { kind: 'network', retryable: transient });
}

/** The API's own words from an error body, whichever shape it came in, redacted and cut short. */
export function apiMessage(body: string, redactor: Redactor): string {
  // Redact first: stripping tags or spaces below could alter a key so that it no longer matches.
  const safe = redactor.redact(body);
  let text = safe;
  try {
    const json: unknown = JSON.parse(safe);
    if (json && typeof json === 'object') {
      const o = json as Json;
      const nested = (v: unknown): string | undefined =>
        typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Json).message === 'string' ? ((v as Json).message as string) : undefined;
      const found = nested(o.message) ?? nested(o.error) ?? nested(o.description) ?? nested(o.detail) ?? nested(o.data);
      text = found ?? JSON.stringify(json);
    } else if (typeof json === 'string') {
      text = json;
    }
  } catch {
    // Not JSON: an HTML error page or plain text; keep its words, not its markup.
    text = safe.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
  }
  text = redactor.redact(text.replace(/\s+/g, ' ').trim());
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
}

function header(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Success only for a 2xx JSON body whose `result` is the one expected; anything else is an ApiError. */
function interpret<T>(response: HttpResponse, schema: z.ZodType<T>, redactor: Redactor): T {
  const { status, body } = response;
  const said = (): string => {
    const words = apiMessage(body, redactor);
    return words ? `: ${words}` : ' (empty body)';
  };

  if (status >= 300 && status < 400) {
    const location = redactor.redact(header(response.headers, 'location') ?? 'nowhere');
    throw new ApiError(
      `HTTP ${status} redirect to ${location}: redirects are not followed so the key never goes to another host; set 'endpoint' to the final URL`,
      { kind: 'http', retryable: false, status },
    );
  }
  if (status < 200 || status >= 300) {
    const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'), Date.now());
    throw new ApiError(`HTTP ${status}${said()}`, {
      kind: KEYS_REFUSED_STATUSES.has(status) ? 'keys' : 'http',
      retryable: RETRYABLE_STATUSES.has(status),
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (response.bodyCut) {
    throw new ApiError(`HTTP ${status} with a response body over ${MAX_RESPONSE_BYTES} bytes: not an answer of the Topics API`, {
      kind: 'response',
      retryable: false,
      status,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError(`HTTP ${status} but the body is not JSON${said()}`, { kind: 'response', retryable: false, status });
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const result = json && typeof json === 'object' ? (json as Json).result : undefined;
  const what = typeof result === 'string' ? `result '${redactor.redact(result).slice(0, 40)}'` : 'an unexpected answer';
  throw new ApiError(`HTTP ${status} with ${what}${said()}`, { kind: 'response', retryable: false, status });
}
