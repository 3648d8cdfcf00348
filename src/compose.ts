/**
 * The message: the template (the user's, or the event's default), rendered with the context, made
 * safe (no key, line endings Telegram counts once), and fitted into `max_length` as `overflow` says.
 */
import { basename, dirname, join } from 'node:path';
import { buildContext, type ContextLinks } from './context.js';
import { loadDefaultTemplate } from './defaults.js';
import { InputError, TemplateError } from './errors.js';
import type { Settings } from './inputs.js';
import type { Delivery } from './outputs.js';
import { REDACTED } from './redact.js';
import type { Env, Runner } from './runner.js';
import { splitMessage } from './split.js';
import { loadTemplate, renderMessageChecked, type MessageTemplate, type TemplateWarning } from './template.js';
import { truncateMessage } from './truncate.js';
import { parseVars } from './vars.js';

/** Renders the template and fits it in `max_length` as `overflow` says; refuses an empty message. */
/** The message to send, and the run link the template saw (a dead letter points to the same run). */
export type Composed = Omit<Delivery, 'results'> & { runUrl: string };

export async function composeMessage(settings: Settings, env: Env, runner: Runner, links?: ContextLinks): Promise<Composed> {
  const vars = await parseVars(settings.vars);
  const { context, eventProblem } = buildContext(env, { status: settings.status, vars, ...(links ? { links } : {}) });
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const template =
    settings.message !== undefined
      ? await loadTemplate({ message: settings.message }, workspace)
      : settings.message_file !== undefined
        ? await loadTemplate({ message_file: settings.message_file }, workspace)
        : await loadDefaultTemplate(context.github.event_name);
  if (eventProblem) runner.warning(`Templates see an empty github.event: ${eventProblem}.`);

  // Blank lines around the text (a file's final newline, a tag on its own line) are not meant to be sent.
  // CRLF from a web editor (release notes, issue bodies) would count twice toward max_length.
  const checked = await renderMessageChecked(template, context);
  reportTemplateWarnings(checked.warnings, template, settings, runner);
  let rendered = checked.text.replace(/\r\n?/g, '\n').trim();
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
    runner.untrusted(part);
    runner.endGroup();
  });
  return { ...fitted, runUrl: context.run_url };
}

/**
 * What the template printed that it likely did not mean (an object, a list, a name not defined):
 * a warning each, pointing at the template file when there is one; with `strict_template`, one
 * template error naming them all, before anything is sent.
 */
function reportTemplateWarnings(warnings: readonly TemplateWarning[], template: MessageTemplate, settings: Settings, runner: Runner): void {
  if (warnings.length === 0) return;
  if (settings.strict_template) {
    throw new TemplateError(`Template error in ${template.origin} (strict_template is true): ${warnings.map((w) => w.message).join('; ')}`);
  }
  for (const w of warnings) {
    // A file in the repository gets an annotation on the line; an inline message has no file to point at.
    const file = settings.message_file === undefined ? undefined : join(dirname(settings.message_file), w.file ?? basename(settings.message_file));
    runner.warning(`Template warning in ${template.origin}: ${w.message}`, file === undefined ? undefined : { file, line: w.line, col: w.col });
  }
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
