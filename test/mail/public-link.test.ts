import { describe, expect, it } from 'vitest';
import { publicLink } from '../../src/index.js';

describe('publicLink', () => {
  it('builds links from publicUrl, keeping its path and encoding the parameters', () => {
    expect(publicLink({ publicUrl: 'https://auth.example.com' }, '/auth/ui/reset', { token: 'a+b/c=' })).toBe(
      'https://auth.example.com/auth/ui/reset?token=a%2Bb%2Fc%3D',
    );
    expect(publicLink({ publicUrl: 'https://example.com/id/' }, '/auth/ui/verify', { token: 't' })).toBe(
      'https://example.com/id/auth/ui/verify?token=t',
    );
    expect(publicLink({ publicUrl: 'https://example.com' }, '/m', {}, { hash: 'token=t' })).toBe(
      'https://example.com/m#token=t',
    );
  });

  it('ignores the request origin when publicUrl is set (Host-header injection changes nothing)', () => {
    expect(
      publicLink(
        { publicUrl: 'https://auth.example.com' },
        '/r',
        { token: 't' },
        { origin: 'https://evil.test' },
      ),
    ).toBe('https://auth.example.com/r?token=t');
  });

  it('refuses to build a link without publicUrl, unless given a development origin', () => {
    expect(() => publicLink({}, '/r', { token: 't' })).toThrow(/Set publicUrl/);
    expect(publicLink({}, '/r', { token: 't' }, { origin: 'http://localhost:3000' })).toBe(
      'http://localhost:3000/r?token=t',
    );
  });

  it('refuses what is not a path', () => {
    for (const path of ['https://evil.test/r', '//evil.test/r', 'r', '/\\evil.test', '/r?x=1', '/r#x']) {
      expect(() => publicLink({ publicUrl: 'https://a.test' }, path)).toThrow(/is not a path/);
    }
  });
});
