/**
 * What a delivery reports: a result per recipient (per part when split), the step's outputs, and
 * the one failure line. Pure.
 */
import { keysRefusedMessage, type ApiError } from '../errors.js';
import type { FittedMessage } from '../message/compose.js';
import type { MessageSent, TopicInfo } from '../topics/api-types.js';
import { topicLink, type TopicRef } from '../topics/links.js';

/** The fields of an `info_by_topic` answer that are outputs of their own, when present. */
export const TOPIC_INFO_FIELDS = [
  'user_id',
  'topic_status',
  'topic_title',
  'topic_last_date',
  'frontend_type',
  'instance_name',
  'user_name',
  'user_username',
  'user_lang',
] as const;

/** Every output the action writes; action.yml declares exactly these (a test holds them together). */
export const OUTPUT_NAMES = [
  'topic_link',
  'chat_id',
  'thread_id',
  'message',
  'truncated',
  'results',
  'error',
  'dead_letter',
  'topic_info',
  ...TOPIC_INFO_FIELDS,
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

export interface RecipientResult {
  /** null when the user of the topic it was meant for could not be looked up (`topic_link` names it). */
  user_id: number | null;
  ok: boolean;
  topic_link: string | null;
  chat_id: number | string | null;
  thread_id: number | string | null;
  error: string | null;
  /** Which part of a split message (1-based), only when it was split in several. */
  part?: number;
  parts?: number;
  /** With topics_from: the number of the issue that linked the topic. */
  issue?: number;
}

/** Where a result stands in a split message; undefined for a message sent whole. */
export type PartOf = { part: number; parts: number } | undefined;

export const sentResult = (userId: number, sent: MessageSent, partOf?: PartOf): RecipientResult => ({
  user_id: userId,
  ok: true,
  topic_link: sent.topic_link ?? null,
  chat_id: sent.chat_id ?? null,
  thread_id: sent.thread_id ?? null,
  error: null,
  ...partOf,
});

export const failedResult = (userId: number | null, error: string, partOf?: PartOf): RecipientResult => ({
  user_id: userId,
  ok: false,
  topic_link: null,
  chat_id: null,
  thread_id: null,
  error,
  ...partOf,
});

/** Every part of a message for a topic whose user could not be looked up: `topic_link` names the topic. */
export const failedTopicResults = (link: string, parts: readonly string[], error: string): RecipientResult[] =>
  parts.map((_, i) => ({
    ...failedResult(null, error, parts.length > 1 ? { part: i + 1, parts: parts.length } : undefined),
    topic_link: link,
  }));

/** Who a result is for, in words: `user 7`, or `the user of <topic link>`. */
export const recipientName = (r: Pick<RecipientResult, 'user_id' | 'topic_link' | 'issue'>): string =>
  `${r.user_id === null ? `the user of ${r.topic_link ?? 'the topic'}` : `user ${r.user_id}`}${r.issue === undefined ? '' : ` (issue #${r.issue})`}`;

/** A topic in the words the README and the summary use: a user topic or a chat topic. */
export const topicKind = (info: TopicInfo): string =>
  info.frontend_type === 'group' ? 'chat topic' : info.frontend_type === 'private' ? 'user topic' : 'topic';

/** A message and what became of it for each recipient. */
export interface Delivery extends FittedMessage {
  results: RecipientResult[];
  /** The template read `topic` or `issue`: each recipient got a message of their own (the first is shown). */
  perRecipient?: boolean;
}

/** The outputs of a delivery (or a dry run, with no results); `error` is set by the failure path. */
export function deliveryOutputs({ message, truncated, results }: Delivery): Partial<Record<OutputName, string>> {
  const first = results.find((r) => r.ok);
  return {
    topic_link: first?.topic_link ?? '',
    chat_id: first?.chat_id == null ? '' : String(first.chat_id),
    thread_id: first?.thread_id == null ? '' : String(first.thread_id),
    message,
    truncated: String(truncated),
    results: JSON.stringify(results),
  };
}

/**
 * One line naming each failed recipient and why, or undefined when all went through. When the API
 * refused the keys, the calls stopped there: one line says which keys to check, not a reason per user.
 */
export function deliveryFailure(results: readonly RecipientResult[], keysRefused?: ApiError): string | undefined {
  const recipients = new Set(results.map(recipientName));
  // A recipient's first failure says why; the parts after it were not sent because of it.
  const firstFailure = new Map<string, RecipientResult>();
  for (const r of results) if (!r.ok && !firstFailure.has(recipientName(r))) firstFailure.set(recipientName(r), r);
  if (firstFailure.size === 0) return undefined;
  if (keysRefused) {
    const count = recipients.size === 1 ? '' : `; ${firstFailure.size} of ${recipients.size} recipients not delivered`;
    return `${keysRefusedMessage(keysRefused)}${count}`;
  }
  const reasons = [...firstFailure.values()]
    .map((r) => `${recipientName(r)}${r.part ? ` (part ${r.part}/${r.parts})` : ''}: ${r.error}`)
    .join('; ');
  return recipients.size === 1
    ? `Sending failed for ${reasons}`
    : `Sending failed for ${firstFailure.size} of ${recipients.size} recipients: ${reasons}`;
}

/** `info_by_topic` outputs: the whole answer as JSON, its fields that are present, and the link. */
export function topicInfoOutputs(topic: TopicRef, info: TopicInfo): Partial<Record<OutputName, string>> {
  const outputs: Partial<Record<OutputName, string>> = {
    topic_link: topicLink(topic),
    topic_info: JSON.stringify(info),
  };
  for (const field of TOPIC_INFO_FIELDS) {
    const value = info[field];
    if (value !== undefined && value !== null && value !== '') outputs[field] = String(value);
  }
  return outputs;
}
