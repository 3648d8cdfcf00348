/**
 * Checks on what a message template prints, made while it renders: an output (`{{ … }}`, the
 * `{% echo %}` tag, `echo` in `{% liquid %}`) whose value is an object or a list, which Liquid would
 * print as "[object Object]" or run together, and an output that prints nothing because a name in
 * it is not defined. Each gives a warning naming the output, its line and column, and what to
 * write instead; neither fails the render.
 *
 * liquidjs creates outputs in its parser, for the template and for every partial it parses while
 * rendering (`{% include %}`, `{% render %}`, `{% layout %}`), and offers no hook on what an output
 * prints. So the render methods of `Output` and `EchoTag` are wrapped, once, for the whole process:
 * the wrapper acts only in a render that carries a collector in its globals (`outputChecks`), which
 * every context of the render shares, spawned ones included; for any other render it returns the
 * original method's own generator, untouched.
 */
import { relative, sep } from 'node:path';
import { EchoTag, Output, TypeGuards, evalTokenValue, toValue, type Context, type Emitter, type Token } from 'liquidjs';
import {
  listAdvice,
  objectAdvice,
  oneLine,
  pathText,
  printList,
  printsAsObject,
  written,
  type OutputToken,
  type ParsedValue,
  type Site,
} from './template-advice.js';
import type { TemplateWarning } from './template.js';

type RenderMethod = (
  this: unknown,
  ctx: Context,
  emitter: Emitter,
) => Generator<unknown, unknown, unknown> | IterableIterator<unknown>;

interface Collector {
  folder: string | undefined;
  warnings: TemplateWarning[];
  /** Outputs already warned about, by file and offset: an output in a loop warns once. */
  seen: Set<string>;
}

/** Where a render's collector rides: its render globals, which every context of the render shares. */
const COLLECTOR = Symbol('hotlineOutputChecks');

/**
 * Checks for one render: pass `globals` as the render's globals (liquidjs gives them to every context
 * of the render, an include's and a `render` tag's too). `warnings` fills as the render goes, in the
 * order first seen; `folder` is the template's folder, which included files are named from.
 */
export function outputChecks(folder?: string): { globals: object; warnings: TemplateWarning[] } {
  installWrappers();
  const warnings: TemplateWarning[] = [];
  const collector: Collector = { folder, warnings, seen: new Set() };
  return { globals: { [COLLECTOR]: collector }, warnings };
}

const collectorOf = (ctx: Context | undefined): Collector | undefined =>
  (ctx?.globals as { [COLLECTOR]?: Collector } | undefined)?.[COLLECTOR];

let installed = false;

function installWrappers(): void {
  if (installed) return;
  installed = true;

  const outputRender = Output.prototype.render as RenderMethod;
  Output.prototype.render = function (this: Output, ctx: Context, emitter: Emitter) {
    const collector = collectorOf(ctx);
    if (!collector) return outputRender.call(this, ctx, emitter);
    const site = (): Site => ({
      token: this.token as unknown as OutputToken,
      value: this.value as unknown as ParsedValue,
      form: 'output',
    });
    return checkedRender(outputRender, this, ctx, emitter, collector, site);
  } as typeof Output.prototype.render;

  const echoRender = EchoTag.prototype.render as RenderMethod;
  EchoTag.prototype.render = function (this: EchoTag, ctx: Context, emitter: Emitter) {
    const collector = collectorOf(ctx);
    if (!collector) return echoRender.call(this, ctx, emitter);
    const site = (): Site => {
      const token = this.token as unknown as OutputToken;
      // A `{% liquid %}` line has no delimiters of its own.
      const form = token.getText().startsWith(ctx.opts.tagDelimiterLeft) ? 'echo' : 'liquid-echo';
      return { token, value: (this as unknown as { value: ParsedValue }).value, form };
    };
    return checkedRender(echoRender, this, ctx, emitter, collector, site) as Generator<unknown, void, unknown>;
  } as typeof EchoTag.prototype.render;
}

/**
 * Renders the output with liquidjs's own method into a stand-in emitter, then writes what it
 * printed, an object as nothing and a list without its objects, and notes what went wrong.
 * A generator in liquidjs's protocol: it yields what liquidjs's renderer resolves, sync or async.
 */
