import type * as Y from 'yjs';
import { z } from 'zod';
import type { UserId } from '../ids';

/** Root type name of a contacts doc; only its owner writes it. */
const CONTACTS = { contacts: 'contacts' } as const;

export const contactSchema = z.object({ addedAt: z.number(), nickname: z.string().max(100).optional() }).strict();
export type Contact = z.infer<typeof contactSchema>;

function contactsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(CONTACTS.contacts);
}

export function addContact(doc: Y.Doc, userId: UserId, contact: Contact): void {
  contactsMap(doc).set(userId, contact);
}

export function removeContact(doc: Y.Doc, userId: UserId): void {
  contactsMap(doc).delete(userId);
}

export function readContacts(doc: Y.Doc): Map<UserId, Contact> {
  const out = new Map<UserId, Contact>();
  contactsMap(doc).forEach((value, key) => {
    const parsed = contactSchema.safeParse(value);
    if (parsed.success) out.set(key as UserId, parsed.data);
  });
  return out;
}
