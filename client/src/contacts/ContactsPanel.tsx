import { createSignal, For, onCleanup, Show } from 'solid-js';
import type { PublicUser } from '#schema/api/auth';
import { parseUserId, type RoomId, type UserId } from '#schema/ids';
import type { Session } from '../auth/session';
import { startDm } from '../chats/startChat';
import { PanelHeader } from '../layout/PanelHeader';
import { formatMoment } from '../time/formatTime';
import { Avatar } from '../users/Avatar';
import { blockUser, isBlocked, unblockUser } from '../users/blocks';
import { refreshUser, rememberUsers, displayNameOf, userById } from '../users/userDirectory';
import { UserSearch } from '../users/UserSearch';
import type { ContactsApi } from './useContacts';

/** How often the list asks again for its people's profiles (about line, last seen). */
const REFRESH_MS = 60_000;

/** The Contacts view: the people I added (from my contacts doc, so offline too), with what they tell me. */
export function ContactsPanel(props: { session: Session; contacts: ContactsApi; isOnline: (id: UserId) => boolean; onClose: () => void; onOpen: (roomId: RoomId) => void }) {
  const [adding, setAdding] = createSignal(false);
  const [renaming, setRenaming] = createSignal<UserId | null>(null);
  const ids = () => [...props.contacts.all().keys()].sort((a, b) => displayNameOf(a).localeCompare(displayNameOf(b)));
  const refresh = () => ids().forEach(refreshUser);
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  onCleanup(() => clearInterval(timer));

  function add(user: PublicUser) {
    const id = parseUserId(user.id);
    if (!id) return;
    rememberUsers([user]);
    props.contacts.add(id);
    setAdding(false);
  }
  async function message(id: UserId) {
    props.onOpen(await startDm(props.session.replicas, props.session.user.id, { id, displayName: userById(id)?.displayName ?? displayNameOf(id) }));
  }
  const status = (id: UserId) => {
    if (props.isOnline(id)) return 'online';
    const seen = userById(id)?.lastSeenAt;
    return seen ? `last seen ${formatMoment(seen)}` : '';
  };

  return (
    <section class="panel contacts" data-testid="contacts-panel">
      <PanelHeader title="Contacts" onBack={props.onClose} />
      <Show
        when={!adding()}
        fallback={
          <>
            <button type="button" class="button-text contacts-add-cancel" onClick={() => setAdding(false)}>
              Cancel
            </button>
            <UserSearch hidden={(id) => id === props.session.user.id || props.contacts.has(id)} onPick={add} autofocus />
          </>
        }
      >
        <button type="button" class="contacts-add" onClick={() => setAdding(true)} data-testid="contacts-add">
          + Add contact
        </button>
        <Show when={ids().length > 0} fallback={<p class="panel-note">No contacts yet. Add people you talk to, and give them the names you know them by.</p>}>
          <ul class="settings-list contacts-list">
            <For each={ids()}>
              {(id) => (
                <li class="settings-row contact-row" data-testid="contact-row" data-user={id}>
                  <Avatar name={displayNameOf(id)} seed={id} />
                  <Show
                    when={renaming() === id}
                    fallback={
                      <button type="button" class="settings-row-text contact-open" onClick={() => void message(id)} title="Message" data-testid="contact-open">
                        <span class="settings-row-title" data-testid="contact-name">
                          {displayNameOf(id)}
                        </span>
                        <span class="settings-row-sub" data-testid="contact-about">
                          {userById(id)?.about ?? (props.contacts.all().get(id)?.nickname ? (userById(id)?.displayName ?? '') : '')}
                        </span>
                        <span class="settings-row-sub contact-status" data-testid="contact-status">
                          {status(id)}
                        </span>
                      </button>
                    }
                  >
                    <form
                      class="contact-rename"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const input = e.currentTarget.elements.namedItem('nickname') as HTMLInputElement;
                        props.contacts.setNickname(id, input.value);
                        setRenaming(null);
                      }}
                    >
                      <input
                        name="nickname"
                        maxLength={100}
                        value={props.contacts.all().get(id)?.nickname ?? ''}
                        placeholder={userById(id)?.displayName ?? 'Nickname'}
                        ref={(el) => queueMicrotask(() => el.focus())}
                        data-testid="contact-nickname"
                      />
                      <button type="submit" class="button-text" data-testid="contact-nickname-save">
                        Save
                      </button>
                    </form>
                  </Show>
                  <Show when={renaming() !== id}>
                    <div class="contact-actions">
                      <button type="button" class="button-text" onClick={() => setRenaming(id)} data-testid="contact-rename">
                        Rename
                      </button>
                      <button type="button" class="button-text danger" onClick={() => props.contacts.remove(id)} data-testid="contact-remove">
                        Remove
                      </button>
                      <button type="button" class="button-text danger" onClick={() => void (isBlocked(id) ? unblockUser(id) : blockUser(id)).catch(() => undefined)} data-testid="contact-block">
                        {isBlocked(id) ? 'Unblock' : 'Block'}
                      </button>
                    </div>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
}
