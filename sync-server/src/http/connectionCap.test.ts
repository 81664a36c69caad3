import { describe, expect, it } from 'vitest';
import { peerKey } from './connectionCap';

describe('peerKey', () => {
  it('counts an IPv4 peer by its address, also when IPv4-mapped', () => {
    expect(peerKey('203.0.113.7')).toBe('203.0.113.7');
    expect(peerKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 peer by its /64, however the address is written', () => {
    const key = '2001:db8:0:1::/64';
    expect(peerKey('2001:db8:0:1::1')).toBe(key);
    expect(peerKey('2001:db8:0:1:ffff:ffff:ffff:ffff')).toBe(key);
    expect(peerKey('2001:0db8:0000:0001:0:0:0:9')).toBe(key);
    expect(peerKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(peerKey('2001:db8:0:2::1')).not.toBe(key);
    expect(peerKey('::1')).toBe('0:0:0:0::/64');
    expect(peerKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('has no key for a socket without an address', () => {
    expect(peerKey(undefined)).toBeNull();
    expect(peerKey('')).toBeNull();
    expect(peerKey('not an address')).toBeNull();
  });
});
