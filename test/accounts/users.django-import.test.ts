import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { djangoFixtures } from '../passwords/django-fixtures.js';

let t: TestAuth<Record<never, never>>;
beforeAll(async () => {
  t = await createTestAuth();
});
afterAll(() => t.close());

async function storedHash(id: string): Promise<string | null> {
  const row = await t.auth.database.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

describe('importing users with their Django password hashes', () => {
  const oneOfEach = [...new Map(djangoFixtures.map((f) => [f.algorithm, f])).values()];

  it.each(oneOfEach.map((f) => [f.algorithm, f] as const))(
    'signs in a user imported with a %s hash and upgrades the hash to argon2id',
    async (algorithm, fixture) => {
      const email = `${algorithm.replace(/_/g, '-')}@import.example.com`;
      const user = await t.auth.users.create({ email }, { passwordHash: fixture.encoded });
      expect(user.hasUsablePassword).toBe(true);
      expect(await t.auth.authenticate({ email, password: `${fixture.password}!` })).toBeNull();
      expect(await storedHash(user.id)).toBe(fixture.encoded);

      expect((await t.auth.authenticate({ email, password: fixture.password }))?.id).toBe(user.id);
      const upgraded = await storedHash(user.id);
      expect(upgraded).toMatch(/^\$argon2id\$/);
      expect((await t.auth.authenticate({ email, password: fixture.password }))?.id).toBe(user.id);
      expect(await storedHash(user.id)).toBe(upgraded);
    },
  );

  it('refuses a hash in no known format, and a hash given with a password', async () => {
    const unknown = await t.auth.users
      .create({ email: 'md5@import.example.com' }, { passwordHash: 'md5$salt$abc' })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(AuthError);
    expect((unknown as AuthError).fields?.password).toMatch(/no format/);
    const both = await t.auth.users
      .create(
        { email: 'both@import.example.com', password: 'x-long-enough-9' },
        { passwordHash: djangoFixtures[0]?.encoded ?? '' },
      )
      .catch((e: unknown) => e);
    expect((both as AuthError).fields?.password).toMatch(/not both/);
  });

  it('upgrades an argon2id hash made with weaker parameters than configured', async () => {
    const weak = await t.auth.hashers.hash('stronger-now-2027');
    const strongAuth = await createTestAuth(
      { passwords: { argon2: { memoryCost: 9216, timeCost: 2, parallelism: 1 }, hashers: undefined } },
      t.db,
    );
    try {
      const user = await strongAuth.auth.users.create(
        { email: 'weak-params@import.example.com' },
        { passwordHash: weak },
      );
      expect(await strongAuth.auth.users.checkPassword(user.id, 'stronger-now-2027')).toBe(true);
      expect(await storedHash(user.id)).toMatch(/^\$argon2id\$v=19\$m=9216,t=2,p=1\$/);
    } finally {
      await strongAuth.close();
    }
  });
});
