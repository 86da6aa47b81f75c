import { describe, expect, it } from 'vitest';
import {
  createPasswordHashers,
  djangoArgon2Hasher,
  djangoBcryptHasher,
  djangoBcryptSha256Hasher,
  djangoPbkdf2Sha1Hasher,
  djangoPbkdf2Sha256Hasher,
  type PasswordHasher,
} from '../../../src/passwords/index.js';
import { djangoFixture, djangoFixtures } from '../django-fixtures.js';

const legacyHashers: Record<string, PasswordHasher> = {
  pbkdf2_sha256: djangoPbkdf2Sha256Hasher(),
  pbkdf2_sha1: djangoPbkdf2Sha1Hasher(),
  bcrypt_sha256: djangoBcryptSha256Hasher(),
  bcrypt: djangoBcryptHasher(),
  argon2: djangoArgon2Hasher(),
};

const hashers = createPasswordHashers({ argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });

describe('hashes made by Django 3.2 (test/fixtures/django-hashes.json)', () => {
  it('cover every legacy format', () => {
    expect(new Set(djangoFixtures.map((fixture) => fixture.algorithm))).toEqual(
      new Set(Object.keys(legacyHashers)),
    );
  });

  describe.each(
    djangoFixtures.map((fixture) => [`${fixture.label}, ${fixture.passwordKey}`, fixture] as const),
  )('%s', (_, fixture) => {
    const hasher = legacyHashers[fixture.algorithm] as PasswordHasher;

    it('is identified and verified by its Django hasher', async () => {
      expect(hasher.identifies(fixture.encoded)).toBe(true);
      expect(await hasher.verify(fixture.password, fixture.encoded)).toBe(true);
    });

    it('verifies through the registry and is reported for rehashing', async () => {
      expect(await hashers.verify(fixture.password, fixture.encoded)).toEqual({
        valid: true,
        needsRehash: true,
      });
    });

    it('rejects a wrong password', async () => {
      expect(await hashers.verify(`!${fixture.password}`, fixture.encoded)).toEqual({
        valid: false,
        needsRehash: false,
      });
      expect(await hasher.verify(fixture.password.slice(1), fixture.encoded)).toBe(false);
    });
  });

  it('upgrades a legacy hash to argon2id: verify, rehash, verify the new hash', async () => {
    for (const label of ['pbkdf2_sha256, 1000', 'bcrypt_sha256, 4', 'bcrypt, 4', 'argon2id, m=1024']) {
      const fixture = djangoFixture(label, 'unicode');
      const first = await hashers.verify(fixture.password, fixture.encoded);
      expect(first).toEqual({ valid: true, needsRehash: true });
      const upgraded = await hashers.hash(fixture.password);
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      expect(await hashers.verify(fixture.password, upgraded)).toEqual({ valid: true, needsRehash: false });
    }
  });

  it('bcrypt_sha256 reads past byte 72: "a"×72 + "Y"… does not match "a"×72 + "X"… (PW-03)', async () => {
    const fixture = djangoFixture('bcrypt_sha256, 4', 'long-100');
    const other = `${'a'.repeat(72)}Y${'b'.repeat(27)}`;
    expect(await djangoBcryptSha256Hasher().verify(other, fixture.encoded)).toBe(false);
    expect((await hashers.verify(other, fixture.encoded)).valid).toBe(false);
  });

  it('plain bcrypt ignores bytes past 72, as Django did, until the upgrade removes the weakness', async () => {
    const fixture = djangoFixture('bcrypt, 4', 'long-100');
    const other = `${'a'.repeat(72)}Y${'b'.repeat(27)}`;
    expect(await djangoBcryptHasher().verify(other, fixture.encoded)).toBe(true);
    const upgraded = await hashers.hash(fixture.password);
    expect((await hashers.verify(other, upgraded)).valid).toBe(false);
  });

  it('tries the password as typed first, then its NFKC form', async () => {
    // Django hashed the NFC form; this user now types the NFD form, which Django itself would have refused.
    const fixture = djangoFixture('pbkdf2_sha256, 1000', 'nfc');
    const nfd = fixture.password.normalize('NFD');
    expect(nfd).not.toBe(fixture.password);
    expect(await djangoPbkdf2Sha256Hasher().verify(nfd, fixture.encoded)).toBe(false);
    expect(await hashers.verify(nfd, fixture.encoded)).toEqual({ valid: true, needsRehash: true });
  });
});
