/**
 * Getting messages to their recipients: the user of each topic looked up first (its details go to
 * the template as `topic`), then each user's message sent, `concurrency` at a time, the parts of a
 * split message in order, a result for each. Failures come back as results, never thrown, so what
 * was sent is reported either way.
 */
import { errorMessage } from '../errors.js';
import type { Host } from '../host.js';
import type { TopicInfo } from '../topics/api-types.js';
import type { TopicsClient } from '../topics/client.js';
import { parseTopicLink, topicLink, type TopicRef } from '../topics/links.js';
import { mapConcurrent } from '../topics/pacing.js';
import type { Recipient } from './recipients.js';
import { failedResult, sentResult, type RecipientResult } from './results.js';

type DeliveryHost = Pick<Host, 'info' | 'untrusted' | 'notice' | 'redactor'>;

/** A topic as templates see it: what `info_by_topic` said of it (when looked up), and its link and ids. */
export type TopicOfRecipient = Partial<TopicInfo> & { link: string; group_id: string; topic_id: number };

/** A recipient whose user is known. */
export interface ResolvedRecipient {
  recipient: Recipient;
  user_id: number;
  topic?: TopicOfRecipient;
}

/** A result, with the text of the part it is about (for the dead letter). */
export interface Outcome {
  result: RecipientResult;
  text: string;
}

export const topicOf = (topic: TopicRef, info?: TopicInfo): TopicOfRecipient => ({
  ...info,
  link: topicLink(topic),
  group_id: topic.group_id,
  topic_id: topic.topic_id,
});

/**
 * The users of the recipients' topics, each topic looked up once. A topic with no user fails that
 * recipient (`topic_link`), or is skipped with a notice (found by `topics_from`: a chat topic linked
 * from an issue is not a customer to tell); a lookup that fails fails the recipients of that topic.
 * A recipient given by its user id needs no lookup.
 */
export async function resolveRecipients(
  recipients: readonly Recipient[],
  concurrency: number,
  client: TopicsClient,
  host: DeliveryHost,
): Promise<{
  resolved: Map<Recipient, ResolvedRecipient>;
  unresolved: Map<Recipient, { why: string; error: unknown }>;
}> {
  const topics = new Map<string, TopicRef>();
  for (const r of recipients) if (r.topic) topics.set(topicLink(r.topic), r.topic);
  const looked = new Map<string, { userId: number; info: TopicInfo } | { error: unknown }>();
  await mapConcurrent([...topics.values()], concurrency, async (topic) => {
    try {
      looked.set(topicLink(topic), await userOfTopic(topic, client, host));
    } catch (error) {
      looked.set(topicLink(topic), { error });
    }
  });

  const resolved = new Map<Recipient, ResolvedRecipient>();
  const unresolved = new Map<Recipient, { why: string; error: unknown }>();
  for (const recipient of recipients) {
    if (!recipient.topic) {
      resolved.set(recipient, { recipient, user_id: recipient.user_id as number });
      continue;
    }
    const link = topicLink(recipient.topic);
    const found = looked.get(link);
    if (found && 'userId' in found) {
      resolved.set(recipient, { recipient, user_id: found.userId, topic: topicOf(recipient.topic, found.info) });
    } else if (recipient.found && found?.error instanceof NoUserError) {
      host.notice(
        `${link}${recipient.issue ? ` (linked from issue #${recipient.issue.number})` : ''} is ${found.error.what}: skipped.`,
      );
    } else {
      unresolved.set(recipient, { why: host.redactor.redact(errorMessage(found?.error)), error: found?.error });
    }
  }
  return { resolved, unresolved };
}

/** A topic has no user to send to: a chat topic, or one the API names no user for. */
class NoUserError extends Error {
  readonly what: string;

  constructor(topic: TopicRef, what: string) {
    super(
      `${topicLink(topic)} is ${what}: it has no user to send to. incoming_in_topic sends to a user topic (frontend_type private); use that topic's link, or user_id`,
    );
    this.what = what;
  }
}

/** The user whose dialog a topic belongs to, and what the API said of the topic; a chat topic has none. */
export async function userOfTopic(
  topic: TopicRef,
  client: TopicsClient,
  host: Pick<Host, 'untrusted'>,
): Promise<{ userId: number; info: TopicInfo }> {
  const info = await client.topicInfo(topic);
  const userId = Number(info.user_id);
  if (info.frontend_type === 'group' || !Number.isSafeInteger(userId) || userId <= 0) {
    throw new NoUserError(
      topic,
      info.frontend_type === 'group' ? 'a chat topic (frontend_type group)' : 'a topic without a user_id',
    );
  }
  host.untrusted(`Topic ${topicLink(topic)} belongs to user ${userId}${info.user_name ? ` (${info.user_name})` : ''}.`);
  return { userId, info };
}

/** One user's message, and the issue it is about. */
export interface Letter {
  user_id: number;
  parts: readonly string[];
  recipient?: Recipient;
}

/**
 * Sends each letter, `concurrency` letters at a time (the client paces the calls); a letter's parts
 * go in order. One failure does not stop the other letters, but does stop the parts after it (they
 * would arrive out of order). The outcomes of each letter, in the order of the letters.
 */
export async function deliver(
  letters: readonly Letter[],
  concurrency: number,
  client: TopicsClient,
  host: DeliveryHost,
): Promise<Outcome[][]> {
  return mapConcurrent(letters, concurrency, async ({ user_id: userId, parts, recipient }) => {
    const outcomes: Outcome[] = [];
    let failedPart: number | undefined;
    for (const [i, part] of parts.entries()) {
      const partOf = parts.length > 1 ? { part: i + 1, parts: parts.length } : undefined;
      const which = parts.length > 1 ? `part ${i + 1}/${parts.length} ` : '';
      if (failedPart !== undefined) {
        outcomes.push({
          result: withIssue(failedResult(userId, `not sent: part ${failedPart} failed before it`, partOf), recipient),
          text: part,
        });
        continue;
      }
      try {
        const sent = await client.sendMessage(userId, part);
        outcomes.push({ result: withIssue(sentResult(userId, sent, partOf), recipient), text: part });
        logSent(
          host,
          `Sent ${which}to user ${userId}${recipient?.issue ? ` (issue #${recipient.issue.number})` : ''}`,
          sent.topic_link,
        );
      } catch (error) {
        outcomes.push({
          result: withIssue(failedResult(userId, host.redactor.redact(errorMessage(error)), partOf), recipient),
          text: part,
        });
        failedPart = i + 1;
      }
    }
    return outcomes;
  });
}

/** A result of a recipient found by `topics_from` says which issue linked it. */
export function withIssue(result: RecipientResult, recipient: Recipient | undefined): RecipientResult {
  return recipient?.issue ? { ...result, issue: recipient.issue.number } : result;
}

/**
 * "Sent to …: <link>". A link that parses as a topic link is logged as the action writes it (its
 * canonical form); anything else the API gave is its own text, and fenced.
 */
function logSent(host: Pick<Host, 'info' | 'untrusted'>, what: string, link: string | undefined): void {
  const parsed = link === undefined ? undefined : parseTopicLink(link);
  if (parsed?.ok) host.info(`${what}: ${topicLink(parsed.topic)}`);
  else if (link === undefined) host.info(`${what}: (the API gave no topic link)`);
  else host.untrusted(`${what}: ${link}`);
}
