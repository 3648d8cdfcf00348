import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MIN_SPLIT_LENGTH, splitMessage } from '../../../src/message/split.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemesOf = (text: string): string[] => Array.from(segmenter.segment(text), (s) => s.segment);

/** Offsets (UTF-16) at which `text` may be cut without splitting a grapheme cluster. */
function boundaries(text: string): Set<number> {
  const set = new Set<number>([text.length]);
  for (const { index } of segmenter.segment(text)) set.add(index);
  return set;
}

/** White space the splitter cuts at: `\s` without the no-break spaces, which stay with their words. */
const SPACE = /[\t\n\v\f\r \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]/u;
const ALL_SPACE = new RegExp(`^${SPACE.source}*$`, 'u');
const PREFIX = /^\((\d+)\/(\d+)\) /;

/** The bodies of the parts, after checking their numbers. */
function bodiesOf(parts: string[]): string[] {
  if (parts.length === 1) {
    expect(parts[0]).not.toMatch(PREFIX);
    return parts;
  }
  return parts.map((part, i) => {
    const match = PREFIX.exec(part);
    expect(match?.[1]).toBe(String(i + 1));
    expect(match?.[2]).toBe(String(parts.length));
    return part.slice(match?.[0].length);
  });
}

/** What every split must satisfy, whatever the text and the limit. */
function expectWellSplit(text: string, maxLength: number): string[] {
  const parts = splitMessage(text, maxLength);
  if (text.length <= maxLength) {
    expect(parts).toEqual([text]);
    return parts;
  }
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(maxLength);
    expect(part.isWellFormed()).toBe(true);
  }
  const bodies = bodiesOf(parts);
  // Nothing lost, repeated or reordered but white space.
  const squeeze = (s: string): string => s.replace(/\s/gu, '');
  expect(squeeze(bodies.join(''))).toBe(squeeze(text));
  // Stronger: the bodies are the text's pieces, in order, separated by white space only, cut
  // between grapheme clusters (unless one cluster alone is longer than a part can hold), never
  // empty and neither starting nor ending with a white-space cluster.
  const cuts = boundaries(text);
  const widest = Math.max(...graphemesOf(text).map((g) => g.length));
  const smallestBudget = maxLength - 4 - 2 * String(text.length).length;
  let cursor = 0;
  for (const body of bodies) {
    expect(body).not.toBe('');
    let at = cursor;
    while (!text.startsWith(body, at) && at < text.length && SPACE.test(text.charAt(at))) at++;
    expect(text.startsWith(body, at), `body ${JSON.stringify(body)} follows at ${cursor}`).toBe(true);
    expect(text.slice(cursor, at)).toMatch(ALL_SPACE);
    if (widest <= smallestBudget) {
      expect(cuts.has(at)).toBe(true);
      expect(cuts.has(at + body.length)).toBe(true);
    }
    const clusters = graphemesOf(body);
    expect(clusters[0]).not.toMatch(ALL_SPACE);
    expect(clusters.at(-1)).not.toMatch(ALL_SPACE);
    cursor = at + body.length;
  }
  expect(text.slice(cursor)).toMatch(ALL_SPACE);
  return parts;
}

const FAMILY = '👨‍👩‍👧‍👦';
const UA = '🇺🇦';

