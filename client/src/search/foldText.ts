/**
 * Search folds text so that case and accents do not matter: lower case, canonical
 * decomposition (NFD), combining marks removed. "Café", "CAFE" and "cafe" fold alike.
 * A final sigma folds like any sigma, so folding a whole string gives the same result
 * as folding it one code point at a time, which {@link matchRanges} relies on.
 */
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ς/g, 'σ');
}

/** The words of a query, folded; empty when the query has none. */
export function queryWords(query: string): string[] {
  return foldText(query)
    .split(/\s+/)
    .filter((word) => word !== '');
}

/** A half-open range [start, end) of UTF-16 positions in the original text. */
export type TextRange = readonly [start: number, end: number];

/**
 * Where each of `words` occurs in `text` (every occurrence), as ranges of the original
 * text, merged where they overlap and sorted. The text is folded one code point at a
 * time, remembering where each folded unit came from, so a match found in the folded
 * text maps back onto the original however folding changed lengths.
 */
export function matchRanges(text: string, words: readonly string[]): TextRange[] {
  let folded = '';
  /** For each UTF-16 unit of `folded`, the start of the code point of `text` it came from. */
  const origin: number[] = [];
  let position = 0;
  for (const char of text) {
    const piece = foldText(char);
    folded += piece;
    for (let k = 0; k < piece.length; k++) origin.push(position);
    position += char.length;
  }
  origin.push(text.length);
  /** The end in `text` of a match ending before folded unit `end`: past any marks that folded to nothing. */
  const originalEnd = (end: number) => origin[end]!;

  const ranges: Array<[number, number]> = [];
  for (const word of words) {
    for (let at = folded.indexOf(word); at !== -1; at = folded.indexOf(word, at + word.length)) {
      ranges.push([origin[at]!, originalEnd(at + word.length)]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}
