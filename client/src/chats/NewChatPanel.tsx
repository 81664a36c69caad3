import { createSignal, Show } from 'solid-js';
import type { PublicUser } from '#schema/api/auth';
import { parseUserId, type RoomId } from '#schema/ids';
import type { Session } from '../auth/session';
import { PanelHeader } from '../layout/PanelHeader';
import { For } from 'solid-js';
import type { ContactsApi } from '../contacts/useContacts';
import { PersonButton } from '../users/PersonButton';
import { displayNameOf, userById } from '../users/userDirectory';
import { UserSearch } from '../users/UserSearch';
import { startDm } from './startChat';

/** Pick a person to open (or start) the DM with them: my contacts first, then search. */
export function NewChatPanel(props: { session: Session; contacts: ContactsApi; onClose: () => void; onOpen: (roomId: RoomId) => void }) {
  const [error, setError] = createSignal<string>();
  async function pick(user: PublicUser) {
    const peer = parseUserId(user.id);
    if (!peer) return setError('This account cannot be messaged.');
    props.onOpen(await startDm(props.session.replicas, props.session.user.id, { id: peer, displayName: user.displayName }));
  }
  return (
    <section class="panel" data-testid="new-chat-panel">
      <PanelHeader title="New chat" onBack={props.onClose} />
      <Show when={error()}>
        <p class="panel-note panel-error">{error()}</p>
      </Show>
      <UserSearch hidden={(id) => id === props.session.user.id || props.contacts.has(id)} onPick={pick} autofocus />
      <Show when={props.contacts.all().size > 0}>
        <h3 class="panel-subtitle">Contacts</h3>
        <ul class="user-results" data-testid="new-chat-contacts">
          <For each={[...props.contacts.all().keys()].sort((a, b) => displayNameOf(a).localeCompare(displayNameOf(b)))}>
            {(id) => (
              <li>
                <PersonButton
                  id={id}
                  name={displayNameOf(id)}
                  detail={userById(id)?.about ?? ''}
                  onClick={() => void pick(userById(id) ?? { id, username: '', displayName: displayNameOf(id), lastSeenAt: null })}
                  testId="new-chat-contact"
                />
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
