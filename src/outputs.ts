/** What the step reports: its outputs and the job summary, built from the delivery results. Pure. */
import type { MessageSent } from './topics-client.js';

/** Every output the action writes; action.yml declares exactly these (a test holds them together). */
export const OUTPUT_NAMES = ['topic_link', 'chat_id', 'thread_id', 'message', 'truncated', 'results', 'error'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

export interface RecipientResult {
  user_id: number;
  ok: boolean;
  topic_link: string | null;
  chat_id: number | string | null;
  thread_id: number | string | null;
  error: string | null;
}

export const sentResult = (userId: number, sent: MessageSent): RecipientResult => ({
  user_id: userId,
  ok: true,
  topic_link: sent.topic_link ?? null,
  chat_id: sent.chat_id ?? null,
  thread_id: sent.thread_id ?? null,
  error: null,
});

export const failedResult = (userId: number, error: string): RecipientResult => ({
  user_id: userId,
  ok: false,
  topic_link: null,
  chat_id: null,
  thread_id: null,
  error,
});

export interface Delivery {
  message: string;
  truncated: boolean;
  results: RecipientResult[];
}

/** The outputs of a delivery (or a dry run, with no results); `error` is set by the failure path. */
export function deliveryOutputs({ message, truncated, results }: Delivery): Partial<Record<OutputName, string>> {
  const first = results.find((r) => r.ok);
  return {
    topic_link: first?.topic_link ?? '',
    chat_id: first?.chat_id == null ? '' : String(first.chat_id),
    thread_id: first?.thread_id == null ? '' : String(first.thread_id),
    message,
    truncated: String(truncated),
    results: JSON.stringify(results),
  };
}

/** One line naming each failed recipient and why, or undefined when all went through. */
export function deliveryFailure(results: readonly RecipientResult[]): string | undefined {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return undefined;
  const reasons = failed.map((r) => `user ${r.user_id}: ${r.error}`).join('; ');
  return results.length === 1
    ? `Sending failed for ${reasons}`
    : `Sending failed for ${failed.length} of ${results.length} recipients: ${reasons}`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A fenced block that no run of backticks in the text can close early. */
function fenced(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

export function summaryMarkdown({ message, truncated, results }: Delivery, dryRun: boolean): string {
  const failed = results.filter((r) => !r.ok).length;
  const title = dryRun
    ? '🧪 Hotline: dry run, nothing sent'
    : failed === 0
      ? `✅ Hotline: message sent to ${results.length === 1 ? 'the topic' : `${results.length} topics`}`
      : `❌ Hotline: ${failed} of ${results.length} not delivered`;
  const lines = [`### ${title}`, ''];
  if (results.length > 0) {
    lines.push('| Recipient | Result | Topic |', '| --- | --- | --- |');
    for (const r of results) {
      const topic = r.topic_link ? `[${cell(r.topic_link)}](${r.topic_link})` : '';
      lines.push(`| ${r.user_id} | ${r.ok ? 'sent' : cell(`failed: ${r.error ?? ''}`)} | ${topic} |`);
    }
    lines.push('');
  }
  const about = `${message.length} characters${truncated ? ', cut to fit' : ''}`;
  lines.push(`<details open><summary>Message (${about})</summary>`, '', fenced(message), '', '</details>');
  return lines.join('\n');
}
