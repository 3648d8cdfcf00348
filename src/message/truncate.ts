/**
 * Keeping a message within Telegram's limit, counted as Telegram counts: UTF-16 code units.
 * Cuts only between grapheme clusters, so no emoji, ZWJ family or accented letter is split.
 */
export const ELLIPSIS = '…';

export interface Truncated {
  text: string;
  truncated: boolean;
}

// Created on first use: loading ICU's segmentation data costs start-up time, and most messages fit.
let graphemes: Intl.Segmenter | undefined;
/** The one grapheme segmenter (split.ts cuts with it too), made on first use. */
export const segmenter = (): Intl.Segmenter => (graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' }));

/** The longest prefix of `text` made of whole graphemes and at most `budget` UTF-16 code units. */
export function graphemePrefix(text: string, budget: number): string {
  let end = 0;
  for (const { index, segment } of segmenter().segment(text)) {
    if (index + segment.length > budget) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** `text` as is when it fits in `maxLength`, else cut at a grapheme boundary and ended with `…`. */
export function truncateMessage(text: string, maxLength: number): Truncated {
  if (text.length <= maxLength) return { text, truncated: false };
  const kept = graphemePrefix(text, maxLength - ELLIPSIS.length);
  // Drop trailing white space before the `…`, a whole grapheme at a time: some marks (U+0600)
  // join the space after them, and a code-unit trimEnd() would split that character.
  let end = 0;
  for (const { index, segment } of segmenter().segment(kept)) if (/\S/u.test(segment)) end = index + segment.length;
  return { text: kept.slice(0, end) + ELLIPSIS, truncated: true };
}
