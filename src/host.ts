/**
 * What the core needs from the world around it: inputs, secrets, a log, outputs, a summary and a way
 * to fail. The GitHub host (action/github-host.ts) is the runner's protocol through @actions/core; the
 * terminal host (cli/terminal-host.ts) is a command line's flags and stderr. Each redacts every text
 * it writes with its redactor, and writes text the action did not write itself (`untrusted`) so that
 * nothing in it is obeyed.
 */
import type { Redactor } from './redact.js';

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/** Where an annotation points: a file of the repository, and a line and column in it. */
export interface AnnotationPlace {
  file: string;
  line?: number;
  col?: number;
}

export interface Log {
  /** A line the action wrote itself: its own words, numbers and links it built. */
  info(message: string): void;
  /** Text the action did not write itself (a message, a server's words): shown, never obeyed. */
  untrusted(text: string): void;
  debug(message: string): void;
  notice(message: string): void;
  warning(message: string, place?: AnnotationPlace): void;
  error(message: string): void;
  group(title: string): void;
  endGroup(): void;
}

export interface Host extends Log {
  readonly redactor: Redactor;
  readonly debugEnabled: boolean;
  /** The value of an input, trimmed; '' when it is not given. */
  getInput(name: string): string;
  /** A value never to be shown: masked where the host can, redacted from all it writes. */
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  /** Appends Markdown to the job summary, where the host has one. */
  appendSummary(markdown: string): Promise<void>;
  /** The run failed: the one line that says what to fix. */
  setFailed(message: string): void;
}
