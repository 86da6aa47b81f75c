/**
 * The query plans of `auth.users.list`: every statement it runs, for every
 * shape of list (each sort and order, with and without a cursor, each filter,
 * prefix and contains search, a group) and each of its plans (the walk of the
 * sort order, the lookups in the search, group and flag indexes), is
 * EXPLAINed, and none may read the users table whole.
 *
 * SQLite: `EXPLAIN QUERY PLAN` must show no `SCAN` of users without an index.
 * PostgreSQL: `EXPLAIN` with `enable_seqscan = off` (on a few thousand
 * analysed rows; the setting makes a sequential scan the planner's last
 * resort, so one in the plan means no index could serve) must show no
 * `Seq Scan on users`.
 *
 * `SHOW_PLANS=1` prints every plan.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type UserListQuery, UserStore, userListTuning } from '../../src/accounts/user-store.js';
import { createId } from '../../src/crypto.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

const DEFAULT_TUNING = { ...userListTuning };
const USERS = 3000;

let t: TestAuth<Record<never, never>>;
let groupId = '';
const statements = new Map<string, { shape: string; query: CompiledQuery }>();

beforeAll(async () => {
  t = await createTestAuth();
  const { db } = t.auth.database;
  const group = await t.auth.permissions.createGroup('plans');
  groupId = group.id;
  const names = [
    'ada',
    'grace',
    'alan',
    'edsger',
    'barbara',
    'donald',
    'frances',
    'hedy',
    'katherine',
    'john',
  ];
  const start = Date.UTC(2024, 0, 1);
  for (let batch = 0; batch < USERS / 500; batch++) {
    const rows = Array.from({ length: 500 }, (_, j) => {
      const i = batch * 500 + j;
      const at = new Date(start + i * 60_000);
      const name = names[i % names.length] as string;
      return {
        id: createId('usr', at),
        email: `${name}.${i}@plans.example`,
        username: i % 3 === 0 ? `${name}${i}` : null,
        first_name: name[0]?.toUpperCase() + name.slice(1),
        last_name: `Family${i % 97}`,
        is_active: i % 10 !== 0,
        is_staff: i % 100 === 1,
        is_superuser: i % 1000 === 1,
        email_verified_at: i % 2 === 0 ? at : null,
        last_login_at: i % 3 === 0 ? null : new Date(start + ((i * 7919) % USERS) * 60_000),
        created_at: at,
        updated_at: at,
      };
    });
    await db.insertInto('users').values(rows).execute();
  }
  const members = await db.selectFrom('users').select('id').where('email', 'like', 'ada.%').execute();
  await t.auth.permissions.setUserGroups(members[0]?.id ?? '', [groupId]);
  if (t.auth.database.dialect === 'postgres') await sql`analyze users`.execute(db);

  // Every statement of every shape and plan.
  let current = '';
  const store = new UserStore(t.auth.database, {
    onQuery: (query) => {
      if (!statements.has(query.sql)) statements.set(query.sql, { shape: current, query });
    },
  });
  const shapes: [string, Omit<UserListQuery, 'limit'>][] = [];
  for (const sort of ['created', 'email', 'lastLogin'] as const) {
    for (const order of ['asc', 'desc'] as const) {
      const [, second] = await store.list({ limit: 2, sort, order });
      const after = second ? store.cursorAfter(second, sort, order) : null;
      shapes.push(
        [`${sort} ${order}`, { sort, order }],
        [`${sort} ${order}, cursor`, { sort, order, after }],
      );
      shapes.push(
        [`${sort} ${order}, contains`, { sort, order, after, search: 'race' }],
        [`${sort} ${order}, prefix`, { sort, order, after, search: 'gr' }],
      );
    }
  }
  shapes.push(
    ['active, verified', { isActive: true, emailVerified: true }],
    ['not staff', { isStaff: false, sort: 'email' }],
    ['staff', { isStaff: true }],
    ['superusers', { isSuperuser: true, sort: 'lastLogin', order: 'desc' }],
    ['inactive', { isActive: false, sort: 'email', order: 'desc' }],
    ['group', { groupId }],
    ['contains, 2 characters', { search: 'da', match: 'contains' }],
    ['prefix, 1 character', { search: 'a' }],
    ['prefix of an email', { search: 'grace.1', match: 'prefix' }],
    ['contains + staff + sorted', { search: 'family1', isStaff: true, sort: 'lastLogin' }],
    ['prefix + group + verified', { search: 'ad', groupId, emailVerified: false, sort: 'email' }],
  );
  for (const tuning of [
    { walkRows: 1, candidateCap: 0 },
    { walkRows: 1, candidateCap: 1_000_000 },
    DEFAULT_TUNING,
  ]) {
    Object.assign(userListTuning, tuning);
    for (const [shape, query] of shapes) {
      current = shape;
      await store.list({ limit: 51, ...query });
    }
  }
  Object.assign(userListTuning, DEFAULT_TUNING);
});
afterEach(() => {
  Object.assign(userListTuning, DEFAULT_TUNING);
});
afterAll(() => t.close());

async function explain(query: CompiledQuery): Promise<string[]> {
  const { db, dialect } = t.auth.database;
  if (dialect === 'sqlite') {
    const { rows } = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    return rows.map((row) => row.detail);
  }
  return db.connection().execute(async (connection) => {
    await sql`set enable_seqscan = off`.execute(connection);
    try {
      const { rows } = await connection.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
      );
      return rows.map((row) => row['QUERY PLAN']);
    } finally {
      await sql`reset enable_seqscan`.execute(connection);
    }
  });
}

describe('user list query plans', () => {
  it('covers every kind of statement', () => {
    const kinds = [...statements.keys()];
    const has = (pattern: RegExp) => kinds.some((text) => pattern.test(text));
    expect(statements.size).toBeGreaterThan(30);
    expect(has(/count\(\*\)/)).toBe(true); // a lookup's count (or PostgreSQL's counted lookup)
    if (t.auth.database.dialect === 'sqlite') {
      expect(has(/users_search match/)).toBe(true);
      expect(has(/users_email_idx where email >=/)).toBe(true);
      expect(has(/rowid = c\.r/)).toBe(true);
    } else {
      expect(has(/like/)).toBe(true);
      expect(has(/with c as materialized/)).toBe(true);
      expect(has(/offset/)).toBe(true); // the short walk's boundary, before a bitmap lookup
    }
  });

  it('never reads the users table whole', async () => {
    const sqlite = t.auth.database.dialect === 'sqlite';
    // SQLite names users `u`, `users` or `m` (a lookup's join); a SCAN of one without an index reads it all.
    const fullScan = sqlite ? /^SCAN (u|users|m)(?! .*INDEX)\b/ : /Seq Scan on users\b/;
    const problems: string[] = [];
    for (const [text, { shape, query }] of statements) {
      const plan = await explain(query);
      if (process.env.SHOW_PLANS)
        console.log(`\n[${shape}] ${text.replace(/\s+/g, ' ')}\n  ${plan.join('\n  ')}`);
      if (plan.some((line) => fullScan.test(line.trim()))) {
        problems.push(`[${shape}] ${text.replace(/\s+/g, ' ')}\n  ${plan.join('\n  ')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
