/** The job summary's Markdown: what was sent and where (topic links), or the topic looked up. Pure. */
import { topicLink, type TopicRef } from '../topics/links.js';
import type { TopicInfo } from '../topics/api-types.js';
import { recipientName, topicKind, type Delivery } from './results.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A fenced block that no run of backticks in the text can close early. */
function fenced(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

export function summaryMarkdown(
  { message, truncated, parts, results, perRecipient }: Delivery,
  dryRun: boolean,
): string {
  // A recipient is a user (with topics_from, a user and an issue: a message per issue).
  const recipients = new Set(results.map(recipientName)).size;
  const failed = new Set(results.filter((r) => !r.ok).map(recipientName)).size;
  const topics = new Set(results.map((r) => (r.user_id === null ? r.topic_link : r.user_id))).size;
  const sentTo = recipients === 1 ? 'the topic' : `${recipients} topics`;
  const title = dryRun
    ? '🧪 Hotline: dry run, nothing sent'
    : failed === 0
      ? topics < recipients
        ? `✅ Hotline: ${recipients} messages sent to ${topics === 1 ? 'the topic' : `${topics} topics`}`
        : `✅ Hotline: message sent to ${sentTo}`
      : `❌ Hotline: ${failed} of ${recipients} not delivered`;
  const lines = [`### ${title}`, ''];
  // With topics_from each row says which issue linked the topic.
  const issues = results.some((r) => r.issue !== undefined);
  if (results.length > 0) {
    lines.push(
      `| Recipient |${issues ? ' Issue |' : ''} Result | Topic |`,
      `| --- |${issues ? ' --- |' : ''} --- | --- |`,
    );
    for (const r of results) {
      const topic = r.topic_link ? `[${cell(r.topic_link)}](${r.topic_link})` : '';
      const part = r.part ? ` (part ${r.part}/${r.parts})` : '';
      const recipient = r.user_id === null ? 'the user of the topic' : String(r.user_id);
      const issue = issues ? ` ${r.issue === undefined ? '' : `#${r.issue}`} |` : '';
      lines.push(
        `| ${recipient} |${issue} ${r.ok ? `sent${part}` : cell(`failed${part}: ${r.error ?? ''}`)} | ${topic} |`,
      );
    }
    lines.push('');
  }
  const about = `${message.length} characters${truncated ? ', cut to fit' : ''}${parts.length > 1 ? `, split in ${parts.length} messages` : ''}`;
  const each = perRecipient ? " (the first recipient's: each got their own)" : '';
  lines.push(`<details open><summary>Message${each} (${about})</summary>`, '', fenced(message), '', '</details>');
  return lines.join('\n');
}

/** Nothing was sent, and why (notify, no topic found, a fork without secrets). */
export function nothingSentMarkdown(why: string): string {
  return [`### ⏭ Hotline: nothing sent`, '', cell(why)].join('\n');
}

export function topicSummaryMarkdown(topic: TopicRef, info: TopicInfo): string {
  const link = topicLink(topic);
  const lines = [
    `### 🔎 Hotline: ${topicKind(info)} [${cell(link)}](${link})`,
    '',
    '| Field | Value |',
    '| --- | --- |',
  ];
  for (const [field, value] of Object.entries(info)) {
    if (field === 'result' || value === undefined || value === null || value === '') continue;
    lines.push(`| ${cell(field)} | ${cell(typeof value === 'object' ? JSON.stringify(value) : String(value))} |`);
  }
  return lines.join('\n');
}
