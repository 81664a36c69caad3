import { createRoot, createSignal } from 'solid-js';

/** Whether the page is in front of the user (the tab shown, the window not minimised): only then is a chat "read". */
export const pageVisible = createRoot(() => {
  const [visible, setVisible] = createSignal(typeof document === 'undefined' || document.visibilityState === 'visible');
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', () => setVisible(document.visibilityState === 'visible'));
  return visible;
});
