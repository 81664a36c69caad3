import { createSignal, Show } from 'solid-js';
import type { UserId } from '../../../schema/ids';
import type { ContactsApi } from '../contacts/useContacts';
import { blockUser, isBlocked, unblockUser } from '../users/blocks';

/** The DM header's buttons: add or remove the peer as a contact, block or unblock them. */
export function PeerActions(props: { peer: UserId; contacts?: ContactsApi }) {
  const [error, setError] = createSignal<string>();
  const toggleBlock = () =>
    (isBlocked(props.peer) ? unblockUser(props.peer) : blockUser(props.peer)).then(
      () => setError(undefined),
      () => setError('Blocking needs a connection.'),
    );
  return (
    <div class="peer-actions">
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
  );
}
