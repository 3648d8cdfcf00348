/**
 * Message templates in Liquid: logic and filters, no code, no file access beyond the template's own
 * folder. Values from the event are data: Liquid never renders a value as a template.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Liquid } from 'liquidjs';
import { InputError, TemplateError } from '../errors.js';
import { outputChecks } from './template-checks.js';

/** What a template printed that it likely did not mean to (template-checks.ts finds it). */
export interface TemplateWarning {
  /** The whole warning on one line, e.g. "line 1, col 10: {{ x }} printed nothing: 'x' is not defined". */
  message: string;
  line: number;
  col: number;
  /** The included file the output is in, relative to the template's folder; none for the template itself. */
  file?: string;
  /** The output as written: `{{ x.y }}`, `{% echo x.y %}`, or `echo x.y` inside `{% liquid %}`. */
  expression: string;
  /** An object printed, a list printed, or an output empty because a name in it is not defined. */
  kind: 'object' | 'list' | 'undefined';
}

export interface MessageTemplate {
  source: string;
  /** Where the template came from, as the user wrote it: "input 'message'" or "message_file 'x'". */
  origin: string;
  /** The folder `{% include %}` and `{% render %}` may read from; none for an inline template. */
  folder?: string;
  /** One of the default templates shipped with the action, which never change while it runs. */
  shipped?: boolean;
}

/** Limits against templates that would hang or exhaust the runner. */
export const TEMPLATE_LIMITS = {
  parseLimit: 1_000_000,
  renderLimit: 5_000,
  // Enough for any message (at most 4096 characters) built from a large payload; a runaway
  // `(1..100000000)` range is refused at once instead of filling the runner's memory.
  memoryLimit: 10_000_000,
} as const;

/** The template the user gave: inline in `message`, or in the file `message_file` names. */
export async function loadTemplate(
  given: { message: string } | { message_file: string },
  workspace: string,
): Promise<MessageTemplate> {
  if ('message' in given) return { source: given.message, origin: "input 'message'" };
  const messageFile = given.message_file;
  const path = isAbsolute(messageFile) ? messageFile : resolve(workspace, messageFile);
  try {
    return { source: await readFile(path, 'utf8'), origin: `message_file '${messageFile}'`, folder: dirname(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a folder, not a file'
          : `unreadable (${code ?? 'unknown error'})`;
    throw new InputError(
      'message_file',
      `expected a template file, relative to the workspace (${workspace}); '${path}' is ${why}`,
      { cause: error },
    );
  }
}

function createEngine(folder: string | undefined, shipped: boolean): Liquid {
  return new Liquid({
    ...TEMPLATE_LIMITS,
    strictFilters: true,
    // An event without the field the template names renders it empty, as GitHub expressions do.
    strictVariables: false,
    ownPropertyOnly: true,
    // A fixed locale: dates render the same on every runner, and no locale detection at start-up.
    locale: 'en-US',
    // The shipped templates' includes never change: parsed once. A user's folder is read each time.
    cache: shipped,
    // Inline templates get an empty in-memory file system; file templates their own folder only
    // (the default loader keeps resolved paths inside root, following symlinks).
    ...(folder === undefined
      ? { templates: {} }
      : { root: [folder], partials: [folder], layouts: [folder], extname: '.liquid' }),
  });
}

/**
 * An engine per folder (and one for inline templates), and each template parsed once per source:
 * a message rendered per recipient, or many payloads through the default templates, pay for the
 * engine and the parse once. Both are bounded, for a long-running program using the library.
 */
const engines = new Map<string, { engine: Liquid; parsed: Map<string, ReturnType<Liquid['parse']>> }>();
const MAX_ENGINES = 20;
const MAX_PARSED = 100;

function parsedTemplate(template: MessageTemplate): { engine: Liquid; parsed: ReturnType<Liquid['parse']> } {
  const key = `${template.shipped ? 'shipped' : 'user'}:${template.folder ?? ''}`;
  let entry = engines.get(key);
  if (!entry) {
    if (engines.size >= MAX_ENGINES) engines.delete(engines.keys().next().value as string);
    entry = { engine: createEngine(template.folder, template.shipped === true), parsed: new Map() };
    engines.set(key, entry);
  }
  let parsed = entry.parsed.get(template.source);
  if (!parsed) {
    parsed = entry.engine.parse(template.source);
    if (entry.parsed.size >= MAX_PARSED) entry.parsed.delete(entry.parsed.keys().next().value as string);
    entry.parsed.set(template.source, parsed);
  }
  return { engine: entry.engine, parsed };
}

/**
 * The top-level names the template reads (`github`, `topic`, …), its includes too; none when it does
 * not parse (rendering then says why).
 */
export function templateGlobals(template: MessageTemplate): string[] {
  try {
    const { engine, parsed } = parsedTemplate(template);
    return engine.globalVariablesSync(parsed, { partials: true });
  } catch {
    return [];
  }
}

/** Renders the template; a syntax or render error names its line and column and its origin. */
export async function renderMessage(template: MessageTemplate, data: object): Promise<string> {
  return (await renderMessageChecked(template, data)).text;
}

export interface CheckedMessage {
  text: string;
  /**
   * What the template printed that it likely did not mean to: an object or a list (an object
   * prints nothing instead of "[object Object]"), or nothing because a name is not defined. In the
   * order first seen, each output once; an output in an included file names the file. The caller
   * decides whether they fail the run.
   */
  warnings: TemplateWarning[];
}

/** Renders the template as renderMessage does, and says what its outputs printed that looks wrong. */
export async function renderMessageChecked(template: MessageTemplate, data: object): Promise<CheckedMessage> {
  const checks = outputChecks(template.folder);
  try {
    const { engine, parsed } = parsedTemplate(template);
    const text = String(await engine.render(parsed, data, { globals: checks.globals }));
    return { text, warnings: checks.warnings };
  } catch (error) {
    let detail = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    if (/Failed to lookup/.test(detail)) {
      detail +=
        template.folder === undefined
          ? ' (an inline message cannot include files: use message_file, whose folder includes may read)'
          : ` (includes are read only from the template's own folder, ${template.folder}; '.liquid' is added when the name has no extension)`;
    }
    throw new TemplateError(`Template error in ${template.origin}: ${detail}`, { cause: error });
  }
}
