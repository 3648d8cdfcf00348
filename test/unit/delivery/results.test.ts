import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  deliveryFailure,
  deliveryOutputs,
  failedResult,
  OUTPUT_NAMES,
  sentResult,
  type RecipientResult,
} from '../../../src/delivery/results.js';
import { summaryMarkdown } from '../../../src/delivery/summary.js';

const LINK_A = 'https://t.me/c/2101424779/5343';
const LINK_B = 'https://t.me/c/2101424779/5344';
const sentA = sentResult(123456789, {
  result: 'message_sent',
  topic_link: LINK_A,
  chat_id: -1002101424779,
  thread_id: 5343,
});
const sentB = sentResult(987654321, {
  result: 'message_sent',
  topic_link: LINK_B,
  chat_id: '-1002101424779',
  thread_id: '5344',
});
const failedC = failedResult(555, 'HTTP 403: Connection not found: check instance and api_key');

describe('sentResult and failedResult', () => {
  it('carry exactly the fields of a results entry', () => {
    expect(sentA).toEqual({
      user_id: 123456789,
      ok: true,
      topic_link: LINK_A,
      chat_id: -1002101424779,
      thread_id: 5343,
      error: null,
    });
    expect(failedC).toEqual({
      user_id: 555,
      ok: false,
      topic_link: null,
      chat_id: null,
      thread_id: null,
      error: failedC.error,
    });
  });

  it('use null for what the API did not return', () => {
    expect(sentResult(1, { result: 'message_sent' })).toEqual({
      user_id: 1,
      ok: true,
      topic_link: null,
      chat_id: null,
      thread_id: null,
      error: null,
    });
  });
});

describe('deliveryOutputs', () => {
  it('one recipient: its topic, ids, the message and results', () => {
    const outputs = deliveryOutputs({
      message: 'Deployed main',
      truncated: false,
      parts: ['Deployed main'],
      results: [sentA],
    });
    expect(outputs).toEqual({
      topic_link: LINK_A,
      chat_id: '-1002101424779',
      thread_id: '5343',
      message: 'Deployed main',
      truncated: 'false',
      results: JSON.stringify([sentA]),
    });
  });

  it('only writes outputs action.yml declares, as strings', () => {
    const outputs = deliveryOutputs({ message: 'x', truncated: true, parts: ['x'], results: [sentA, failedC] });
    for (const [name, value] of Object.entries(outputs)) {
      expect(OUTPUT_NAMES).toContain(name);
      expect(typeof value).toBe('string');
    }
  });

  it('several recipients: the first that succeeded gives topic_link, chat_id, thread_id', () => {
    const outputs = deliveryOutputs({ message: 'x', truncated: false, parts: ['x'], results: [failedC, sentB, sentA] });
    expect(outputs.topic_link).toBe(LINK_B);
    expect(outputs.chat_id).toBe('-1002101424779');
    expect(outputs.thread_id).toBe('5344');
  });

  it('results is a JSON array with user_id, ok, topic_link, chat_id, thread_id, error per recipient, in order', () => {
    const results = [sentA, failedC, sentB];
    const parsed = JSON.parse(
      deliveryOutputs({ message: 'x', truncated: false, parts: ['x'], results }).results ?? '',
    ) as RecipientResult[];
    expect(parsed).toEqual(results);
    for (const entry of parsed)
      expect(Object.keys(entry).sort()).toEqual(['chat_id', 'error', 'ok', 'thread_id', 'topic_link', 'user_id']);
  });

  it('nobody reached: empty topic outputs, never "undefined" or "null"', () => {
    const outputs = deliveryOutputs({ message: 'x', truncated: false, parts: ['x'], results: [failedC] });
    expect([outputs.topic_link, outputs.chat_id, outputs.thread_id]).toEqual(['', '', '']);
  });

  it('a dry run: the message, truncated, and an empty results array', () => {
    const outputs = deliveryOutputs({ message: 'Hello…', truncated: true, parts: ['Hello…'], results: [] });
    expect(outputs).toEqual({
      topic_link: '',
      chat_id: '',
      thread_id: '',
      message: 'Hello…',
      truncated: 'true',
      results: '[]',
    });
  });

  it('a chat_id of 0 is still shown', () => {
    const outputs = deliveryOutputs({
      message: 'x',
      truncated: false,
      parts: ['x'],
      results: [sentResult(1, { result: 'message_sent', chat_id: 0, thread_id: 0 })],
    });
    expect(outputs.chat_id).toBe('0');
    expect(outputs.thread_id).toBe('0');
  });
});

