import { createSignal, Show } from 'solid-js';
import { parseUserId } from '#schema/ids';
import { PersonIcon } from '../layout/icons';
import { userById } from './userDirectory';

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

/** The address of someone's profile photo; `version` changes with the photo, so the browser may cache each for good. */
function photoUrl(userId: string, version: string): string {
  return `/api/users/${encodeURIComponent(userId)}/photo?v=${encodeURIComponent(version)}`;
}

/**
 * A round avatar: the person's profile photo when `seed` is a user's id and they have
 * one the server lets me see (their profile, refreshed as names are, so a new photo
 * shows without a reload); else initials, or a person's outline when the name has no
 * letters. The colour follows `seed` (an id), so it stays put when a name changes.
 */
export function Avatar(props: { name: string; seed: string; size?: 'small' | 'medium' | 'large' }) {
  const initials = () => initialsOf(props.name);
  const [failed, setFailed] = createSignal<string>();
  const photo = () => {
    const id = parseUserId(props.seed);
    const version = id ? userById(id)?.photo : undefined;
    return version && version !== failed() ? photoUrl(props.seed, version) : undefined;
  };
  return (
    <span
      class={`avatar avatar-${props.size ?? 'medium'}`}
      classList={{ 'avatar-generic': !initials() && !photo() }}
      style={{ 'background-color': colorFor(props.seed) }}
      aria-hidden="true"
      data-testid="avatar"
    >
      <Show when={photo()} fallback={initials() || <PersonIcon />}>
        {(src) => <img class="avatar-photo" src={src()} alt="" draggable={false} onError={() => setFailed(userById(props.seed)?.photo ?? undefined)} data-testid="avatar-photo" />}
      </Show>
    </span>
  );
}
