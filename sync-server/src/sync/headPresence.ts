import { randomUUID } from 'node:crypto';
import { isTransactionOrigin, type Connection, type Hocuspocus } from '@hocuspocus/server';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { encodePresence, encodeTyping, parseTypingSignal, type Typing } from '#schema/api/presence';
import { parseDocName, roomHeadDoc, roomOfDoc, type DocRef } from '#schema/docs/names';
import { dmRoomId, type UserId } from '#schema/ids';
import type { Blocks } from '../people/blocks';
import type { Privacy } from '../people/privacy';
import type { SyncContext } from './context';
import { onNodeEvents } from './nodeEvents';
import type { ChainedExtension } from './extensionChain';

/** The Redis channel of presence between nodes; apart from the relay's, whose subscriber reads every message as a Yjs frame. */
const PRESENCE_CHANNEL = 'jeco:presence';
/**
 * Changes to one head within this long make one message to its connections: when a
 * group's members connect together (a node restarting), each would otherwise send the
 * whole set to everyone before them, O(members²) messages.
 */
const COALESCE_MS = 50;
/**
 * A person's "typing" in one head is taken at most this often from devices on this node
 * (the app says it every 2 s while keys keep coming), and "stopped" only after "typing":
 * a device sending more makes no more traffic for the others, here or between nodes.
 */
const TYPING_RELAY_EVERY_MS = 1_000;
/** A node not heard from for this many heartbeats is taken for dead: its users go offline everywhere. */
const SILENT_BEATS = 3;

/**
 * A presence event between nodes (parsed: Redis is shared, not trusted blindly).
 * `sets`: the users connected through the sender to each head (empty: none now);
 * `ask`: heads the sender just loaded, whose sets it wants; `beat`: it is alive;
 * `privacy`/`blocks`: settings, contacts or blocks changed through it, so cached
 * answers about these people are stale; `typing`: someone connected through it types
 * in a head, or stopped.
 */
const eventSchema = z
  .object({
    node: z.string().min(1).max(100),
    sets: z.record(z.string(), z.array(z.string().min(1))).optional(),
    ask: z.array(z.string()).optional(),
    beat: z.literal(true).optional(),
    privacy: z.string().min(1).optional(),
    blocks: z.tuple([z.string().min(1), z.string().min(1)]).optional(),
    typing: z
      .object({ doc: z.string().min(1), user: z.string().min(1).max(200), name: z.string().max(200), on: z.boolean() })
      .strict()
      .optional(),
  })
  .strict();
type PresenceEvent = z.infer<typeof eventSchema>;

