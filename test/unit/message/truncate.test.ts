import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ELLIPSIS, graphemePrefix, truncateMessage } from '../../../src/message/truncate.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Offsets (UTF-16) at which `text` may be cut without splitting a grapheme cluster. */
function boundaries(text: string): Set<number> {
  const set = new Set<number>([0, text.length]);
  for (const { index } of segmenter.segment(text)) set.add(index);
  return set;
}

const hasLoneSurrogate = (text: string): boolean => /\p{Surrogate}/u.test(text);

/** What every cut message must satisfy, whatever the text and the limit. */
function expectWellCut(input: string, limit: number): void {
  const { text, truncated } = truncateMessage(input, limit);
  expect(text.length).toBeLessThanOrEqual(limit);
  if (input.length <= limit) {
    expect(truncated).toBe(false);
    expect(text).toBe(input);
    return;
  }
  expect(truncated).toBe(true);
  expect(text.endsWith(ELLIPSIS)).toBe(true);
  const kept = text.slice(0, -ELLIPSIS.length);
  expect(input.startsWith(kept)).toBe(true);
  // Cut between grapheme clusters of the input, never inside one.
  expect(boundaries(input).has(kept.length)).toBe(true);
  // As late as possible: the graphemes dropped between the cut and the last whole grapheme that
  // fits are whitespace (trimmed before the …), and the last one kept is not.
  const segments = [...segmenter.segment(input)];
  const fits = Math.max(
    0,
    ...segments.map((s) => s.index + s.segment.length).filter((end) => end <= limit - ELLIPSIS.length),
  );
  expect(kept.length).toBeLessThanOrEqual(fits);
  for (const s of segments.filter((s) => s.index >= kept.length && s.index < fits)) expect(s.segment).toMatch(/^\s+$/);
  const last = segments.find((s) => s.index + s.segment.length === kept.length);
  if (last) expect(last.segment).not.toMatch(/^\s+$/);
  expect(hasLoneSurrogate(text)).toBe(false);
}

const FAMILY = '👨‍👩‍👧‍👦';
const UA = '🇺🇦';
const DE = '🇩🇪';

describe('truncateMessage: examples', () => {
  it('leaves a message exactly at the limit unchanged', () => {
    expect(truncateMessage('hello', 5)).toEqual({ text: 'hello', truncated: false });
    expect(truncateMessage('😀😀', 4)).toEqual({ text: '😀😀', truncated: false });
    expect(truncateMessage('x'.repeat(4096), 4096)).toEqual({ text: 'x'.repeat(4096), truncated: false });
  });

  it('leaves a shorter message and the empty message unchanged', () => {
    expect(truncateMessage('hi', 4096)).toEqual({ text: 'hi', truncated: false });
    expect(truncateMessage('', 1)).toEqual({ text: '', truncated: false });
  });

  it('cuts a message one over the limit and ends it with …, within the limit', () => {
    expect(truncateMessage('abcdef', 5)).toEqual({ text: 'abcd…', truncated: true });
    const long = truncateMessage('y'.repeat(4097), 4096);
    expect(long.truncated).toBe(true);
    expect(long.text).toHaveLength(4096);
    expect(long.text).toBe(`${'y'.repeat(4095)}…`);
  });

  it('counts length in UTF-16 code units, as Telegram does', () => {
    // Four code points, but eight code units: over a limit of 7.
    expect(truncateMessage('😀😀😀😀', 8).truncated).toBe(false);
    expect(truncateMessage('😀😀😀😀', 7)).toEqual({ text: '😀😀😀…', truncated: true });
  });

  it('never splits an emoji surrogate pair', () => {
    expect(truncateMessage('ab😀cd', 4)).toEqual({ text: 'ab…', truncated: true });
    expect(truncateMessage('ab😀cd', 5)).toEqual({ text: 'ab😀…', truncated: true });
    for (let limit = 1; limit <= 12; limit++) {
      const { text } = truncateMessage('😀a😀b😀c😀', limit);
      expect(hasLoneSurrogate(text), `limit ${limit}: ${JSON.stringify(text)}`).toBe(false);
    }
  });

  it('never splits a ZWJ family: it is kept whole or dropped whole', () => {
    const input = `Hi ${FAMILY} there and ${FAMILY}!`;
    for (let limit = 1; limit < input.length; limit++) {
      const { text } = truncateMessage(input, limit);
      // Every person in the output belongs to a whole family.
      const people = text.match(/\p{Extended_Pictographic}/gu)?.length ?? 0;
      const families = text.split(FAMILY).length - 1;
      expect(people, `limit ${limit}: ${JSON.stringify(text)}`).toBe(families * 4);
      expect(text.endsWith('\u200d…')).toBe(false);
      expectWellCut(input, limit);
    }
    expect(truncateMessage(input, 10)).toEqual({ text: 'Hi…', truncated: true });
    expect(truncateMessage(input, 15)).toEqual({ text: `Hi ${FAMILY}…`, truncated: true });
  });

  it('never splits a flag into lone regional indicators', () => {
    const input = `x${UA}${DE}${UA}`;
    for (let limit = 1; limit < input.length; limit++) {
      const { text } = truncateMessage(input, limit);
      const indicators = text.match(/\p{Regional_Indicator}/gu)?.length ?? 0;
      expect(indicators % 2, `limit ${limit}: ${JSON.stringify(text)}`).toBe(0);
      expectWellCut(input, limit);
    }
    expect(truncateMessage(input, 7)).toEqual({ text: `x${UA}…`, truncated: true });
    // 🇺🇦🇩🇪 must not be re-paired as 🇦🇩 by a cut one indicator in.
    expect(truncateMessage(input, 6).text).toBe(`x${UA}…`);
  });

  it('never separates a letter from its combining accent', () => {
    const input = 'Cafe\u0301 au lait';
    expect(truncateMessage(input, 5)).toEqual({ text: 'Caf…', truncated: true });
    expect(truncateMessage(input, 6)).toEqual({ text: 'Cafe\u0301…', truncated: true });
    for (let limit = 1; limit < input.length; limit++) {
      expect(truncateMessage(input, limit).text).not.toMatch(/e…$/);
      expectWellCut(input, limit);
    }
  });

  it('cuts CJK text between characters', () => {
    expect(truncateMessage('你好世界', 3)).toEqual({ text: '你好…', truncated: true });
    expect(truncateMessage('こんにちは世界', 4)).toEqual({ text: 'こんに…', truncated: true });
  });

  it('max_length 1 gives only … for any longer message', () => {
    expect(truncateMessage('a', 1)).toEqual({ text: 'a', truncated: false });
    expect(truncateMessage('ab', 1)).toEqual({ text: '…', truncated: true });
    expect(truncateMessage('😀', 1)).toEqual({ text: '…', truncated: true });
    expect(truncateMessage(FAMILY, 1)).toEqual({ text: '…', truncated: true });
  });

  it('max_length 2 keeps one code unit when it is a whole grapheme', () => {
    expect(truncateMessage('ab', 2)).toEqual({ text: 'ab', truncated: false });
    expect(truncateMessage('abc', 2)).toEqual({ text: 'a…', truncated: true });
    expect(truncateMessage('😀abc', 2)).toEqual({ text: '…', truncated: true });
    expect(truncateMessage('e\u0301abc', 2)).toEqual({ text: '…', truncated: true });
  });

  it('drops whitespace before the …', () => {
    expect(truncateMessage('hello world', 7)).toEqual({ text: 'hello…', truncated: true });
    expect(truncateMessage('line one\n\nline two', 10)).toEqual({ text: 'line one…', truncated: true });
    expect(truncateMessage('tab\t\t\tafter', 6)).toEqual({ text: 'tab…', truncated: true });
    expect(truncateMessage('crlf\r\nnext', 7)).toEqual({ text: 'crlf…', truncated: true });
    expect(truncateMessage('     x', 3)).toEqual({ text: '…', truncated: true });
  });

  it('drops trailing whitespace only as whole graphemes (a prepend mark keeps the space it joins)', () => {
    // U+0600 ARABIC NUMBER SIGN is a Prepend character: U+0600 + space is ONE grapheme cluster.
    // Kept whole (it is not only whitespace), so the cut stays between clusters.
    expect(truncateMessage('abc\u0600 defghijk', 6)).toEqual({ text: 'abc\u0600 …', truncated: true });
    expectWellCut('abc\u0600 defghijk', 6);
  });
});

