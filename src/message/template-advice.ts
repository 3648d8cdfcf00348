/**
 * The words of a template warning: the output as written, and what to write instead (a field the
 * object really has, `| join`, `| json`). Also how a printed value is judged: an object Liquid would
 * print as "[object Object]", a list, a list holding objects.
 */
import { TypeGuards, toValue, type Token } from 'liquidjs';

/** The parts of liquidjs objects the checks read that its type declarations keep private. */
export interface OutputToken extends Token {
  content: string;
  /** The tag's name, `echo`; none for an output. */
  name?: string;
}
export interface ParsedValue {
  initial: { postfix: Token[] };
  filters: unknown[];
}

/** Where an output is and how it is written. */
export interface Site {
  token: OutputToken;
  value: ParsedValue;
  form: 'output' | 'echo' | 'liquid-echo';
}

/** A variable path as written: `github.event`, `ev[event_name]`, `list[0]`. */
export function pathText(props: Token[]): string {
  return props
    .map((prop, i) => {
      if (TypeGuards.isWordToken(prop)) return i === 0 ? prop.content : `.${prop.content}`;
      return `[${oneLine(prop.getText())}]`;
    })
    .join('');
}

/** How Liquid prints a list, each object in it printing nothing instead of "[object Object]". */
export function printList(list: unknown[]): string {
  return list
    .map((item) => {
      const value = toValue(item) as unknown;
      if (Array.isArray(value)) return printList(value);
      if (value === null || value === undefined || printsAsObject(value)) return '';
      return String(value);
    })
    .join('');
}

/** A value Liquid would print as "[object Object]" (or fail to print: one with no prototype). */
export function printsAsObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const toString = (value as { toString?: unknown }).toString;
  return typeof toString !== 'function' || toString === Object.prototype.toString;
}

function holdsObject(list: unknown[]): boolean {
  return list.some((item) => {
    const value = toValue(item) as unknown;
    return Array.isArray(value) ? holdsObject(value) : printsAsObject(value);
  });
}

/** Fields people print, most telling first; else the object's first field with a string or number. */
const LIKELY_FIELDS = [
  'login',
  'name',
  'title',
  'tag_name',
  'full_name',
  'html_url',
  'url',
  'id',
  'number',
  'key',
  'value',
];

function likelyField(object: object): string | undefined {
  const printable = (key: string): boolean => {
    if (!Object.hasOwn(object, key)) return false;
    const value = (object as Record<string, unknown>)[key];
    return (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value));
  };
  return LIKELY_FIELDS.find(printable) ?? Object.keys(object).find(printable);
}

/** `expression.field`, or `expression["a field"]` when the name is no Liquid identifier. */
function fieldOf(expression: string, field: string): string {
  return /^[A-Za-z_][\w-]*$/.test(field) ? `${expression}.${field}` : `${expression}[${JSON.stringify(field)}]`;
}

/** The expression inside the output (after `echo` for the tag), on one line. */
function valueText(site: Site): string {
  // Not the token's `args`: a `{% liquid %}` line computes them from where its tokenizer now is.
  const content =
    site.form === 'output' ? site.token.content : site.token.content.slice((site.token.name ?? '').length);
  return oneLine(content);
}

/** The output as written, on one line. */
export function written(site: Site): string {
  const content = oneLine(site.token.content);
  return site.form === 'output' ? `{{ ${content} }}` : site.form === 'echo' ? `{% ${content} %}` : content;
}

/** An output of `expression`, written the way the site is. */
function print(site: Site, expression: string): string {
  return site.form === 'output'
    ? `{{ ${expression} }}`
    : site.form === 'echo'
      ? `{% echo ${expression} %}`
      : `echo ${expression}`;
}

export function objectAdvice(site: Site, object: object): string {
  const expression = valueText(site);
  const field = likelyField(object);
  const whole = `all of it with ${print(site, `${expression} | json`)}`;
  let one = 'Print one of its fields';
  if (field !== undefined) {
    if (site.value.filters.length === 0) {
      one += `, e.g. ${print(site, fieldOf(expression, field))}`;
    } else {
      // A filtered value has no path to add a field to: assign it first.
      const assign =
        site.form === 'liquid-echo' ? `assign value = ${expression}` : `{% assign value = ${expression} %}`;
      one += `, e.g. ${assign}${site.form === 'liquid-echo' ? ' then ' : ''}${print(site, fieldOf('value', field))}`;
    }
  }
  return `${written(site)} is an object, which would print as [object Object]; it printed nothing. ${one}, or ${whole}`;
}

export function listAdvice(site: Site, list: unknown[]): string {
  const expression = valueText(site);
  const json = print(site, `${expression} | json`);
  if (!holdsObject(list)) {
    return `${written(site)} is a list, which prints its items run together; print them with ${print(site, `${expression} | join: ", "`)}, or the whole list with ${json}`;
  }
  const items = list.map((item) => toValue(item) as unknown);
  const objects = items.filter(printsAsObject);
  const what = objects.length === items.length ? 'a list of objects' : 'a list holding objects';
  const field = objects.map(likelyField).find((f) => f !== undefined);
  const advice =
    field === undefined
      ? `Print all of it with ${json}`
      : `Print one field of each with ${print(site, `${expression} | map: ${JSON.stringify(field)} | join: ", "`)}, or all of it with ${json}`;
  return `${written(site)} is ${what}, which would print as [object Object]; its objects printed nothing. ${advice}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
