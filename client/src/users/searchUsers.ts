import type { PublicUser } from '#schema/api/auth';
import { ApiError, apiRequest } from '../api/apiRequest';
import { findKnownUsers, rememberUsers } from './userDirectory';

/**
 * People whose username or display name starts with `query`; results also feed the
 * name cache. Offline, the people already met on this device are searched instead,
 * so a DM or a group can still be started with them.
 */
export async function searchUsers(query: string): Promise<PublicUser[]> {
  try {
    const { users } = await apiRequest<{ users: PublicUser[] }>('GET', `/users?q=${encodeURIComponent(query)}`);
    rememberUsers(users);
    return users;
  } catch (error) {
    const known = error instanceof ApiError && error.kind === 'offline' ? findKnownUsers(query) : [];
    if (known.length === 0) throw error;
    return known;
  }
}
