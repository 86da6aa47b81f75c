import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIp, clientIp, rateLimitKey } from '../../src/http/client-ip.js';

describe('clientIp', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientIp('198.51.100.7', '1.2.3.4')).toBe('198.51.100.7');
    expect(clientIp('198.51.100.7', '1.2.3.4, 5.6.7.8', 0)).toBe('198.51.100.7');
  });

  it('takes the hop the trusted proxy saw, never an entry the client wrote', () => {
    expect(clientIp('10.0.0.2', '203.0.113.5', 1)).toBe('203.0.113.5');
    expect(clientIp('10.0.0.2', 'forged-by-client, 1.1.1.1, 203.0.113.5', 1)).toBe('203.0.113.5');
    expect(clientIp('10.0.0.2', '1.1.1.1, 203.0.113.5, 10.0.0.9', 2)).toBe('203.0.113.5');
  });

  it('gives no address when the header has fewer hops than trusted proxies, or garbage', () => {
    expect(clientIp('10.0.0.2', null, 1)).toBeNull();
    expect(clientIp('10.0.0.2', '203.0.113.5', 2)).toBeNull();
    expect(clientIp('10.0.0.2', 'not-an-ip', 1)).toBeNull();
  });

  it('lets no forged left-hand entries change the answer', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 }))), (forged) => {
        const header = [...forged, '203.0.113.5'].join(', ');
        expect(clientIp('10.0.0.2', header, 1)).toBe('203.0.113.5');
      }),
    );
  });
});

describe('canonicalIp', () => {
  it('spells each address one way', () => {
    const aliases = [
      '2001:DB8::1',
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '[2001:db8::1]',
      '2001:db8:0:0::1',
    ];
    for (const alias of aliases) expect(canonicalIp(alias)).toBe('2001:db8::1');
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIp('::FFFF:c000:0201')).toBe('192.0.2.1');
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
  });

  it('refuses what is not an address', () => {
    for (const value of [undefined, '', 'localhost', '1.2.3', '1.2.3.4:80', '999.1.1.1', '[::1']) {
      expect(canonicalIp(value)).toBeNull();
    }
  });
});

describe('rateLimitKey', () => {
  it('puts every address of one IPv6 /64 in one bucket, and other /64s in others', () => {
    const key = rateLimitKey('2001:db8:1:2::1');
    expect(rateLimitKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(key);
    expect(rateLimitKey(canonicalIp('2001:0DB8:0001:0002:0000:0000:0000:abcd') ?? '')).toBe(key);
    expect(rateLimitKey('2001:db8:1:3::1')).not.toBe(key);
    expect(rateLimitKey('::1')).toBe('0:0:0:0::/64');
  });

  it('keys IPv4 by the address itself', () => {
    expect(rateLimitKey('192.0.2.1')).toBe('192.0.2.1');
  });

  it('maps any two spellings of an IPv6 address to the same key', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const canonical = canonicalIp(address);
        expect(canonical).not.toBeNull();
        expect(rateLimitKey(canonicalIp(address.toUpperCase()) ?? '')).toBe(rateLimitKey(canonical ?? ''));
      }),
    );
  });
});
