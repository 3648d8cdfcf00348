/**
 * The message: the template (the user's, or the event's default), rendered with the context, made
 * safe (no key, line endings Telegram counts once), and fitted into `max_length` as `overflow` says.
 */
import { basename, dirname, join } from 'node:path';
import { InputError, TemplateError } from '../errors.js';
import type { Env, Log } from '../host.js';
import { REDACTED, type Redactor } from '../redact.js';
import { buildContext, type EventRead, type TemplateContext, type TemplateLinks } from './context.js';
import { loadDefaultTemplate } from './default-templates.js';
import { splitMessage } from './split.js';
import {
  loadTemplate,
  renderMessageChecked,
  templateGlobals,
  type MessageTemplate,
  type TemplateWarning,
} from './template.js';
import { truncateMessage } from './truncate.js';
import { parseVars } from './vars.js';

/** What decides the message: the inputs of the same names (settings carry them). */
export interface MessageOptions {
  message: string | undefined;
  message_file: string | undefined;
  vars: string | undefined;
  status: string | undefined;
  strict_template: boolean;
  max_length: number;
  overflow: 'truncate' | 'split' | 'error';
  /** With topics_from, the default message is the one for the customer (templates/customer.liquid). */
  topics_from?: string | undefined;
}

/** A message fitted into `max_length`. */
export interface FittedMessage {
  /** The text sent: whole, cut to fit, or (split) all the parts' text as rendered. */
  message: string;
  truncated: boolean;
  /** What is sent to each recipient, in order: one message, or the parts of a split one. */
  parts: string[];
}

/** The message to send, and the run link the template saw (a dead letter points to the same run). */
export type ComposedMessage = FittedMessage & { runUrl: string };

/** Where the message is composed: the environment it reads, and the host it reports to. */
export interface Composing {
  env: Env;
  log: Log;
  redactor: Redactor;
  /** Links from a CI system other than GitHub (GitLab, Jenkins): run, commit, repository. */
  links?: TemplateLinks;
  /** The event file, read once by the caller (else prepareMessage reads it). */
  event?: EventRead;
}

/** The template and the data it sees, ready to render once, or once per recipient. */
export interface PreparedMessage {
  template: MessageTemplate;
  context: TemplateContext;
  /** The template reads `topic` or `issue`: each recipient gets its own rendering. */
  perRecipient: boolean;
  /** Template warnings already reported (a rendering per recipient repeats them). */
  reported: Set<string>;
}

/** Reads `vars`, the event and the template (the user's, or the default for the event). */
export async function prepareMessage(
  options: MessageOptions,
  { env, log, links, event }: Composing,
): Promise<PreparedMessage> {
  const vars = await parseVars(options.vars);
  const { context, eventProblem } = buildContext(env, {
    status: options.status,
    vars,
    ...(links ? { links } : {}),
    ...(event ? { event } : {}),
  });
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const template =
    options.message !== undefined
      ? await loadTemplate({ message: options.message }, workspace)
      : options.message_file !== undefined
        ? await loadTemplate({ message_file: options.message_file }, workspace)
        : await loadDefaultTemplate(context.github.event_name, options.topics_from !== undefined);
  if (eventProblem) log.warning(`Templates see an empty github.event: ${eventProblem}.`);
  return { template, context, perRecipient: readsRecipient(template), reported: new Set() };
}

/** The same data, with the event's own default template (for the users given beside the topics found). */
export async function withEventTemplate(prepared: PreparedMessage): Promise<PreparedMessage> {
  const template = await loadDefaultTemplate(prepared.context.github.event_name);
  return { template, context: prepared.context, perRecipient: readsRecipient(template), reported: new Set() };
}

/** The template reads `topic` or `issue`: each recipient gets a rendering of its own. */
function readsRecipient(template: MessageTemplate): boolean {
  const names = templateGlobals(template);
  return names.includes('topic') || names.includes('issue');
}

/**
 * Renders the prepared template with `extra` (a recipient's `topic` and `issue`) and fits it in
 * `max_length` as `overflow` says; refuses an empty message.
 */
