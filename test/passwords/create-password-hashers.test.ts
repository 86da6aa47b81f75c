import { describe, expect, it } from 'vitest';
import { createPasswordHashers } from '../../src/passwords/index.js';
import { djangoFixture } from './django-fixtures.js';

describe('createPasswordHashers', () => {
  it('hashes with argon2id at OWASP parameters by default', async () => {
    expect(await createPasswordHashers().hash('correct horse battery staple')).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
    );
  });

  it('hashes with the configured argon2id parameters', async () => {
    const hashers = createPasswordHashers({ argon2: { memoryCost: 2048, timeCost: 1, parallelism: 1 } });
    expect(await hashers.hash('correct horse battery staple')).toMatch(/^\$argon2id\$v=19\$m=2048,t=1,p=1\$/);
  });

  it.each(['pbkdf2_sha256, 1000', 'pbkdf2_sha1, 1000', 'bcrypt_sha256, 4', 'bcrypt, 4', 'argon2id, m=1024'])(
    'accepts Django’s %s hashes',
    async (label) => {
      const fixture = djangoFixture(label, 'ascii');
      const hashers = createPasswordHashers({ argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
      expect(await hashers.verify(fixture.password, fixture.encoded)).toEqual({
        valid: true,
        needsRehash: true,
      });
    },
  );

  it('passes maxConcurrency on to the registry', () => {
    expect(() => createPasswordHashers({ maxConcurrency: 0 })).toThrow(RangeError);
  });
});
