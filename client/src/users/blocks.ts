import { createSignal } from 'solid-js';
import type { BlockedResponse } from '#schema/api/people';
import { apiRequest } from '../api/apiRequest';
import { rememberUsers } from './userDirectory';

/** Whom I blocked, as the server last said; the server enforces it, this only shapes the screens. */
const [blocked, setBlocked] = createSignal<ReadonlySet<string>>(new Set());

/** Asks the server for my Blocked list; failures (offline) keep what is known. */
export async function loadBlocked(): Promise<BlockedResponse['blocked']> {
  const { blocked: list } = await apiRequest<BlockedResponse>('GET', '/blocks');
  rememberUsers(list.map((entry) => entry.user));
  setBlocked(new Set(list.map((entry) => entry.user.id)));
  return list;
}

export function isBlocked(id: string): boolean {
  return blocked().has(id);
}

export async function blockUser(id: string): Promise<void> {
  await apiRequest('PUT', `/blocks/${encodeURIComponent(id)}`);
  setBlocked((set) => new Set([...set, id]));
}

export async function unblockUser(id: string): Promise<void> {
  await apiRequest('DELETE', `/blocks/${encodeURIComponent(id)}`);
  setBlocked((set) => new Set([...set].filter((other) => other !== id)));
}
