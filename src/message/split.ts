/**
 * `overflow: split`: a message too long for one Telegram message becomes several, numbered `(i/n) `,
 * each within the limit (UTF-16 code units, as Telegram counts). Parts end at a paragraph, else a
 * line, else a word, and only as a last resort between two grapheme clusters: no emoji, ZWJ family
 * or accented letter is split. The white space at a cut is the separator between the parts and is
 * not sent; nothing else is lost, repeated or reordered.
 */

import { segmenter } from './truncate.js';

/** The smallest max_length split accepts (room for the number and some text). */
export const MIN_SPLIT_LENGTH = 20;

/**
 * White space a message may be cut at: JavaScript's `\s` without the no-break spaces (U+00A0,
 * U+2007, U+202F, U+FEFF), which stay with their words ("10 km" is not split).
 */
const BREAKING_SPACE = /^[\t\n\v\f\r \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]+$/u;

/** What a grapheme cluster is, for choosing cuts. */
const TEXT = 0;
const SPACE = 1;
const NEWLINE = 2;

/** The grapheme clusters of a text: `starts[k]` is where cluster k starts, `starts[count]` the text's length. */
interface Clusters {
  starts: Uint32Array;
  kinds: Uint8Array;
  count: number;
}

/** Segments `text` once; every part and every retry (when the count of parts gains a digit) shares it. */
function clusters(text: string): Clusters {
  const starts = new Uint32Array(text.length + 1);
  const kinds = new Uint8Array(text.length);
  let count = 0;
  for (const { index, segment } of segmenter().segment(text)) {
    starts[count] = index;
    kinds[count] = !BREAKING_SPACE.test(segment) ? TEXT : segment.includes('\n') ? NEWLINE : SPACE;
    count++;
  }
  starts[count] = text.length;
  return { starts, kinds, count };
}

const at = (array: Uint32Array | Uint8Array, k: number): number => array[k] ?? 0;
const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** Where a run of separator clusters starts (`cut`) and ends (`next`, where the next part starts). */
interface Cut {
  cut: number;
  next: number;
}

/**
 * The bodies of the parts of `text[from, to)` (cluster indices; `from` and `to - 1` are text
 * clusters), each at most `budget` code units: greedy, each takes as much as fits.
 */
function bodies(text: string, { starts, kinds, count }: Clusters, from: number, to: number, budget: number): string[] {
  const parts: string[] = [];
  const end = at(starts, to);
  let pos = at(starts, from); // where the current part starts: at the start of cluster k, or inside it after a forced cut
  let k = from;
  while (end - pos > budget) {
    const limit = pos + budget;
    let paragraph: Cut | undefined;
    let line: Cut | undefined;
    let word: Cut | undefined;
    let whole = k; // the last cluster boundary within the budget
    let j = k + 1;
    while (j < count && at(starts, j) <= limit) {
      if (at(kinds, j) === TEXT) {
        whole = j++;
        continue;
      }
      // at(kinds, j - 1) is TEXT here: runs of separators are crossed whole below.
      const cut = at(starts, j);
      whole = j;
      let newlines = 0;
      while (j < count && at(kinds, j) !== TEXT) if (at(kinds, j++) === NEWLINE) newlines++;
      const found = { cut, next: j };
      const fullEnough = 2 * (cut - pos) >= budget;
      if (newlines >= 2 && fullEnough) paragraph = found;
      if (newlines >= 1 && fullEnough) line = found;
      word = found;
    }
    const chosen = paragraph ?? line ?? word;
    if (chosen) {
      parts.push(text.slice(pos, chosen.cut));
      k = chosen.next;
      pos = at(starts, k);
    } else if (whole > k) {
      // No white space within the budget: the longest run of whole clusters (followed by text).
      const cut = at(starts, whole);
      parts.push(text.slice(pos, cut));
      k = whole;
      pos = cut;
    } else {
      // One cluster longer than the budget: cut it between two code points, never inside a pair.
      let cut = limit;
      if (isHigh(text.charCodeAt(cut - 1)) && isLow(text.charCodeAt(cut))) cut--;
      parts.push(text.slice(pos, cut));
      pos = cut;
    }
  }
  parts.push(text.slice(pos, end));
  return parts;
}

/** Width of the widest `(i/n) ` when n has `digits` digits. */
const prefixWidth = (digits: number): number => 4 + 2 * digits;

/**
 * The parts of `text`, each at most `maxLength` UTF-16 code units including its number. One part
 * (unnumbered) when it fits: `text` itself, or, when only white space at its ends does not fit,
 * `text` without it. No parts when `text` is too long and only white space.
 * @throws RangeError when `maxLength` is not an integer of at least {@link MIN_SPLIT_LENGTH}.
 */
export function splitMessage(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < MIN_SPLIT_LENGTH) {
    throw new RangeError(
      `max_length must be an integer of at least ${MIN_SPLIT_LENGTH} to split a message, not ${maxLength}`,
    );
  }
  if (text.length <= maxLength) return [text];
  const index = clusters(text);
  let from = 0;
  while (from < index.count && at(index.kinds, from) !== TEXT) from++;
  let to = index.count;
  while (to > from && at(index.kinds, to - 1) !== TEXT) to--;
  if (from === to) return [];
  if (at(index.starts, to) - at(index.starts, from) <= maxLength)
    return [text.slice(at(index.starts, from), at(index.starts, to))];
  // Room for the number with as many digits as the count of parts; more parts, more digits: redo.
  for (let digits = 1; ;) {
    const budget = maxLength - prefixWidth(digits);
    // Two code units always make progress (a surrogate pair); only millions of parts get here.
    if (budget < 2)
      throw new RangeError(`max_length ${maxLength} is too small to split a message of ${text.length} characters`);
    const parts = bodies(text, index, from, to, budget);
    const n = parts.length;
    if (String(n).length <= digits) return parts.map((body, i) => `(${i + 1}/${n}) ${body}`);
    digits = String(n).length;
  }
}
