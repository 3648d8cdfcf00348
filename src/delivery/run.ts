/**
 * The use case both front ends run: inputs → settings → `info_by_topic`, or message → recipients →
 * delivery → outputs, summary and dead letter; and the one failure path. The host is the world
 * around it (the GitHub runner, or a terminal); nothing here knows which.
 */
import { inspect } from 'node:util';
import { ApiError, errorMessage, keysRefusedMessage } from '../errors.js';
import type { Env, Host } from '../host.js';
import type { GitHub } from '../github/client.js';
import { readEvent, type EventRead, type TemplateLinks } from '../message/context.js';
import { TopicsClient } from '../topics/client.js';
import { topicLink, type TopicRef } from '../topics/links.js';
import { RateLimiter, type Clock } from '../topics/pacing.js';
import { proxyForEndpoint } from '../net/proxy.js';
import { undeliveredOf, writeDeadLetter, type UndeliveredMessage } from './dead-letter.js';
import { forkWithoutSecrets } from './gates.js';
import { readRawInputs, SECRET_INPUTS } from './inputs.js';
import { topicInfoOutputs, topicKind, type Delivery } from './results.js';
import { nothingSent, sendMessage } from './send.js';
import { parseSettings, readFailOnError, type Settings } from './settings.js';
import { topicSummaryMarkdown } from './summary.js';

export interface RunOptions {
  env: Env;
  /** Links from a CI system other than GitHub (GitLab, Jenkins): run, commit, repository. */
  links?: TemplateLinks;
  /** Told what was (or, in a dry run, would be) sent, before the outputs are set: the CLI prints the parts. */
  onDelivery?: (delivery: Delivery) => void;
  /** The exit code for a failure; the action's is always 1. */
  failureCode?: (error: unknown) => number;
  /** For tests: time (pacing, retries' waits, deadlines), so nothing really waits. */
  clock?: Clock;
  random?: () => number;
}

/** Runs the action's work on `host`; resolves to the exit code (never rejects). */
export async function run(host: Host, options: RunOptions): Promise<number> {
  const { env } = options;
  const raw = readRawInputs((name) => host.getInput(name), env);
  for (const name of SECRET_INPUTS) host.setSecret(raw[name]);
  // The GitHub token the action uses, and the one in the environment (a template can read env).
  host.redactor.add(raw.github_token);
  host.redactor.add(env.GITHUB_TOKEN);
  const failOnError = readFailOnError(raw);

  // The event file, read once, when first needed (a lookup never needs it).
  let eventRead: EventRead | undefined;
  const event = (): EventRead => (eventRead ??= readEvent(env.GITHUB_EVENT_PATH));
  let client: TopicsClient | undefined;
  let github: Promise<GitHub> | undefined;
  try {
    // A pull request from a fork has no secrets: nothing to send with, and nothing wrong.
    const fork =
      raw.dry_run === 'true' ? undefined : forkWithoutSecrets(raw, env.GITHUB_EVENT_NAME ?? '', () => event().event);
    if (fork) {
      await nothingSent(
        host,
        {
          ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
          summarize: (markdown) => summarize(host, markdown),
        },
        `Skipped: ${fork}.`,
        'notice',
      );
      return 0;
    }
    const settings = parseSettings(raw);
    client = settings.dry_run ? undefined : createClient(settings, host, options);
    if (settings.action === 'info_by_topic') {
      await lookUpTopic(settings, client, host);
      return 0;
    }
    await sendMessage(settings, client, host, {
      env,
      event: event(),
      ...(options.links ? { links: options.links } : {}),
      ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
      // Connected on first use: only topics_from fixed_issues and notify change call GitHub.
      github: () =>
        (github ??= import('../github/client.js').then(({ connectGitHub }) =>
          connectGitHub({
            token: settings.github_token,
            apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
            timeoutMs: settings.timeoutMs,
            proxy: proxyForEndpoint(env.GITHUB_API_URL || 'https://api.github.com', env, host),
            redactor: host.redactor,
            log: host,
          }),
        )),
      keep: (undelivered, runUrl) =>
        keepUndelivered(
          undeliveredOf(undelivered),
          settings.endpoint,
          { repository: env.GITHUB_REPOSITORY, runUrl },
          env,
          host,
        ),
      summarize: (markdown) => summarize(host, markdown),
    });
    return 0;
  } catch (error) {
    return fail(host, error, failOnError, options.failureCode?.(error) ?? 1);
  } finally {
    await client?.close();
    await (await github?.catch(() => undefined))?.close();
  }
}

/** The client for these settings: through the environment's proxy, paced by `rate_limit`. */
export function createClient(
  settings: Settings,
  host: Host,
  options: Pick<RunOptions, 'env' | 'clock' | 'random'>,
): TopicsClient {
  return new TopicsClient({
    proxy: proxyForEndpoint(settings.endpoint, options.env, host),
    endpoint: settings.endpoint,
    xApiKey: settings.x_api_key,
    instance: settings.instance,
    apiKey: settings.api_key,
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    redactor: host.redactor,
    log: host,
    clock: options.clock,
    random: options.random,
    limiter: new RateLimiter(settings.rate_limit, options.clock),
  });
}

/** `info_by_topic`: the topic's details as outputs and in the summary. */
async function lookUpTopic(settings: Settings, client: TopicsClient | undefined, host: Host): Promise<void> {
  const topic = settings.topic as TopicRef; // parseSettings requires it for info_by_topic
  if (!client) {
    host.info(`Dry run: would look up ${topicLink(topic)}; nothing was sent.`);
    return;
  }
  const info = await client.topicInfo(topic);
  for (const [name, value] of Object.entries(topicInfoOutputs(topic, info))) host.setOutput(name, value);
  await summarize(host, topicSummaryMarkdown(topic, info));
  host.untrusted(`Topic ${topicLink(topic)}: ${topicKind(info)}${info.topic_title ? ` "${info.topic_title}"` : ''}`);
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
  host: Host,
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
      (text) => host.redactor.redact(text),
    );
    host.setOutput('dead_letter', path);
    host.info(
      `${undelivered.length} undelivered message(s) kept in ${path} (output dead_letter): upload it as an artifact to send them again later.`,
    );
  } catch (error) {
    host.warning(`The undelivered messages could not be kept: ${errorMessage(error)}`);
  }
}

/** A summary the host cannot take is not worth failing the step for: the work is done. */
async function summarize(host: Host, markdown: string): Promise<void> {
  try {
    await host.appendSummary(markdown);
  } catch (error) {
    host.warning(`The job summary could not be written: ${errorMessage(error)}`);
  }
}

/** One line saying what to fix: the run fails (exit `code`), or warns when fail_on_error is false. */
export function fail(host: Host, error: unknown, failOnError: boolean, code: number): number {
  // A refused key fails every call alike: the line says which keys to check, whichever call found it.
  let message = error instanceof ApiError && error.kind === 'keys' ? keysRefusedMessage(error) : errorMessage(error);
  try {
    host.setOutput('error', message);
  } catch (outputError) {
    message += ` (and the error output could not be written: ${errorMessage(outputError)})`;
  }
  // The stack, with the chain of causes, only when debug is on.
  if (host.debugEnabled && error instanceof Error) host.debug(inspect(error, { depth: 4 }));
  if (failOnError) {
    host.setFailed(message);
    return code;
  }
  host.warning(`${message} (fail_on_error is false: the step succeeds)`);
  return 0;
}