/** One room head loaded on this node. */
interface Head {
  ref: DocRef;
  /** The users connected to it through this node, as last told to the other nodes (sorted, joined). */
  published: string;
  /** The users connected to it through each other node. */
  remote: Map<string, ReadonlySet<UserId>>;
  /** The payload last sent to every connection, or null before the first. */
  sent: string | null;
  /** Connections that have not been told anything yet. */
  newcomers: Set<Connection>;
  /** Who is shown typing in it (by this node or another), with their names: withdrawn when they may no longer show, or leave. */
  typing: Map<UserId, string>;
  /** The last typing signal taken from each person's devices on this node, and when. */
  signals: Map<UserId, { on: boolean; at: number }>;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

function userOf(connection: Connection): UserId | undefined {
  return (connection.context as Partial<SyncContext> | undefined)?.user?.id;
}

/**
 * Design §3's "online", derived by the server from its connections instead of carried
 * in awareness: everyone with a connection to a room head is online in that room. Each
 * connection of a head is told the set as a stateless message (`schema/api/presence.ts`)
 * when it connects and whenever the set changes; nothing is sent while nothing changes,
 * so an idle head costs nothing (awareness renewed every state every 15 s and relayed
 * each to every connection of the head).
 *
 * The set is filtered: someone whose privacy settings hide their presence in the room
 * (`Privacy.presenceFlows`; in a group only "everyone" shows it) or who is in a DM
 * where either blocked the other (`Blocks.dmPresenceOpen`) is left out. Settings
 * changes and blocks made through this node are applied at once.
 *
 * Typing goes the same way (`schema/api/presence.ts`): a device's stateless signal is
 * relayed to the head's other connections under the authenticated user's name, if that
 * user's presence shows there. Whoever is shown typing and then may no longer show, or
 * has no connection to the head left, is said to have stopped. Devices state nothing in
 * awareness: Hocuspocus builds a scratch `Y.Doc` for every awareness message, the
 * largest single cost of a busy server's chat traffic when typing went that way.
 *
 * With several nodes (`events`, Redis), each node publishes the users connected through
 * it to each head it holds when they change, asks for the others' sets when it loads a
 * head, and merges what it hears; each node sends the merged set to its own connections
 * only. A node says it is alive every `heartbeatMs` (`JECO_PRESENCE_HEARTBEAT_MS`); the
 * sets of one silent for {@link SILENT_BEATS} heartbeats are dropped, so a node that
 * died does not leave its users online. A node heard from for the first time (started,
 * or back after an outage) is sent every set at once and asked for its own.
 */
export function headPresenceExtension(deps: {
  privacy: Privacy;
  blocks: Blocks;
  events?: { pub: Redis; sub: Redis };
  heartbeatMs: number;
  log: (error: unknown, what: string) => void;
}): ChainedExtension {
  const nodeId = randomUUID();
  const heads = new Map<string, Head>();
  /** When each other node was last heard from. */
  const lastHeard = new Map<string, number>();
  let instance: Hocuspocus | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const unsubscribe: (() => void)[] = [];

  const publish = (event: Omit<PresenceEvent, 'node'>) => {
    deps.events?.pub.publish(PRESENCE_CHANNEL, JSON.stringify({ node: nodeId, ...event })).catch((error: unknown) => deps.log(error, 'publishing presence'));
  };

  const connectionsOf = (name: string): Connection[] => [...(instance?.documents.get(name)?.getConnections() ?? [])];

  const localUsers = (name: string): UserId[] => {
    const users = new Set<UserId>();
    for (const connection of connectionsOf(name)) {
      const user = userOf(connection);
      if (user) users.add(user);
    }
    return [...users].sort();
  };

  /** Whether `user`'s presence (online, typing) may show in the head `ref`. */
  const shows = async (ref: DocRef, user: UserId) => (await deps.privacy.presenceFlows(ref, user)) && (await deps.blocks.dmPresenceOpen(ref, user));

  /**
   * Sends `payload` to the head's open connections but `user`'s own. Encoded once for
   * all of them (`relayStateless`: no broadcast hook, so nothing is relayed to other
   * nodes; what they need goes on the presence channel), where `sendStateless`
   * encoded it again for each connection.
   */
  const sendToOthers = (name: string, user: UserId, payload: string) => {
    instance?.documents.get(name)?.relayStateless(payload, (connection) => userOf(connection) !== user);
  };

  /** In the head's one-at-a-time chain, so "stopped" never overtakes the "typing" before it, nor a presence pass. */
  const inTurn = (head: Head, task: () => Promise<void>) => {
    head.running = (head.running ?? Promise.resolve()).then(task).catch((error) => deps.log(error, 'presence'));
  };

  /** Tells the head's connections here that someone types or stopped, if their presence shows there. */
  async function relayTyping(name: string, head: Head, typing: Typing): Promise<void> {
    if (typing.on && !(await shows(head.ref, typing.user))) return;
    if (heads.get(name) !== head) return;
    if (typing.on) head.typing.set(typing.user, typing.name);
    else if (!head.typing.delete(typing.user)) return;
    sendToOthers(name, typing.user, encodeTyping(typing));
  }

  const schedule = (name: string) => {
    const head = heads.get(name);
    if (!head || head.timer) return;
    head.timer = setTimeout(() => {
      head.timer = undefined;
      // One pass at a time per head: a pass that waits on the store must not send after a newer one.
      inTurn(head, () => refresh(name, head));
    }, COALESCE_MS);
  };

  /** Tells the other nodes, if this node's own users of the head changed, and its connections, if the set they see changed. */
  async function refresh(name: string, head: Head): Promise<void> {
    if (heads.get(name) !== head) return;
    const local = localUsers(name);
    const published = local.join('\n');
    if (published !== head.published) {
      head.published = published;
      publish({ sets: { [name]: local } });
    }
    const everyone = new Set(local);
    for (const users of head.remote.values()) for (const user of users) everyone.add(user);
    const shown: UserId[] = [];
    for (const user of everyone) if (await shows(head.ref, user)) shown.push(user);
    if (heads.get(name) !== head) return;
    for (const [user, userName] of head.typing) {
      if (shown.includes(user)) continue;
      head.typing.delete(user);
      sendToOthers(name, user, encodeTyping({ user, name: userName, on: false }));
    }
    const payload = encodePresence(shown);
    // The same set as last sent: only newcomers need it. Only connections still open are told.
    const newcomers = payload === head.sent ? new Set(head.newcomers) : null;
    head.sent = payload;
    head.newcomers.clear();
    instance?.documents.get(name)?.relayStateless(payload, newcomers ? (connection) => newcomers.has(connection) : undefined);
  }

  /** Heads where what `userId` may show, or see, may have changed: those they are in, and their DMs. */
  const headsInvolving = (userId: UserId): string[] =>
    [...heads]
      .filter(([, head]) => {
        const room = roomOfDoc(head.ref);
        if (room?.kind === 'dm' && room.members.includes(userId)) return true;
        return head.published.split('\n').includes(userId) || [...head.remote.values()].some((users) => users.has(userId));
      })
      .map(([name]) => name);

  const privacyChanged = (userId: UserId) => {
    for (const name of headsInvolving(userId)) schedule(name);
  };
  const blocksChanged = (a: UserId, b: UserId) => schedule(roomHeadDoc(dmRoomId(a, b)));

  const allSets = (): Record<string, UserId[]> => {
    const sets: Record<string, UserId[]> = {};
    for (const [name, head] of heads) if (head.published) sets[name] = head.published.split('\n') as UserId[];
    return sets;
  };

  const forgetNode = (node: string) => {
    lastHeard.delete(node);
    for (const [name, head] of heads) if (head.remote.delete(node)) schedule(name);
  };

  const onEvent = (event: PresenceEvent) => {
    if (event.node === nodeId) return;
    const known = lastHeard.has(event.node);
    lastHeard.set(event.node, Date.now());
    // A node new to this one (started, or given up and back) may lack this one's sets,
    // and this one has forgotten its sets or never asked it for them.
    if (!known) {
      const sets = allSets();
      const ask = [...heads.keys()];
      if (Object.keys(sets).length > 0 || ask.length > 0) publish({ ...(Object.keys(sets).length > 0 ? { sets } : {}), ...(ask.length > 0 ? { ask } : {}) });
    }
    for (const [name, users] of Object.entries(event.sets ?? {})) {
      const head = heads.get(name);
      if (!head) continue;
      if (users.length > 0) head.remote.set(event.node, new Set(users as UserId[]));
      else head.remote.delete(event.node);
      schedule(name);
    }
    if (event.ask) {
      const sets: Record<string, UserId[]> = {};
      for (const name of event.ask) {
        const published = heads.get(name)?.published;
        if (published) sets[name] = published.split('\n') as UserId[];
      }
      if (Object.keys(sets).length > 0) publish({ sets });
    }
    if (event.privacy) {
      deps.privacy.forget(event.privacy as UserId);
      privacyChanged(event.privacy as UserId);
    }
    if (event.blocks) {
      const [a, b] = event.blocks as [UserId, UserId];
      deps.blocks.forget(a, b);
      blocksChanged(a, b);
    }
    const typing = event.typing;
    const head = typing && heads.get(typing.doc);
    if (typing && head) inTurn(head, () => relayTyping(typing.doc, head, { user: typing.user as UserId, name: typing.name, on: typing.on }));
  };

  if (deps.events) {
    const { sub } = deps.events;
    onNodeEvents(sub, PRESENCE_CHANNEL, eventSchema, 'presence events', deps.log, onEvent);
    heartbeat = setInterval(() => {
      publish({ beat: true });
      const now = Date.now();
      for (const [node, at] of lastHeard) if (now - at > SILENT_BEATS * deps.heartbeatMs) forgetNode(node);
    }, deps.heartbeatMs).unref();
    publish({ beat: true });
  }

  return {
    extensionName: 'headPresence',
    async onConfigure(data) {
      instance = data.instance;
      unsubscribe.push(
        deps.privacy.onChanged((userId) => {
          privacyChanged(userId);
          publish({ privacy: userId });
        }),
        deps.blocks.onChanged((blocker, blocked) => {
          blocksChanged(blocker, blocked);
          publish({ blocks: [blocker, blocked] });
        }),
      );
    },
    async afterLoadDocument({ documentName }) {
      const ref = parseDocName(documentName);
      if (ref?.kind !== 'roomHead' || heads.has(documentName)) return;
      heads.set(documentName, { ref, published: '', remote: new Map(), sent: null, newcomers: new Set(), typing: new Map(), signals: new Map(), timer: undefined, running: undefined });
      if (deps.events) publish({ ask: [documentName] });
    },
    onChange({ documentName, transactionOrigin }) {
      // "My contacts" audiences: the privacy extension has forgotten the cached list by now.
      const ref = parseDocName(documentName);
      if (ref?.kind !== 'contacts') return;
      privacyChanged(ref.userId);
      if (isTransactionOrigin(transactionOrigin) && transactionOrigin.source === 'connection') publish({ privacy: ref.userId });
    },
    onStateless({ documentName, connection, payload }) {
      const head = heads.get(documentName);
      const on = parseTypingSignal(payload);
      const user = (connection.context as Partial<SyncContext> | undefined)?.user;
      // A former member reads the group, read-only: they type in it no more.
      if (!head || on === null || !user || connection.readOnly) return;
      const now = Date.now();
      const last = head.signals.get(user.id);
      if (on ? last?.on && now - last.at < TYPING_RELAY_EVERY_MS : !last?.on) return;
      head.signals.set(user.id, { on, at: now });
      const typing: Typing = { user: user.id, name: user.displayName, on };
      inTurn(head, () => relayTyping(documentName, head, typing));
      if (deps.events) publish({ typing: { doc: documentName, ...typing } });
    },
    async connected({ documentName, connection }) {
      const head = heads.get(documentName);
      if (!head) return;
      head.newcomers.add(connection);
      schedule(documentName);
    },
    async onDisconnect({ documentName }) {
      schedule(documentName);
    },
    async afterUnloadDocument({ documentName }) {
      const head = heads.get(documentName);
      if (!head) return;
      clearTimeout(head.timer);
      heads.delete(documentName);
      if (head.published) publish({ sets: { [documentName]: [] } });
    },
    async onDestroy() {
      clearInterval(heartbeat);
      for (const head of heads.values()) clearTimeout(head.timer);
      for (const stop of unsubscribe) stop();
    },
  };
}
