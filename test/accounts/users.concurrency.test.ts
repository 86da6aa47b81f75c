import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, createAuth } from '../../src/index.js';
import { createTestAuth, fastHashers, type TestAuth } from '../helpers/auth.js';

const password = 'harbour-signal-4471';

let t: TestAuth<Record<never, never>>;
beforeAll(async () => {
  t = await createTestAuth();
});
afterAll(() => t.close());

describe('concurrent creation of the same email', () => {
  it('yields exactly one user and one conflict error from two instances', async () => {
    // A second instance on the same database: its own connection (pool), like a second process.
    const other = createAuth({
      logLevel: 'silent',
      database: { url: t.db.url, ...(t.db.schema ? { schema: t.db.schema } : {}) },
      passwords: { hashers: fastHashers },
    });
    const results = await Promise.allSettled([
      t.auth.users.create({ email: 'race@example.com', password }),
      other.users.create({ email: 'RACE@example.com', password }),
    ]);
    await other.close();
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const [refusal] = rejected.map((r) => r.reason as AuthError);
    expect(refusal).toBeInstanceOf(AuthError);
    expect(refusal?.code).toBe('conflict');
    const rows = await t.auth.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'race@example.com')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('yields exactly one user among twenty racing variants of one address', async () => {
    const variants = Array.from({ length: 20 }, (_, i) =>
      i % 3 === 0 ? 'Many@Example.com' : i % 3 === 1 ? ' many@example.com ' : 'ｍａｎｙ@example.com',
    );
    const results = await Promise.allSettled(
      variants.map((email) => t.auth.users.create({ email, password })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as AuthError).code).toBe('conflict');
    }
  });
});