export async function renderPrepared(
  prepared: PreparedMessage,
  extra: Record<string, unknown>,
  options: MessageOptions,
  { log, redactor }: Composing,
): Promise<FittedMessage> {
  const { template } = prepared;
  const checked = await renderMessageChecked(template, { ...prepared.context, ...extra });
  reportTemplateWarnings(
    checked.warnings.filter((w) => !prepared.reported.has(w.message)),
    template,
    options,
    log,
  );
  for (const w of checked.warnings) prepared.reported.add(w.message);
  // Blank lines around the text (a file's final newline, a tag on its own line) are not meant to be sent.
  // CRLF from a web editor (release notes, issue bodies) would count twice toward max_length.
  let rendered = checked.text.replace(/\r\n?/g, '\n').trim();
  if (redactor.finds(rendered)) {
    rendered = redactor.redact(rendered);
    log.warning(
      `The message from ${template.origin} contained a key; it was replaced with ${REDACTED}. Do not put keys in messages.`,
    );
  }
  if (!rendered) {
    const input = options.message_file === undefined ? 'message' : 'message_file';
    throw new InputError(input, `the template rendered an empty message; Telegram needs some text`);
  }
  return fitMessage(rendered, options, log);
}

/** Logs a message to be sent, each part in a group of its own; `about` says for whom, when not for all. */
export function logMessage(fitted: FittedMessage, log: Log, about = ''): void {
  fitted.parts.forEach((part, i) => {
    log.group(
      `Message${about}${fitted.parts.length > 1 ? ` part ${i + 1}/${fitted.parts.length}` : ''} (${part.length} characters)`,
    );
    log.untrusted(part);
    log.endGroup();
  });
}

/** Renders the template once, for every recipient alike, and logs it. */
export async function composeMessage(options: MessageOptions, composing: Composing): Promise<ComposedMessage> {
  const prepared = await prepareMessage(options, composing);
  const fitted = await renderPrepared(prepared, {}, options, composing);
  logMessage(fitted, composing.log);
  return { ...fitted, runUrl: prepared.context.run_url };
}

/**
 * What the template printed that it likely did not mean (an object, a list, a name not defined):
 * a warning each, pointing at the template file when there is one; with `strict_template`, one
 * template error naming them all, before anything is sent.
 */
function reportTemplateWarnings(
  warnings: readonly TemplateWarning[],
  template: MessageTemplate,
  options: MessageOptions,
  log: Log,
): void {
  if (warnings.length === 0) return;
  if (options.strict_template) {
    throw new TemplateError(
      `Template error in ${template.origin} (strict_template is true): ${warnings.map((w) => w.message).join('; ')}`,
    );
  }
  for (const w of warnings) {
    // A file in the repository gets an annotation on the line; an inline message has no file to point at.
    const file =
      options.message_file === undefined
        ? undefined
        : join(dirname(options.message_file), w.file ?? basename(options.message_file));
    log.warning(
      `Template warning in ${template.origin}: ${w.message}`,
      file === undefined ? undefined : { file, line: w.line, col: w.col },
    );
  }
}

/** A split message is sent as at most this many messages: more would flood the customer's topic. */
export const MAX_PARTS = 20;

/** `overflow`: cut the message (truncate), send it in parts (split), or refuse it (error). */
export function fitMessage(
  rendered: string,
  { max_length: max, overflow }: Pick<MessageOptions, 'max_length' | 'overflow'>,
  log: Pick<Log, 'notice'>,
): FittedMessage {
  const size = `${rendered.length} characters (UTF-16 code units)`;
  if (rendered.length <= max) return { message: rendered, truncated: false, parts: [rendered] };
  switch (overflow) {
    case 'error':
      throw new InputError(
        'max_length',
        `the message is ${size}, longer than max_length ${max}; overflow is 'error' (set overflow to 'truncate' or 'split' to send it anyway)`,
      );
    case 'split': {
      const parts = splitMessage(rendered, max);
      if (parts.length > MAX_PARTS) {
        throw new InputError(
          'overflow',
          `the message is ${size}: split at max_length ${max} it would be ${parts.length} messages, more than the ${MAX_PARTS} the action sends to one topic; shorten the template, or use overflow 'truncate'`,
        );
      }
      log.notice(`The message was ${size}; split in ${parts.length} messages of at most ${max}.`);
      return { message: rendered, truncated: false, parts };
    }
    case 'truncate': {
      const { text } = truncateMessage(rendered, max);
      log.notice(`The message was ${size}; cut to max_length ${max}.`);
      return { message: text, truncated: true, parts: [text] };
    }
  }
}
