import { describe, expect, it } from 'vitest';
import type { ShownMessage } from '#schema/docs/bucket';
import type { Attachment } from '#schema/docs/message';
import { sharedIn } from './sharedMedia';

let n = 0;
function shown(fields: Partial<ShownMessage>): ShownMessage {
  n++;
  return { id: `m${n}`, authorId: 'a', createdAt: n, text: '', edited: false, deleted: false, reactions: new Map(), ...fields } as ShownMessage;
}
const file = (name: string, mime: string, size?: { width: number; height: number }): Attachment => ({ fileId: `${name}-id-0123456789`, name, mime, size: 10, ...size });

describe('sharedIn', () => {
  it('puts photos and videos in the grid, other files in the documents, links in the links; newest first; deleted messages share nothing', () => {
    const photo = file('a.jpg', 'image/jpeg', { width: 4, height: 3 });
    const video = file('b.webm', 'video/webm');
    const pdf = file('c.pdf', 'application/pdf');
    const voice = file('v.webm', 'audio/webm');
    const svg = file('d.svg', 'application/octet-stream');
    const messages = [
      shown({ attachment: photo, text: 'see https://example.com/a' }),
      shown({ attachment: pdf }),
      shown({ text: 'two: example.org and mailto:x@y.z, not javascript:alert(1)' }),
      shown({ attachment: video, deleted: true, text: 'https://gone.example' }),
      shown({ attachment: voice }),
      shown({ attachment: svg, text: 'old', editedText: 'now https://edited.example' }),
    ];
    const shared = sharedIn(messages);
    expect(shared.media).toEqual([photo]);
    expect(shared.docs.map((d) => d.attachment.name)).toEqual(['d.svg', 'v.webm', 'c.pdf']);
    expect(shared.links.map((l) => l.href)).toEqual(['https://edited.example', 'https://example.org', 'mailto:x@y.z', 'https://example.com/a']);
  });
});
