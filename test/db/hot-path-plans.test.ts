/**
 * Every query on a hot path — the session check, sign-in's lookup, the
 * single-use secrets, rate limits, tenant membership — is answered through
 * an index: none reads its table whole. SQLite: `EXPLAIN QUERY PLAN` shows no
 * `SCAN` of the table. PostgreSQL: `EXPLAIN` with `enable_seqscan = off`
 * (tiny test tables would otherwise be scanned by choice) shows no `Seq Scan`
 * — which it still would if no index could serve the query.
 */
import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

let t: TestAuth<Record<never, never>>;
beforeAll(async () => {
  t = await createTestAuth();
});
afterAll(() => t.close());

async function plan(query: { compile(): CompiledQuery }): Promise<string> {
  const { db, dialect } = t.auth.database;
  const compiled = query.compile();
  if (dialect === 'sqlite') {
    const { rows } = await db.executeQuery<{ detail: string }>({
      ...compiled,
      sql: `explain query plan ${compiled.sql}`,
    });
    return rows.map((row) => row.detail).join('\n');
  }
  return db.connection().execute(async (connection) => {
    await sql`set enable_seqscan = off`.execute(connection);
    try {
      const { rows } = await connection.executeQuery<{ 'QUERY PLAN': string }>({
        ...compiled,
        sql: `explain ${compiled.sql}`,
      });
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await sql`reset enable_seqscan`.execute(connection);
    }
  });
}

function expectIndexed(text: string, table: string) {
  if (t.auth.database.dialect === 'sqlite') {
    expect(text, text).not.toMatch(new RegExp(`SCAN ${table}(?! USING)`));
    expect(text, text).toMatch(new RegExp(`(SEARCH|SCAN) ${table} USING`));
  } else {
    expect(text, text).not.toMatch(/Seq Scan/);
    expect(text, text).toMatch(/Index/);
  }
}

describe('hot-path queries use an index', () => {
  it('the session check: a session by its token hash, with its user', async () => {
    const db = t.auth.database.db;
    const text = await plan(
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('users')
        .where('sessions.token_hash', '=', 'x'),
    );
    expectIndexed(text, 'sessions');
    expectIndexed(text, 'users');
  });

  it('sign-in: a user by email (or username) in a pool', async () => {
    const db = t.auth.database.db;
    for (const column of ['email', 'username'] as const) {
      const text = await plan(
        db
          .selectFrom('users')
          .selectAll()
          .where(column, '=', 'a@example.com')
          .where('pool_id', '=', 'default'),
      );
      expectIndexed(text, 'users');
    }
  });

  it('single-use secrets: one-time tokens, refresh tokens, MFA challenges, by hash', async () => {
    const db = t.auth.database.db;
    expectIndexed(
      await plan(db.selectFrom('one_time_tokens').selectAll().where('token_hash', '=', 'x')),
      'one_time_tokens',
    );
    expectIndexed(
      await plan(db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', 'x')),
      'refresh_tokens',
    );
    expectIndexed(
      await plan(db.selectFrom('refresh_tokens').selectAll().where('parent_id', '=', 'x')),
      'refresh_tokens',
    );
    expectIndexed(
      await plan(db.selectFrom('mfa_challenges').selectAll().where('token_hash', '=', 'x')),
      'mfa_challenges',
    );
  });

  it('rate limits by key, tenant membership and tenant roles by member', async () => {
    const db = t.auth.database.db;
    expectIndexed(await plan(db.selectFrom('rate_limits').selectAll().where('key', '=', 'x')), 'rate_limits');
    expectIndexed(
      await plan(
        db.selectFrom('tenant_members').selectAll().where('tenant_id', '=', 'x').where('user_id', '=', 'y'),
      ),
      'tenant_members',
    );
    expectIndexed(
      await plan(
        db
          .selectFrom('tenant_member_groups')
          .selectAll()
          .where('user_id', '=', 'y')
          .where('tenant_id', '=', 'x'),
      ),
      'tenant_member_groups',
    );
    expectIndexed(await plan(db.selectFrom('tenants').selectAll().where('slug', '=', 'acme')), 'tenants');
  });
});
