/**
 * The GitHub runner's protocol for JavaScript actions: inputs from `INPUT_*`, workflow commands on
 * stdout, and the `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` files. It is what `@actions/core` does for
 * us, written out because `@actions/core` 3 loads all of undici through `@actions/http-client` (for
 * OIDC, which this action never uses) and that alone would cost more start-up time than the whole
 * action may take. Every byte written goes through the redactor: a key can reach no log line, output
 * or summary, whoever wrote the text.
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EOL } from 'node:os';
import { Redactor } from './redact.js';

export type Env = Record<string, string | undefined>;
export type Write = (text: string) => void;

const escapeData = (s: string): string =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Where an annotation points: a file of the repository, and a line and column in it. */
export interface AnnotationPlace {
  file: string;
  line?: number;
  col?: number;
}

export class Runner {
  readonly redactor = new Redactor();
  readonly #env: Env;
  readonly #write: Write;

  constructor(env: Env = process.env, write: Write = (text) => void process.stdout.write(text)) {
    this.#env = env;
    this.#write = write;
  }

  /** The raw input as the runner passes it (`INPUT_<NAME>`), trimmed; '' when not set. */
  getInput(name: string): string {
    return (this.#env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
  }

  get debugEnabled(): boolean {
    return this.#env.RUNNER_DEBUG === '1';
  }

  /** Registers a secret with the runner (`::add-mask::`) and with our own redactor. */
  setSecret(value: string): void {
    if (!value) return;
    // A multi-line secret is masked line by line by the runner: register each line too.
    for (const part of new Set([value, ...value.split(/\r?\n/).filter((l) => l.trim())])) {
      this.#write(`::add-mask::${escapeData(part)}${EOL}`);
    }
    this.redactor.add(value);
  }

  /** A log line the action wrote itself: its own words, numbers and links it built. */
  info(message: string): void {
    this.#write(this.redactor.redact(message) + EOL);
  }

  /**
   * Text the action did not write itself (a rendered message, a server's words, an error quoting
   * them), always inside a stop-commands fence: the runner shows it and obeys none of it. It obeys
   * `::cmd::` after any leading white space (.NET's, wider than JavaScript's `\s`) and the legacy
   * `##[cmd]` anywhere in a line, so no pattern could tell the harmless text apart: fence it all.
   */
  untrusted(text: string): void {
    const token = randomUUID();
    this.#write(`::stop-commands::${token}${EOL}${this.redactor.redact(text)}${EOL}::${token}::${EOL}`);
  }

  debug(message: string): void {
    this.#command('debug', message);
  }

  notice(message: string): void {
    this.#command('notice', message);
  }

  warning(message: string, place?: AnnotationPlace): void {
    const properties = place && [
      `file=${escapeProperty(this.redactor.redact(place.file))}`,
      ...(place.line === undefined ? [] : [`line=${place.line}`]),
      ...(place.col === undefined ? [] : [`col=${place.col}`]),
    ];
    this.#command(properties ? `warning ${properties.join(',')}` : 'warning', message);
  }

  error(message: string): void {
    this.#command('error', message);
  }

  group(title: string): void {
    this.#command('group', title);
  }

  endGroup(): void {
    this.#write(`::endgroup::${EOL}`);
  }

  setOutput(name: string, value: string): void {
    const safe = this.redactor.redact(value);
    const file = this.#env.GITHUB_OUTPUT;
    if (!file) {
      // Outside a runner (a local run): the legacy command is still understood and shows the value.
      this.#write(`${EOL}::set-output name=${name}::${escapeData(safe)}${EOL}`);
      return;
    }
    const delimiter = `ghadelimiter_${randomUUID()}`;
    appendFileSync(file, `${name}<<${delimiter}${EOL}${safe}${EOL}${delimiter}${EOL}`, 'utf8');
  }

  /** Appends Markdown to the job summary; does nothing outside a runner. */
  appendSummary(markdown: string): void {
    const file = this.#env.GITHUB_STEP_SUMMARY;
    if (!file) return;
    appendFileSync(file, this.redactor.redact(markdown) + EOL, 'utf8');
  }

  #command(command: string, message: string): void {
    this.#write(`::${command}::${escapeData(this.redactor.redact(message))}${EOL}`);
  }
}