describe('deliveryFailure', () => {
  it('says nothing when all went through', () => {
    expect(deliveryFailure([sentA, sentB])).toBeUndefined();
    expect(deliveryFailure([])).toBeUndefined();
  });

  it('one recipient: one line with the user and why', () => {
    expect(deliveryFailure([failedC])).toBe(
      'Sending failed for user 555: HTTP 403: Connection not found: check instance and api_key',
    );
  });

  it('several: how many of how many, naming each failed user and why, not the others', () => {
    const other = failedResult(777, 'no answer from api within 15 s (timeout)');
    const text = deliveryFailure([sentA, failedC, other]) ?? '';
    expect(text).toMatch(/^Sending failed for 2 of 3 recipients: /);
    expect(text).toContain('user 555: HTTP 403');
    expect(text).toContain('user 777: no answer');
    expect(text).not.toContain('123456789');
    expect(text.split('\n')).toHaveLength(1);
  });
});

/** The text between the fence that opens after `<summary>` and the fence that closes it. */
function fencedMessage(markdown: string): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^`{3,}text$/.test(l));
  if (start < 0) return undefined;
  const fence = (lines[start] ?? '').replace(/text$/, '');
  // CommonMark: a closing fence is at least as long as the opening one, backticks only (up to 3 spaces before).
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(l));
  if (end < 0) return undefined;
  return lines.slice(start + 1, end).join('\n');
}

describe('summaryMarkdown', () => {
  it('says it was sent and links each topic', () => {
    const md = summaryMarkdown(
      { message: 'Deployed main', truncated: false, parts: ['Deployed main'], results: [sentA] },
      false,
    );
    expect(md.split('\n')[0]).toBe('### ✅ Hotline: message sent to the topic');
    expect(md).toContain('| Recipient | Result | Topic |');
    expect(md).toContain(`| 123456789 | sent | [${LINK_A}](${LINK_A}) |`);
    expect(fencedMessage(md)).toBe('Deployed main');
    expect(md).toContain('13 characters');
  });

  it('counts topics and failures in the title', () => {
    expect(summaryMarkdown({ message: 'x', truncated: false, parts: ['x'], results: [sentA, sentB] }, false)).toMatch(
      /^### ✅ Hotline: message sent to 2 topics/,
    );
    expect(summaryMarkdown({ message: 'x', truncated: false, parts: ['x'], results: [sentA, failedC] }, false)).toMatch(
      /^### ❌ Hotline: 1 of 2 not delivered/,
    );
  });

  it('a dry run says nothing was sent and has no recipient table', () => {
    const md = summaryMarkdown({ message: 'Preview', truncated: false, parts: ['Preview'], results: [] }, true);
    expect(md.split('\n')[0]).toBe('### 🧪 Hotline: dry run, nothing sent');
    expect(md).not.toContain('| Recipient |');
    expect(fencedMessage(md)).toBe('Preview');
  });

  it('says when the message was cut', () => {
    expect(summaryMarkdown({ message: 'Hel…', truncated: true, parts: ['Hel…'], results: [sentA] }, false)).toContain(
      'cut to fit',
    );
    expect(
      summaryMarkdown({ message: 'Hello', truncated: false, parts: ['Hello'], results: [sentA] }, false),
    ).not.toContain('cut to fit');
  });

  it('escapes | and line breaks in table cells, so an error cannot break the table', () => {
    const bad = failedResult(9, 'HTTP 400: a | b\nsecond line\r\nthird');
    const md = summaryMarkdown({ message: 'x', truncated: false, parts: ['x'], results: [bad] }, false);
    const row = md.split('\n').find((l) => l.startsWith('| 9 |')) ?? '';
    expect(row).toBe('| 9 | failed: HTTP 400: a \\| b second line third |  |');
    // Four unescaped pipes: three cells.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(4);
  });

  it('a message with backticks cannot close its fence early', () => {
    for (const message of ['```\ninjected\n```', 'a ```` b', '`inline` and ``double``', '``````', 'ends with `']) {
      const md = summaryMarkdown({ message, truncated: false, parts: [message], results: [sentA] }, false);
      expect(fencedMessage(md), message).toBe(message);
    }
  });

  it('any message survives its fence whole', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('`', '``', '```', 'a', ' ', '\n', '~~~', '|', '<'), maxLength: 30 }),
        (message) => {
          const md = summaryMarkdown({ message, truncated: false, parts: [message], results: [] }, true);
          expect(fencedMessage(md)).toBe(message);
        },
      ),
    );
  });
});
