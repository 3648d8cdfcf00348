/**
 * The Topics API's answers: what success looks like for each API action (only `result` decides), and
 * how any other answer becomes an ApiError in the API's own words, redacted and cut short.
 */
import { z } from 'zod';
import { ApiError, KEYS_REFUSED_STATUSES } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { MessageSent, TopicInfo } from './api-types.js';
import type { HttpResponse } from '../net/http.js';
import { parseRetryAfter, RETRYABLE_STATUSES } from '../net/retry.js';

export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** How much of a server's own words goes into an error message. */
const EXCERPT_LENGTH = 300;

const id = z.union([z.number(), z.string()]);

// Only `result` decides success: a message the API says it sent must not be sent again because
// another field came in an unexpected type, so those fall back to undefined instead of failing.
export const messageSentSchema: z.ZodType<MessageSent> = z.looseObject({
  result: z.literal('message_sent'),
  topic_link: z.string().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  chat_id: id.optional().catch(undefined),
  thread_id: id.optional().catch(undefined),
});

const text = z.string().optional().catch(undefined);
export const topicInfoSchema: z.ZodType<TopicInfo> = z.looseObject({
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

type Json = Record<string, unknown>;

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
        typeof v === 'string'
          ? v
          : v && typeof v === 'object' && typeof (v as Json).message === 'string'
            ? ((v as Json).message as string)
            : undefined;
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
export function interpret<T>(response: HttpResponse, schema: z.ZodType<T>, redactor: Redactor): T {
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
    throw new ApiError(
      `HTTP ${status} with a response body over ${MAX_RESPONSE_BYTES} bytes: not an answer of the Topics API`,
      {
        kind: 'response',
        retryable: false,
        status,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError(`HTTP ${status} but the body is not JSON${said()}`, {
      kind: 'response',
      retryable: false,
      status,
    });
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const result = json && typeof json === 'object' ? (json as Json).result : undefined;
  const what = typeof result === 'string' ? `result '${redactor.redact(result).slice(0, 40)}'` : 'an unexpected answer';
  throw new ApiError(`HTTP ${status} with ${what}${said()}`, { kind: 'response', retryable: false, status });
}
