/**
 * What could not be delivered, kept: when sending finally fails, the undelivered messages (never a
 * key) are written as JSON under RUNNER_TEMP, so a following step can upload them as an artifact and
 * they can be sent again later (`hotline-topics resend`). One schema says what the file holds: a
 * letter is checked against it before it is written, and a file is read with it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import type { Env } from '../host.js';
import { parseTopicLink, TOPIC_LINK_FORM } from '../topics/links.js';
import { TELEGRAM_LIMIT } from './inputs.js';
import type { RecipientResult } from './results.js';

const entrySchema = z
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

const letterSchema = z.object({
  version: z.literal(1, 'expected version 1'),
  created_at: z.string().optional(),
  action: z.literal('incoming_in_topic').optional(),
  endpoint: z.string().optional(),
  repository: z.string().optional(),
  run_url: z.string().optional(),
  undelivered: z.array(entrySchema),
});

export type UndeliveredMessage = z.output<typeof entrySchema>;
export type DeadLetter = z.output<typeof letterSchema>;

/** A file that is not a dead letter this version reads (a usage error for the command line). */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';
}

/** What did not reach its user: each failed result, with the text of its part (for a topic whose
 * user could not be looked up, the topic instead of the user). */
export function undeliveredOf(results: readonly RecipientResult[], parts: readonly string[]): UndeliveredMessage[] {
  return results
    .filter((r) => !r.ok)
    .map((r) => ({
      ...(r.user_id === null ? { topic_link: r.topic_link ?? '' } : { user_id: r.user_id }),
      message: parts[(r.part ?? 1) - 1] ?? '',
      ...(r.part ? { part: r.part, parts: r.parts } : {}),
      error: r.error ?? '',
    }));
}

/** Writes the letter (readable by its owner only, keys redacted once more) and returns its path. */
export function writeDeadLetter(letter: DeadLetter, env: Env, redact: (text: string) => string): string {
  // What is written can be read back: a letter the schema refuses is a bug, not a file to leave behind.
  const checked = letterSchema.parse(letter);
  const folder = env.RUNNER_TEMP || tmpdir();
  const path = join(folder, `hotline-undelivered-${env.GITHUB_RUN_ID || 'local'}-${randomUUID().slice(0, 8)}.json`);
  writeFileSync(path, `${redact(JSON.stringify(checked, null, 2))}\n`, { encoding: 'utf8', mode: 0o600 });
  return path;
}

/** A dead-letter file, checked: a DeadLetterError says what is wrong with it (naming `file` as given). */
export function readDeadLetter(file: string, readerVersion: string, cwd = process.cwd()): DeadLetter {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(resolve(cwd, file), 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DeadLetterError(
      error instanceof SyntaxError
        ? `'${file}' is not a dead-letter file: it is not JSON`
        : `the dead-letter file '${file}' cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? errorMessage(error))})`,
      { cause: error },
    );
  }
  // Only a file with the list of undelivered messages is a dead letter at all (a package.json has a version too).
  const letter =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  if (!Array.isArray(letter?.undelivered)) {
    throw new DeadLetterError(
      `'${file}' is not a dead-letter file: it has no "undelivered" list (send and resend write one when delivery finally fails)`,
    );
  }
  if (letter.version !== undefined && letter.version !== 1) {
    throw new DeadLetterError(
      `'${file}' is a dead letter of version ${JSON.stringify(letter.version)}; this hotline-topics ${readerVersion} reads version 1`,
    );
  }
  const parsed = letterSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = (path: PropertyKey[]): string =>
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || 'the file';
  const problems = parsed.error.issues.slice(0, 3).map((issue) => `${where(issue.path)}: ${issue.message}`);
  throw new DeadLetterError(
    `'${file}' is not a dead-letter file (version 1, as send and resend write it): ${problems.join('; ')}`,
  );
}
