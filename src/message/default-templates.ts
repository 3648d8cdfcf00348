/**
 * The default messages: one Liquid file per event in templates/ (shipped with the action, next to
 * dist/), used when neither `message` nor `message_file` is given. Users read them there, and copy
 * one into their repository as a `message_file` to change it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageTemplate } from './template.js';

/**
 * templates/ at the package's root: one level up from a bundle (dist/, cli/, lib/), two from
 * src/message/ (tests).
 */
const here = dirname(fileURLToPath(import.meta.url));
export const TEMPLATES_DIR =
  [resolve(here, '..', 'templates'), resolve(here, '..', '..', 'templates')].find((dir) =>
    existsSync(join(dir, 'generic.liquid')),
  ) ?? resolve(here, '..', 'templates');

/** Events with a message of their own; every other event gets templates/generic.liquid. */
export const DEFAULT_EVENTS = [
  'push',
  'pull_request',
  'pull_request_target',
  'issues',
  'issue_comment',
  'release',
  'deployment',
  'deployment_status',
  'workflow_run',
  'workflow_dispatch',
  'schedule',
] as const;

export function defaultTemplateFile(eventName: string): string {
  return (DEFAULT_EVENTS as readonly string[]).includes(eventName) ? `${eventName}.liquid` : 'generic.liquid';
}

/** The default message for customers (`topics_from`): addressed to the person, about their issue. */
export const CUSTOMER_TEMPLATE = 'customer.liquid';

/** The event's default template; with `forCustomer` (topics_from), the one for customers. */
export async function loadDefaultTemplate(eventName: string, forCustomer = false): Promise<MessageTemplate> {
  const file = forCustomer ? CUSTOMER_TEMPLATE : defaultTemplateFile(eventName);
  return {
    source: await readFile(join(TEMPLATES_DIR, file), 'utf8'),
    origin: `the default message templates/${file}`,
    folder: TEMPLATES_DIR,
    shipped: true,
  };
}
