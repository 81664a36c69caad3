import type { PublicUser } from '../../../schema/api/auth';
import { apiRequest } from '../api/apiRequest';
import { rememberUsers } from './userDirectory';

/** People whose username or display name starts with `query`; results also feed the name cache. */
export async function searchUsers(query: string): Promise<PublicUser[]> {
  const { users } = await apiRequest<{ users: PublicUser[] }>('GET', `/users?q=${encodeURIComponent(query)}`);
  rememberUsers(users);
  return users;
}
