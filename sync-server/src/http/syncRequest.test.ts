import { describe, expect, it } from 'vitest';
import { syncRequest } from './syncRequest';

describe('the request a sync connection keeps', () => {
  it('is a web Request with the headers the socket sent, and its path and query as its url', () => {
    const headers = new Headers({ cookie: 'jeco_session=abc', origin: 'http://chat.example' });
    const request = syncRequest(new URL('http://chat.example/sync?device=phone'), headers);
    expect(request).toBeInstanceOf(Request);
    expect(request.headers.get('cookie')).toBe('jeco_session=abc');
    expect(request.url).toBe('/sync?device=phone');
    // What Hocuspocus makes of it for the hooks' `requestParameters`: the query, read without parsing a URL.
    expect(new URLSearchParams(request.url.split('?')[1] ?? '').get('device')).toBe('phone');
  });
});