describe('splitMessage: examples', () => {
  it('returns a message that fits as one unnumbered part', () => {
    expect(splitMessage('hello world', 4096)).toEqual(['hello world']);
    expect(splitMessage('', 20)).toEqual(['']);
    expect(splitMessage('  padded  ', 20)).toEqual(['  padded  ']);
  });

  it('returns a message exactly at the limit as is, and splits one code unit more', () => {
    const exact = 'x'.repeat(4096);
    expect(splitMessage(exact, 4096)).toEqual([exact]);
    const words = 'word '.repeat(20).trim(); // 99
    expect(splitMessage(words, 99)).toEqual([words]);
    const over = expectWellSplit(`${words}s`, 99);
    expect(over).toHaveLength(2);
  });

  it('drops white space at the ends when only that does not fit', () => {
    expect(splitMessage(`  ${'a'.repeat(20)}\n\n\n`, 20)).toEqual(['a'.repeat(20)]);
    expect(splitMessage(' '.repeat(50), 20)).toEqual([]);
  });

  it('splits two paragraphs that do not fit together at the blank line', () => {
    const first = 'First paragraph.\nIt has two lines.';
    const second = 'Second paragraph, which is also here.';
    const text = `${first}\n\n${second}`;
    expect(splitMessage(text, 60)).toEqual([`(1/2) ${first}`, `(2/2) ${second}`]);
    // A blank line made of white space, and more than one, is one separator.
    expect(splitMessage(`${first}\n \t\n\n${second}`, 60)).toEqual([`(1/2) ${first}`, `(2/2) ${second}`]);
  });

  it('prefers a paragraph over a later line, a line over a later word', () => {
    const text = 'aaaa aaaa aaaa aaaa\n\nbbbb bbbb\ncccc cccc cccc';
    // budget 30 - 6 = 24: the paragraph ends at 19 (≥ 12), before the later line end (29 > 24).
    expect(splitMessage(text, 30)).toEqual(['(1/2) aaaa aaaa aaaa aaaa', '(2/2) bbbb bbbb\ncccc cccc cccc']);
    // The paragraph at 14 is taken although a line (18) and a word (21) would fit later.
    expect(splitMessage('aaaa aaaa aaaa\n\nbb\ncc dd eeeeeeeeeeeeeee', 30)[0]).toBe('(1/2) aaaa aaaa aaaa');
    const lines = 'one two three four\nfive six seven eight nine';
    expect(splitMessage(lines, 34)).toEqual(['(1/2) one two three four', '(2/2) five six seven eight nine']);
  });

  it('does not cut at a paragraph or line that would leave the part less than half full', () => {
    const text = `Hi\n\n${'word '.repeat(10).trim()}`; // budget 24: "Hi" is 2 < 12, so a word cut
    const parts = expectWellSplit(text, 30);
    expect(parts[0]).toBe('(1/3) Hi\n\nword word word word');
    // Exactly half the budget is full enough; one less is not.
    const tail = `\n\nbbbbb ${'c'.repeat(14)}`;
    expect(splitMessage(`${'a'.repeat(12)}${tail}`, 30)[0]).toBe(`(1/2) ${'a'.repeat(12)}`);
    expect(splitMessage(`${'a'.repeat(11)}${tail}`, 30)[0]).toBe(`(1/2) ${'a'.repeat(11)}\n\nbbbbb`);
    expect(splitMessage(`${'a'.repeat(12)}\nbbbbb ${'c'.repeat(14)}`, 30)[0]).toBe(`(1/2) ${'a'.repeat(12)}`);
    expect(splitMessage(`${'a'.repeat(11)}\nbbbbb ${'c'.repeat(14)}`, 30)[0]).toBe(`(1/2) ${'a'.repeat(11)}\nbbbbb`);
  });

  it('splits long lines at words', () => {
    const line = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
    const parts = expectWellSplit(`${line}\n${line}`, 50);
    for (const body of bodiesOf(parts)) expect(body).toMatch(/^w\d+( w\d+)*$|\n/);
  });

  it('splits one long word at grapheme boundaries, filling each part', () => {
    const parts = expectWellSplit('x'.repeat(100), 30);
    expect(parts).toEqual([
      '(1/5) ' + 'x'.repeat(24),
      '(2/5) ' + 'x'.repeat(24),
      '(3/5) ' + 'x'.repeat(24),
      '(4/5) ' + 'x'.repeat(24),
      '(5/5) xxxx',
    ]);
  });

  it('never splits an emoji, a flag or a ZWJ family', () => {
    for (const unit of [FAMILY, UA, '😀', '👍🏽']) {
      const parts = expectWellSplit(unit.repeat(40), 37);
      for (const body of bodiesOf(parts)) expect(body).toBe(unit.repeat(body.length / unit.length));
    }
  });

  it('splits CJK without spaces between characters', () => {
    const text = '日本語の文章には単語の間に空白がありません。'.repeat(10);
    const parts = expectWellSplit(text, 40);
    expect(bodiesOf(parts).join('')).toBe(text);
    expect(parts.slice(0, -1).every((p) => p.length === 40)).toBe(true);
  });

  it('keeps combining marks with their letters', () => {
    const text = 'e\u0301a\u0308o\u0302'.repeat(30);
    const parts = expectWellSplit(text, 25);
    for (const body of bodiesOf(parts)) expect(body.length % 2).toBe(0);
  });

  it('cuts a single cluster longer than a part between code points, never inside a pair', () => {
    const zalgo = `a${'\u0301'.repeat(60)}`;
    expect(graphemesOf(zalgo)).toHaveLength(1);
    const parts = splitMessage(zalgo, 20);
    expect(parts.map((p) => p.replace(PREFIX, '')).join('')).toBe(zalgo);
    const tags = `🏴${'\u{E0067}'.repeat(20)}\u{E007F}`; // one cluster of 44 code units
    expect(graphemesOf(tags)).toHaveLength(1);
    for (const maxLength of [20, 21, 22, 23]) {
      const cut = splitMessage(tags, maxLength);
      expect(cut.every((p) => p.isWellFormed() && p.length <= maxLength)).toBe(true);
      expect(cut.map((p) => p.replace(PREFIX, '')).join('')).toBe(tags);
    }
  });

  it('does not cut at a no-break space', () => {
    const text = `${'filler '.repeat(3)}10\u00a0km`; // 26 code units
    expect(splitMessage(text, 21)).toEqual(['(1/2) filler filler', '(2/2) filler 10\u00a0km']);
  });

  it('widens the number when the count of parts reaches 10', () => {
    // Budget 24 with one digit: nine words of 24 fit in nine parts; with a 10th the budget drops to
    // 22 and every word needs two parts.
    const word = 'y'.repeat(24);
    const nine = splitMessage(Array(9).fill(word).join(' '), 30);
    expect(nine).toHaveLength(9);
    expect(nine[8]).toBe(`(9/9) ${word}`);
    const ten = expectWellSplit(Array(10).fill(word).join(' '), 30);
    expect(ten).toHaveLength(20);
    expect(ten[0]).toBe(`(1/20) ${'y'.repeat(22)}`);
    expect(ten[19]).toBe('(20/20) yy');
    // Words of 22 fit both budgets: 10 parts, and the number widens only.
    const short = expectWellSplit(Array(10).fill('z'.repeat(22)).join(' '), 30);
    expect(short).toHaveLength(10);
    expect(short[9]).toBe(`(10/10) ${'z'.repeat(22)}`);
  });

  it('refuses a max length below MIN_SPLIT_LENGTH, whatever the text', () => {
    expect(MIN_SPLIT_LENGTH).toBe(20);
    expect(() => splitMessage('short', MIN_SPLIT_LENGTH - 1)).toThrow(RangeError);
    expect(() => splitMessage('x'.repeat(100), 0)).toThrow(RangeError);
    expect(() => splitMessage('x'.repeat(100), 25.5)).toThrow(RangeError);
    expect(() => splitMessage('x'.repeat(100), Number.NaN)).toThrow(RangeError);
    expect(splitMessage('x'.repeat(100), MIN_SPLIT_LENGTH)).toHaveLength(8);
  });

  it('splits a 1 MB message quickly', () => {
    const paragraph = `${'Lorem ipsum dolor sit amet, consectetur adipiscing elit 😀. '.repeat(12)}\n${FAMILY} 漢字テキスト\n\n`;
    const text = paragraph.repeat(Math.ceil(1_000_000 / paragraph.length));
    const started = performance.now();
    const parts = splitMessage(text, 4096);
    const elapsed = performance.now() - started;
    expect(parts.length).toBeGreaterThan(240);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(
      parts
        .map((p) => p.replace(PREFIX, ''))
        .join('')
        .replace(/\s/g, ''),
    ).toBe(text.replace(/\s/g, ''));
    expect(elapsed).toBeLessThan(5_000);
    // The smallest parts: many more of them, still linear.
    const small = splitMessage(text, MIN_SPLIT_LENGTH);
    expect(small.every((p) => p.length <= MIN_SPLIT_LENGTH)).toBe(true);
  });
});

