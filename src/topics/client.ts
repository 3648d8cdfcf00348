/**
 * The Hotline CRM Topics API (v1): one endpoint, POST JSON, `X-API-KEY` header, `action`,
 * `instance` and `api_key` in the body. Each call is retried by the policy in retry.ts and leaves
 * one audit line per attempt. Everything the server says is redacted before anyone sees it.
 */
import type { z } from 'zod';
import { ApiError, errorMessage } from '../errors.js';
import type { Log } from '../host.js';
import { Redactor } from '../redact.js';
import { interpret, MAX_RESPONSE_BYTES, messageSentSchema, topicInfoSchema } from './answers.js';
import type { MessageSent, TopicInfo } from './api-types.js';
import { createAgent, send, type HttpAgent, type HttpResponse } from '../net/http.js';
import { topicLink, type TopicRef } from './links.js';
import { networkError } from '../net/network-errors.js';
import type { Clock, RateLimiter } from './pacing.js';
import { displayProxy } from '../net/proxy.js';
import { withRetries, type RetryOptions } from '../net/retry.js';

/** The Topics API's address, unless another `endpoint` is given. */
export const DEFAULT_ENDPOINT = 'https://n8n.production.hotline.tg/webhook/topic_action';

export interface TopicsClientOptions {
  /** The owner access token, sent as the `X-API-KEY` header. */
  xApiKey: string;
  /** The connection's instance id and api_key, sent in every request's body. */
  instance: string;
  apiKey: string;
  /** The Topics API URL (default: DEFAULT_ENDPOINT). */
  endpoint?: string;
  /** Milliseconds one attempt may take, reading the answer included (default 15000). */
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts and 408, 425, 429, 5xx (default 3). */
  retries?: number;
  /** Removes the keys from every error and audit line (default: one that knows the two keys). */
  redactor?: Redactor;
  /** Receives one audit line per attempt (default: none). */
  log?: AuditLog;
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
export type AuditLog = Pick<Log, 'info' | 'untrusted'>;

type Settled = Required<Pick<TopicsClientOptions, 'endpoint' | 'timeoutMs' | 'retries' | 'redactor' | 'log'>> &
  TopicsClientOptions;

/**
 * A client of the Hotline CRM Topics API (v1): each call retried by the policy in retry.ts, paced by
 * its limiter, one audit line per attempt, and everything the server says redacted. One connection
 * pool for all calls: `close()` it when done.
 */
export class TopicsClient {
  readonly #options: Settled;
  readonly #url: URL;
  readonly #proxy: string | undefined;
  #agent: Promise<HttpAgent> | undefined;
  #keysRefused: ApiError | undefined;

  constructor(options: TopicsClientOptions) {
    const redactor = options.redactor ?? new Redactor();
    if (!options.redactor) for (const key of [options.xApiKey, options.apiKey]) redactor.add(key);
    this.#options = {
      ...options,
      endpoint: options.endpoint ?? DEFAULT_ENDPOINT,
      timeoutMs: options.timeoutMs ?? 15_000,
      retries: options.retries ?? 3,
      redactor,
      log: options.log ?? { info: () => {}, untrusted: () => {} },
    };
    this.#url = new URL(this.#options.endpoint);
    this.#proxy = options.proxy === undefined ? undefined : displayProxy(options.proxy);
  }

  /** `incoming_in_topic`: sends `message` into the topic of the user's dialog. */
  async sendMessage(userId: number, message: string): Promise<MessageSent> {
    return this.#call('incoming_in_topic', `user ${userId}`, { user_id: userId, message }, messageSentSchema);
  }

  /** `info_by_topic`: what the CRM knows of a topic, its user among it (for a user topic). */
  async topicInfo(topic: TopicRef): Promise<TopicInfo> {
    return this.#call(
      'info_by_topic',
      `topic ${topicLink(topic)}`,
      { group_id: topic.group_id, topic_id: topic.topic_id },
      topicInfoSchema,
    );
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

  async #call<T>(action: string, recipient: string, params: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
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
      if (refused)
        throw new ApiError(`not sent: the API refused the keys (HTTP ${refused.status}) on an earlier call`, {
          kind: 'not-sent',
          retryable: false,
        });
    };
    return withRetries(
      async (attempt, attempts, attemptTimeoutMs) => {
        const started = performance.now();
        const elapsed = (): string => `${Math.round(performance.now() - started)} ms`;
        const audit = `${action} → ${recipient}: attempt ${attempt}/${attempts}`;
        let response: HttpResponse;
        try {
          response = await send(agent, this.#url, {
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
          log.untrusted(`${audit}: ${errorMessage(error)} (${elapsed()})`);
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
          log.info(
            `${action} → ${recipient}: retrying in ${formatDelay(delayMs)}${everyone && limiter ? ' (all calls wait)' : ''}`,
          );
        },
      },
    );
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
