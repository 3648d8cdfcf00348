#!/usr/bin/env node
/**
 * `hotline-topics`: the action on the command line (send, info) and the re-send of a dead letter
 * (resend), on the action's own core: `run()` with a runner whose inputs are the flags and whose
 * log is plain stderr, or main.ts's client and delivery. Keys come from HOTLINE_* only.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pkg from '../package.json' with { type: 'json' };
import { mapCiEnv } from './ci-env.js';
import { COMMANDS, helpText, parseCommandLine, readDeadLetter, UsageError, type Command, type LetterEntry as Entry } from './cli-help.js';
import type { UndeliveredMessage } from './dead-letter.js';
import { describe, InputError, TemplateError } from './errors.js';
import { parseSettings, readRawInputs, SECRET_INPUTS, type InputName } from './inputs.js';
import { parseTopicLink, topicLink, type TopicRef } from './links.js';
import { createClient, deliver, fail, keepUndelivered, run, userOfTopic } from './main.js';
import { TOPIC_INFO_FIELDS, type RecipientResult } from './outputs.js';
import { mapConcurrent } from './pacing.js';
import { Runner, type Env, type Write } from './runner.js';
import type { TopicsClient } from './topics-client.js';

const stdout: Write = (text) => void process.stdout.write(text);
const stderr: Write = (text) => void process.stderr.write(text);

/**
 * The action's runner for a terminal: inputs from the flags, plain lines on stderr, outputs kept.
 * Inside a GitHub Actions step (`github`), every line goes out inside a stop-commands fence: the
 * runner parses a step's stderr for workflow commands, and the `│` gutter does not stop the legacy
 * `##[cmd]` form, which it obeys anywhere in a line.
 */
class CliRunner extends Runner {
  readonly outputs: Record<string, string> = {};
  readonly #inputs: Partial<Record<InputName, string>>;
  readonly #debug: boolean;
  readonly #github: boolean;
  readonly #write: Write;
  #inGroup = false;

  constructor(inputs: Partial<Record<InputName, string>>, debug: boolean, github: boolean, write: Write = stderr) {
    super({}, write);
    this.#inputs = inputs;
    this.#debug = debug;
    this.#github = github;
    this.#write = write;
  }

