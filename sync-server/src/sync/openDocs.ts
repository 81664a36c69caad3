import * as decoding from 'lib0/decoding';

/** Hocuspocus message types read here (`MessageType` of @hocuspocus/server). */
const AUTH = 2;
const CLOSE = 7;
/** The auth sub-message the server sends when it refuses a doc. */
const PERMISSION_DENIED = 1;

/**
 * An AUTH or CLOSE message's document name and type; null for any other message (or an
 * undecodable one). Every update and acknowledgement to every socket passes through
 * {@link OpenDocs.sent}: the type is read first, past the name, so only these two
 * messages pay for decoding the name into a string.
 */
function authOrClose(data: Uint8Array): { key: string; type: typeof AUTH | typeof CLOSE; decoder: decoding.Decoder } | null {
  try {
    const decoder = decoding.createDecoder(data);
    // The name is a length and that many bytes (lib0 throws on reading past the end).
    const nameLength = decoding.readVarUint(decoder);
    decoder.pos += nameLength;
    const type = decoding.readVarUint(decoder);
    if (type !== AUTH && type !== CLOSE) return null;
    decoder.pos = 0;
    const key = decoding.readVarString(decoder);
    decoding.readVarUint(decoder);
    return { key, type, decoder };
  } catch {
    return null;
  }
}

/**
 * Which documents are open on one socket, so that a client's CLOSE for a document that
 * is not open can be dropped before Hocuspocus sees it.
 *
 * Why: when the server closes a doc (a retryable refusal such as `out_of_order` or
 * `rate_limited`), the provider re-attaches by `detach()` + `attach()`, and `detach()`
 * sends CLOSE for a connection that no longer exists. Hocuspocus queues that CLOSE as
 * the first message of a new pending doc and replays it onto the connection the next
 * AUTH opens, closing it at once: the doc then stays silent until the socket
 * reconnects, and the edits in it are not sent. The crash test found this.
 *
 * A doc is open from the client's AUTH until either side closes it or the server
 * refuses it.
 */
export class OpenDocs {
  private readonly open = new Set<string>();

  /** A message from the client; false when it is a stale CLOSE to drop. */
  received(data: Uint8Array): boolean {
    const message = authOrClose(data);
    if (!message) return true;
    if (message.type === AUTH) this.open.add(message.key);
    if (message.type === CLOSE) return this.open.delete(message.key);
    return true;
  }

  /** A message to the client: notes the docs the server closed or refused. */
  sent(data: Uint8Array): void {
    const message = authOrClose(data);
    if (!message) return;
    if (message.type === CLOSE) this.open.delete(message.key);
    if (message.type === AUTH && readUint(message.decoder) === PERMISSION_DENIED) this.open.delete(message.key);
  }
}

function readUint(decoder: decoding.Decoder): number | null {
  try {
    return decoding.readVarUint(decoder);
  } catch {
    return null;
  }
}
