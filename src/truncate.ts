/**
 * Keeping a message within Telegram's limit, counted as Telegram counts: UTF-16 code units.
 * Cuts only between grapheme clusters, so no emoji, ZWJ family or accented letter is split.
 */
export const ELLIPSIS = '…';

export interface Truncated {
  text: string;
  truncated: boolean;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest prefix of `text` made of whole graphemes and at most `budget` UTF-16 code units. */
export function graphemePrefix(text: string, budget: number): string {
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > budget) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** `text` as is when it fits in `maxLength`, else cut at a grapheme boundary and ended with `…`. */
export function truncateMessage(text: string, maxLength: number): Truncated {
  if (text.length <= maxLength) return { text, truncated: false };
  const kept = graphemePrefix(text, maxLength - ELLIPSIS.length).trimEnd();
  return { text: kept + ELLIPSIS, truncated: true };
}
