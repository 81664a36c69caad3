import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, messagesSince, readMessages } from './bucket';
import { asStoredMessage, attachmentSchema, previewTextOf, vouchedMessage, type Message } from './message';

const photo = { fileId: 'abcdefghijklmnopqrstuv', name: 'beach.jpg', mime: 'image/jpeg', size: 1000, width: 4, height: 3 };
const doc = { fileId: 'abcdefghijklmnopqrstuv', name: 'Report.pdf', mime: 'application/pdf', size: 5000 };

describe('attachments in messages', () => {
  it('previews a photo or a document by what it is, before its caption', () => {
    expect(previewTextOf({ text: 'hello' })).toBe('hello');
    expect(previewTextOf({ text: '', attachment: photo })).toBe('📷 Photo');
    expect(previewTextOf({ text: 'the beach', attachment: photo })).toBe('📷 the beach');
    expect(previewTextOf({ text: '  ', attachment: doc })).toBe('📎 Report.pdf');
  });

  it('accepts what the server answers for an upload and refuses malformed ids and extra fields', () => {
    expect(attachmentSchema.safeParse(photo).success).toBe(true);
    expect(attachmentSchema.safeParse(doc).success).toBe(true);
    expect(attachmentSchema.safeParse({ ...doc, fileId: '../../etc/passwd' }).success).toBe(false);
    expect(attachmentSchema.safeParse({ ...doc, url: 'https://evil.example' }).success).toBe(false);
    expect(attachmentSchema.safeParse({ ...doc, name: '' }).success).toBe(false);
  });
});

describe('a stored message read as a message', () => {
  const message = (text: string): Message => ({
    id: '11111111-2222-4333-8444-555555555555' as Message['id'],
    authorId: '66666666-7777-4888-8999-aaaaaaaaaaaa' as Message['authorId'],
    createdAt: 1_700_000_000_000,
    text,
    attachment: photo,
    mentions: ['66666666-7777-4888-8999-aaaaaaaaaaaa' as Message['authorId']],
  });

  it('is the value the doc holds, the same on every read, and cannot be changed through it', () => {
    const bucket = new Y.Doc();
    appendMessage(bucket, message('hello'));
    const first = messagesSince(bucket, 0, 0).fresh[0]!.message;
    const second = messagesSince(bucket, 0, 0).fresh[0]!.message;
    expect(first).toBe(second);
    expect(first).toEqual(message('hello'));
    expect(() => {
      (first as { text: string }).text = 'changed';
    }).toThrow(TypeError);
    expect(() => (first!.mentions as string[]).push('x')).toThrow(TypeError);
    expect(() => {
      (first!.attachment as { name: string }).name = 'other.jpg';
    }).toThrow(TypeError);
    expect(readMessages(bucket)[0]!.text).toBe('hello');
    expect(bucket.getArray('messages').toJSON()[0]).toEqual(message('hello'));
  });

  it('is read by the app as a copy it may keep in a store', () => {
    const bucket = new Y.Doc();
    appendMessage(bucket, message('hello'));
    const [copy] = readMessages(bucket);
    expect(copy).toEqual(message('hello'));
    expect(Object.isFrozen(copy)).toBe(false);
    expect(Object.isFrozen(copy!.attachment)).toBe(false);
    expect(copy).not.toBe(readMessages(bucket)[0]);
  });

  it('is null for a value that is not a message, however often it is read', () => {
    const extra = { ...message('hi'), extra: true };
    expect(asStoredMessage(extra)).toBeNull();
    expect(asStoredMessage(extra)).toBeNull();
    expect(Object.isFrozen(extra)).toBe(false);
    expect(asStoredMessage('text')).toBeNull();
    expect(asStoredMessage(null)).toBeNull();
    expect(asStoredMessage({ ...message('hi'), createdAt: -1 })).toBeNull();
  });

  it('takes a value the guard checked as it is, frozen, and later reads take it too, without parsing it again', () => {
    const checked = message('checked by the guard');
    expect(vouchedMessage(checked)).toBe(checked);
    expect(Object.isFrozen(checked)).toBe(true);
    expect(asStoredMessage(checked)).toBe(checked);
    // Vouching is trust, not a check: only for what the guard let in (`onMessagesAdded`'s `checked`).
    const unchecked = { ...message('x'), extra: true };
    expect(vouchedMessage(unchecked)).toBe(unchecked);
    expect(asStoredMessage(unchecked)).toBe(unchecked);
    expect(vouchedMessage('text')).toBeNull();
  });
});
