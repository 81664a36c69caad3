import type { Registry } from 'prom-client';
import type { Store, UserRow } from '../store/db/store';
import type { PublicUser } from '#schema/api/auth';
import type { Config } from '../config';
import type { BlobStore } from '../files/blobStore';
import type { FileLifecycle } from '../files/fileLifecycle';
import type { DependencyHealth } from '../dependencyHealth';
import type { Sessions, ValidSession } from '../auth/sessions';
import type { Mailer } from '../mail/mailer';
import type { Blocks } from '../people/blocks';
import type { Privacy } from '../people/privacy';
import type { EndpointPolicy } from '../push/endpointPolicy';
import { DELETED_ACCOUNT_NAME } from '#schema/api/people';
import type { PreviewPolicy } from '../linkPreview/fetchLinkPreview';
import { visibilityOf, type Visibility } from '#schema/privacy';
import type { RoomRef, UserId } from '#schema/ids';

/** What every route gets: the process's config and services. */
export interface HttpDeps {
  config: Config;
  store: Store;
  sessions: Sessions;
  mailer: Mailer;
  blocks: Blocks;
  /** Privacy settings and the relations they depend on (`schema/privacy.ts`). */
  privacy: Privacy;
  metrics: Registry;
  /** Whether the store and Redis are reachable: `/readyz`. */
  health: DependencyHealth;
  /** The address people open (mailed links point here). */
  publicUrl(): string;
  /** Whether cookies must be `Secure`. */
  secureCookies(): boolean;
  /** Web Push: the VAPID public key, and which endpoints subscriptions may name. */
  push: { publicKey: string; policy: EndpointPolicy };
  /** Stored files: their bytes, and what happens to them once sent, deleted or never sent. */
  files: { blobs: BlobStore; lifecycle: FileLifecycle };
  /** Which addresses link previews may be fetched from (`linkPreview/fetchLinkPreview.ts`). */
  linkPreviews: PreviewPolicy;
  /** Groups as invite links need them: a group's name (from its head), and joining through the sync side. */
  groups: GroupAccess;
}

/** What the HTTP side may do to a group's head; the sync side (projections) does it. */
interface GroupAccess {
  nameOf(room: RoomRef): Promise<string>;
  join(room: RoomRef, userId: UserId, invitedBy: UserId): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `requireUser` pre-handler. */
    auth?: ValidSession;
  }
}

/** What names a photo in URLs: enough of its blob's hash to change whenever the photo does. */
function photoVersion(photo: string): string {
  return photo.slice(0, 16);
}

/**
 * A user as other signed-in users may see it: no email, no hash, no settings; less when
 * `visibility` says so (what the asker may see, from `Privacy.visibility`).
 */
export function toPublicUser(
  user: Pick<UserRow, 'id' | 'username' | 'displayName' | 'lastSeenAt' | 'about'> & { deletedAt?: number | null; photo?: string | null },
  visibility: Visibility & { mayAddToGroups?: boolean } = visibilityOf({ blockedByThem: false, blockedByMe: false }),
): PublicUser {
  // A deleted account shows only that it was one: not even the username it had.
  if (user.deletedAt != null) return { id: user.id, username: '', displayName: DELETED_ACCOUNT_NAME, lastSeenAt: null, about: null, deleted: true, mayAddToGroups: false };
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    lastSeenAt: visibility.presence ? user.lastSeenAt : null,
    about: visibility.about ? user.about : null,
    // The photo goes with the about line ("photo and about" in the privacy settings).
    ...(visibility.about && user.photo ? { photo: photoVersion(user.photo) } : {}),
    ...(visibility.mayAddToGroups === false ? { mayAddToGroups: false } : {}),
  };
}
