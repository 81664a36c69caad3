import { createEffect, createSignal, onCleanup, Show } from 'solid-js';
import type { UserId } from '#schema/ids';
import type { ContactsApi } from '../contacts/useContacts';
import { MoreIcon } from '../layout/icons';
import { blockUser, isBlocked, unblockUser } from '../users/blocks';

/**
 * The DM header's buttons: add or remove the peer as a contact, block or unblock them.
 * Side by side on a wide screen; on a phone they fold behind ⋮, so the peer's name keeps
 * the header's width.
 */
export function PeerActions(props: { peer: UserId; contacts?: ContactsApi }) {
  const [error, setError] = createSignal<string>();
  const [open, setOpen] = createSignal(false);
  let root: HTMLDivElement | undefined;
  const toggleBlock = () =>
    (isBlocked(props.peer) ? unblockUser(props.peer) : blockUser(props.peer)).then(
      () => setError(undefined),
      () => setError('Blocking needs a connection.'),
    );
  // While folded open: a click elsewhere or Escape folds it again.
  createEffect(() => {
    if (!open()) return;
    const away = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away, true);
    document.addEventListener('keydown', away, true);
    onCleanup(() => {
      document.removeEventListener('pointerdown', away, true);
      document.removeEventListener('keydown', away, true);
    });
  });
  return (
    <div class="peer-actions" classList={{ open: open() }} ref={root}>
      <button type="button" class="icon-button peer-more" aria-label="Contact and block" aria-expanded={open()} onClick={() => setOpen(!open())} data-testid="peer-more">
        <MoreIcon />
      </button>
      <div
        class="peer-actions-list"
        onClick={(e) => {
          // Folds the menu; a click here is not one on the header (which opens the chat's info).
          e.stopPropagation();
          setOpen(false);
        }}
      >
        <Show when={props.contacts}>
          {(contacts) => (
            <Show
              when={contacts().has(props.peer)}
              fallback={
                <button type="button" class="button-text" onClick={() => contacts().add(props.peer)} data-testid="peer-add-contact">
                  Add contact
                </button>
              }
            >
              <span class="peer-contact-mark" data-testid="peer-is-contact">
                Contact
              </span>
            </Show>
          )}
        </Show>
        <button type="button" class="button-text danger" onClick={() => void toggleBlock()} title={error()} data-testid="peer-block">
          {isBlocked(props.peer) ? 'Unblock' : 'Block'}
        </button>
      </div>
    </div>
  );
}
