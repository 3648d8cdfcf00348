/**
 * The host on the GitHub runner: inputs, secrets, the log, outputs, the job summary and the failure
 * through @actions/core, the toolkit every action speaks (tools such as @github/local-action see
 * what goes through it). What core does not do stays here:
 * - every byte written is redacted first (core prints a secret raw; only the runner would mask it);
 * - text the action did not write itself goes inside a stop-commands fence (core has no call for it);
 * - a missing GITHUB_OUTPUT or summary file is created (core throws), and outside a runner the summary
 *   is skipped.
 *
 * Only the functions used here are bundled: the build declares @actions/* free of side effects, so
 * core's OIDC client (and the HTTP stack under it) stays out of the action (scripts/build.mjs).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import * as core from '@actions/core';
import type { AnnotationPlace, Host } from '../host.js';
import { Redactor, secretParts } from '../redact.js';

export class GitHubHost implements Host {
  readonly redactor = new Redactor();

  get debugEnabled(): boolean {
    return core.isDebug();
  }

  getInput(name: string): string {
    return core.getInput(name);
  }

  /** Masked by the runner (`::add-mask::`) and redacted by us; a multi-line secret line by line too. */
  setSecret(value: string): void {
    if (!value) return;
    for (const part of secretParts(value)) core.setSecret(part);
    this.redactor.add(value);
  }

  info(message: string): void {
    core.info(this.redactor.redact(message));
  }

  /**
   * Shown, never obeyed: the runner obeys `::cmd::` after any leading white space (.NET's, wider than
   * JavaScript's `\s`) and the legacy `##[cmd]` anywhere in a line, so no pattern could tell the
   * harmless text apart. It is all fenced, each time with a new token no text can guess.
   */
  untrusted(text: string): void {
    const token = randomUUID();
    core.info(`::stop-commands::${token}\n${this.redactor.redact(text)}\n::${token}::`);
  }

  debug(message: string): void {
    core.debug(this.redactor.redact(message));
  }

  notice(message: string): void {
    core.notice(this.redactor.redact(message));
  }

  warning(message: string, place?: AnnotationPlace): void {
    const properties = place && {
      file: this.redactor.redact(place.file),
      startLine: place.line,
      startColumn: place.col,
    };
    core.warning(this.redactor.redact(message), properties);
  }

  error(message: string): void {
    core.error(this.redactor.redact(message));
  }

  group(title: string): void {
    core.startGroup(this.redactor.redact(title));
  }

  endGroup(): void {
    core.endGroup();
  }

  setOutput(name: string, value: string): void {
    ensureFile(process.env.GITHUB_OUTPUT);
    core.setOutput(name, this.redactor.redact(value));
  }

  async appendSummary(markdown: string): Promise<void> {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file) return; // Outside a runner: there is no summary to write.
    ensureFile(file);
    await core.summary.addRaw(this.redactor.redact(markdown), true).write();
  }

  setFailed(message: string): void {
    core.setFailed(this.redactor.redact(message));
  }
}

const checkedFiles = new Set<string>();

/** The runner creates its command files; one missing (a local run) is created, as the runner would. */
function ensureFile(path: string | undefined): void {
  if (!path || checkedFiles.has(path)) return;
  if (!existsSync(path)) closeSync(openSync(path, 'a'));
  checkedFiles.add(path);
}
