/**
 * `auth.users.list`: search (prefix and contains), filters, sorts and keyset
 * pagination, against a naive in-memory reference. Every query runs under
 * several settings of `userListTuning`, so that each of the list's plans —
 * the walk of the sort order, the lookup in the search, group or flag
 * indexes (FTS5 trigrams / pg_trgm, prefix ranges, partial indexes) — must
 * give the same pages.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type UserListQuery, userListTuning } from '../../src/accounts/user-store.js';
import { openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { runMigrations } from '../../src/db/migrator.js';
import type { ListUsersOptions, User } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { createTestDatabase } from '../helpers/database.js';

type Auth = TestAuth<Record<never, never>>['auth'];

const DEFAULT_TUNING = { ...userListTuning };
/** The plans, by tuning: the walk alone, a short walk then the indexes, and the defaults (mostly the walk). */
const PLANS = {
  walk: { walkRows: 1, candidateCap: 0 },
  index: { walkRows: 1, candidateCap: 1_000_000 },
  mixed: { walkRows: 3, candidateCap: 4 },
  default: DEFAULT_TUNING,
} as const;
type PlanName = keyof typeof PLANS;

function setPlan(plan: PlanName): void {
  Object.assign(userListTuning, PLANS[plan]);
}

afterEach(() => setPlan('default'));

let t: TestAuth<Record<never, never>>;
let auth: Auth;
let clock = Date.UTC(2024, 0, 1);

beforeAll(async () => {
  t = await createTestAuth({ now: () => new Date(clock) });
  auth = t.auth;
});
afterAll(() => t.close());

const emails = (users: User[]) => users.map((u) => u.email);

async function make(email: string, extra: Partial<Parameters<Auth['users']['create']>[0]> = {}) {
  clock += 1000;
  return auth.users.create({ email, password: null, ...extra });
}

describe('search', () => {
  it('matches a prefix by default under 3 characters and a substring from 3, in any of the four texts', async () => {
    await make('ada@search-a.example', { firstName: 'Ada', lastName: 'Lovelace', username: 'countess' });
    await make('grace@search-a.example', {
      firstName: 'Grace',
      lastName: 'Hopper',
      username: 'amazing_grace',
    });
    for (const plan of ['walk', 'index', 'default'] as const) {
      setPlan(plan);
      const find = async (search: string, match?: 'prefix' | 'contains') =>
        emails(
          (await auth.users.list({ search, ...(match ? { match } : {}), limit: 1000 })).users.filter((u) =>
            u.email.endsWith('@search-a.example'),
          ),
        ).sort();
      expect(await find('lo'), plan).toEqual(['ada@search-a.example']); // last name starts with it
      expect(await find('ce'), plan).toEqual([]); // only inside "Lovelace", "Grace", "countess"
      expect(await find('ce', 'contains'), plan).toEqual(['ada@search-a.example', 'grace@search-a.example']);
      expect(await find('ace'), plan).toEqual(['ada@search-a.example', 'grace@search-a.example']);
      expect(await find('ace', 'prefix'), plan).toEqual([]);
      expect(await find('amaz'), plan).toEqual(['grace@search-a.example']); // username
      expect(await find('amaz', 'prefix'), plan).toEqual(['grace@search-a.example']);
      expect(await find('grace@', 'prefix'), plan).toEqual(['grace@search-a.example']); // email
      expect(await find('a@search-a'), plan).toEqual(['ada@search-a.example']);
    }
  });

  it('ignores case in the search and in the names', async () => {
    await make('MiXeD@Search-B.example', { firstName: 'Émile', lastName: 'McCARTHY' });
    for (const plan of ['walk', 'index'] as const) {
      setPlan(plan);
      for (const search of ['mccarthy', 'MCCARTHY', 'mcC', 'Mc', 'MIXED@SEARCH-B', 'Mi', 'MILE']) {
        const found = emails((await auth.users.list({ search, limit: 1000 })).users);
        expect(found, `${plan} ${search}`).toContain('mixed@search-b.example');
      }
    }
  });

  it('takes %, _, \\ and " literally', async () => {
    const literal = [
      await make('percent@search-c.example', { firstName: 'Ann%ette' }),
      await make('under@search-c.example', { firstName: 'Ann_ette' }),
      await make('back@search-c.example', { firstName: 'Ann\\ette' }),
      await make('quote@search-c.example', { firstName: 'Ann"ette' }),
    ];
    await make('plain@search-c.example', { firstName: 'Annxette' });
    await make('pct%x@search-c.example', { lastName: 'Nobody' });
    for (const plan of ['walk', 'index', 'default'] as const) {
      setPlan(plan);
      const find = async (search: string, match?: 'prefix' | 'contains') =>
        emails(
          (await auth.users.list({ search, ...(match ? { match } : {}), limit: 1000 })).users.filter((u) =>
            u.email.endsWith('@search-c.example'),
          ),
        ).sort();
      expect(await find('ann%ette'), plan).toEqual([literal[0]?.email]);
      expect(await find('ann_ette'), plan).toEqual([literal[1]?.email]);
      expect(await find('ann\\ette'), plan).toEqual([literal[2]?.email]);
      expect(await find('ann"ette'), plan).toEqual([literal[3]?.email]);
      expect(await find('n%e'), plan).toEqual([literal[0]?.email]);
      expect(await find('%'), plan).toEqual([]); // prefix: no text starts with %
      expect(await find('%', 'contains'), plan).toEqual([literal[0]?.email, 'pct%x@search-c.example'].sort());
      expect(await find('_', 'contains'), plan).toEqual([literal[1]?.email]);
      expect(await find('pct%'), plan).toEqual(['pct%x@search-c.example']);
      expect(await find('"', 'contains'), plan).toEqual([literal[3]?.email]);
      expect(await find('"et', 'contains'), plan).toEqual([literal[3]?.email]);
    }
  });

  it('follows updates and deletions (the search index is kept by triggers)', async () => {
    const user = await make('before@search-d.example', { firstName: 'Oldname', username: 'oldhandle' });
    const find = async (search: string) => {
      const results: string[][] = [];
      for (const plan of ['index', 'walk'] as const) {
        setPlan(plan);
        results.push(emails((await auth.users.list({ search, limit: 1000 })).users));
      }
      expect(results[0], search).toEqual(results[1]);
      return results[0];
    };
    expect(await find('oldname')).toEqual(['before@search-d.example']);
    await auth.users.update(user.id, { firstName: 'Newname', email: 'after@search-d.example' });
    expect(await find('oldname')).toEqual([]);
    expect(await find('before@')).toEqual([]);
    expect(await find('newname')).toEqual(['after@search-d.example']);
    expect(await find('after@search-d')).toEqual(['after@search-d.example']);
    expect(await find('oldhandle')).toEqual(['after@search-d.example']);
    await auth.users.update(user.id, { username: null });
    expect(await find('oldhandle')).toEqual([]);
    await auth.users.update(user.id, { isStaff: true, lastName: 'Kept' });
    expect(await find('newname')).toEqual(['after@search-d.example']);
    expect(await find('kept')).toEqual(['after@search-d.example']);
    await auth.users.delete(user.id);
    expect(await find('newname')).toEqual([]);
    expect(await find('after@search-d')).toEqual([]);
  });
});

