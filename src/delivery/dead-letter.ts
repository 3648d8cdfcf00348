/**
 * What could not be delivered, kept: when sending finally fails, the undelivered messages (never a
 * key) are written as JSON under RUNNER_TEMP, so a following step can upload them as an artifact and
 * they can be sent again later (`hotline-topics resend`). One schema says what the file holds: a
 * letter is checked against it before it is written, and `resend` reads a file with it
 * (cli/dead-letter-file.ts).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Env } from '../host.js';
import { parseTopicLink, TOPIC_LINK_FORM } from '../topics/links.js';
import { TELEGRAM_LIMIT } from './inputs.js';
import type { RecipientResult } from './results.js';

/** The schema of a dead letter, made the first time a letter is written or read (most runs do neither). */
const makeLetterSchema = () => {
  const entry = z
    .object({
      /** The recipient, when known; else the topic it was meant for. */
      user_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
      topic_link: z
        .string()
        .refine((link) => parseTopicLink(link).ok, `expected ${TOPIC_LINK_FORM}`)
        .optional(),
      message: z
        .string()
        .min(1, 'expected the text to send')
        .max(TELEGRAM_LIMIT, `expected at most ${TELEGRAM_LIMIT} characters`),
      part: z.number().int().positive().optional(),
      parts: z.number().int().positive().optional(),
      error: z.string().optional(),
    })
    .refine((e) => (e.user_id === undefined) !== (e.topic_link === undefined), 'expected either user_id or topic_link');
  return z.object({
    version: z.literal(1, 'expected version 1'),
    created_at: z.string().optional(),
    action: z.literal('incoming_in_topic').optional(),
    endpoint: z.string().optional(),
    repository: z.string().optional(),
    run_url: z.string().optional(),
    undelivered: z.array(entry),
  });
};
let letterSchema: ReturnType<typeof makeLetterSchema> | undefined;
/** The one schema of a dead letter: the action checks what it writes, `hotline-topics resend` what it reads. */
export const deadLetterSchema = (): ReturnType<typeof makeLetterSchema> => (letterSchema ??= makeLetterSchema());

export type DeadLetter = z.output<ReturnType<typeof makeLetterSchema>>;
export type UndeliveredMessage = DeadLetter['undelivered'][number];

/** What did not reach its user: each failed result, with the text of its part (for a topic whose
 * user could not be looked up, the topic instead of the user). */
export function undeliveredOf(
  outcomes: ReadonlyArray<{ result: RecipientResult; text: string }>,
): UndeliveredMessage[] {
  return outcomes
    .filter(({ result }) => !result.ok)
    .map(({ result: r, text }) => ({
      ...(r.user_id === null ? { topic_link: r.topic_link ?? '' } : { user_id: r.user_id }),
      message: text,
      ...(r.part ? { part: r.part, parts: r.parts } : {}),
      error: r.error ?? '',
    }));
}

/** Writes the letter (readable by its owner only, keys redacted once more) and returns its path. */
export function writeDeadLetter(letter: DeadLetter, env: Env, redact: (text: string) => string): string {
  // What is written can be read back: a letter the schema refuses is a bug, not a file to leave behind.
  const checked = deadLetterSchema().parse(letter);
  const folder = env.RUNNER_TEMP || tmpdir();
  const path = join(folder, `hotline-undelivered-${env.GITHUB_RUN_ID || 'local'}-${randomUUID().slice(0, 8)}.json`);
  writeFileSync(path, `${redact(JSON.stringify(checked, null, 2))}\n`, { encoding: 'utf8', mode: 0o600 });
  return path;
}
