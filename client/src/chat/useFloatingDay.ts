import { createSignal, onCleanup, type Accessor } from 'solid-js';
import { formatDay, sameDay } from '../time/formatTime';

/** How long the floating day stays after the reader stops scrolling, in ms. */
const FLOATING_DAY_MS = 1500;

/**
 * While the reader scrolls through history, the day of the top row floats above the
 * list, as its separator may be far above. `show` is called on each scroll with the top
 * row's time; the label is formatted once per day scrolled into, not on every event.
 */
export function useFloatingDay(): { floatingDay: Accessor<string | null>; show: (topCreatedAt: number | undefined) => void } {
  const [floatingDay, setFloatingDay] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dayOf = { at: Number.NaN, label: '' };
  onCleanup(() => clearTimeout(timer));
  return {
    floatingDay,
    show: (at) => {
      if (at === undefined) return;
      if (!sameDay(dayOf.at, at)) dayOf = { at, label: formatDay(at) };
      setFloatingDay(dayOf.label);
      clearTimeout(timer);
      timer = setTimeout(() => setFloatingDay(null), FLOATING_DAY_MS);
    },
  };
}