function* checkedRender(
  original: RenderMethod,
  self: unknown,
  ctx: Context,
  emitter: Emitter,
  collector: Collector,
  site: () => Site,
): Generator<unknown, void, unknown> {
  const printed: { value?: unknown; wrote: boolean } = { wrote: false };
  const spy: Emitter = {
    buffer: '',
    write(html: unknown) {
      printed.value = html;
      printed.wrote = true;
    },
  };
  yield original.call(self, ctx, spy);
  if (!printed.wrote) return;

  const value = toValue(printed.value) as unknown;
  if (Array.isArray(value)) {
    emitter.write(printList(value));
    warnOnce(collector, site(), 'list', (s) => listAdvice(s, value));
    return;
  }
  if (printsAsObject(value)) {
    warnOnce(collector, site(), 'object', (s) => objectAdvice(s, value));
    return;
  }
  emitter.write(printed.value);
  if (value !== null && value !== undefined && value !== '') return;

  const where = site();
  if (collector.seen.has(siteKey(where))) return;
  const head = where.value.initial.postfix;
  if (head.length !== 1) return;
  let missing: string | undefined;
  try {
    missing = yield* findMissing(head[0]!, ctx);
  } catch {
    // The output itself rendered; a check that cannot tell says nothing.
    missing = undefined;
  }
  if (missing !== undefined)
    warnOnce(collector, where, 'undefined', (s) => `${written(s)} printed nothing: ${missing}`);
}

/**
 * The first name in a variable's path that is not defined, described; none when the whole path is
 * defined (its value may still be null or empty), when an item of it is null, or when the head is
 * a literal, a range or an expression. Reads each step as liquidjs does (`Context.readProperty`,
 * which keeps `ownPropertyOnly`), so a field exists exactly when the template can read it.
 */
function* findMissing(head: Token, ctx: Context): Generator<unknown, string | undefined, unknown> {
  if (!TypeGuards.isPropertyAccessToken(head) || head.variable !== undefined) return undefined;
  const context = ctx as unknown as {
    findScope?: (key: unknown) => unknown;
    readProperty: (obj: unknown, key: unknown) => unknown;
  };
  if (typeof context.findScope !== 'function') return undefined;

  const keys: unknown[] = [];
  for (const prop of head.props) keys.push(yield evalTokenValue(prop, ctx, false));
  const first = keys[0];
  if (typeof first !== 'string' && typeof first !== 'number') return undefined;
  // The scope liquidjs reads the name from: a variable set by assign, capture, a loop or a
  // render parameter counts as defined even when its value is not.
  const scope = context.findScope(first);
  const defined =
    scope !== null && typeof scope === 'object' && (ctx.ownPropertyOnly ? Object.hasOwn(scope, first) : first in scope);
  if (!defined) return `'${oneLine(String(first))}' is not defined`;

  let value = yield context.readProperty(scope, first);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    if (value === null || value === undefined || key === null || key === undefined) return undefined;
    const next = yield context.readProperty(value, key);
    if (next === undefined) {
      // An index past the end, or the first or last item of an empty list, is no misspelled name.
      if (Array.isArray(value) && (typeof key === 'number' || key === 'first' || key === 'last')) return undefined;
      return `${pathText(head.props.slice(0, i))} has no field '${oneLine(String(key))}'`;
    }
    value = next;
  }
  return undefined;
}
function siteKey(site: Site): string {
  return `${site.token.file ?? ''}\u0000${site.token.begin}`;
}

function warnOnce(
  collector: Collector,
  site: Site,
  kind: TemplateWarning['kind'],
  words: (site: Site) => string,
): void {
  const key = siteKey(site);
  if (collector.seen.has(key)) return;
  collector.seen.add(key);
  const [line = 1, col = 1] = site.token.getPosition();
  const file = site.token.file === undefined ? undefined : fileName(site.token.file, collector.folder);
  const message = `${file === undefined ? '' : `${file}, `}line ${line}, col ${col}: ${words(site)}`;
  collector.warnings.push({
    message,
    line,
    col,
    ...(file === undefined ? {} : { file }),
    expression: written(site),
    kind,
  });
}

/** An included file, relative to the template's folder, with forward slashes on every system. */
function fileName(file: string, folder: string | undefined): string {
  const name = folder === undefined ? file : relative(folder, file);
  return name.split(sep).join('/');
}
