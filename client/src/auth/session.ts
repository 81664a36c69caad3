import { createSignal } from 'solid-js';
import type { AuthResponse, PublicUser } from '#schema/api/auth';
import { parseDocName, type DocName } from '#schema/docs/names';
import { parseUserId, type UserId } from '#schema/ids';
import { ApiError, apiRequest } from '../api/apiRequest';
import { PendingMessages } from '../sync/outbox';
import type { Replica } from '../sync/replica';
import { dropPushSubscription } from '../notifications/webPush';
import { ReplicaManager } from '../sync/replicaManager';
import { wipeLocalReplicas } from '../sync/wipeLocalReplicas';
import { clearMediaCache } from '../files/mediaCache';
import { FileSender, outboxPoster } from '../files/fileSender';
import { ReadHere } from '../notifications/readHere';
import { clearLocal, readLocal, storeQuietly, writeLocal } from '../storage/localCache';
import { forgetUsers, rememberUsers } from '../users/userDirectory';
import { setSignedOutFlag, signedOutFlagSet } from './signedOutFlag';

export interface Session {
  user: PublicUser & { id: UserId };
  replicas: ReplicaManager;
  /** Messages written here that the server has not stored yet. */
  pending: PendingMessages;
  /** Files on their way, whichever chat is open. */
  files: FileSender;
  /** How far this tab showed each chat, so a desktop notification never announces what was read here. */
  readHere: ReadHere;
}

const ME_KEY = 'me';
/**
 * Set (outside the keys `clearLocal` clears) while a sign-out wipes a user's local data,
 * with that user's id: after a reload or a closed tab in the middle of it, the next
 * start is signed out and finishes the wipe in the background.
 */
const WIPING_KEY = 'jeco-wiping';

const [session, setSession] = createSignal<Session | null>(null);
/** False until we know whether someone is signed in: from the cached user at once, else from `/api/auth/me`. */
const [known, setKnown] = createSignal(false);

/** The signed-in user and their replicas, or null. */
export { session };
export const sessionKnown = known;

function start(user: PublicUser): void {
  const id = parseUserId(user.id);
  if (!id) throw new Error(`server sent a malformed user id: ${user.id}`);
  writeLocal(ME_KEY, user);
  rememberUsers([user]);
  const pending = new PendingMessages(id);
  /** Buckets held open here to send their outbox (after a reload too), released once it is empty. */
  const holding = new Map<DocName, Replica>();
  /** Appends the outbox of a bucket whose replica is in sync. */
  const drain = (replica: Replica) =>
    void pending
      .flush(replica.name, replica.doc, () => replica.inSync())
      .then(() => {
        if (holding.get(replica.name) === replica && !pending.stillQueued(replica.name)) {
          holding.delete(replica.name);
          replicas.release(replica.name);
        }
      });
  const replicas = new ReplicaManager(
    id,
    (name, doc) => pending.settle(name, doc),
    (replica) => {
      if (parseDocName(replica.name)?.kind === 'bucket') drain(replica);
    },
  );
  // Outbox messages go out even if their chat is closed, or never opened again after a
  // reload; one queued behind others while the bucket is in sync goes out at once.
  const hold = (name: DocName) => {
    let replica = holding.get(name);
    if (!replica) {
      replica = replicas.open(name);
      holding.set(name, replica);
    }
    if (replica.inSync()) drain(replica);
  };
  for (const name of pending.queuedDocs()) hold(name);
  pending.whenQueued(hold);
  // Files sent from here go out in the background too: a file's message joins the outbox once the file is stored.
  const files = new FileSender(id, outboxPoster(replicas, pending));
  files.resume();
  setSession({ user: { ...user, id }, replicas, pending, files, readHere: new ReadHere() });
  setKnown(true);
}

/** Ends the local session; when `wipe` is set, this user's replicas and caches go too. */
async function stop(wipe: boolean): Promise<void> {
  const current = session();
  setSession(null);
  if (!current) return;
  if (wipe) {
    // First, in one step: the cached user, the pending marks and the list of docs with
    // unsent edits (localStorage keys), so a reload from here on starts signed out and
    // finishes the wipe instead of starting this session again with what it discarded.
    // Storage that refuses the write (full, or disabled) still has the keys below cleared,
    // so a reload starts signed out; only the deletion's resumption after one is lost.
    storeQuietly('local', WIPING_KEY, current.user.id);
    clearLocal();
    forgetUsers();
  }
  current.pending.stop();
  current.files.stop();
  await current.replicas.destroy();
  if (!wipe) return;
  // Closing the replicas may have written some of those keys again; unless someone signed in meanwhile.
  if (!session()) clearLocal();
  await wipeStored(current.user.id);
}

/**
 * Deletes `userId`'s replicas (queued messages live in them) and the media cache, then
 * forgets that a wipe was under way. It can wait long: another tab holding one of the
 * databases open holds its deletion back.
 */
async function wipeStored(userId: UserId): Promise<void> {
  await wipeLocalReplicas(userId);
  // Photos and files seen are this person's too: the next one to sign in here must not find them.
  await clearMediaCache();
  storeQuietly('local', WIPING_KEY, null);
}

/**
 * Starts from the cached user so the app renders from local replicas before the
 * server answers; `/api/auth/me` then confirms the session or marks it ended.
 */
export function bootSession(): void {
  window.addEventListener('online', deliverSignOut);
  const wiping = parseUserId(localStorage.getItem(WIPING_KEY) ?? '');
  if (wiping) {
    // A sign-out was cut short (a reload, a closed tab): this start is signed out, and
    // the deletion goes on in the background (the login page need not wait for it).
    clearLocal();
    void wipeStored(wiping).catch(() => undefined);
  }
  const cached = readLocal<PublicUser>(ME_KEY);
  if (cached) start(cached);
  apiRequest<{ user: PublicUser }>('GET', '/auth/me').then(
    ({ user }) => {
      const current = session();
      if (current?.user.id === user.id) {
        writeLocal(ME_KEY, user);
        rememberUsers([user]);
      } else {
        void stop(current !== null).then(() => start(user));
      }
    },
    (error: unknown) => {
      if (error instanceof ApiError && error.kind === 'unauthorized') session()?.replicas.endSession();
      setKnown(true);
    },
  );
}

/** After a successful login or registration. Another account's local data is wiped first. */
export async function signedIn(auth: AuthResponse): Promise<void> {
  const current = session();
  await stop(current !== null && current.user.id !== auth.user.id);
  start(auth.user);
}

/**
 * Ends the session on this device at once and wipes this user's local replicas and
 * caches, with the messages still waiting in them. The server revokes the session now,
 * or, when it cannot be reached, on this browser's next request ({@link setSignedOutFlag}).
 */
export async function signOut(): Promise<void> {
  setSignedOutFlag();
  // Its first step is synchronous: from here on a reload starts signed out (see `stop`).
  const stopping = stop(true);
  await apiRequest('POST', '/auth/logout').catch(() => undefined);
  // The server deleted this session's push subscription; the browser's goes too, so the next person to sign in here starts with notifications off.
  await dropPushSubscription();
  await stopping;
}

/**
 * After the server deleted this account: it revoked every session already (and their
 * push subscriptions), so this device drops its subscription and wipes this user's
 * local replicas and caches, as a sign-out does.
 */
export async function accountDeleted(): Promise<void> {
  await dropPushSubscription();
  await stop(true);
}

/** Tells the server of a sign-out it missed while offline; any request carries the flag, this one is sent for it. */
function deliverSignOut(): void {
  if (signedOutFlagSet()) void apiRequest('POST', '/auth/logout').catch(() => undefined);
}
