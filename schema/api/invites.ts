import { z } from 'zod';

/** An invite token as it travels in a link: the random part of `/join/<token>` (base32, lowercase). */
const inviteTokenSchema = z.string().regex(/^[a-z2-7]{16,64}$/, 'Not an invite link');

/** `GET /api/invites/:token`, `POST /api/invites/:token/join`. */
export const inviteParams = z.object({ token: inviteTokenSchema }).strict();

/** `POST|GET|DELETE /api/groups/:roomId/invite`. */
export const groupInviteParams = z.object({ roomId: z.string().max(200) }).strict();

/** What an admin gets on creating a link: the token, shown once (the server keeps only its hash). */
export interface CreatedInvite {
  token: string;
  createdAt: number;
}

/** `GET /api/groups/:roomId/invite`: whether the group has a link that works now, and since when. */
export interface GroupInviteState {
  active: boolean;
  createdAt: number | null;
  createdBy: string | null;
}

/** `GET /api/invites/:token`: what someone opening the link sees before joining. */
export interface InvitePreview {
  roomId: string;
  name: string;
  memberCount: number;
  /** The person asking is in the group already. */
  member: boolean;
}

/** `POST /api/invites/:token/join`: the group joined (or already joined). */
export interface JoinedInvite {
  roomId: string;
}
