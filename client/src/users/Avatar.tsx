/** Muted tones that all carry white initials legibly. */
const COLORS = ['#00a884', '#3b82c4', '#a65fc2', '#d9822b', '#d4515c', '#2f9e8f', '#6c7bd1', '#8a9a3b'];

function colorFor(seed: string): string {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length]!;
}

/** Up to two initials: first letters of the first two words, else the first two letters. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length >= 2 ? [words[0]![0], words[1]![0]] : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

/** A round avatar with initials; the colour follows `seed` (an id), so it stays put when a name changes. */
export function Avatar(props: { name: string; seed: string; size?: 'small' | 'medium' | 'large' }) {
  return (
    <span class={`avatar avatar-${props.size ?? 'medium'}`} style={{ 'background-color': colorFor(props.seed) }} aria-hidden="true">
      {initialsOf(props.name)}
    </span>
  );
}
