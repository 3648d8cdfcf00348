/**
 * The host on a command line: inputs from the flags, the log as plain lines on stderr (a message in
 * a `│` gutter), outputs kept for stdout, no summary. Inside a GitHub Actions step (`github`), where
 * the runner reads a step's output for workflow commands, every line goes out inside a
 * stop-commands fence (the gutter does not stop the legacy `##[cmd]`, obeyed anywhere in a line) and
 * the keys are masked (`::add-mask::`), as the action does.
 */
import { randomUUID } from 'node:crypto';
import type { InputName } from '../delivery/inputs.js';
import type { Host } from '../host.js';
import { Redactor, secretParts } from '../redact.js';

export type Write = (text: string) => void;

/** Text for a stream the GitHub runner reads (`github`): fenced, so nothing in it is obeyed. */
export function fenceFor(github: boolean, text: string): string {
  if (!github) return `${text}\n`;
  const token = randomUUID();
  return `::stop-commands::${token}\n${text}\n::${token}::\n`;
}

/** The runner's escaping of a command's data. */
const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export class TerminalHost implements Host {
  readonly redactor = new Redactor();
  /** The outputs, as the action would set them (stdout and --json are made from them). */
  readonly outputs: Record<string, string> = {};
  readonly debugEnabled: boolean;
  readonly #inputs: Partial<Record<InputName, string>>;
  readonly #github: boolean;
  readonly #write: Write;
  #inGroup = false;

  constructor(options: { inputs: Partial<Record<InputName, string>>; debug: boolean; github: boolean; write: Write }) {
    this.#inputs = options.inputs;
    this.debugEnabled = options.debug;
    this.#github = options.github;
    this.#write = options.write;
  }

  getInput(name: string): string {
    return (this.#inputs[name as InputName] ?? '').trim();
  }

  /** Redacted from every line; `::add-mask::` only in a GitHub Actions step, the one runner to tell. */
  setSecret(value: string): void {
    if (!value) return;
    if (this.#github) {
      for (const part of secretParts(value)) this.#write(`::add-mask::${escapeData(part)}\n`);
    }
    this.redactor.add(value);
  }

  info(message: string): void {
    this.#print(message);
  }
  untrusted(text: string): void {
    this.#print(text);
  }
  debug(message: string): void {
    if (this.debugEnabled) this.#print(message, 'debug: ');
  }
  notice(message: string): void {
    this.#print(message, 'notice: ');
  }
  warning(message: string): void {
    this.#print(message, 'warning: ');
  }
  error(message: string): void {
    this.#print(message, 'error: ');
  }
  setFailed(message: string): void {
    this.error(message);
  }
  group(title: string): void {
    this.#print(`${title}:`);
    this.#inGroup = true;
  }
  endGroup(): void {
    this.#inGroup = false;
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = this.redactor.redact(value);
  }
  async appendSummary(): Promise<void> {}

  /** A message is shown in a gutter; no line starts with "::" (a CI system could obey it). */
  #print(message: string, label = ''): void {
    const lines = this.redactor.redact(message).split(/\r?\n/);
    const shown = lines.map((line, i) =>
      this.#inGroup || /^\s*::/.test(line) ? `  │ ${line}` : i === 0 ? label + line : `  ${line}`,
    );
    this.#write(fenceFor(this.#github, shown.join('\n')));
  }
}