describe('cursors', () => {
  it('refuses a garbled or forged cursor, or one of another sort, as invalid_request naming cursor', async () => {
    await make('cursor1@search-e.example');
    await make('cursor2@search-e.example');
    const byEmail = await auth.users.list({ sort: 'email', limit: 1 });
    const byCreated = await auth.users.list({ limit: 1 });
    expect(byEmail.nextCursor).toBeTruthy();
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad: [string, ListUsersOptions][] = [
      ['not a cursor!', {}],
      [Buffer.from('{"s":').toString('base64url'), {}],
      [encode([1, 2]), {}],
      [encode(null), {}],
      [encode({ s: 'created', o: 'asc', k: 'yesterday', i: 'usr_x' }), {}],
      [encode({ s: 'created', o: 'asc', k: 12, i: 'usr_x' }), {}],
      [encode({ s: 'created', o: 'asc', k: '2024-01-01T00:00:00.000Z' }), {}],
      [encode({ s: 'email', o: 'asc', k: null, i: 'usr_x' }), { sort: 'email' }],
      [encode({ s: 'lastLogin', o: 'asc', k: 'soon', i: 'usr_x' }), { sort: 'lastLogin' }],
      [byEmail.nextCursor ?? '', {}],
      [byEmail.nextCursor ?? '', { sort: 'email', order: 'desc' }],
      [byCreated.nextCursor ?? '', { sort: 'lastLogin' }],
      ['x'.repeat(5000), {}],
    ];
    for (const [cursor, options] of bad) {
      await expect(auth.users.list({ ...options, cursor }), cursor).rejects.toMatchObject({
        code: 'invalid_request',
        fields: { cursor: expect.any(String) },
      });
    }
    // A well-formed cursor of this sort is a position, whatever made it.
    const forged = encode({ s: 'email', o: 'asc', k: 'cursor1@search-e.example', i: 'usr_zzzz' });
    const after = await auth.users.list({ sort: 'email', cursor: forged, limit: 1000 });
    expect(after.users[0]?.email).toBe('cursor2@search-e.example');
    const never = encode({ s: 'lastLogin', o: 'desc', k: null, i: 'usr_zzzz' });
    expect((await auth.users.list({ sort: 'lastLogin', order: 'desc', cursor: never })).users).toBeDefined();
  });

  it('refuses an unknown sort, order or match', async () => {
    for (const options of [{ sort: 'name' }, { order: 'up' }, { search: 'abc', match: 'fuzzy' }]) {
      await expect(auth.users.list(options as ListUsersOptions)).rejects.toMatchObject({
        code: 'invalid_request',
        fields: { [Object.keys(options).at(-1) as string]: expect.any(String) },
      });
    }
  });
});