// Generators: white space of each kind, words, lines, paragraphs; text without white space;
// emoji-heavy, CJK and any well-formed Unicode.
const word = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
  fc.constantFrom(FAMILY, UA, 'e\u0301', '10\u00a0km', 'x'.repeat(40)),
);
const separator = fc.constantFrom(' ', ' ', ' ', '  ', '\n', '\n\n', '\n\n\n', '\r\n', '\t', ' \n \n ');
const prose = fc
  .tuple(
    fc.array(word, { minLength: 1, maxLength: 120, size: 'large' }),
    fc.array(separator, { minLength: 120, maxLength: 120 }),
  )
  .map(([words, seps]) => words.map((w, i) => (i === 0 ? w : `${seps[i] ?? ' '}${w}`)).join(''));
const paddedProse = fc
  .tuple(fc.constantFrom('', ' ', '\n\n'), prose, fc.constantFrom('', ' ', '\n'))
  .map((p) => p.join(''));
const noSpace = fc.string({
  unit: fc.constantFrom('a', 'é', 'e\u0301', '😀', UA, FAMILY, '字'),
  minLength: 1,
  maxLength: 200,
  size: 'large',
});
const emoji = fc.string({ unit: 'grapheme', maxLength: 400, size: 'large' });
const cjk = fc.string({
  unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)),
  maxLength: 600,
  size: 'large',
});
const binary = fc.string({ unit: 'binary', maxLength: 400, size: 'large' }).filter((s) => s.isWellFormed());
const maxLength = fc.integer({ min: MIN_SPLIT_LENGTH, max: 300 });

describe('splitMessage: properties', () => {
  const check = (name: string, text: fc.Arbitrary<string>, numRuns: number): void => {
    it(name, () => {
      fc.assert(
        fc.property(text, maxLength, (t, max) => {
          expectWellSplit(t, max);
        }),
        // A failure is reported with the smallest counterexample found in 10 s of shrinking.
        { numRuns, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true },
      );
    });
  };
  check('prose: words, lines and paragraphs', paddedProse, 300);
  check('text without white space', noSpace, 200);
  check('emoji-heavy text', emoji, 200);
  check('CJK text', cjk, 100);
  check('any well-formed Unicode', binary, 200);
});
