/**
 * What the command prints on stdout, for a person or a script: one JSON object (--json), or a few
 * lines (the topic links, the topic's details, a dry run's message). Topic links are written in their
 * canonical form (the CLI's own text); the rest (a topic's details, a message) is the API's or the
 * template's, fenced inside a GitHub Actions step.
 */
import { TOPIC_INFO_FIELDS, type RecipientResult } from '../delivery/results.js';
import { parseTopicLink, topicLink } from '../topics/links.js';
import type { Command } from './flags.js';
import { fenceFor, type Write } from './terminal-host.js';

export interface Report {
  command: Command;
  outputs: Record<string, string>;
  code: number;
  json: boolean;
  /** Inside a GitHub Actions step. */
  github: boolean;
  dryRun: boolean;
  /** The message as sent, or as it would be: one text, or the parts of a split one. */
  parts: string[] | undefined;
}

/**
 * One line of JSON that no runner obeys: it cannot start with "::" (it starts with "{"), and the
 * legacy `##[cmd]` is broken by writing every "#" before a "[" as \u0023, which JSON reads back the same.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/#(?=\[)/g, '\\u0023')}\n`;
}

export function report(r: Report, stdout: Write): void {
  const { command, outputs } = r;
  if (r.json) {
    const value: Record<string, unknown> = {
      ok: r.code === 0 && outputs.error === undefined,
      error: outputs.error ?? null,
    };
    for (const [name, text] of Object.entries(outputs)) {
      value[name] =
        name === 'results' || name === 'topic_info' ? parseJson(text) : name === 'truncated' ? text === 'true' : text;
    }
    // A message sent in several parts: each as it was (or, in a dry run, would be) sent.
    if (r.parts && r.parts.length > 1) value.parts = r.parts;
    stdout(jsonLine(value));
    return;
  }
  if (command === 'info') {
    const lines = ['topic_link', ...TOPIC_INFO_FIELDS]
      .filter((name) => outputs[name])
      .map((name) => `${name}: ${outputs[name]}`);
    if (lines.length > 0) stdout(fenceFor(r.github, lines.join('\n')));
  } else if (command === 'send' && r.dryRun) {
    // The message as it would be sent: with overflow split, its numbered parts, a blank line between them.
    const text = r.parts?.join('\n\n') ?? outputs.message;
    if (text) stdout(fenceFor(r.github, text));
  } else if (command === 'send') {
    const parsed = parseJson(outputs.results ?? '[]');
    const results = (Array.isArray(parsed) ? parsed : []) as RecipientResult[];
    // Each topic once, in the canonical form when the API's link parses as one.
    const links = new Set(results.filter((x) => x.ok && x.topic_link).map((x) => canonical(x.topic_link as string)));
    for (const link of links) stdout(parseTopicLink(link).ok ? `${link}\n` : fenceFor(r.github, link));
  }
}

function canonical(link: string): string {
  const parsed = parseTopicLink(link);
  return parsed.ok ? topicLink(parsed.topic) : link;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
