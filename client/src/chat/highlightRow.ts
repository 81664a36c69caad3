/** How long the original of a clicked quote stays highlighted, in ms (the css animation's length). */
const HIGHLIGHT_MS = 1600;

/** A target not rendered yet is looked for in the DOM for at most this many frames before its highlight is dropped. */
const HIGHLIGHT_WAIT_FRAMES = 60;

/** Highlights a message's row once it is rendered (`find` looks for it), restarting the animation if it runs already. */
export function highlightRow(find: () => HTMLElement | null, frames = HIGHLIGHT_WAIT_FRAMES): void {
  const row = find();
  if (!row) {
    if (frames > 0) requestAnimationFrame(() => highlightRow(find, frames - 1));
    return;
  }
  row.classList.remove('highlight');
  void row.offsetWidth;
  row.classList.add('highlight');
  setTimeout(() => row.classList.remove('highlight'), HIGHLIGHT_MS);
}
