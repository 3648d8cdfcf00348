/**
 * The dead-letter file `hotline-topics resend` takes, read and checked with the one schema the
 * action writes letters by (delivery/dead-letter.ts). What is wrong with a file is a usage error.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deadLetterSchema, type DeadLetter } from '../delivery/dead-letter.js';
import { errorMessage } from '../errors.js';

/** A file that is not a dead letter this version reads (a usage error for the command line). */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';
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
  const parsed = deadLetterSchema().safeParse(value);
  if (parsed.success) return parsed.data;
  const where = (path: PropertyKey[]): string =>
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || 'the file';
  const problems = parsed.error.issues.slice(0, 3).map((issue) => `${where(issue.path)}: ${issue.message}`);
  throw new DeadLetterError(
    `'${file}' is not a dead-letter file (version 1, as send and resend write it): ${problems.join('; ')}`,
  );
}
