import { PersonIcon } from '../layout/icons';

/** Muted tones that all carry white initials legibly: each at least 4.5:1 against white (WCAG AA). */
const COLORS = ['#007a63', '#2b6cb0', '#8e44ad', '#b05300', '#c0392b', '#1f7a70', '#4a5bb8', '#5a6a74'];

function colorFor(seed: string): string {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length]!;
}

/**
 * Up to two initials, from letters only (any script): the first letters of the first
 * two words, else the first two letters. Punctuation and symbols are no initials
 * ("<Sam>" is "SA", not "<S"); a name with no letter at all gets none.
 */
function initialsOf(name: string): string {
  const words = name.split(/[^\p{L}\p{M}]+/u).filter((w) => /\p{L}/u.test(w));
  const letters = (word: string) => [...word].filter((c) => /\p{L}/u.test(c));
  const picked = words.length >= 2 ? [letters(words[0]!)[0], letters(words[1]!)[0]] : letters(words[0] ?? '').slice(0, 2);
  return picked.join('').toUpperCase();
}

/** A round avatar with initials, or a person's outline when the name has no letters; the colour follows `seed` (an id), so it stays put when a name changes. */
export function Avatar(props: { name: string; seed: string; size?: 'small' | 'medium' | 'large' }) {
  const initials = () => initialsOf(props.name);
  return (
    <span class={`avatar avatar-${props.size ?? 'medium'}`} classList={{ 'avatar-generic': !initials() }} style={{ 'background-color': colorFor(props.seed) }} aria-hidden="true" data-testid="avatar">
      {initials() || <PersonIcon />}
    </span>
  );
}
