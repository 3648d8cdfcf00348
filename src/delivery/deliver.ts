/**
 * Getting a message to its recipients: to each user (or to the user of a topic, looked up first),
 * `concurrency` at a time, the parts of a split message in order, a result for each. Failures come
 * back as results, never thrown, so what was sent is reported either way.
 */
import { errorMessage } from '../errors.js';
import type { Host } from '../host.js';
import type { TopicsClient } from '../topics/client.js';
import { parseTopicLink, topicLink, type TopicRef } from '../topics/links.js';
import { mapConcurrent } from '../topics/pacing.js';
import { deliveryFailure, failedResult, failedTopicResults, sentResult, type RecipientResult } from './results.js';

type DeliveryHost = Pick<Host, 'info' | 'untrusted' | 'redactor'>;

/** Who gets the message: the users, or the user of one topic. */
export interface Recipients {
  user_id: readonly number[];
  topic: TopicRef | undefined;
  concurrency: number;
}

/**
 * Sends to the users (or to the user of the topic, looked up first). The failure, if any, comes back
 * with the results: one line (keys refused, or each recipient that failed and why), or the lookup's error.
 */
export async function deliverMessage(
  to: Recipients,
  parts: string[],
  client: TopicsClient,
  host: DeliveryHost,
): Promise<{ results: RecipientResult[]; failure?: unknown }> {
  let users = to.user_id;
  if (to.topic) {
    try {
      users = [await userOfTopic(to.topic, client, host)];
    } catch (error) {
      return {
        results: failedTopicResults(topicLink(to.topic), parts, host.redactor.redact(errorMessage(error))),
        failure: error,
      };
    }
  }
  const results = await deliver(users, parts, to.concurrency, client, host);
  const failure = deliveryFailure(results, client.keysRefused);
  return failure ? { results, failure: new Error(failure, { cause: client.keysRefused }) } : { results };
}

/** The user whose dialog a topic belongs to; a chat topic has none. */
export async function userOfTopic(
  topic: TopicRef,
  client: TopicsClient,
  host: Pick<Host, 'untrusted'>,
): Promise<number> {
  const info = await client.topicInfo(topic);
  const userId = Number(info.user_id);
  if (info.frontend_type === 'group' || !Number.isSafeInteger(userId) || userId <= 0) {
    const what = info.frontend_type === 'group' ? 'a chat topic (frontend_type group)' : 'a topic without a user_id';
    throw new Error(
      `${topicLink(topic)} is ${what}: it has no user to send to. incoming_in_topic sends to a user topic (frontend_type private); use that topic's link, or user_id`,
    );
  }
  host.untrusted(`Topic ${topicLink(topic)} belongs to user ${userId}${info.user_name ? ` (${info.user_name})` : ''}.`);
  return userId;
}

/**
 * Sends to the users, `concurrency` at a time (the client paces the calls); each user gets the parts
 * of a split message in order. One failure does not stop the other users, but does stop the parts
 * after it (they would arrive out of order). Results come in the order of the users.
 */
export async function deliver(
  users: readonly number[],
  parts: string[],
  concurrency: number,
  client: TopicsClient,
  host: DeliveryHost,
): Promise<RecipientResult[]> {
  const perUser = await mapConcurrent(users, concurrency, async (userId) => {
    const results: RecipientResult[] = [];
    let failedPart: number | undefined;
    for (const [i, part] of parts.entries()) {
      const partOf = parts.length > 1 ? { part: i + 1, parts: parts.length } : undefined;
      const which = parts.length > 1 ? `part ${i + 1}/${parts.length} ` : '';
      if (failedPart !== undefined) {
        results.push(failedResult(userId, `not sent: part ${failedPart} failed before it`, partOf));
        continue;
      }
      try {
        const sent = await client.sendMessage(userId, part);
        results.push(sentResult(userId, sent, partOf));
        logSent(host, `Sent ${which}to user ${userId}`, sent.topic_link);
      } catch (error) {
        results.push(failedResult(userId, host.redactor.redact(errorMessage(error)), partOf));
        failedPart = i + 1;
      }
    }
    return results;
  });
  return perUser.flat();
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
