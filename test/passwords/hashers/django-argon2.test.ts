import { describe, expect, it } from 'vitest';
import { djangoArgon2Hasher } from '../../../src/passwords/index.js';
import { djangoFixture } from '../django-fixtures.js';

const hasher = djangoArgon2Hasher();
const argon2id = djangoFixture('argon2id, m=1024', 'spaces');

describe('djangoArgon2Hasher', () => {
  it('identifies Django’s argon2 prefix, not bare PHC strings', () => {
    expect(hasher.identifies(argon2id.encoded)).toBe(true);
    expect(hasher.identifies(argon2id.encoded.slice('argon2'.length))).toBe(false);
  });

  it('verifies argon2i hashes from Django before 3.2, with and without a version field', async () => {
    const argon2i = djangoFixture('argon2i, m=1024', 'spaces');
    const versionless = djangoFixture('argon2i without v=', 'spaces');
    expect(versionless.encoded).not.toContain('$v=');
    expect(await hasher.verify(argon2i.password, argon2i.encoded)).toBe(true);
    expect(await hasher.verify(versionless.password, versionless.encoded)).toBe(true);
    expect(await hasher.verify(`${versionless.password}!`, versionless.encoded)).toBe(false);
  });

  it('uses the password as Django did, without normalising it', async () => {
    const unicode = djangoFixture('argon2id, m=1024', 'unicode');
    expect(await hasher.verify(unicode.password.normalize('NFD'), unicode.encoded)).toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['the bare prefix', 'argon2$'],
    ['a bare PHC string', argon2id.encoded.slice('argon2'.length)],
    ['an argon2d hash', argon2id.encoded.replace('$argon2id$', '$argon2d$')],
    ['a truncated hash', argon2id.encoded.slice(0, -6)],
    ['a missing salt', argon2id.encoded.replace(/\$[^$]+\$([^$]+)$/, '$$$1')],
  ])('treats %s as no match instead of throwing', async (_, encoded) => {
    await expect(hasher.verify(argon2id.password, encoded)).resolves.toBe(false);
  });

  it('refuses a stored hash that asks for terabytes of memory, without trying it', async () => {
    // Handed to the library, this hash never finishes: the test would time out.
    const hostile = argon2id.encoded.replace('m=1024', 'm=4294967295');
    await expect(hasher.verify(argon2id.password, hostile)).resolves.toBe(false);
  });
});
