import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, deleteForEveryone, editMessage, readShownMessages } from '#schema/docs/bucket';
import { hideMessageForMe, readHiddenMessages } from '#schema/docs/inbox';
import { newGroupId, newMessageId, newUserId, type MessageId, type RoomId } from '#schema/ids';
import { foldText, matchRanges } from './foldText';
import { indexBucket, matchTitles, searchMessages, snippetOf, type IndexedBucket } from './searchMessages';

const alice = newUserId();
const bob = newUserId();

/** A real bucket doc with `texts` appended a minute apart, read back as the chat shows it. */
function bucketWith(texts: string[], start = 1_000_000) {
  const doc = new Y.Doc();
  const ids: MessageId[] = [];
  texts.forEach((text, i) => {
    const id = newMessageId();
    ids.push(id);
    appendMessage(doc, { id, authorId: i % 2 ? bob : alice, createdAt: start + i * 60_000, text });
  });
  return { doc, ids };
}

function index(roomId: RoomId, doc: Y.Doc, bucket = 0): IndexedBucket {
  return indexBucket(roomId, bucket, readShownMessages(doc));
}

const found = (query: string, buckets: IndexedBucket[], options = {}) => searchMessages(query, buckets, options).hits.map((h) => h.text);

describe('searchMessages', () => {
  const room = newGroupId();

  test('matches ignoring case and accents, in the text and in the query', () => {
    const { doc } = bucketWith(['Meet at the Café at noon', 'CRÈME brûlée tonight', 'nothing here']);
    const buckets = [index(room, doc)];
    expect(found('cafe', buckets)).toEqual(['Meet at the Café at noon']);
    expect(found('CAFÉ', buckets)).toEqual(['Meet at the Café at noon']);
    expect(found('creme brulee', buckets)).toEqual(['CRÈME brûlée tonight']);
    // Decomposed input (e + combining acute) folds like the composed letter.
    expect(found('cafe\u0301', buckets)).toEqual(['Meet at the Café at noon']);
  });

  test('a file is found by its name, with its caption or without one', () => {
    const doc = new Y.Doc();
    const file = (name: string) => ({ fileId: 'f'.repeat(22), name, mime: 'application/pdf', size: 10 });
    appendMessage(doc, { id: newMessageId(), authorId: alice, createdAt: 1, text: 'for Monday', attachment: file('Quarterly Report.pdf') });
    appendMessage(doc, { id: newMessageId(), authorId: bob, createdAt: 2, text: '', attachment: file('IMG_2041.jpg') });
    appendMessage(doc, { id: newMessageId(), authorId: bob, createdAt: 3, text: 'no file' });
    const buckets = [index(room, doc)];
    expect(found('quarterly', buckets)).toEqual(['for Monday · Quarterly Report.pdf']);
    expect(found('img_2041', buckets)).toEqual(['IMG_2041.jpg']);
    expect(found('monday report', buckets)).toEqual(['for Monday · Quarterly Report.pdf']);
  });

  test('every word must appear, in any order, as part of a word', () => {
    const { doc } = bucketWith(['the train is delayed', 'the bus is late', 'delayed again, the usual train']);
    const buckets = [index(room, doc)];
    expect(found('train delayed', buckets)).toEqual(['delayed again, the usual train', 'the train is delayed']);
    expect(found('delay', buckets)).toEqual(['delayed again, the usual train', 'the train is delayed']);
    expect(found('train bus', buckets)).toEqual([]);
    expect(found('   ', buckets)).toEqual([]);
  });

  test('newest first across rooms and buckets, and a room filter', () => {
    const other = newGroupId();
    const a = bucketWith(['lunch one'], 1_000);
    const b = bucketWith(['lunch two'], 2_000);
    const c = bucketWith(['lunch three'], 3_000);
    const buckets = [index(room, a.doc, 0), index(other, c.doc), index(room, b.doc, 1)];
    expect(found('lunch', buckets)).toEqual(['lunch three', 'lunch two', 'lunch one']);
    const inRoom = searchMessages('lunch', buckets, { roomId: room });
    expect(inRoom.hits.map((h) => [h.text, h.bucket])).toEqual([
      ['lunch two', 1],
      ['lunch one', 0],
    ]);
  });

  test('an edited message is found by its edited text, not the original', () => {
    const { doc, ids } = bucketWith(['see you at the station', 'ok']);
    editMessage(doc, ids[0]!, 'see you at the airport', 2_000_000);
    const buckets = [index(room, doc)];
    expect(found('airport', buckets)).toEqual(['see you at the airport']);
    expect(found('station', buckets)).toEqual([]);
  });

  test('a message deleted for everyone is never found, though its text stays in the bucket', () => {
    const { doc, ids } = bucketWith(['the secret code is 1234', 'another secret']);
    deleteForEveryone(doc, ids[0]!, alice, 2_000_000);
    expect(found('secret', [index(room, doc)])).toEqual(['another secret']);
    expect(found('1234', [index(room, doc)])).toEqual([]);
  });

  test('a message the user deleted for themself is never found', () => {
    const { doc, ids } = bucketWith(['holiday photos', 'more holiday photos']);
    const inbox = new Y.Doc();
    hideMessageForMe(inbox, ids[1]!, 2_000_000);
    expect(found('holiday', [index(room, doc)], { hidden: readHiddenMessages(inbox) })).toEqual(['holiday photos']);
  });

  test('with a limit, the hits are the newest of all, in the same order as without one', () => {
    const times = [5, 3, 9, 1, 9, 7, 2, 8, 6, 4, 9, 0];
    const docs = [0, 1, 2].map((b) => bucketWith(times.slice(b * 4, b * 4 + 4).map((t) => `match ${b}.${t}`)));
    // Writers' clocks disagree: set createdAt by hand through the ids' order.
    const buckets = docs.map(({ doc }, b) => {
      const indexed = index(room, doc, b);
      indexed.messages.forEach((m, i) => (m.message = { ...m.message, createdAt: times[b * 4 + i]! }));
      return indexed;
    });
    const all = searchMessages('match', buckets).hits.map((h) => h.text);
    expect(all.slice(0, 3)).toEqual(['match 0.9', 'match 1.9', 'match 2.9']);
    for (const limit of [1, 3, 5, 12]) expect(searchMessages('match', buckets, { limit }).hits.map((h) => h.text)).toEqual(all.slice(0, limit));
  });

  test('a limit keeps the newest hits and still counts them all', () => {
    const { doc } = bucketWith(['ping 1', 'ping 2', 'ping 3', 'pong']);
    const result = searchMessages('ping', [index(room, doc)], { limit: 2 });
    expect(result.hits.map((h) => h.text)).toEqual(['ping 3', 'ping 2']);
    expect(result.total).toBe(3);
  });
});

