import { describe, expect, it } from 'vitest';
import type { UserId } from '#schema/ids';
import { mentionsIn, messageParts } from './messageParts';

const BOB = '00000000-0000-4000-8000-000000000b0b' as UserId;
const BOBBY = '00000000-0000-4000-8000-0000000b0b0b' as UserId;

describe('message text parts', () => {
  it('turns web addresses and emails into links, and leaves other schemes as text', () => {
    expect(messageParts('see example.com/a?b=1, javascript:alert(1) or x@y.org')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', javascript:alert(1) or ' },
      { kind: 'link', text: 'x@y.org', href: 'mailto:x@y.org' },
    ]);
  });

  it('keeps markup as text', () => {
    expect(messageParts('<img src=x onerror=alert(1)>')).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)>' }]);
  });

  it('marks mentions of the mentioned people only, the longest name first', () => {
    const people = [
      { id: BOB, name: 'Bob' },
      { id: BOBBY, name: 'Bob Marley' },
    ];
    expect(messageParts('@Bob Marley and @Bob, not @Carol: bob.com', people)).toEqual([
      { kind: 'mention', text: '@Bob Marley', userId: BOBBY },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@Bob', userId: BOB },
      { kind: 'text', text: ', not @Carol: ' },
      { kind: 'link', text: 'bob.com', href: 'https://bob.com' },
    ]);
    expect(mentionsIn('hi @Bob', people)).toEqual([BOB]);
  });
});
