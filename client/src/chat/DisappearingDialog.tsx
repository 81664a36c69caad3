import { For, onCleanup, onMount, Show } from 'solid-js';
import { DISAPPEARING_CHOICES, disappearingLabel } from '#schema/docs/roomHead';

/**
 * "Disappearing messages": the chat's period, chosen from the fixed choices. Who may not
 * change it (a plain member of a group) sees it and why, without choices to press.
 */
export default function DisappearingDialog(props: { current: number; mayChange: boolean; onChoose: (afterMs: number) => void; onClose: () => void }) {
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    props.onClose();
  };
  let first: HTMLInputElement | undefined;
  onMount(() => {
    document.addEventListener('keydown', onKey, true);
    first?.focus();
    onCleanup(() => document.removeEventListener('keydown', onKey, true));
  });
  return (
    <div class="confirm-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="confirm disappearing" role="dialog" aria-modal="true" aria-labelledby="disappearing-title" data-testid="disappearing-dialog">
        <h2 id="disappearing-title">Disappearing messages</h2>
        <p class="confirm-text">New messages in this chat disappear for everyone after the time you choose, from this device and from the server. Messages sent before stay.</p>
        <fieldset class="disappearing-choices" disabled={!props.mayChange}>
          <legend class="visually-hidden">Message timer</legend>
          <For each={DISAPPEARING_CHOICES}>
            {(afterMs, i) => (
              <label class="disappearing-choice" data-testid="disappearing-choice" data-after={afterMs}>
                <input
                  ref={(el) => {
                    if (afterMs === props.current || (i() === 0 && !first)) first = el;
                  }}
                  type="radio"
                  name="disappearing"
                  checked={afterMs === props.current}
                  onChange={() => props.onChoose(afterMs)}
                />
                <span>{disappearingLabel(afterMs)}</span>
              </label>
            )}
          </For>
        </fieldset>
        <Show when={!props.mayChange}>
          <p class="disappearing-note" data-testid="disappearing-admins-only">
            Only group admins can change this.
          </p>
        </Show>
        <div class="confirm-buttons">
          <button type="button" class="confirm-cancel" onClick={() => props.onClose()} data-testid="disappearing-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