describe('snippets', () => {
  const marked = (text: string, query: string) =>
    snippetOf(text, query)
      .map((p) => (p.match ? `[${p.text}]` : p.text))
      .join('');

  test('marks every match in the original spelling', () => {
    expect(marked('Café or cafe? CAFÉ!', 'cafe')).toBe('[Café] or [cafe]? [CAFÉ]!');
    expect(marked('the train is delayed again', 'delayed train')).toBe('the [train] is [delayed] again');
  });

  test('a decomposed accent stays inside the mark', () => {
    expect(marked('cafe\u0301s are open', 'cafe')).toBe('[cafe\u0301]s are open');
  });

  test('a long text is cut around the first match, at a word, with ellipses', () => {
    const text = `${'lorem ipsum dolor sit amet '.repeat(10)}the needle is here ${'and more words follow '.repeat(10)}`;
    const snippet = marked(text, 'needle');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('the [needle] is here');
    expect(snippet.length).toBeLessThan(140);
    expect(snippet[1]).not.toBe(' ');
  });

  test('markup in a text or a query is just text', () => {
    expect(snippetOf('look: <b>html</b> here', '<b>html</b>')).toEqual([
      { text: 'look: ', match: false },
      { text: '<b>html</b>', match: true },
      { text: ' here', match: false },
    ]);
  });

  test('a match within the first line-length of a text shows the text from its start', () => {
    const text = 'Yes! Thinking of hiking up to the lake with everyone from the climbing club on Saturday';
    expect(marked(text, 'saturday')).toBe('Yes! Thinking of hiking up to the lake with everyone from the climbing club on [Saturday]');
  });

  test('whitespace becomes one line', () => {
    expect(marked('first line\n\nsecond   line', 'second')).toBe('first line [second] line');
  });
});

describe('folding', () => {
  test('folding a whole string equals folding it code point by code point', () => {
    for (const text of ['ΟΔΟΣ Σοφίας', 'İstanbul Ärger', 'Ça va? Œuvre façade', 'emoji 👋🏽 naïve']) {
      expect([...text].map(foldText).join('')).toBe(foldText(text));
    }
  });

  test('match ranges map back through letters that fold to several units', () => {
    const text = 'İstanbul';
    expect(matchRanges(text, ['istanbul'])).toEqual([[0, text.length]]);
  });
});

describe('matchTitles', () => {
  test('filters chats by title, ignoring case and accents', () => {
    const chats = [{ title: 'Chloé García' }, { title: 'Book club' }, { title: 'Climbing crew' }];
    expect(matchTitles('chloe', chats, (c) => c.title)).toEqual([{ title: 'Chloé García' }]);
    expect(matchTitles('c', chats, (c) => c.title).length).toBe(3);
    expect(matchTitles('', chats, (c) => c.title)).toEqual([]);
  });
});
