import { describe, expect, it } from 'vitest';
import {
  countCodePoints,
  isHashablePassword,
  MAX_PASSWORD_LENGTH,
  normalizePassword,
} from '../../src/passwords/password-input.js';

describe('normalizePassword', () => {
  it('returns the NFKC form: composed accents, unfolded ligatures and full-width letters', () => {
    expect(normalizePassword('cafe\u0301')).toBe('caf\u00e9');
    expect(normalizePassword('\ufb01')).toBe('fi');
    expect(normalizePassword('\uff21')).toBe('A');
  });
});

describe('countCodePoints', () => {
  it('counts an emoji or a supplementary-plane letter once', () => {
    expect(countCodePoints('🔑')).toBe(1);
    expect(countCodePoints('a🔑b')).toBe(3);
    expect(countCodePoints('')).toBe(0);
  });
});

describe('isHashablePassword', () => {
  it(`accepts up to ${MAX_PASSWORD_LENGTH} code points, however many UTF-16 units that takes`, () => {
    expect(isHashablePassword('a'.repeat(MAX_PASSWORD_LENGTH))).toBe(true);
    expect(isHashablePassword('🔑'.repeat(MAX_PASSWORD_LENGTH))).toBe(true);
  });

  it('refuses one code point more, and very long input', () => {
    expect(isHashablePassword('a'.repeat(MAX_PASSWORD_LENGTH + 1))).toBe(false);
    expect(isHashablePassword('🔑'.repeat(MAX_PASSWORD_LENGTH + 1))).toBe(false);
    expect(isHashablePassword('a'.repeat(1_000_000))).toBe(false);
  });

  it('refuses unpaired surrogates, which UTF-8 cannot encode', () => {
    expect(isHashablePassword('abc\ud800def')).toBe(false);
    expect(isHashablePassword('abc\udc00')).toBe(false);
    expect(isHashablePassword('abc\ud83d\udd11')).toBe(true);
  });
});