  override getInput(name: string): string {
    return (this.#inputs[name as InputName] ?? '').trim();
  }
  override get debugEnabled(): boolean {
    return this.#debug;
  }
  /** Redacted from every line; `::add-mask::` only in a GitHub Actions step, the one runner to tell. */
  override setSecret(value: string): void {
    if (this.#github) super.setSecret(value);
    else this.redactor.add(value);
  }
  override info(message: string): void {
    this.#print(message);
  }
  override untrusted(text: string): void {
    this.#print(text);
  }
  override debug(message: string): void {
    if (this.#debug) this.#print(message, 'debug: ');
  }
  override notice(message: string): void {
    this.#print(message, 'notice: ');
  }
  override warning(message: string): void {
    this.#print(message, 'warning: ');
  }
  override error(message: string): void {
    this.#print(message, 'error: ');
  }
  override group(title: string): void {
    this.#print(`${title}:`);
    this.#inGroup = true;
  }
  override endGroup(): void {
    this.#inGroup = false;
  }
  override setOutput(name: string, value: string): void {
    this.outputs[name] = this.redactor.redact(value);
  }
  override appendSummary(): void {}

  /** A message is shown in a gutter; no line starts with "::" (a CI system could obey it). */
  #print(message: string, label = ''): void {
    const lines = this.redactor.redact(message).split(/\r?\n/);
    const shown = lines.map((line, i) => (this.#inGroup || /^\s*::/.test(line) ? `  │ ${line}` : i === 0 ? label + line : `  ${line}`));
    this.#write(fenceFor(this.#github, shown.join('\n')));
  }
}

/** Text for a stream the GitHub runner reads (`github`): fenced, so nothing in it is obeyed. */
function fenceFor(github: boolean, text: string): string {
  if (!github) return `${text}\n`;
  const token = randomUUID();
  return `::stop-commands::${token}\n${text}\n::${token}::\n`;
}

const badInput = (error: unknown): boolean => error instanceof InputError || error instanceof TemplateError || error instanceof UsageError;

async function main(argv: readonly string[], processEnv: Env): Promise<number> {
  let line;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    return usageFailure(describe(error), argv.includes('--json'), argv[0], processEnv.GITHUB_ACTIONS === 'true');
  }
  if (line.kind !== 'run') {
    stdout(line.kind === 'help' ? helpText(pkg.version, line.command) : `${pkg.version}\n`);
    return 0;
  }

  const { command, json } = line;
  const ci = mapCiEnv(processEnv);
  const env = ci.env;
  if (line.deadLetterDir) {
    // Where main.ts and resend write dead letters; made now, so a CI job can keep it as an artifact.
    env.RUNNER_TEMP = resolve(line.deadLetterDir);
    try {
      mkdirSync(env.RUNNER_TEMP, { recursive: true });
    } catch {
      // Writing the letter there fails with its own warning, which says why.
    }
  }
  const inputs = { ...line.inputs, action: command === 'info' ? 'info_by_topic' : 'incoming_in_topic' };
  // A path on the command line is relative to where the command runs.
  if (inputs.message_file) inputs.message_file = resolve(inputs.message_file);
  if (command === 'send' && ci.status && !inputs.status) inputs.status = ci.status;
  if (command === 'send' && !inputs.message && !inputs.message_file && ci.ci !== 'github') {
    return usageFailure('--message or --message-file is required: the default message describes a GitHub event, and there is none outside GitHub Actions', json, command, false);
  }

  const github = ci.ci === 'github';
  const runner = new CliRunner(inputs, line.debug || processEnv.RUNNER_DEBUG === '1', github);
  let code: number;
  let parts: string[] | undefined;
  if (command === 'resend') {
    code = await resend(line.file as string, runner, env, json, github);
  } else {
    let refused = false;
    const failureCode = (error: unknown): number => {
      refused = error instanceof InputError;
      return badInput(error) ? 2 : 1;
    };
    code = await run({ env, runner, links: ci.links, failureCode, onDelivery: (delivery) => (parts = delivery.parts) });
    if (refused && code === 2) {
      runner.info(`Flags are the inputs in kebab case (input user_id is --user-id); the keys come from HOTLINE_X_API_KEY, HOTLINE_INSTANCE, HOTLINE_API_KEY. See: hotline-topics help ${command}`);
    }
  }
  const deadLetter = runner.outputs.dead_letter;
  if (deadLetter) {
    runner.info(`Send them again with: hotline-topics resend ${deadLetter}`);
  }
  report({ command, outputs: runner.outputs, code, json, github, dryRun: inputs.dry_run === 'true', parts });
  return code;
}

function usageFailure(message: string, json: boolean, command: string | undefined, github: boolean): number {
  const about = command && (COMMANDS as readonly string[]).includes(command) ? ` ${command}` : '';
  stderr(fenceFor(github, `error: ${message}\nRun 'hotline-topics help${about}' for the commands, flags and examples.`));
  if (json) stdout(jsonLine({ ok: false, error: message }));
  return 2;
}

/**
 * One line of JSON that no runner obeys: it cannot start with "::" (it starts with "{"), and the
 * legacy `##[cmd]` is broken by writing every "#" before a "[" as \u0023, which JSON reads back the same.
 */
function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/#(?=\[)/g, '\\u0023')}\n`;
}

/**
 * stdout: one JSON object (--json), or the few lines a person or a script wants from the command.
 * Topic links are written in their canonical form (the action's own text); the rest (a topic's
 * details, a dry run's message) is the API's or the template's, fenced inside a GitHub Actions step.
 */
function report(r: { command: Command; outputs: Record<string, string>; code: number; json: boolean; github: boolean; dryRun: boolean; parts: string[] | undefined }): void {
  const { command, outputs } = r;
  if (r.json) {
    const value: Record<string, unknown> = { ok: r.code === 0 && outputs.error === undefined, error: outputs.error ?? null };
    for (const [name, text] of Object.entries(outputs)) {
      value[name] = name === 'results' || name === 'topic_info' ? parseJson(text) : name === 'truncated' ? text === 'true' : text;
    }
    // A message sent in several parts: each as it was (or, in a dry run, would be) sent.
    if (r.parts && r.parts.length > 1) value.parts = r.parts;
    stdout(jsonLine(value));
    return;
  }
  if (command === 'info') {
    const lines = ['topic_link', ...TOPIC_INFO_FIELDS].filter((name) => outputs[name]).map((name) => `${name}: ${outputs[name]}`);
    if (lines.length > 0) stdout(fenceFor(r.github, lines.join('\n')));
  } else if (command === 'send' && r.dryRun) {
    // The message as it would be sent: with overflow split, its numbered parts, a blank line between them.
    const text = r.parts?.join('\n\n') ?? outputs.message;
    if (text) stdout(fenceFor(r.github, text));
  } else if (command === 'send') {
    const parsed = parseJson(outputs.results ?? '[]');
    const results = (Array.isArray(parsed) ? parsed : []) as RecipientResult[];
    const links = new Set(results.filter((x) => x.ok && x.topic_link).map((x) => canonicalLink(x.topic_link as string)));
    for (const link of links) stdout(link.ours ? `${link.text}\n` : fenceFor(r.github, link.text));
  }
}

/** A topic link as the action writes it, when the API's parses as one; else the API's text as it came. */
function canonicalLink(link: string): { text: string; ours: boolean } {
  const parsed = parseTopicLink(link);
  return parsed.ok ? { text: topicLink(parsed.topic), ours: true } : { text: link, ours: false };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---- resend --------------------------------------------------------------------------------------

/** One entry's outcome: a delivery result, with the entry's own part numbers and topic. */
type ResendResult = Omit<RecipientResult, 'user_id'> & { user_id: number | null; for_topic?: string };

const partText = (r: { part?: number | undefined; parts?: number | undefined }): string => (r.part ? ` (part ${r.part}/${r.parts ?? '?'})` : '');
const recipientText = (r: { user_id?: number | null | undefined; topic_link?: string | undefined }): string =>
  typeof r.user_id === 'number' ? `user ${r.user_id}` : `the user of ${r.topic_link}`;

async function resend(file: string, runner: CliRunner, env: Env, json: boolean, github: boolean): Promise<number> {
  const raw = readRawInputs((name) => runner.getInput(name), env);
  for (const name of SECRET_INPUTS) runner.setSecret(raw[name]);
  // The lines quote the API (links, errors): fenced inside a GitHub Actions step.
  const print = (lines: string[]): void => void (json || lines.length === 0 || stdout(fenceFor(github, lines.join('\n'))));
  let client: TopicsClient | undefined;
  try {
    const letter = readDeadLetter(file, pkg.version);
    // The recipients come from the letter: a placeholder user passes parseSettings' recipient check.
    const settings = parseSettings({ ...raw, user_id: '1' });
    if (letter.endpoint && letter.endpoint !== settings.endpoint) {
      runner.notice(`The letter was written for ${letter.endpoint}; sending to ${settings.endpoint} (the endpoint is never taken from the file: use --endpoint).`);
    }
    const entries = letter.undelivered;
    if (settings.dry_run) {
      for (const entry of entries) {
        runner.group(`Dry run: would send to ${recipientText(entry)}${partText(entry)} (${entry.message.length} characters)`);
        runner.info(entry.message);
        runner.endGroup();
      }
      runner.setOutput('results', '[]');
      print(entries.map((e) => `would send  ${recipientText(e)}${partText(e)}`));
      return 0;
    }
    // Each recipient's messages in the letter's order; recipients side by side, as a send does.
    const groups = new Map<string, number[]>();
    entries.forEach((entry, i) => {
      const key = String(entry.user_id ?? entry.topic_link);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    const open = createClient(settings, env, runner, {});
    client = open;
    const results: ResendResult[] = [];
    await mapConcurrent([...groups.values()], settings.concurrency, async (indexes) => {
      const sent = await resendTo(indexes.map((i) => entries[i] as Entry), open, runner);
      indexes.forEach((at, i) => (results[at] = sent[i] as ResendResult));
    });
    runner.setOutput('results', JSON.stringify(results));
    print(results.map((r) => (r.ok ? `sent    user ${r.user_id}${partText(r)}: ${r.topic_link ?? ''}` : `failed  ${recipientText({ user_id: r.user_id, topic_link: r.for_topic })}${partText(r)}: ${r.error}`)));

    const undelivered: UndeliveredMessage[] = results.flatMap((r, i) => {
      const { message, part, parts } = entries[i] as Entry;
      return r.ok ? [] : [{ ...(r.user_id === null ? { topic_link: r.for_topic } : { user_id: r.user_id }), message, ...(part ? { part, parts } : {}), error: r.error ?? '' }];
    });
    if (undelivered.length === 0) {
      runner.info(`All ${results.length} message(s) delivered.`);
      return 0;
    }
    keepUndelivered(undelivered, settings.endpoint, { repository: letter.repository, runUrl: letter.run_url }, env, runner);
    const reasons = [...new Set(undelivered.map((u) => `${recipientText(u)}: ${u.error}`))];
    throw new Error(`Resending failed for ${undelivered.length} of ${results.length} message(s): ${reasons.join('; ')}`);
  } catch (error) {
    // As the action fails: one line, the error output, a stack trace only with --debug.
    return fail(runner, error, true, badInput(error) ? 2 : 1);
  } finally {
    await client?.close();
  }
}

/** One recipient's messages, in order (a failed one stops the ones after it, as in a send). */
async function resendTo(entries: Entry[], client: TopicsClient, runner: CliRunner): Promise<ResendResult[]> {
  const first = entries[0] as Entry;
  // The entry's own part numbers (deliver numbers the messages it was given) and topic.
  const own = (entry: Entry, result: Omit<ResendResult, 'part' | 'parts' | 'for_topic'>): ResendResult => ({
    ...result,
    ...(entry.topic_link ? { for_topic: entry.topic_link } : {}),
    ...(entry.part ? { part: entry.part, parts: entry.parts ?? entry.part } : {}),
  });
  let userId = first.user_id;
  if (userId === undefined) {
    try {
      userId = await userOfTopic((parseTopicLink(first.topic_link as string) as { topic: TopicRef }).topic, client, runner);
    } catch (error) {
      const why = runner.redactor.redact(describe(error));
      return entries.map((entry) => own(entry, { user_id: null, ok: false, topic_link: null, chat_id: null, thread_id: null, error: why }));
    }
  }
  const results = await deliver([userId], entries.map((e) => e.message), 1, client, runner);
  return entries.map((entry, i) => {
    const { part: _part, parts: _parts, ...result } = results[i] as RecipientResult;
    return own(entry, result);
  });
}

process.exitCode = await main(process.argv.slice(2), process.env);
