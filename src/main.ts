/**
 * The action: inputs → settings → context → rendered message → requests → outputs and summary.
 * Only this module, and compose.ts for the message it logs, talk to the runner.
 */
import { composeMessage } from './compose.js';
import { undeliveredOf, writeDeadLetter, type UndeliveredMessage } from './dead-letter.js';
import type { ContextLinks } from './context.js';
import { ApiError, describe, keysRefusedMessage } from './errors.js';
import { displayProxy, proxyFor } from './http.js';
import { parseSettings, readFailOnError, readRawInputs, SECRET_INPUTS, type Settings } from './inputs.js';
import { parseTopicLink, topicLink, type TopicRef } from './links.js';
import {
  deliveryFailure,
  deliveryOutputs,
  failedResult,
  failedTopicResults,
  sentResult,
  summaryMarkdown,
  topicInfoOutputs,
  topicKind,
  topicSummaryMarkdown,
  type Delivery,
  type RecipientResult,
} from './outputs.js';
import { mapConcurrent, RateLimiter, type Clock } from './pacing.js';
import type { RetryOptions } from './retry.js';
import { Runner, type Env, type Write } from './runner.js';
import { TopicsClient } from './topics-client.js';

export interface RunOptions {
  env?: Env;
  write?: Write;
  /** Another front end (the CLI) brings its own inputs, output and log format. */
  runner?: Runner;
  /** Links from a CI system other than GitHub (GitLab, Jenkins): run, commit, repository. */
  links?: ContextLinks;
  /** Told what was (or, in a dry run, would be) sent, before the outputs are set: the CLI prints the parts. */
  onDelivery?: (delivery: Delivery) => void;
  /** The exit code for a failure; the action's is always 1. */
  failureCode?: (error: unknown) => number;
  /** For tests: time (pacing, retries' waits, deadlines), so nothing really waits. */
  clock?: Clock;
  random?: RetryOptions['random'];
}

/** Runs the action; resolves to the process exit code (never rejects). */
export async function run(options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const runner = options.runner ?? new Runner(env, options.write);
  const raw = readRawInputs((name) => runner.getInput(name), env);
  for (const name of SECRET_INPUTS) runner.setSecret(raw[name]);
  const failOnError = readFailOnError(raw);

  let client: TopicsClient | undefined;
  try {
    const settings = parseSettings(raw);
    client = settings.dry_run ? undefined : createClient(settings, env, runner, options);
    if (settings.action === 'info_by_topic') await lookUpTopic(settings, client, runner);
    else await sendMessage(settings, env, client, runner, options);
    return 0;
  } catch (error) {
    return fail(runner, error, failOnError, options.failureCode?.(error) ?? 1);
  } finally {
    await client?.close();
  }
}

export function createClient(settings: Settings, env: Env, runner: Runner, options: RunOptions): TopicsClient {
  const proxy = proxyFor(new URL(settings.endpoint), env);
  if (proxy !== undefined) {
    const url = URL.canParse(proxy) ? new URL(proxy) : undefined;
    if (!url || !/^https?:$/.test(url.protocol)) {
      // Whatever it holds may include a password that cannot be told apart: mask all of it.
      runner.setSecret(proxy);
      throw new Error('The proxy in HTTPS_PROXY or HTTP_PROXY is not a URL like http://proxy.example.com:3128 (or http://user:password@proxy.example.com:3128); its value is masked');
    }
    // The proxy's password is a secret too: masked, and redacted from whatever is shown.
    runner.setSecret(url.password);
    runner.setSecret(safeDecode(url.password));
    runner.untrusted(`Through the proxy ${displayProxy(proxy)}.`);
  }
  return new TopicsClient({
    proxy,
    endpoint: settings.endpoint,
    xApiKey: settings.x_api_key,
    instance: settings.instance,
    apiKey: settings.api_key,
    timeoutMs: settings.timeout,
    retries: settings.retries,
    redactor: runner.redactor,
    log: runner,
    clock: options.clock,
    random: options.random,
    limiter: new RateLimiter(settings.rate_limit, options.clock),
  });
}

/** `info_by_topic`: the topic's details as outputs and in the summary. */
async function lookUpTopic(settings: Settings, client: TopicsClient | undefined, runner: Runner): Promise<void> {
  const topic = settings.topic as TopicRef; // parseSettings requires it for info_by_topic
  if (!client) {
    runner.info(`Dry run: would look up ${topicLink(topic)}; nothing was sent.`);
    return;
  }
  const info = await client.topicInfo(topic);
  for (const [name, value] of Object.entries(topicInfoOutputs(topic, info))) runner.setOutput(name, value);
  summarize(runner, topicSummaryMarkdown(topic, info));
  runner.untrusted(`Topic ${topicLink(topic)}: ${topicKind(info)}${info.topic_title ? ` "${info.topic_title}"` : ''}`);
}

