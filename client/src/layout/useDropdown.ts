import type { Placement } from '@floating-ui/dom';
import { createEffect, createSignal, onCleanup } from 'solid-js';

/** Room kept between a dropdown and the edge of the area it must stay in. */
const EDGE_PADDING_PX = 8;

export interface DropdownOptions {
  /** Where the dropdown opens when there is room: `bottom-end` (under the button, right edges aligned) unless said. */
  placement?: Placement;
  /** The area it must stay inside (say the chat pane, so a menu never covers the chat list); the window when not given. */
  boundary?: () => Element | null | undefined;
}

/**
 * Keeps `floating` (fixed, over the page) next to `reference` while both are in the
 * page: flipped to the other side and shifted along so it stays within the window (and
 * `boundary`), scrolling when taller than the room. Returns the function that stops.
 */
export function floatNear(reference: Element, floating: HTMLElement, options: DropdownOptions = {}): () => void {
  const area = options.boundary?.() ?? undefined;
  const limits = { padding: EDGE_PADDING_PX, ...(area ? { boundary: area } : {}) };
  // Hidden until placed: Floating UI is loaded on the first open, off the first download.
  Object.assign(floating.style, { position: 'fixed', top: '0', left: '0', right: 'auto', bottom: 'auto', visibility: 'hidden' });
  let stop: (() => void) | null = null;
  let stopped = false;
  void import('@floating-ui/dom').then(({ autoUpdate, computePosition, flip, offset, shift, size }) => {
    if (stopped) return;
    const place = () =>
      void computePosition(reference, floating, {
        strategy: 'fixed',
        placement: options.placement ?? 'bottom-end',
        middleware: [
          offset(2),
          flip({ ...limits, crossAxis: false }),
          shift(limits),
          // A menu taller than the room on either side scrolls instead of leaving the window.
          size({ ...limits, apply: ({ availableHeight }) => void (floating.style.maxHeight = `${Math.max(120, availableHeight)}px`) }),
        ],
      }).then(({ x, y }) => Object.assign(floating.style, { left: `${x}px`, top: `${y}px`, visibility: '' }));
    stop = autoUpdate(reference, floating, place);
  });
  return () => {
    stopped = true;
    stop?.();
  };
}

/**
 * While `open()`: a click anywhere `inside` does not claim, or Escape, calls `close`
 * (then `afterEscape`, say to give the focus back to the button). Escape closes one thing
 * at a time: it is caught on the way down and goes no further, so the dialog or panel
 * under the menu stays. Listens only while open (a long list has a menu per row).
 */
export function closeOnOutside(open: () => boolean, close: () => void, inside: (target: EventTarget | null) => boolean, afterEscape?: () => void): void {
  const onDocumentClick = (e: MouseEvent) => {
    if (!inside(e.target)) close();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    close();
    e.stopPropagation();
    afterEscape?.();
  };
  createEffect(() => {
    if (!open()) return;
    document.addEventListener('click', onDocumentClick);
    document.addEventListener('keydown', onKey, true);
    onCleanup(() => {
      document.removeEventListener('click', onDocumentClick);
      document.removeEventListener('keydown', onKey, true);
    });
  });
}

/**
 * A dropdown's open state and placement. The dropdown is rendered in a `Portal` and
 * given `ref={floating}`: scrolling lists clip what overflows them (the message list
 * is a contained, virtualized scroller), so it floats over the page instead, next to
 * its button, flipped to the other side and shifted along so it stays within the
 * window (and `boundary`), and follows the button while open. Any click outside
 * the button's `root()` and the dropdown, or Escape, closes it. Listens only while
 * open (a long list has a menu per row).
 */
export function useDropdown(root: () => HTMLElement | undefined, options: DropdownOptions = {}) {
  const [open, setOpen] = createSignal(false);
  const [panel, setPanel] = createSignal<HTMLElement>();
  const inside = (target: EventTarget | null) => target instanceof Node && (!!root()?.contains(target) || !!panel()?.contains(target));
  closeOnOutside(
    open,
    () => setOpen(false),
    inside,
    () => root()?.querySelector<HTMLElement>('button')?.focus(),
  );
  createEffect(() => {
    const floating = panel();
    const reference = root();
    if (!open() || !floating || !reference) return;
    onCleanup(floatNear(reference, floating, options));
  });
  return {
    open,
    /** The `ref` of the dropdown itself. */
    floating: (el: HTMLElement) => setPanel(el),
    toggle() {
      setOpen(!open());
    },
    close: () => setOpen(false),
    /** A menu item's click handler: closes the menu, then does `action`. */
    run: (action: () => void) => () => {
      setOpen(false);
      action();
    },
  };
}
