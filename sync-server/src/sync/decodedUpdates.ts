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

/**
 * Lets go of an update's decoding, for its last reader: persistence, the lowest of the
 * extensions that read it, once it has what it needs and before it waits for the
 * commit. The payload lives on until the update is applied, and the decoding with it:
 * held across the commit's few milliseconds, the structs outlived young-generation
 * collections, which copy whatever is alive (a fifth of what survived them in
 * `npm run bench:load -- --alloc-prof --survivors`). A later read decodes it again.
 */
export function releaseDecoded(update: Uint8Array): void {
  decoded.delete(update);
}
