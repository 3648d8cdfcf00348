/**
 * How each input is read and checked (zod transforms from the raw string), each problem in one
 * phrase that names the expected form and quotes what was given. Keys are never quoted back.
 */
import { z } from 'zod';
import { groupIdProblem, parseTopicLink, TOPIC_LINK_FORM, topicIdProblem } from '../topics/links.js';
import { JOB_STATUSES } from './inputs.js';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);
const isLoopback = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);

const quote = (value: string): string => `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;

/** A boolean as GitHub's own actions read one (`core.getBooleanInput`): YAML 1.2's core schema words. */
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];
export const booleanInput = z.stringbool({
  truthy: TRUE_WORDS,
  falsy: FALSE_WORDS,
  case: 'sensitive',
  error: (issue) => `expected true or false (or True, TRUE, False, FALSE); got ${quote(String(issue.input))}`,
});

export const endpointInput = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected an https:// URL; got ${quote(value)}` });
    return z.NEVER;
  }
  const loopback = isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an https:// URL (http:// only for a loopback host: localhost, 127.x.x.x, [::1]); got ${quote(`${url.protocol}//${url.host}`)}`,
    });
    return z.NEVER;
  }
  if (url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a URL without user:password@; the keys travel in their own inputs',
    });
    return z.NEVER;
  }
  return url.href;
});

export const userIdsInput = z.string().transform((value, ctx) => {
  const ids: number[] = [];
  for (const token of value.split(/[\s,]+/).filter(Boolean)) {
    const id = /^\d{1,16}$/.test(token) ? Number(token) : NaN;
    if (!Number.isSafeInteger(id) || id <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected Telegram user ids (positive whole numbers) separated by commas, spaces or newlines; got ${quote(token)}`,
      });
      return z.NEVER;
    }
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
});

export const wholeNumber = (min: number, max: number, what: string) =>
  z.string().transform((value, ctx) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${what}, a whole number from ${min} to ${max}; got ${quote(value)}`,
      });
      return z.NEVER;
    }
    return n;
  });

export const secondsInput = z.string().transform((value, ctx) => {
  // Decimal notation only (`15`, `2.5`, `.5`, `5.`): no exponent, sign or hex that Number() would take.
  const n = /^(\d+\.?\d*|\.\d+)$/.test(value) ? Number(value) : NaN;
  if (!(n > 0 && n <= 600)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected seconds for one attempt, a number above 0 and at most 600; got ${quote(value)}`,
    });
    return z.NEVER;
  }
  return Math.ceil(n * 1000);
});

export const statusInput = z.string().transform((value, ctx) => {
  const status = value.toLowerCase();
  if (status === '') return undefined;
  if (!(JOB_STATUSES as readonly string[]).includes(status)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected one of ${JOB_STATUSES.join(', ')} (as \${{ job.status }} gives); got ${quote(value)}`,
    });
    return z.NEVER;
  }
  return status as (typeof JOB_STATUSES)[number];
});

export const optional = z.string().transform((value) => value || undefined);

/** One of a few words, in any letter case. */
export const oneOf = <const T extends readonly string[]>(words: T) =>
  z.string().transform((value, ctx) => {
    const word = value.toLowerCase();
    if (!(words as readonly string[]).includes(word)) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${words.join(', ')}; got ${quote(value)}` });
      return z.NEVER;
    }
    return word as T[number];
  });

/** One of a few words, in any letter case, or nothing (undefined). */
export const oneOfOrNone = <const T extends readonly string[]>(words: T) =>
  z.string().transform((value, ctx) => {
    if (value === '') return undefined;
    const word = value.toLowerCase();
    if (!(words as readonly string[]).includes(word)) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${words.join(', ')}, or nothing; got ${quote(value)}` });
      return z.NEVER;
    }
    return word as T[number];
  });

export const topicLinkInput = z.string().transform((value, ctx) => {
  if (!value) return undefined;
  const parsed = parseTopicLink(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: `expected ${TOPIC_LINK_FORM}; ${parsed.problem}` });
    return z.NEVER;
  }
  return parsed.topic;
});

export const groupIdInput = z.string().transform((value, ctx) => {
  if (!value) return undefined;
  if (groupIdProblem(value) !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected the group id, the digits after t.me/c/ in a topic link (2101424779 in ${TOPIC_LINK_FORM.replace(/^a topic link like /, '')}); got ${quote(value)}`,
    });
    return z.NEVER;
  }
  return value;
});

export const topicIdInput = z.string().transform((value, ctx) => {
  if (!value) return undefined;
  if (topicIdProblem(value) !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected the topic id, the number after the group id in a topic link (5343 in ${TOPIC_LINK_FORM.replace(/^a topic link like /, '')}); got ${quote(value)}`,
    });
    return z.NEVER;
  }
  return Number(value);
});

// x_api_key travels in an HTTP header: printable ASCII. api_key travels in JSON: anything but control
// characters. A value is never quoted back, not even in an error.
export const keyInput = (what: string, allowed: RegExp, form: string) =>
  z.string().refine((value) => allowed.test(value), {
    message: `expected ${what} as ${form} (check the secret's value; it is not shown here)`,
  });
