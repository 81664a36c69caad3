import { PersonIcon } from '../layout/icons';

/** Muted tones that all carry white initials legibly. */
const COLORS = ['#00a884', '#3b82c4', '#a65fc2', '#d9822b', '#d4515c', '#2f9e8f', '#6c7bd1', '#8a9a3b'];

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
export function initialsOf(name: string): string {
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