/** `incoming_in_topic`: render the message, then send it to each user (or to the topic's user). */
async function sendMessage(settings: Settings, env: Env, client: TopicsClient | undefined, runner: Runner, options: RunOptions): Promise<void> {
  const message = await composeMessage(settings, env, runner, options.links);
  const delivery: Delivery = { ...message, results: [] };
  let failure: unknown;
  if (client) {
    ({ results: delivery.results, failure } = await deliverMessage(settings, message.parts, client, runner));
    const undelivered = undeliveredOf(delivery.results, message.parts);
    if (undelivered.length > 0) keepUndelivered(undelivered, settings.endpoint, { repository: env.GITHUB_REPOSITORY, runUrl: message.runUrl }, env, runner);
  } else {
    runner.info(`Dry run: nothing was sent${settings.topic ? ` (the user of ${topicLink(settings.topic)} is looked up only when sending)` : ''}.`);
  }
  options.onDelivery?.(delivery);
  // Set after a failed send too: what was sent, to whom, and what was not.
  for (const [name, value] of Object.entries(deliveryOutputs(delivery))) runner.setOutput(name, value);
  summarize(runner, summaryMarkdown(delivery, settings.dry_run));
  if (failure) throw failure;
}

/**
 * Sends to the users (or to the user of the topic, looked up first). A failure does not throw: it
 * comes back with the results, so the outputs and the summary are set all the same.
 */
async function deliverMessage(settings: Settings, parts: string[], client: TopicsClient, runner: Runner): Promise<{ results: RecipientResult[]; failure?: unknown }> {
  let users = settings.user_id;
  if (settings.topic) {
    try {
      users = [await userOfTopic(settings.topic, client, runner)];
    } catch (error) {
      return { results: failedTopicResults(topicLink(settings.topic), parts, runner.redactor.redact(describe(error))), failure: error };
    }
  }
  const results = await deliver(users, parts, settings.concurrency, client, runner);
  const failure = deliveryFailure(results, client.keysRefused);
  return failure ? { results, failure: new Error(failure) } : { results };
}

/**
 * Writes the dead letter and says where; a failure to write it is a warning, not a second error.
 * `from` is the repository and run that composed the messages (a re-send keeps its letter's).
 */
export function keepUndelivered(
  undelivered: UndeliveredMessage[],
  endpoint: string,
  from: { repository?: string | undefined; runUrl?: string | undefined },
  env: Env,
  runner: Runner,
): void {
  try {
    const path = writeDeadLetter(
      {
        version: 1,
        created_at: new Date().toISOString(),
        action: 'incoming_in_topic',
        endpoint,
        ...(from.repository ? { repository: from.repository } : {}),
        ...(from.runUrl ? { run_url: from.runUrl } : {}),
        undelivered,
      },
      env,
      (text) => runner.redactor.redact(text),
    );
    runner.setOutput('dead_letter', path);
    runner.info(`${undelivered.length} undelivered message(s) kept in ${path} (output dead_letter): upload it as an artifact to send them again later.`);
  } catch (error) {
    runner.warning(`The undelivered messages could not be kept: ${describe(error)}`);
  }
}

/** The user whose dialog a topic belongs to; a chat topic has none. */
export async function userOfTopic(topic: TopicRef, client: TopicsClient, runner: Runner): Promise<number> {
  const info = await client.topicInfo(topic);
  const userId = Number(info.user_id);
  if (info.frontend_type === 'group' || !Number.isSafeInteger(userId) || userId <= 0) {
    const what = info.frontend_type === 'group' ? 'a chat topic (frontend_type group)' : 'a topic without a user_id';
    throw new Error(`${topicLink(topic)} is ${what}: it has no user to send to. incoming_in_topic sends to a user topic (frontend_type private); use that topic's link, or user_id`);
  }
  runner.untrusted(`Topic ${topicLink(topic)} belongs to user ${userId}${info.user_name ? ` (${info.user_name})` : ''}.`);
  return userId;
}

/** A summary the runner cannot take is not worth failing the step for: the work is done. */
function summarize(runner: Runner, markdown: string): void {
  try {
    runner.appendSummary(markdown);
  } catch (error) {
    runner.warning(`The job summary could not be written: ${describe(error)}`);
  }
}

/**
 * Sends to the users, `concurrency` at a time (the client paces the calls); each user gets the parts
 * of a split message in order. One failure does not stop the other users, but does stop the parts
 * after it (they would arrive out of order). Results come in the order of the users.
 */
export async function deliver(users: readonly number[], parts: string[], concurrency: number, client: TopicsClient, runner: Runner): Promise<RecipientResult[]> {
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
        logSent(runner, `Sent ${which}to user ${userId}`, sent.topic_link);
      } catch (error) {
        results.push(failedResult(userId, runner.redactor.redact(describe(error)), partOf));
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
function logSent(runner: Runner, what: string, link: string | undefined): void {
  const parsed = link === undefined ? undefined : parseTopicLink(link);
  if (parsed?.ok) runner.info(`${what}: ${topicLink(parsed.topic)}`);
  else if (link === undefined) runner.info(`${what}: (the API gave no topic link)`);
  else runner.untrusted(`${what}: ${link}`);
}

/** One line saying what to fix: an error (exit 1), or a warning when fail_on_error is false. */
export function fail(runner: Runner, error: unknown, failOnError: boolean, code: number): number {
  // A refused key fails every call alike: the line says which keys to check, whichever call found it.
  let message = error instanceof ApiError && error.kind === 'keys' ? keysRefusedMessage(error) : describe(error);
  try {
    runner.setOutput('error', message);
  } catch (outputError) {
    message += ` (and the error output could not be written: ${describe(outputError)})`;
  }
  if (runner.debugEnabled && error instanceof Error && error.stack) runner.debug(error.stack);
  if (failOnError) {
    runner.error(message);
    return code;
  }
  runner.warning(`${message} (fail_on_error is false: the step succeeds)`);
  return 0;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
