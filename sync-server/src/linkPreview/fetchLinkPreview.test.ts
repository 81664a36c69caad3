import { describe, expect, test } from 'vitest';
import { PRODUCTION_PREVIEW_POLICY, readPageMeta, refusePreviewUrl } from './fetchLinkPreview';

describe('readPageMeta', () => {
  test('Open Graph first, then <title> and the description tag; entities decoded, spaces folded, long text cut', () => {
    expect(readPageMeta('<head><title>Plain</title><meta content="OG &amp; co" property="og:title"><meta name=description content=\'A  short\n page\'></head>')).toEqual({
      title: 'OG & co',
      description: 'A short page',
    });
    expect(readPageMeta('<title>Only a title &#8212; here</title>')).toEqual({ title: 'Only a title — here' });
    expect(readPageMeta('<p>no head</p>')).toEqual({});
    expect(readPageMeta(`<title>${'x'.repeat(500)}</title>`).title).toHaveLength(200);
  });
});

describe('refusePreviewUrl (production)', () => {
  test.each([
    ['file:///etc/passwd', 'not http(s)'],
    ['http://user:pw@example.org/', 'credentials'],
    ['http://127.0.0.1/', 'private address'],
    ['http://[::1]/', 'private address'],
    ['http://[::ffff:10.0.0.1]/', 'private address'],
    ['http://169.254.169.254/', 'private address'],
    ['http://localhost:8080/', 'private name'],
    ['http://db.internal/', 'private name'],
    ['https://example.org/page', null],
    ['http://93.184.216.34/', null],
  ])('%s → %s', (url, reason) => {
    expect(refusePreviewUrl(url, PRODUCTION_PREVIEW_POLICY)).toBe(reason);
  });
});
