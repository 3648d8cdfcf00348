/**
 * The action: inputs → settings → context → rendered message → requests → outputs and summary.
 * Only this module talks to the runner.
 */
import { buildContext } from './context.js';
import { describe, InputError } from './errors.js';
import { parseSettings, readFailOnError, readRawInputs, SECRET_INPUTS, type Settings } from './inputs.js';
import { deliveryFailure, deliveryOutputs, failedResult, sentResult, summaryMarkdown, type Delivery, type RecipientResult } from './outputs.js';
import { REDACTED } from './redact.js';
import type { RetryOptions } from './retry.js';
import { Runner, type Env, type Write } from './runner.js';
import { loadDefaultTemplate } from './defaults.js';
import { loadTemplate, renderMessage } from './template.js';
import { TopicsClient } from './topics-client.js';
import { splitMessage } from './split.js';
import { truncateMessage } from './truncate.js';
import { parseVars } from './vars.js';

export interface RunOptions {
  env?: Env;
  write?: Write;
  /** For tests: time, so retries do not wait. */
  sleep?: RetryOptions['sleep'];
  random?: RetryOptions['random'];
}

/** Runs the action; resolves to the process exit code (never rejects). */
export async function run(options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const runner = new Runner(env, options.write);
  const raw = readRawInputs((name) => runner.getInput(name), env);
  for (const name of SECRET_INPUTS) runner.setSecret(raw[name]);
  const failOnError = readFailOnError(raw);

  try {
    const settings = parseSettings(raw);
    const message = await composeMessage(settings, env, runner);
    const delivery: Delivery = {
      ...message,
      results: settings.dry_run ? [] : await deliver(settings, message.parts, runner, options),
    };

    for (const [name, value] of Object.entries(deliveryOutputs(delivery))) runner.setOutput(name, value);
    try {
      runner.appendSummary(summaryMarkdown(delivery, settings.dry_run));
    } catch (error) {
      // The message went out; a summary the runner cannot take is not worth failing the step for.
      runner.warning(`The job summary could not be written: ${describe(error)}`);
    }
    if (settings.dry_run) runner.info('Dry run: nothing was sent.');

    const failure = deliveryFailure(delivery.results);
    if (failure) throw new Error(failure);
    return 0;
  } catch (error) {
    return fail(runner, error, failOnError);
  }
}

/** Renders the template and fits it in `max_length` as `overflow` says; refuses an empty message. */
async function composeMessage(settings: Settings, env: Env, runner: Runner): Promise<Omit<Delivery, 'results'>> {
  const vars = await parseVars(settings.vars);
  const { context, eventProblem } = buildContext(env, { status: settings.status, vars });
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const template =
    settings.message !== undefined
      ? await loadTemplate({ message: settings.message }, workspace)
      : settings.message_file !== undefined
        ? await loadTemplate({ message_file: settings.message_file }, workspace)
        : await loadDefaultTemplate(context.github.event_name);
  if (eventProblem) runner.warning(`Templates see an empty github.event: ${eventProblem}.`);

  // Blank lines around the text (a file's final newline, a tag on its own line) are not meant to be sent.
  let rendered = (await renderMessage(template, context)).trim();
  if (runner.redactor.finds(rendered)) {
    rendered = runner.redactor.redact(rendered);
    runner.warning(`The message from ${template.origin} contained a key; it was replaced with ${REDACTED}. Do not put keys in messages.`);
  }
  if (!rendered) {
    const input = settings.message_file === undefined ? 'message' : 'message_file';
    throw new InputError(input, `the template rendered an empty message; Telegram needs some text`);
  }

  const fitted = fitMessage(rendered, settings, runner);
  fitted.parts.forEach((part, i) => {
    runner.group(`Message${fitted.parts.length > 1 ? ` part ${i + 1}/${fitted.parts.length}` : ''} (${part.length} characters)`);
    runner.info(part);
    runner.endGroup();
  });
  return fitted;
}

/** A split message is sent as at most this many messages: more would flood the customer's topic. */
export const MAX_PARTS = 20;

/** `overflow`: cut the message (truncate), send it in parts (split), or refuse it (error). */
function fitMessage(rendered: string, settings: Settings, runner: Runner): Omit<Delivery, 'results'> {
  const max = settings.max_length;
  const size = `${rendered.length} characters (UTF-16 code units)`;
  if (rendered.length <= max) return { message: rendered, truncated: false, parts: [rendered] };
  switch (settings.overflow) {
    case 'error':
      throw new InputError('max_length', `the message is ${size}, longer than max_length ${max}; overflow is 'error' (set overflow to 'truncate' or 'split' to send it anyway)`);
    case 'split': {
      const parts = splitMessage(rendered, max);
      if (parts.length > MAX_PARTS) {
        throw new InputError('overflow', `the message is ${size}: split at max_length ${max} it would be ${parts.length} messages, more than the ${MAX_PARTS} the action sends to one topic; shorten the template, or use overflow 'truncate'`);
      }
      runner.notice(`The message was ${size}; split in ${parts.length} messages of at most ${max}.`);
      return { message: rendered, truncated: false, parts };
    }
    case 'truncate': {
      const { text } = truncateMessage(rendered, max);
      runner.notice(`The message was ${size}; cut to max_length ${max}.`);
      return { message: text, truncated: true, parts: [text] };
    }
  }
}

/**
 * Sends to each recipient in turn, the parts of a split message in order; one failure does not stop
 * the other recipients, but does stop the parts after it (they would arrive out of order).
 */
async function deliver(settings: Settings, parts: string[], runner: Runner, options: RunOptions): Promise<RecipientResult[]> {
  const client = new TopicsClient({
    endpoint: settings.endpoint,
    xApiKey: settings.x_api_key,
    instance: settings.instance,
    apiKey: settings.api_key,
    timeoutMs: settings.timeout,
    retries: settings.retries,
    redactor: runner.redactor,
    log: (line) => runner.info(line),
    sleep: options.sleep,
    random: options.random,
  });
  const results: RecipientResult[] = [];
  try {
    for (const userId of settings.user_id) {
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
          runner.info(`Sent ${which}to user ${userId}: ${sent.topic_link ?? '(the API gave no topic link)'}`);
        } catch (error) {
          results.push(failedResult(userId, runner.redactor.redact(describe(error)), partOf));
          failedPart = i + 1;
        }
      }
    }
  } finally {
    await client.close();
  }
  return results;
}

/** One line saying what to fix: an error (exit 1), or a warning when fail_on_error is false. */
function fail(runner: Runner, error: unknown, failOnError: boolean): number {
  let message = describe(error);
  try {
    runner.setOutput('error', message);
  } catch (outputError) {
    message += ` (and the error output could not be written: ${describe(outputError)})`;
  }
  if (runner.debugEnabled && error instanceof Error && error.stack) runner.debug(error.stack);
  if (failOnError) {
    runner.error(message);
    return 1;
  }
  runner.warning(`${message} (fail_on_error is false: the step succeeds)`);
  return 0;
}
