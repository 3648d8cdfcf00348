/**
 * `incoming_in_topic`: whether to send at all (`notify`), to whom (users, a topic's user, the topics
 * `topics_from` finds), the message (once, or per recipient when the template reads `topic` or
 * `issue`), the delivery, and what is reported: outputs, summary, dead letter, the failure line.
 */
import type { Env, Host } from '../host.js';
import type { GitHub } from '../github/client.js';
import {
  logMessage,
  prepareMessage,
  renderPrepared,
  withEventTemplate,
  type Composing,
  type FittedMessage,
  type PreparedMessage,
} from '../message/compose.js';
import type { EventRead, TemplateLinks } from '../message/context.js';
import type { TopicsClient } from '../topics/client.js';
import { topicLink } from '../topics/links.js';
import {
  deliver,
  resolveRecipients,
  topicOf,
  withIssue,
  type Letter,
  type Outcome,
  type TopicOfRecipient,
} from './deliver.js';
import { notifyGate } from './gates.js';
import { findRecipients, type Recipient } from './recipients.js';
import { deliveryFailure, deliveryOutputs, failedTopicResults, recipientName, type Delivery } from './results.js';
import type { Settings } from './settings.js';
import { nothingSentMarkdown, summaryMarkdown } from './summary.js';

export interface Sending {
  env: Env;
  /** The event file, read once for the run. */
  event: EventRead;
  links?: TemplateLinks;
  github: () => Promise<GitHub>;
  onDelivery?: (delivery: Delivery) => void;
  /** Writes the dead letter of what was not delivered, saying where. */
  keep: (undelivered: Outcome[], runUrl: string) => void;
  summarize: (markdown: string) => Promise<void>;
}

export async function sendMessage(
  settings: Settings,
  client: TopicsClient | undefined,
  host: Host,
  sending: Sending,
): Promise<void> {
  const { env } = sending;
  const quiet = await notifyGate(settings, env, sending.github, host);
  if (quiet) return nothingSent(host, sending, quiet, 'info');

  const found = await findRecipients(settings, {
    event_name: env.GITHUB_EVENT_NAME ?? '',
    event: sending.event.event,
    repository: env.GITHUB_REPOSITORY ?? '',
    github: sending.github,
    log: host,
  });
  if (found.none !== undefined) return nothingSent(host, sending, found.none, 'notice');

  const composing: Composing = {
    env,
    log: host,
    redactor: host.redactor,
    event: sending.event,
    ...(sending.links ? { links: sending.links } : {}),
  };
  const prepared = await prepareMessage(settings, composing);
  // With topics_from and no template of the user's, the topics found get the customer's message
  // (templates/customer.liquid); the users given by user_id or topic_link get the event's own.
  const byDefault = settings.message === undefined && settings.message_file === undefined;
  const team =
    settings.topics_from !== undefined && byDefault && found.recipients.some((r) => !r.found)
      ? await withEventTemplate(prepared)
      : prepared;
  // A template that reads neither topic nor issue is rendered (and logged) once, before anything is sent.
  const once = new Map<PreparedMessage, FittedMessage>();
  for (const p of new Set([team, prepared])) {
    if (p.perRecipient) continue;
    const fitted = await renderPrepared(p, {}, settings, composing);
    logMessage(fitted, host, team === prepared ? '' : p === team ? ' for the users given' : ' for the topics found');
    once.set(p, fitted);
  }
  const render = async (recipient: Recipient, topic: TopicOfRecipient | undefined): Promise<FittedMessage> => {
    const p = recipient.found ? prepared : team;
    const shared = once.get(p);
    if (shared) return shared;
    const fitted = await renderPrepared(p, { topic: topic ?? {}, issue: recipient.issue ?? {} }, settings, composing);
    logMessage(fitted, host, ` for ${whom(recipient)}`);
    return fitted;
  };
  const perRecipient = prepared.perRecipient || team.perRecipient || once.size > 1;

  if (!client) return dryRun(found.recipients, render, host, sending, perRecipient);

  const { resolved, unresolved } = await resolveRecipients(found.recipients, settings.concurrency, client, host);
  // Each recipient's outcomes in its place: results come in the order the recipients were given.
  const slots = new Map<Recipient, Outcome[]>();
  const letters: Letter[] = [];
  let first: FittedMessage | undefined;
  for (const recipient of found.recipients) {
    const done = resolved.get(recipient);
    const failed = unresolved.get(recipient);
    if (!done && !failed) continue; // skipped (a chat topic found by topics_from)
    const fitted = await render(recipient, done?.topic ?? (recipient.topic ? topicOf(recipient.topic) : undefined));
    first ??= fitted;
    if (done) letters.push({ user_id: done.user_id, parts: fitted.parts, recipient });
    if (failed && recipient.topic) {
      const results = failedTopicResults(topicLink(recipient.topic), fitted.parts, failed.why);
      slots.set(
        recipient,
        results.map((result, i) => ({ result: withIssue(result, recipient), text: fitted.parts[i] ?? '' })),
      );
    }
  }
  if (letters.length === 0 && slots.size === 0) {
    // Every topic found was skipped (each said so in a notice of its own).
    return nothingSent(host, sending, 'No topic to tell: every topic found is a chat topic, with no user.', 'notice');
  }
  const sent = await deliver(letters, settings.concurrency, client, host);
  letters.forEach((letter, i) => slots.set(letter.recipient as Recipient, sent[i] ?? []));
  const outcomes = found.recipients.flatMap((r) => slots.get(r) ?? []);

  const delivery: Delivery = {
    ...(first ?? { message: '', truncated: false, parts: [] }),
    results: outcomes.map((o) => o.result),
    ...(perRecipient ? { perRecipient: true } : {}),
  };
  if (outcomes.some((o) => !o.result.ok))
    sending.keep(
      outcomes.filter((o) => !o.result.ok),
      prepared.context.run_url,
    );
  sending.onDelivery?.(delivery);
  setOutputs(host, delivery);
  await sending.summarize(summaryMarkdown(delivery, false));
  // The one recipient was the topic given, and its lookup failed: that error says it best.
  const onlyTopic =
    found.recipients.length === 1 && !found.recipients[0]?.found ? unresolved.get(found.recipients[0]!) : undefined;
  if (onlyTopic) throw onlyTopic.error;
  const failure = deliveryFailure(delivery.results, client.keysRefused);
  if (failure) throw new Error(failure, { cause: client.keysRefused });
}

