import * as Y from 'yjs';

/** An update's structs and delete set, as `Y.decodeUpdate` reads them. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

const decoded = new WeakMap<Uint8Array, DecodedUpdate>();

/**
 * `Y.decodeUpdate`, once per received update: Hocuspocus hands every extension's
 * `beforeSync` the same payload, and the guard (its attachments, its rules) and
 * persistence (what the doc lacks, what is being appended) all read its structs. Each
 * read decoded it again, about a twentieth of the server's busy time under load
 * (`npm run bench:load -- --cpu-prof`), and as much garbage. The result is shared: its
 * readers must not change it. Throws on an undecodable update, remembering nothing.
 */
export function decodeUpdateOnce(update: Uint8Array): DecodedUpdate {
  let known = decoded.get(update);
  if (!known) {
    known = Y.decodeUpdate(update);
    decoded.set(update, known);
  }
  return known;
}
