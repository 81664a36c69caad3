import { describe, expect, it } from 'vitest';
import { attachmentSchema, previewTextOf } from './message';

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
