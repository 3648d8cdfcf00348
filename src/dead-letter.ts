/**
 * What could not be delivered, kept: when sending finally fails, the undelivered messages (never a
 * key) are written as JSON under RUNNER_TEMP, so a following step can upload them as an artifact and
 * they can be sent again later. This format is what a re-send reads; `version` marks it.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecipientResult } from './outputs.js';
import type { Env } from './runner.js';

export interface UndeliveredMessage {
  /** The recipient, when known; else the topic it was meant for. */
  user_id?: number;
  topic_link?: string;
  message: string;
  part?: number;
  parts?: number;
  error: string;
}

export interface DeadLetter {
  version: 1;
  created_at: string;
  action: 'incoming_in_topic';
  endpoint: string;
  repository?: string;
  run_url?: string;
  undelivered: UndeliveredMessage[];
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
  const folder = env.RUNNER_TEMP || tmpdir();
  const path = join(folder, `hotline-undelivered-${env.GITHUB_RUN_ID || 'local'}-${randomUUID().slice(0, 8)}.json`);
  writeFileSync(path, `${redact(JSON.stringify(letter, null, 2))}\n`, { encoding: 'utf8', mode: 0o600 });
  return path;
}
