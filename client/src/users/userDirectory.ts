import { createStore, reconcile } from 'solid-js/store';
import type { PublicUser } from '#schema/api/auth';
import { apiRequest } from '../api/apiRequest';
import { readLocal, writeLocal } from '../storage/localCache';

const STORAGE_KEY = 'users';

/**
 * Names of the people this user meets (authors, DM peers, group members), kept in
 * memory and in localStorage so that a reload, or an offline start, shows names at once.
 */
const [users, setUsers] = createStore<Record<string, PublicUser>>(readLocal(STORAGE_KEY) ?? {});
const inFlight = new Set<string>();
/** When a lookup last failed, so a missing profile is not asked for on every render. */
const failedAt = new Map<string, number>();
const RETRY_AFTER_MS = 30_000;
/** The names this user gave people in their contacts, which stand in for their display names everywhere. */
const [nicknames, setNicknames] = createStore<Record<string, string>>({});

function persist(): void {
  writeLocal(STORAGE_KEY, users);
}

/** Adds users the app already has (search results, the signed-in user). */
export function rememberUsers(list: readonly PublicUser[]): void {
  // Replaced, not merged: a field the new answer leaves out (a removed or hidden photo) goes.
  for (const user of list) setUsers(user.id, reconcile(user));
  persist();
}

async function fetchUser(id: string): Promise<void> {
  if (inFlight.has(id) || Date.now() - (failedAt.get(id) ?? 0) < RETRY_AFTER_MS) return;
  inFlight.add(id);
  try {
    const { user } = await apiRequest<{ user: PublicUser }>('GET', `/users/${encodeURIComponent(id)}`);
    rememberUsers([user]);
  } catch {
    failedAt.set(id, Date.now());
  } finally {
    inFlight.delete(id);
  }
}

/** The user with `id`, reactively; fetched in the background when not known yet. */
export function userById(id: string): PublicUser | undefined {
  const user = users[id];
  if (!user) void fetchUser(id);
  return user;
}

/** Asks the server again for a profile (its "last seen" changes); failures keep what is known. */
export function refreshUser(id: string): void {
  failedAt.delete(id);
  void fetchUser(id);
}

/** A name to show for `id`: my nickname for them, else their display name, with `fallback` until the profile arrives. */
export function displayNameOf(id: string, fallback = '…'): string {
  return nicknames[id] ?? userById(id)?.displayName ?? fallback;
}

/** Replaces the nicknames with those of the contacts doc (`client/src/contacts/useContacts.ts`). */
export function setContactNicknames(next: Record<string, string>): void {
  setNicknames(reconcile(next));
}

/** Known people (met before on this device) whose username or display name starts with `query`. */
export function findKnownUsers(query: string): PublicUser[] {
  const q = query.trim().toLowerCase();
  return Object.values(users).filter((u) => u.username.toLowerCase().startsWith(q) || u.displayName.toLowerCase().startsWith(q) || !!nicknames[u.id]?.toLowerCase().startsWith(q));
}

/** Drops every cached profile (sign-out). */
export function forgetUsers(): void {
  setUsers(reconcile({}));
  setNicknames(reconcile({}));
  failedAt.clear();
}
