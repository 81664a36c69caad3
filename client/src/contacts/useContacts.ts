import { createEffect, createMemo } from 'solid-js';
import { addContact, readContacts, removeContact, type Contact } from '#schema/docs/contacts';
import { contactsDoc } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import type { Session } from '../auth/session';
import { docSignal } from '../sync/docBindings';
import { useReplica } from '../sync/replicaScope';
import { setContactNicknames } from '../users/userDirectory';

export interface ContactsApi {
  /** My contacts, by user id, from the local replica (so offline too). */
  all: () => Map<UserId, Contact>;
  has: (id: string) => boolean;
  add: (id: UserId) => void;
  remove: (id: UserId) => void;
  /** Sets (or, empty, clears) the name I see for them. */
  setNickname: (id: UserId, nickname: string) => void;
}

/**
 * The `contacts/<me>` doc, open for the session: a replica like every doc, so it works
 * offline and every tab and device converges. Its nicknames feed `displayNameOf`, so
 * they replace display names in the chat list, headers, members and search.
 */
export function useContacts(session: Session): ContactsApi {
  const replica = useReplica(session.replicas, contactsDoc(session.user.id));
  const all = docSignal(replica.doc, readContacts);
  const nicknames = createMemo(() => {
    const out: Record<string, string> = {};
    for (const [id, contact] of all()) if (contact.nickname) out[id] = contact.nickname;
    return out;
  });
  createEffect(() => setContactNicknames(nicknames()));
  return {
    all,
    has: (id) => all().has(id as UserId),
    add: (id) => {
      if (!all().has(id)) addContact(replica.doc, id, { addedAt: Date.now() });
    },
    remove: (id) => removeContact(replica.doc, id),
    setNickname: (id, nickname) => {
      const current = all().get(id) ?? { addedAt: Date.now() };
      const trimmed = nickname.trim().slice(0, 100);
      const { nickname: _old, ...rest } = current;
      addContact(replica.doc, id, trimmed ? { ...rest, nickname: trimmed } : rest);
    },
  };
}