/** "user 7", "the user of https://t.me/c/1/2 (issue #12)". */
const whom = (r: Recipient): string =>
  recipientName({
    user_id: r.user_id ?? null,
    topic_link: r.topic ? topicLink(r.topic) : null,
    ...(r.issue ? { issue: r.issue.number } : {}),
  });

function setOutputs(host: Host, delivery: Delivery): void {
  // Set after a failed send too: what was sent, to whom, and what was not.
  for (const [name, value] of Object.entries(deliveryOutputs(delivery))) host.setOutput(name, value);
}

/** Nothing to send (a fork, notify, no topic found): the log and the summary say why; empty outputs; exit 0. */
export async function nothingSent(
  host: Host,
  sending: Pick<Sending, 'onDelivery' | 'summarize'>,
  why: string,
  as: 'info' | 'notice',
): Promise<void> {
  host[as](why);
  const delivery: Delivery = { message: '', truncated: false, parts: [], results: [] };
  sending.onDelivery?.(delivery);
  setOutputs(host, delivery);
  await sending.summarize(nothingSentMarkdown(why));
}

/**
 * A dry run: each recipient and, per topic found, the issue that linked it and its message; no call
 * to the Topics API (a topic is not looked up: `topic` holds its link and ids only).
 */
async function dryRun(
  recipients: readonly Recipient[],
  render: (recipient: Recipient, topic: TopicOfRecipient | undefined) => Promise<FittedMessage>,
  host: Host,
  sending: Sending,
  perRecipient: boolean,
): Promise<void> {
  let first: FittedMessage | undefined;
  for (const recipient of recipients) {
    const fitted = await render(recipient, recipient.topic ? topicOf(recipient.topic) : undefined);
    first ??= fitted;
    if (recipient.found) {
      host.untrusted(
        `Dry run: would send to ${whom(recipient)}: "${recipient.issue?.title ?? ''}" ${recipient.issue?.html_url ?? ''}`,
      );
    }
  }
  const topics = recipients.filter((r) => r.topic);
  const lookedUpLater =
    topics.length === 1 && !topics[0]?.found
      ? ` (the user of ${topicLink(topics[0]!.topic!)} is looked up only when sending)`
      : topics.length > 0
        ? ' (the users of the topics are looked up only when sending)'
        : '';
  host.info(`Dry run: nothing was sent${lookedUpLater}.`);
  const delivery: Delivery = {
    ...(first ?? { message: '', truncated: false, parts: [] }),
    results: [],
    ...(perRecipient ? { perRecipient } : {}),
  };
  sending.onDelivery?.(delivery);
  setOutputs(host, delivery);
  await sending.summarize(summaryMarkdown(delivery, true));
}
