import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImportUserRow } from '../../src/accounts/user-import.js';
import { AuthError } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { djangoFixture } from '../passwords/django-fixtures.js';

const fields = {
  plan: { type: 'string', choices: ['free', 'pro'], default: 'free' },
  seats: { type: 'integer', optional: true, min: 1 },
} as const;
type Fields = typeof fields;
type Row = ImportUserRow<Fields>;

const pbkdf2 = djangoFixture('pbkdf2_sha256', 'ascii');

let t: TestAuth<Fields>;
beforeAll(async () => {
  t = await createTestAuth({ user: { fields } });
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.auth.database.db.deleteFrom('users').execute();
});

const count = () => t.auth.users.count();

async function storedHash(email: string): Promise<string | null> {
  const row = await t.auth.database.db
    .selectFrom('users')
    .select('password_hash')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

/** `n` valid rows, lines 2…n+1 as in a CSV file with a header. */
function validRows(n: number, prefix = 'user'): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    line: i + 2,
    email: `${prefix}${i}@example.com`,
    username: `${prefix}${i}`,
    passwordHash: pbkdf2.encoded,
  }));
}

describe('users.importMany', () => {
  it('imports every row with its fields, dates, custom fields and hash', async () => {
    const joined = new Date('2015-06-01T08:30:00.000Z');
    const lastLogin = new Date('2024-01-02T03:04:05.000Z');
    const result = await t.auth.users.importMany([
      {
        line: 2,
        email: ' Ada@Example.COM ',
        username: 'Ada',
        firstName: 'Ada',
        lastName: 'Lovelace',
        isStaff: true,
        emailVerified: true,
        createdAt: joined,
        lastLoginAt: lastLogin,
        plan: 'pro',
        seats: 3,
        metadata: { source: 'django' },
        passwordHash: pbkdf2.encoded,
      },
      { line: 3, email: 'alan@example.com' },
    ]);
    expect(result).toEqual({ imported: 2, rejected: [] });
    const ada = await t.auth.users.getByEmail('ada@example.com');
    expect(ada).toMatchObject({
      email: 'ada@example.com',
      username: 'ada',
      firstName: 'Ada',
      lastName: 'Lovelace',
      isActive: true,
      isStaff: true,
      isSuperuser: false,
      emailVerified: true,
      hasUsablePassword: true,
      plan: 'pro',
      seats: 3,
      metadata: { source: 'django' },
    });
    expect(ada?.createdAt.toISOString()).toBe(joined.toISOString());
    expect(ada?.lastLoginAt?.toISOString()).toBe(lastLogin.toISOString());
    expect(ada?.id).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(await storedHash('ada@example.com')).toBe(pbkdf2.encoded);
    // Defaults as in users.create: custom default, no password.
    const alan = await t.auth.users.getByEmail('alan@example.com');
    expect(alan).toMatchObject({ plan: 'free', seats: null, hasUsablePassword: false, isActive: true });
  });

  it('signs in a user imported with a Django hash and upgrades the hash to argon2id', async () => {
    await t.auth.users.importMany([{ line: 1, email: 'django@example.com', passwordHash: pbkdf2.encoded }]);
    expect(await t.auth.users.verifyCredentials('django@example.com', `${pbkdf2.password}x`)).toBeNull();
    expect(await storedHash('django@example.com')).toBe(pbkdf2.encoded);
    const user = await t.auth.users.verifyCredentials('django@example.com', pbkdf2.password);
    expect(user?.email).toBe('django@example.com');
    expect(await storedHash('django@example.com')).toMatch(/^\$argon2id\$/);
    expect(await t.auth.users.verifyCredentials('django@example.com', pbkdf2.password)).not.toBeNull();
  });

  it('writes nothing when any row is rejected, and still reports every rejected row', async () => {
    const rows: Row[] = [
      ...validRows(3),
      { line: 5, email: 'not an email' },
      { line: 6, email: 'md5@example.com', passwordHash: 'md5$salt$0123456789abcdef' },
      { line: 7, email: 'user1@EXAMPLE.com' },
      ...validRows(3, 'late'),
    ];
    const result = await t.auth.users.importMany(rows, { batchSize: 2 });
    expect(result.imported).toBe(0);
    expect(result.rejected.map((r) => r.line)).toEqual([5, 6, 7]);
    expect(result.rejected[0]?.reason).toMatch(/^email: /);
    expect(result.rejected[1]?.reason).toMatch(/password: .*no format Gatehouse can verify/);
    expect(result.rejected[2]?.reason).toBe('email: user1@example.com is already on line 3.');
    expect(await count()).toBe(0);
  });

  it('imports the valid rows and reports the others with partial', async () => {
    const rows: Row[] = [
      ...validRows(3),
      { line: 5, email: 'bad@', username: 'bad' },
      { line: 6, email: 'x@example.com', plan: 'enterprise' as never },
    ];
    const result = await t.auth.users.importMany(rows, { partial: true, batchSize: 2 });
    expect(result.imported).toBe(3);
    expect(result.rejected).toEqual([
      { line: 5, reason: expect.stringMatching(/^email: /) },
      { line: 6, reason: 'plan: Choose one of: free, pro.' },
    ]);
    expect(await count()).toBe(3);
    expect(await t.auth.users.getByUsername('user2')).not.toBeNull();
  });

  it('checks everything in a dry run, existing users included, and writes nothing', async () => {
    await t.auth.users.create({ email: 'taken@example.com', username: 'taken' });
    const clean = await t.auth.users.importMany(validRows(5), { dryRun: true });
    expect(clean).toEqual({ imported: 5, rejected: [] });
    expect(await count()).toBe(1);

    const clashing = await t.auth.users.importMany(
      [
        ...validRows(2),
        { line: 9, email: 'TAKEN@example.com' },
        { line: 10, email: 'n@example.com', username: 'Taken' },
      ],
      { dryRun: true },
    );
    expect(clashing.imported).toBe(0);
    expect(clashing.rejected).toEqual([
      { line: 9, reason: 'email: a user with email taken@example.com already exists.' },
      { line: 10, reason: 'username: a user with username taken already exists.' },
    ]);
    const partial = await t.auth.users.importMany(
      [...validRows(2), { line: 9, email: 'taken@example.com' }],
      { dryRun: true, partial: true },
    );
    expect(partial.imported).toBe(2);
    expect(await count()).toBe(1);
  });

  it('rejects emails and usernames repeated in the file, naming the first line, across batches', async () => {
    const result = await t.auth.users.importMany(
      [
        { line: 2, email: 'ann@example.com', username: 'ann' },
        { line: 3, email: 'bob@example.com', username: 'bob' },
        { line: 4, email: 'carl@example.com' },
        { line: 5, email: 'ANN@example.com' },
        { line: 6, email: 'dora@example.com', username: 'BOB' },
      ],
      { partial: true, batchSize: 2 },
    );
    expect(result.imported).toBe(3);
    expect(result.rejected).toEqual([
      { line: 5, reason: 'email: ann@example.com is already on line 2.' },
      { line: 6, reason: 'username: bob is already on line 3.' },
    ]);
  });

  it('rejects rows whose email or username an existing user has', async () => {
    await t.auth.users.create({ email: 'old@example.com', username: 'oldie' });
    const result = await t.auth.users.importMany(
      [
        { line: 2, email: 'old@example.com' },
        { line: 3, email: 'new@example.com', username: 'OLDIE' },
        { line: 4, email: 'fine@example.com' },
      ],
      { partial: true },
    );
    expect(result.imported).toBe(1);
    expect(result.rejected.map((r) => r.line)).toEqual([2, 3]);
    expect(result.rejected[0]?.reason).toMatch(/already exists/);
    expect(await count()).toBe(2);
  });

  it('refuses plain passwords in bulk, saying why', async () => {
    const result = await t.auth.users.importMany([
      { line: 2, email: 'plain@example.com', password: 'correct horse battery staple' } as never,
    ]);
    expect(result.imported).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/plain passwords are not accepted.*hours.*passwordHash/);
    expect(await count()).toBe(0);
  });

  it('validates each row exactly like users.create', async () => {
    const inputs = [
      { email: 'a@b@example.com' },
      { email: 'ok@example.com', username: 'has space' },
      { email: 'ok2@example.com', firstName: 'x'.repeat(151) },
      { email: 'ok3@example.com', seats: 0 },
      { email: 'ok4@example.com', isStaff: 'yes' },
      { email: 'ok5@example.com', nickname: 'unknown field' },
      { email: 'ok6@example.com', id: 'usr_chosen' },
    ];
    const result = await t.auth.users.importMany(
      inputs.map((input, i) => ({ line: i + 1, ...input }) as never),
      { partial: true },
    );
    expect(result.imported).toBe(0);
    for (const [i, input] of inputs.entries()) {
      const refusal = await t.auth.users.create(input as never).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(AuthError);
      const fromCreate = Object.entries((refusal as AuthError).fields ?? {})
        .map(([field, why]) => `${field}: ${why}`)
        .join('; ');
      expect(result.rejected[i]).toEqual({ line: i + 1, reason: fromCreate });
    }
  });

  it('accepts Django unusable passwords, refuses hashes in no known format', async () => {
    const result = await t.auth.users.importMany(
      [
        { line: 2, email: 'unusable@example.com', passwordHash: '!c6GZ2bXUNj9o4GEX9Hnc3X6YSjW1mQaQzMeMuRpA' },
        { line: 3, email: 'sha1@example.com', passwordHash: 'sha1$salt$abcdef' },
        { line: 4, email: 'garbage@example.com', passwordHash: 'not a hash' },
      ],
      { partial: true },
    );
    expect(result.imported).toBe(1);
    expect(result.rejected.map((r) => r.line)).toEqual([3, 4]);
    expect((await t.auth.users.getByEmail('unusable@example.com'))?.hasUsablePassword).toBe(false);
  });

  it('gives rows without a hash an unusable password, or the legacy marker when asked', async () => {
    await t.auth.users.importMany([
      { line: 2, email: 'nohash@example.com', passwordHash: null },
      { line: 3, email: 'legacy-row@example.com', legacyPassword: true },
    ]);
    expect(await storedHash('nohash@example.com')).toMatch(/^!/);
    expect(await storedHash('legacy-row@example.com')).toBe('legacy$');

    await t.auth.users.importMany(
      [
        { line: 2, email: 'legacy@example.com', passwordHash: null },
        { line: 3, email: 'hashed@example.com', passwordHash: pbkdf2.encoded },
        { line: 4, email: 'optout@example.com', legacyPassword: false },
      ],
      { legacyPasswords: true },
    );
    expect(await storedHash('legacy@example.com')).toBe('legacy$');
    expect(await storedHash('hashed@example.com')).toBe(pbkdf2.encoded);
    expect(await storedHash('optout@example.com')).toMatch(/^!/);

    const both = await t.auth.users.importMany([
      { line: 7, email: 'both@example.com', passwordHash: pbkdf2.encoded, legacyPassword: true },
    ]);
    expect(both.rejected).toEqual([
      { line: 7, reason: 'legacyPassword: Give a password hash or legacyPassword, not both.' },
    ]);
  });

  it('reads an async iterable in batches, reporting progress', async () => {
    async function* rows(): AsyncGenerator<Row> {
      for (const row of validRows(5)) {
        await new Promise((resolve) => setImmediate(resolve));
        yield row;
      }
    }
    const progress: number[] = [];
    const result = await t.auth.users.importMany(rows(), {
      batchSize: 2,
      onProgress: (n) => progress.push(n),
    });
    expect(result.imported).toBe(5);
    expect(progress).toEqual([2, 4, 5]);
    expect(await count()).toBe(5);
  });

  it('reports rows its reader could not parse, and rejects bad dates', async () => {
    const result = await t.auth.users.importMany(
      [
        { line: 2, email: 'ok@example.com' },
        { line: 3, unreadable: 'not valid JSON.' },
        { line: 4, email: 'date@example.com', createdAt: new Date('nonsense') },
      ],
      { partial: true },
    );
    expect(result).toEqual({
      imported: 1,
      rejected: [
        { line: 3, reason: 'not valid JSON.' },
        { line: 4, reason: 'createdAt: Enter a date and time.' },
      ],
    });
  });

  it('emits one users_imported summary and no per-user events', async () => {
    const seen: string[] = [];
    const stop = [
      t.auth.on('users_imported', (summary) => {
        seen.push(`imported ${summary.imported}/${summary.rejected}`);
      }),
      t.auth.on('user_created', () => {
        seen.push('created');
      }),
    ];
    try {
      await t.auth.users.importMany([...validRows(3), { line: 9, email: 'bad' }], { partial: true });
      await t.auth.users.importMany(validRows(2, 'dry'), { dryRun: true });
    } finally {
      for (const off of stop) off();
    }
    expect(seen).toEqual(['imported 3/1']);
  });

  it('refuses a batch size out of range', async () => {
    const refusal = await t.auth.users.importMany([], { batchSize: 0 }).catch((error: unknown) => error);
    expect((refusal as AuthError).code).toBe('invalid_request');
    expect((refusal as AuthError).fields?.batchSize).toMatch(/whole number/);
  });

  it('imports thousands of rows in multi-row statements', async () => {
    const n = 5000;
    const result = await t.auth.users.importMany(validRows(n), { batchSize: 1000 });
    expect(result).toEqual({ imported: n, rejected: [] });
    expect(await count()).toBe(n);
    expect(await t.auth.users.getByUsername(`user${n - 1}`)).not.toBeNull();
  });
});
