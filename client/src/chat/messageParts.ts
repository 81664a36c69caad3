import { tokenize } from 'linkifyjs';
import type { UserId } from '#schema/ids';

/** A piece of a message's text as shown: plain text, a link, or a mention of someone. */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string } | { kind: 'mention'; text: string; userId: UserId };

/** Links open only these schemes; anything else stays text. */
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

function safeHref(href: string): string | null {
  try {
    return SAFE_PROTOCOLS.has(new URL(href).protocol) ? href : null;
  } catch {
    return null;
  }
}

function linkParts(text: string): TextPart[] {
  return tokenize(text).map((token): TextPart => {
    const href = token.isLink ? safeHref(token.toHref('https')) : null;
    return href ? { kind: 'link', text: token.toString(), href } : { kind: 'text', text: token.toString() };
  });
}

/**
 * Splits a message's text into what the bubble renders: `@Name` of each mentioned
 * person (as they are named now), links (found by linkifyjs, `http`, `https` and
 * `mailto` only), and text. Never HTML: every part is rendered as text.
 */
export function messageParts(text: string, mentioned: ReadonlyArray<{ id: UserId; name: string }> = []): TextPart[] {
  const tags = mentioned.filter((m) => m.name).map((m) => ({ ...m, tag: `@${m.name}` }));
  const out: TextPart[] = [];
  let rest = text;
  while (rest) {
    let next: { index: number; tag: string; id: UserId } | null = null;
    for (const { tag, id } of tags) {
      const index = rest.indexOf(tag);
      if (index >= 0 && (!next || index < next.index || (index === next.index && tag.length > next.tag.length))) next = { index, tag, id };
    }
    if (!next) break;
    if (next.index > 0) out.push(...linkParts(rest.slice(0, next.index)));
    out.push({ kind: 'mention', text: next.tag, userId: next.id });
    rest = rest.slice(next.index + next.tag.length);
  }
  if (rest) out.push(...linkParts(rest));
  return out;
}

/** The people of `candidates` whose `@Name` is in `text`: what a message being sent mentions. */
export function mentionsIn(text: string, candidates: ReadonlyArray<{ id: UserId; name: string }>): UserId[] {
  return candidates.filter((c) => c.name && text.includes(`@${c.name}`)).map((c) => c.id);
}
