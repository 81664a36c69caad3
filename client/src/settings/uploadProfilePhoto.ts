import type { PublicUser } from '#schema/api/auth';
import { ApiError, apiErrorOf } from '../api/apiRequest';

/** Sends a cropped photo (`PUT /api/me/photo`, the image as the body) and answers my profile with it. */
export async function uploadProfilePhoto(photo: Blob): Promise<PublicUser> {
  let response: Response;
  try {
    response = await fetch('/api/me/photo', { method: 'PUT', credentials: 'same-origin', headers: { 'content-type': photo.type || 'image/jpeg' }, body: photo });
  } catch {
    throw new ApiError('offline', 'Cannot reach the server. Check your connection and try again.', 0);
  }
  if (!response.ok) throw await apiErrorOf(response);
  return ((await response.json()) as { user: PublicUser }).user;
}