describe('graphemePrefix', () => {
  it('returns the longest prefix of whole graphemes within the budget', () => {
    expect(graphemePrefix('a😀b', 0)).toBe('');
    expect(graphemePrefix('a😀b', 1)).toBe('a');
    expect(graphemePrefix('a😀b', 2)).toBe('a');
    expect(graphemePrefix('a😀b', 3)).toBe('a😀');
    expect(graphemePrefix('a😀b', 4)).toBe('a😀b');
    expect(graphemePrefix('a😀b', 100)).toBe('a😀b');
    expect(graphemePrefix(`${FAMILY}x`, 10)).toBe('');
    expect(graphemePrefix(`${FAMILY}x`, 11)).toBe(FAMILY);
    expect(graphemePrefix('e\u0301e\u0301', 3)).toBe('e\u0301');
  });
});

describe('truncateMessage: properties', () => {
  // Pieces that are easy to cut wrongly, mixed with ordinary text and whitespace.
  const tricky = fc.constantFrom(
    'a',
    'Z',
    ' ',
    '\n',
    '\t',
    '\r\n',
    '😀',
    FAMILY,
    UA,
    DE,
    'e\u0301',
    'n\u0303\u0301',
    '你',
    '字',
    '👍🏽',
    '🏳️‍🌈',
    'क्षि',
    '\u200d',
    '\u0301',
  );
  const texts = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: tricky, maxLength: 40 }),
    fc.string({ maxLength: 40 }),
  );

  it('any text, any limit: within the limit, untouched when it fits, else a whole-grapheme prefix and …', () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 90 }), (input, limit) => {
        expectWellCut(input, limit);
      }),
      { numRuns: 2000 },
    );
  });

  it('never produces a lone surrogate from well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 1, max: 130 }), (input, limit) => {
        expect(hasLoneSurrogate(truncateMessage(input, limit).text)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('truncated is true exactly when the text was longer than the limit', () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 90 }), (input, limit) => {
        expect(truncateMessage(input, limit).truncated).toBe(input.length > limit);
      }),
    );
  });

  it('graphemePrefix is a prefix, within budget, at a grapheme boundary, and maximal', () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 0, max: 90 }), (input, budget) => {
        const prefix = graphemePrefix(input, budget);
        expect(input.startsWith(prefix)).toBe(true);
        expect(prefix.length).toBeLessThanOrEqual(budget);
        const cuts = [...boundaries(input)];
        expect(cuts).toContain(prefix.length);
        expect(Math.max(...cuts.filter((b) => b <= budget))).toBe(prefix.length);
      }),
    );
  });
});
