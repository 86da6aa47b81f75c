import { describe, expect, it } from 'vitest';
import { djangoPbkdf2Sha1Hasher, djangoPbkdf2Sha256Hasher } from '../../../src/passwords/index.js';
import { djangoFixture } from '../django-fixtures.js';

const sha256 = djangoPbkdf2Sha256Hasher();
const fixture = djangoFixture('pbkdf2_sha256, 1000', 'spaces');
const [, iterations, salt, key] = fixture.encoded.split('$');

describe('djangoPbkdf2Sha256Hasher', () => {
  it('identifies pbkdf2_sha256 only', () => {
    expect(sha256.identifies(fixture.encoded)).toBe(true);
    expect(sha256.identifies(djangoFixture('pbkdf2_sha1, 1000', 'spaces').encoded)).toBe(false);
    expect(djangoPbkdf2Sha1Hasher().identifies(fixture.encoded)).toBe(false);
  });

  it('verifies the password bytes exactly as Django did, without normalising', async () => {
    const unicode = djangoFixture('pbkdf2_sha256, 1000', 'unicode');
    expect(await sha256.verify(unicode.password, unicode.encoded)).toBe(true);
    expect(await sha256.verify(unicode.password.normalize('NFD'), unicode.encoded)).toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['too few fields', `pbkdf2_sha256$${iterations}$${salt}`],
    ['too many fields', `${fixture.encoded}$extra`],
    ['non-numeric iterations', `pbkdf2_sha256$1e3$${salt}$${key}`],
    ['iterations with a leading zero', `pbkdf2_sha256$0${iterations}$${salt}$${key}`],
    ['zero iterations', `pbkdf2_sha256$0$${salt}$${key}`],
    ['an empty salt', `pbkdf2_sha256$${iterations}$$${key}`],
    ['a key with a stray character', `pbkdf2_sha256$${iterations}$${salt}$${key?.replace('=', '*=')}`],
    ['a key without its padding', `pbkdf2_sha256$${iterations}$${salt}$${key?.replace('=', '')}`],
    ['a truncated key', `pbkdf2_sha256$${iterations}$${salt}$${key?.slice(8)}`],
    ['another algorithm name', `pbkdf2_sha512$${iterations}$${salt}$${key}`],
  ])('treats %s as no match instead of throwing', async (_, encoded) => {
    await expect(sha256.verify(fixture.password, encoded)).resolves.toBe(false);
  });

  it('refuses a stored hash asking for billions of iterations, without deriving it', async () => {
    // Derived for real, two billion iterations would run for many minutes and time the test out.
    await expect(sha256.verify(fixture.password, `pbkdf2_sha256$2000000000$${salt}$${key}`)).resolves.toBe(
      false,
    );
  });
});

describe('djangoPbkdf2Sha1Hasher', () => {
  it('verifies a 20-byte SHA-1 key and rejects a SHA-256-sized one', async () => {
    const sha1 = djangoFixture('pbkdf2_sha1, 1000', 'ascii');
    expect(await djangoPbkdf2Sha1Hasher().verify(sha1.password, sha1.encoded)).toBe(true);
    expect(
      await djangoPbkdf2Sha1Hasher().verify(fixture.password, fixture.encoded.replace('_sha256', '_sha1')),
    ).toBe(false);
  });
});
