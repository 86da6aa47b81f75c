import { describe, expect, it } from 'vitest';
import { djangoBcryptHasher, djangoBcryptSha256Hasher } from '../../../src/passwords/index.js';
import { djangoFixture } from '../django-fixtures.js';

const bcryptSha256 = djangoBcryptSha256Hasher();
const bcrypt = djangoBcryptHasher();
const prehashed = djangoFixture('bcrypt_sha256, 4', 'spaces');
const plain = djangoFixture('bcrypt, 4', 'spaces');

describe('djangoBcryptSha256Hasher and djangoBcryptHasher', () => {
  it('identify their own prefixes only', () => {
    expect(bcryptSha256.identifies(prehashed.encoded)).toBe(true);
    expect(bcryptSha256.identifies(plain.encoded)).toBe(false);
    expect(bcrypt.identifies(plain.encoded)).toBe(true);
    expect(bcrypt.identifies(prehashed.encoded)).toBe(false);
  });

  it('do not accept each other’s hashes: one pre-hashes with SHA-256, the other does not', async () => {
    expect(
      await bcrypt.verify(plain.password, `bcrypt_sha256$${plain.encoded.slice('bcrypt$'.length)}`),
    ).toBe(false);
    expect(
      await bcryptSha256.verify(plain.password, `bcrypt_sha256$${plain.encoded.slice('bcrypt$'.length)}`),
    ).toBe(false);
  });

  it('accept the $2a$ spelling that older Django installs wrote', async () => {
    expect(await bcrypt.verify(plain.password, plain.encoded.replace('$2b$', '$2a$'))).toBe(true);
    expect(await bcryptSha256.verify(prehashed.password, prehashed.encoded.replace('$2b$', '$2a$'))).toBe(
      true,
    );
  });

  it.each([
    ['an empty string', ''],
    ['the bare prefix', 'bcrypt_sha256$'],
    ['a missing empty field', prehashed.encoded.replace('$$', '$')],
    ['a truncated hash', prehashed.encoded.slice(0, -5)],
    ['a character outside bcrypt base64', `${prehashed.encoded.slice(0, -1)}!`],
    ['the $2x$ variant', prehashed.encoded.replace('$2b$', '$2x$')],
    ['a cost below 4', prehashed.encoded.replace('$2b$04$', '$2b$03$')],
  ])('treat %s as no match instead of throwing', async (_, encoded) => {
    await expect(bcryptSha256.verify(prehashed.password, encoded)).resolves.toBe(false);
  });

  it('refuse a stored hash asking for 2^31 rounds, without running it', async () => {
    // Run for real, cost 31 would take days and time the test out.
    await expect(
      bcryptSha256.verify(prehashed.password, prehashed.encoded.replace('$2b$04$', '$2b$31$')),
    ).resolves.toBe(false);
    await expect(bcrypt.verify(plain.password, plain.encoded.replace('$2b$04$', '$2b$31$'))).resolves.toBe(
      false,
    );
  });
});
