import { describe, expect, it } from 'vitest';
import { browserOf } from './listDevices';

describe('browserOf', () => {
  it('names the browser, its major version and the system', () => {
    expect(browserOf('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15')).toBe('Safari 17 on macOS');
    expect(browserOf('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36')).toBe('Chrome 120 on Android');
  });

  it('says so when it cannot tell', () => {
    expect(browserOf(null)).toBe('Unknown browser');
    expect(browserOf('')).toBe('Unknown browser');
    expect(browserOf('curl/8.4.0')).toBe('Unknown browser');
  });
});
