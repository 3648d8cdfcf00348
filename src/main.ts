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
import { loadTemplate, renderMessage } from './template.js';
import { TopicsClient } from './topics-client.js';
import { truncateMessage } from './truncate.js';

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
    const delivery = settings.dry_run
      ? { ...message, results: [] }
      : { ...message, results: await deliver(settings, message.message, runner, options) };

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

/** Renders the template and fits it in `max_length`; refuses an empty message. */
async function composeMessage(settings: Settings, env: Env, runner: Runner): Promise<Omit<Delivery, 'results'>> {
  const template = await loadTemplate(settings.message, settings.message_file, env.GITHUB_WORKSPACE || process.cwd());
  const { context, eventProblem } = buildContext(env, { status: settings.status });
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

  const { text, truncated } = truncateMessage(rendered, settings.max_length);
  if (truncated) {
    runner.notice(`The message was ${rendered.length} characters (UTF-16 code units); cut to max_length ${settings.max_length}.`);
  }
  runner.group(`Message (${text.length} characters)`);
  runner.info(text);
  runner.endGroup();
  return { message: text, truncated };
}

/** Sends to each recipient in turn; one failure does not stop the others. */
async function deliver(settings: Settings, message: string, runner: Runner, options: RunOptions): Promise<RecipientResult[]> {
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
      try {
        const sent = await client.sendMessage(userId, message);
        results.push(sentResult(userId, sent));
        runner.info(`Sent to user ${userId}: ${sent.topic_link ?? '(the API gave no topic link)'}`);
      } catch (error) {
        results.push(failedResult(userId, runner.redactor.redact(describe(error))));
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
