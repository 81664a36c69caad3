import { createSignal, onCleanup, type Accessor } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type * as Y from 'yjs';

/**
 * Calls `changed` after every transaction that changed `doc`: local edits, remote
 * updates and the IndexedDB load alike. The doc-wide `update` event is used rather
 * than observing root types so that the client never names a doc's roots itself:
 * only the schema/docs helpers know them. Stops with the current reactive owner.
 */
function onDocChange(doc: Y.Doc, changed: () => void): void {
  doc.on('update', changed);
  onCleanup(() => doc.off('update', changed));
}

/** A signal of `read(doc)`, re-read whenever the doc changes. For small values (meta, head, members). */
export function docSignal<T>(doc: Y.Doc, read: (doc: Y.Doc) => T): Accessor<T> {
  const [value, setValue] = createSignal<T>(read(doc), { equals: false });
  onDocChange(doc, () => setValue(() => read(doc)));
  return value;
}

/**
 * A store of the list `read(doc)`, re-read whenever the doc changes and reconciled by
 * `key`, so an item that did not change keeps its identity and its rendered DOM.
 */
export function docList<T extends object>(doc: Y.Doc, read: (doc: Y.Doc) => T[], key: keyof T & string): T[] {
  const [list, setList] = createStore<T[]>(read(doc));
  onDocChange(doc, () => setList(reconcile(read(doc), { key })));
  return list;
}
