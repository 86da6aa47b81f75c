import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRedirect } from '../../src/http/redirects.js';

const policy = {
  publicUrl: 'https://auth.example.com',
  trustedOrigins: ['https://app.example.com', 'http://localhost:5173'],
};
const allowed = new Set(['https://auth.example.com', 'https://app.example.com', 'http://localhost:5173']);

describe('resolveRedirect', () => {
  it.each([
    ['/account', '/account'],
    ['/a/b?x=1#top', '/a/b?x=1#top'],
    ['/a/../b', '/b'],
    ['https://auth.example.com/welcome', '/welcome'],
    ['https://app.example.com/dashboard?tab=2', 'https://app.example.com/dashboard?tab=2'],
    ['https://APP.example.com:443/x', 'https://app.example.com/x'],
    ['http://localhost:5173/', 'http://localhost:5173/'],
    ['https://auth.example.com//evil.test', 'https://auth.example.com//evil.test'],
    ['/.//evil.test', 'https://auth.example.com//evil.test'],
    ['/a/..//evil.test', 'https://auth.example.com//evil.test'],
  ])('follows %j as %j', (target, expected) => {
    expect(resolveRedirect(target, policy)).toBe(expected);
  });

  it.each([
    '//evil.test',
    '//evil.test/path',
    '/\\evil.test',
    '\\\\evil.test',
    '/\t/evil.test',
    ' https://app.example.com',
    'https://evil.test',
    'https://app.example.com.evil.test/',
    'https://app.example.com@evil.test/',
    'https://evil.test@app.example.com/',
    'https://a@b@evil.test/',
    'http://app.example.com/',
    'https://app.example.com:8443/',
    'http://localhost/',
    'http://localhost:5174/',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https:\\\\evil.test',
    'ftp://app.example.com/',
    '',
    'x'.repeat(3000),
  ])('refuses %j', (target) => {
    expect(resolveRedirect(target, policy)).toBeNull();
  });

  it('refuses values that are not strings', () => {
    for (const target of [null, undefined, 42, ['/a'], { href: '/a' }])
      expect(resolveRedirect(target, policy)).toBeNull();
  });

  it('only ever yields a target whose parsed origin is allowed', () => {
    const candidates = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc
        .tuple(
          fc.constantFrom(
            '/',
            '//',
            '/\\',
            '/./',
            '/a/../',
            'https://',
            'https:',
            '\t/',
            '%2F%2F',
            'https://auth.example.com/',
            'https://app.example.com',
          ),
          fc.string({ maxLength: 40 }),
        )
        .map(([prefix, rest]) => prefix + rest),
    );
    fc.assert(
      fc.property(candidates, (target) => {
        const result = resolveRedirect(target, policy);
        if (result === null) return;
        const resolved = new URL(result, policy.publicUrl);
        expect(allowed.has(resolved.origin)).toBe(true);
        expect(resolved.username + resolved.password).toBe('');
      }),
      { numRuns: 2000 },
    );
  });
});