describe('migration 8 on a database with users', () => {
  it('indexes the users that were there before it', async () => {
    const target = await createTestDatabase();
    const database = openDatabase({ url: target.url, ...(target.schema ? { schema: target.schema } : {}) });
    try {
      await runMigrations(database, { migrations: migrations.filter((m) => m.version < 8) });
      const now = new Date();
      for (const [i, name] of ['Zebedee', 'Zachary', 'Bob'].entries()) {
        await database.db
          .insertInto('users')
          .values({
            id: `usr_before${i}`,
            email: `${name.toLowerCase()}@before.example`,
            first_name: name,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
      await runMigrations(database);
      const before = await createTestAuth({}, target);
      try {
        for (const plan of ['index', 'walk'] as const) {
          setPlan(plan);
          expect(emails((await before.auth.users.list({ search: 'zebe' })).users), plan).toEqual([
            'zebedee@before.example',
          ]);
          expect(emails((await before.auth.users.list({ search: 'ZA' })).users), plan).toEqual([
            'zachary@before.example',
          ]);
        }
        await before.auth.users.delete('usr_before0');
        setPlan('index');
        expect((await before.auth.users.list({ search: 'zebe' })).users).toEqual([]);
      } finally {
        await before.auth.close();
      }
    } finally {
      await database.close();
      await target.drop();
    }
  });
});

// ---------------------------------------------------------------------------
// Against a reference

interface Model {
  user: User;
  groups: Set<string>;
}

/** ASCII only: SQLite's lower() folds ASCII letters only, PostgreSQL's all of them; on ASCII they agree. */
function referenceList(models: Model[], query: Omit<UserListQuery, 'limit' | 'after'>): string[] {
  const search = query.search?.normalize('NFKC').toLowerCase() ?? '';
  const match = query.match ?? ([...search].length >= 3 ? 'contains' : 'prefix');
  const sort = query.sort ?? 'created';
  const key = (u: User): string =>
    sort === 'email'
      ? u.email
      : sort === 'lastLogin'
        ? (u.lastLoginAt?.toISOString() ?? '')
        : u.createdAt.toISOString();
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sign = query.order === 'desc' ? -1 : 1;
  return models
    .filter(({ user: u, groups }) => {
      if (query.isActive !== undefined && u.isActive !== query.isActive) return false;
      if (query.isStaff !== undefined && u.isStaff !== query.isStaff) return false;
      if (query.isSuperuser !== undefined && u.isSuperuser !== query.isSuperuser) return false;
      if (query.emailVerified !== undefined && (u.emailVerifiedAt !== null) !== query.emailVerified)
        return false;
      if (query.groupId !== undefined && !groups.has(query.groupId)) return false;
      if (search === '') return true;
      const texts = [u.email, u.username ?? '', u.firstName.toLowerCase(), u.lastName.toLowerCase()];
      return texts.some((text) => (match === 'prefix' ? text.startsWith(search) : text.includes(search)));
    })
    .map(({ user }) => user)
    .sort((a, b) => sign * (compare(key(a), key(b)) || compare(a.id, b.id)))
    .map((u) => u.id);
}

describe('pages against a reference', () => {
  const SYLLABLES = ['an', 'bo', 'ca', 'de', 'el', 'fi', 'go', 'ha', 'ix', 'jo', 'ka', 'lu'];
  const ODD = ['%', '_', '\\', '"', ' ', '.', '-'];
  let models: Model[] = [];
  let groupIds: string[] = [];
  let world: TestAuth<Record<never, never>>;

  beforeAll(async () => {
    // A small world of its own, on its own database: the reference must know every user.
    const own = await createTestAuth({ now: () => new Date(clock) });
    world = own;
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const word = (parts: number, odd: boolean) => {
      let text = '';
      for (let i = 0; i < parts; i++) {
        const syllable = pick(SYLLABLES);
        text +=
          random() < 0.3
            ? syllable.toUpperCase()
            : random() < 0.5
              ? syllable[0]?.toUpperCase() + syllable.slice(1)
              : syllable;
        if (odd && random() < 0.2) text += pick(ODD);
      }
      return text;
    };
    const groups = [
      await own.auth.permissions.createGroup('search-group-a'),
      await own.auth.permissions.createGroup('search-group-b'),
    ];
    groupIds = groups.map((g) => g.id);
    const users: User[] = [];
    for (let i = 0; i < 70; i++) {
      // Equal creation times now and then: the id must break the tie.
      clock += pick([0, 0, 1, 1000]);
      const local = `${word(2, false)}${pick(['', '_', '%', '.', ''])}${i}`;
      users.push(
        await own.auth.users.create({
          email: `${local}@${pick(['example.com', 'mail.test', 'corp.example'])}`,
          password: null,
          ...(random() < 0.6
            ? { username: `${word(2, false).toLowerCase()}${pick(['', '_', '.'])}${i}` }
            : {}),
          firstName: word(1 + Math.floor(random() * 2), true),
          lastName: word(1 + Math.floor(random() * 3), true),
          isActive: random() < 0.8,
          isStaff: random() < 0.15,
          isSuperuser: random() < 0.08,
          emailVerified: random() < 0.5,
        }),
      );
    }
    for (const user of users) {
      if (random() < 0.6) {
        clock += pick([0, 1, 500]);
        await own.auth.users.recordLogin(user.id);
      }
      const memberOf = groups.filter(() => random() < 0.3).map((g) => g.id);
      if (memberOf.length > 0) await own.auth.permissions.setUserGroups(user.id, memberOf);
    }
    models = [];
    for (const user of users) {
      const fresh = await own.auth.users.get(user.id);
      if (!fresh) throw new Error('a user went missing');
      const memberships = await own.auth.permissions.memberships(user.id);
      models.push({ user: fresh, groups: new Set(memberships.map((g) => g.id)) });
    }
  });
  afterAll(() => world?.close());

  it('every sort, order, search and filter pages through exactly the reference, whatever the plan', async () => {
    const texts = models.flatMap(({ user: u }) => [u.email, u.username ?? '', u.firstName, u.lastName]);
    const fragment = fc
      .tuple(
        fc.constantFrom(...texts.filter((x) => x !== '')),
        fc.nat(),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
      )
      .map(([text, start, length, upper]) => {
        const from = start % text.length;
        const piece = text.slice(from, from + length);
        return upper ? piece.toUpperCase() : piece;
      });
    const odd = fc.string({
      unit: fc.constantFrom('a', 'N', 'o', '%', '_', '\\', '"', ' ', '@', '.'),
      minLength: 1,
      maxLength: 4,
    });
    const query = fc.record(
      {
        search: fc.oneof(fragment, fragment, odd),
        match: fc.constantFrom('prefix', 'contains') as fc.Arbitrary<'prefix' | 'contains'>,
        isActive: fc.boolean(),
        isStaff: fc.boolean(),
        isSuperuser: fc.boolean(),
        emailVerified: fc.boolean(),
        groupId: fc.constantFrom(...groupIds, 'grp_missing'),
        sort: fc.constantFrom('created', 'email', 'lastLogin') as fc.Arbitrary<
          'created' | 'email' | 'lastLogin'
        >,
        order: fc.constantFrom('asc', 'desc') as fc.Arbitrary<'asc' | 'desc'>,
      },
      { requiredKeys: [] },
    );
    const postgres = world.db.dialect === 'postgres';
    await fc.assert(
      fc.asyncProperty(
        query,
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom<PlanName>('walk', 'index', 'mixed', 'default'),
        async (q, limit, plan) => {
          setPlan(plan);
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page: { users: User[]; nextCursor: string | null } = await world.auth.users.list({
              ...q,
              limit,
              cursor,
            });
            expect(page.users.length).toBeLessThanOrEqual(limit);
            seen.push(...page.users.map((u) => u.id));
            cursor = page.nextCursor;
          } while (cursor);
          expect(seen).toEqual(referenceList(models, q));
        },
      ),
      { numRuns: postgres ? 80 : 200 },
    );
  });

  it('finds the same page whichever plan, deep in the list', async () => {
    for (const sort of ['created', 'email', 'lastLogin'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const expected = referenceList(models, { sort, order });
        let cursor: string | null = null;
        const pages: string[][] = [];
        for (const plan of ['walk', 'index', 'mixed', 'default', 'walk'] as const) {
          setPlan(plan);
          const page: { users: User[]; nextCursor: string | null } = await world.auth.users.list({
            sort,
            order,
            limit: 7,
            cursor,
          });
          pages.push(page.users.map((u) => u.id));
          cursor = page.nextCursor;
        }
        expect(pages.flat(), `${sort} ${order}`).toEqual(expected.slice(0, 35));
      }
    }
  });
});
