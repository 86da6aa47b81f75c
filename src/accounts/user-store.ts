/** Queries on `users`. Rows come back raw; `./user.ts` maps them to user objects. */
import { type CompiledQuery, type RawBuilder, sql } from 'kysely';
import type { Database, DialectName } from '../db/database.js';
import type { Executor } from '../db/transaction.js';
import { invalidRequest } from '../errors.js';
import { DEFAULT_POOL } from './user.js';

export type UserRow = Record<string, unknown> & { id: string; password_hash: string | null };

export type UserSort = 'created' | 'email' | 'lastLogin';
export type SortOrder = 'asc' | 'desc';
/** `prefix`: a searched text starts with the search; `contains`: it contains it anywhere. */
export type SearchMatch = 'prefix' | 'contains';

export const USER_SORTS: readonly UserSort[] = ['created', 'email', 'lastLogin'];

export interface UserListQuery {
  /** Rows to return at most. */
  limit: number;
  /** Default `created`, then `asc`; `id` breaks ties, so the order is total. */
  sort?: UserSort;
  order?: SortOrder;
  /** A cursor from {@link UserStore.cursorAfter}: the page starts after that row. */
  after?: string | null;
  /** Case-insensitive, in the email, username, first or last name; every character is literal. */
  search?: string;
  /** Default: `prefix` for a search of 1 or 2 characters, `contains` from 3 on. */
  match?: SearchMatch;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  emailVerified?: boolean;
  /** Only members of this group (by id). */
  groupId?: string;
}

/**
 * How `list` chooses its plan (see there). Tests lower both to run every plan
 * on a few rows; nothing else should change them.
 */
export const userListTuning = {
  /** Rows walked in sort order, at most, before a bitmap-scanned index (PostgreSQL) is asked. */
  walkRows: 5000,
  /** Most users an index lookup may yield for the page to be built from them. */
  candidateCap: 5000,
};

/**
 * After a short walk that found some of the page, walking on is expected to
 * cost at most this many times the short walk before a bitmap lookup is tried.
 */
const WALK_ON = 4;

const INVALID_CURSOR = 'This cursor is not valid for this list; start again from the first page.';

/** A position in a sorted list: the sort key of the last row shown and its id. */
interface Position {
  key: string | null;
  id: string;
}

interface SortSpec {
  /** The sort key of `u`, a row of `users`, as the index has it. */
  key: RawBuilder<unknown>;
  /** The column the key is made of. */
  column: 'created_at' | 'email' | 'last_login_at';
  /** The SQLite index that walks this order (the planner is told to: statistics can mislead it). */
  index: string;
  /** The key of a row as the cursor carries it: text, null for "never". */
  keyOf(row: Record<string, unknown>): string | null;
  /** The cursor's key as a query value. */
  value(key: string | null): unknown;
  /** Whether a cursor's key is one this sort can have. */
  valid(key: unknown): key is string | null;
}

/**
 * One criterion that an index can look up: the users it matches form a
 * superset of the page's candidates (the criterion is also among the plan's
 * conditions, which the fetch checks).
 */
interface Source {
  /** SQLite: rows, one per match (from the index alone where possible), to be counted up to a cap. */
  count?: RawBuilder<unknown>;
  /**
   * SQLite: a subquery of the matching users' rowids as `r` (rowids are only
   * used within one statement). PostgreSQL: a condition on `u` that its
   * indexes serve.
   */
  candidates: RawBuilder<unknown>;
  /**
   * Whether counting is cheap even when the criterion matches a great many
   * users. PostgreSQL's bitmap scans (trigrams, prefixes) read every match
   * before the first row comes out: those are tried after a short walk.
   */
  cheap: boolean;
}

interface Plan {
  limit: number;
  sort: UserSort;
  order: SortOrder;
  spec: SortSpec;
  after: Position | null;
  /** Everything a row must satisfy, as conditions on `u`. */
  conditions: RawBuilder<unknown>[];
  /** Index lookups that each yield a superset of the matching users, cheapest first. */
  sources: Source[];
}

export class UserStore {
  readonly #db: Executor;
  readonly #dialect: DialectName;
  readonly #onQuery: ((query: CompiledQuery) => void) | undefined;

  /** `onQuery` sees every statement `list` runs, before it runs (the query-plan tests EXPLAIN them). */
  constructor(database: Database, options: { onQuery?: (query: CompiledQuery) => void } = {}) {
    this.#db = database.db;
    this.#dialect = database.dialect;
    this.#onQuery = options.onQuery;
  }

  async insert(values: Record<string, unknown>, executor: Executor = this.#db): Promise<UserRow> {
    // Custom-field columns are not in the static schema, hence the cast.
    return (await executor
      .insertInto('users')
      .values(values as never)
      .returningAll()
      .executeTakeFirstOrThrow()) as UserRow;
  }

  /** The user by id, or by email or username within a user pool. */
  async findBy(
    column: 'id' | 'email' | 'username',
    value: string,
    pool?: string,
  ): Promise<UserRow | undefined> {
    let query = this.#db.selectFrom('users').selectAll().where(column, '=', value);
    if (column !== 'id') query = query.where('pool_id', '=', pool ?? DEFAULT_POOL);
    return (await query.executeTakeFirst()) as UserRow | undefined;
  }

  async update(id: string, values: Record<string, unknown>): Promise<UserRow | undefined> {
    return (await this.#db
      .updateTable('users')
      .set(values as never)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()) as UserRow | undefined;
  }

  /** Replaces the hash only if it is still `expected`: an upgrade must never undo a concurrent password change. */
  async replacePasswordHash(id: string, expected: string, next: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('users')
      .set({ password_hash: next })
      .where('id', '=', id)
      .where('password_hash', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<UserRow | undefined> {
    return (await this.#db.deleteFrom('users').where('id', '=', id).returningAll().executeTakeFirst()) as
      | UserRow
      | undefined;
  }

  /**
   * A page of users in sort order, after the cursor, that match the search
   * and every filter: keyset pagination, so a deep page costs what the first
   * does. Throws `invalid_request` naming `cursor` for a cursor that is not
   * one of ours, or one made for another sort.
   *
   * Indexes (migration 8) serve two ways of finding the page, and the better
   * one depends on how many users match, which only asking tells:
   *
   * 1. **Look the matches up** in the index of one criterion (the search
   *    text's trigrams or prefixes, the group's members, the staff, the
   *    superusers or the inactive users), then sort them: cheap when they
   *    are few.
   * 2. **Walk the sort order** (its index, from the cursor on) and keep the
   *    rows that match: cheap when matches are common, since a page fills
   *    after a few rows.
   *
   * Each criterion's index is first asked how many users it has, counting
   * no further than `candidateCap`; the first with no more than that builds
   * the page. Counting stops early on SQLite (FTS5 and b-tree scans stream)
   * and for PostgreSQL's b-tree criteria, but a PostgreSQL bitmap scan
   * (trigrams, prefixes) reads every match first: before asking those, a
   * walk of at most `walkRows` rows is tried, which finds the page at once
   * when the search is common, and goes on walking when the matches it met
   * foretell the page's end within a few times as many rows. When every
   * criterion has more users than
   * the cap, matches are common after all and the walk goes on until the
   * page is full. The page is the same whichever way finds it: the
   * candidates are checked against every condition.
   */
  async list(query: UserListQuery): Promise<UserRow[]> {
    const plan = this.#plan(query);
    const { walkRows, candidateCap } = userListTuning;
    const lookUp = async (sources: Source[]) => {
      for (const source of sources) {
        const page = await this.#lookUp(plan, source, candidateCap);
        if (page) return page;
      }
      return null;
    };
    const cheap = await lookUp(plan.sources.filter((source) => source.cheap));
    if (cheap) return cheap;
    const costly = plan.sources.filter((source) => !source.cheap);
    if (costly.length > 0) {
      const bound = await this.#boundary(plan, walkRows);
      const walked = await this.#walk(plan, bound);
      // No boundary: fewer than walkRows rows were left, so this walk saw them all.
      if (!bound || walked.length >= plan.limit) return walked;
      // The share of matches the walk met foretells how far the page ends: near, the walk goes on from there.
      const missing = plan.limit - walked.length;
      if (walked.length > 0 && missing <= walked.length * WALK_ON) {
        return [...walked, ...(await this.#walk({ ...plan, limit: missing, after: bound }, null))];
      }
      const found = await lookUp(costly);
      if (found) return found;
    }
    return this.#walk(plan, null);
  }

  /** The cursor of a page that ends at `row` (a row `list` returned for this sort and order). */
  cursorAfter(row: UserRow, sort: UserSort = 'created', order: SortOrder = 'asc'): string {
    const key = this.#sortSpec(sort).keyOf(row);
    return Buffer.from(JSON.stringify({ s: sort, o: order, k: key, i: row.id })).toString('base64url');
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  #plan(query: UserListQuery): Plan {
    const sort = query.sort ?? 'created';
    if (!USER_SORTS.includes(sort)) throw invalidRequest({ sort: 'Sort by created, email or lastLogin.' });
    const order = query.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') throw invalidRequest({ order: 'Enter asc or desc.' });
    if (query.match !== undefined && query.match !== 'prefix' && query.match !== 'contains') {
      throw invalidRequest({ match: 'Enter prefix or contains.' });
    }
    const spec = this.#sortSpec(sort);
    const after = query.after ? decodeCursor(query.after, sort, order, spec) : null;
    const conditions: RawBuilder<unknown>[] = [];
    const sources: Source[] = [];
    const postgres = this.#dialect === 'postgres';
    const flag = (column: string, value: boolean | undefined, rare: boolean, index: string) => {
      if (value === undefined) return;
      conditions.push(sql`${sql.ref(`u.${column}`)} = ${value}`);
      // Only the rare side has a (partial) index: the staff, the superusers, the inactive.
      if (value === rare) {
        const test = rare ? sql.ref(column) : sql`not ${sql.ref(column)}`;
        const from = sql`users indexed by ${sql.raw(index)}`;
        sources.push(
          postgres
            ? { candidates: rare ? sql.ref(`u.${column}`) : sql`not ${sql.ref(`u.${column}`)}`, cheap: true }
            : {
                count: sql`select 1 from ${from} where ${test}`,
                candidates: sql`select rowid as r from ${from} where ${test}`,
                cheap: true,
              },
        );
      }
    };
    flag('is_staff', query.isStaff, true, 'users_staff_idx');
    flag('is_superuser', query.isSuperuser, true, 'users_superuser_idx');
    flag('is_active', query.isActive, false, 'users_inactive_idx');
    if (query.emailVerified !== undefined) {
      conditions.push(
        query.emailVerified ? sql`u.email_verified_at is not null` : sql`u.email_verified_at is null`,
      );
    }
    if (query.groupId !== undefined) {
      conditions.push(
        sql`exists (select 1 from user_groups g where g.user_id = u.id and g.group_id = ${query.groupId})`,
      );
      sources.push(
        postgres
          ? {
              candidates: sql`u.id in (select user_id from user_groups where group_id = ${query.groupId})`,
              cheap: true,
            }
          : {
              count: sql`select 1 from user_groups where group_id = ${query.groupId}`,
              candidates: sql`select m.rowid as r from user_groups g cross join users m on m.id = g.user_id
                where g.group_id = ${query.groupId}`,
              cheap: true,
            },
      );
    }
    const search = query.search ? this.#search(query.search, query.match) : null;
    if (search) {
      conditions.push(search.condition);
      if (search.source) sources.push(search.source);
    }
    return {
      limit: Math.max(1, Math.trunc(query.limit)),
      sort,
      order,
      spec,
      after,
      conditions,
      sources,
    };
  }

  /**
   * The search as a condition on a row (no index can serve it: it is what the
   * walk checks) and, where an index can, as a source of candidates. Both
   * compare the same lower-cased texts, so both find the same users.
   */
  #search(
    raw: string,
    requested: SearchMatch | undefined,
  ): { condition: RawBuilder<unknown>; source: Source | null } | null {
    const postgres = this.#dialect === 'postgres';
    const normalized = raw.normalize('NFKC');
    // SQLite's lower() folds ASCII letters only: fold the search the same way, so the indexes agree.
    const text = postgres ? normalized.toLowerCase() : normalized.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    if (text === '') return null;
    const length = [...text].length;
    const match = requested ?? (length >= 3 ? 'contains' : 'prefix');
    // Emails and usernames are stored lower-case; names are lower-cased here as in their indexes.
    const texts = [
      sql`u.email`,
      sql`coalesce(u.username, '')`,
      sql`lower(u.first_name)`,
      sql`lower(u.last_name)`,
    ];
    const find = postgres ? 'strpos' : 'instr';
    const condition = sql`(${sql.join(
      texts.map((t) =>
        match === 'prefix'
          ? sql`${sql.raw(find)}(${t}, ${text}) = 1`
          : sql`${sql.raw(find)}(${t}, ${text}) > 0`,
      ),
      sql` or `,
    )})`;
    return { condition, source: this.#searchSource(text, match, length) };
  }

  #searchSource(text: string, match: SearchMatch, length: number): Source | null {
    if (this.#dialect === 'postgres') {
      // Trigram (GIN) indexes serve `like '%…%'` from 3 characters on; text_pattern_ops ones `like '…%'`.
      if (match === 'contains' && length < 3) return null;
      const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
      const pattern = match === 'prefix' ? `${escaped}%` : `%${escaped}%`;
      const condition = sql`(u.email like ${pattern} or u.username like ${pattern}
        or lower(u.first_name) like ${pattern} or lower(u.last_name) like ${pattern})`;
      return { candidates: condition, cheap: false };
    }
    if (match === 'contains') {
      // FTS5 finds a trigram from 3 characters on. With detail=column the index knows which trigrams
      // a text has, not where: it yields the texts with all of the search's trigrams, a superset.
      if (length < 3) return null;
      const points = [...text];
      const trigrams = new Set<string>();
      for (let i = 0; i + 3 <= points.length; i++) trigrams.add(points.slice(i, i + 3).join(''));
      const query = [...trigrams].map((trigram) => `"${trigram.replaceAll('"', '""')}"`).join(' AND ');
      return {
        count: sql`select rowid from users_search where users_search match ${query}`,
        candidates: sql`select m.rowid as r from users_search s
          cross join users_search_keys k on k.key = s.rowid
          cross join users m on m.id = k.user_id
          where users_search match ${query}`,
        cheap: true,
      };
    }
    // A prefix is a range of the index: [text, the next string of the same length).
    const upper = successor(text);
    const range = (selected: RawBuilder<unknown>, column: RawBuilder<unknown>, index: string) =>
      sql`select ${selected} from users indexed by ${sql.raw(index)} where ${column} >= ${text}${
        upper === null ? sql`` : sql` and ${column} < ${upper}`
      }`;
    const ranges = (selected: RawBuilder<unknown>, union: RawBuilder<unknown>) =>
      sql.join(
        [
          range(selected, sql`email`, 'users_email_idx'),
          range(selected, sql`username`, 'users_username_idx'),
          range(selected, sql`lower(first_name)`, 'users_first_name_prefix_idx'),
          range(selected, sql`lower(last_name)`, 'users_last_name_prefix_idx'),
        ],
        union,
      );
    return {
      count: ranges(sql`1`, sql` union all `),
      candidates: ranges(sql`rowid as r`, sql` union `),
      cheap: true,
    };
  }

  #sortSpec(sort: UserSort): SortSpec {
    const postgres = this.#dialect === 'postgres';
    const timestamp = (value: unknown): string =>
      value instanceof Date ? value.toISOString() : String(value);
    const validTimestamp = (key: unknown): key is string =>
      typeof key === 'string' && key.length <= 64 && !Number.isNaN(Date.parse(key));
    // SQLite keeps timestamps as ISO-8601 text and compares the text; PostgreSQL wants a timestamp.
    const timestampValue = (key: string) => (postgres ? new Date(key) : key);
    switch (sort) {
      case 'email':
        return {
          key: sql`u.email`,
          column: 'email',
          index: 'users_email_idx',
          keyOf: (row) => String(row.email),
          value: (key) => key,
          valid: (key): key is string => typeof key === 'string' && key.length > 0 && key.length <= 400,
        };
      case 'lastLogin':
        // Never signed in sorts as the earliest sign-in: first ascending, last descending.
        return {
          key: postgres
            ? sql`coalesce(u.last_login_at, '-infinity'::timestamptz)`
            : sql`coalesce(u.last_login_at, '')`,
          column: 'last_login_at',
          index: 'users_last_login_idx',
          keyOf: (row) =>
            row.last_login_at === null || row.last_login_at === undefined
              ? null
              : timestamp(row.last_login_at),
          value: (key) =>
            key === null ? (postgres ? sql`'-infinity'::timestamptz` : '') : timestampValue(key),
          valid: (key): key is string | null => key === null || validTimestamp(key),
        };
      default:
        return {
          key: sql`u.created_at`,
          column: 'created_at',
          index: 'users_created_idx',
          keyOf: (row) => timestamp(row.created_at),
          value: (key) => timestampValue(key ?? ''),
          valid: validTimestamp,
        };
    }
  }

  /** `u` comes after `position` in the plan's order (or, with `inclusive`, is it). */
  #beyond(plan: Plan, position: Position, direction: 'after' | 'upTo'): RawBuilder<unknown> {
    const { spec } = plan;
    const ascending = (plan.order === 'asc') === (direction === 'after');
    const strict = sql.raw(ascending ? '>' : '<');
    const loose = sql.raw(direction === 'after' ? (ascending ? '>' : '<') : ascending ? '>=' : '<=');
    const key = spec.value(position.key);
    if (this.#dialect === 'postgres') return sql`(${spec.key}, u.id) ${loose} (${key}, ${position.id})`;
    // SQLite seeks an index with a row-value comparison only on plain columns: spell it out.
    const wide = sql.raw(ascending ? '>=' : '<=');
    return sql`${spec.key} ${wide} ${key} and (${spec.key} ${strict} ${key} or u.id ${loose} ${position.id})`;
  }

  #orderBy(plan: Plan): RawBuilder<unknown> {
    const direction = sql.raw(plan.order);
    return sql`order by ${plan.spec.key} ${direction}, u.id ${direction}`;
  }

  #from(plan: Plan): RawBuilder<unknown> {
    return this.#dialect === 'postgres' ? sql`users u` : sql`users u indexed by ${sql.raw(plan.spec.index)}`;
  }

  /**
   * The position `rows` rows after the cursor (index only), or null when
   * fewer are left: a walk bounded by it reads at most that many rows.
   */
  async #boundary(plan: Plan, rows: number): Promise<Position | null> {
    const where = plan.after ? sql`where ${this.#beyond(plan, plan.after, 'after')}` : sql``;
    const [row] = await this.#rows<UserRow>(
      sql`select u.id, ${sql.ref(`u.${plan.spec.column}`)} from ${this.#from(plan)} ${where} ${this.#orderBy(plan)}
        limit 1 offset ${rows - 1}`,
    );
    return row ? { key: plan.spec.keyOf(row), id: row.id } : null;
  }

  /** The page, walking the sort order from the cursor, up to `bound` (included) if given. */
  #walk(plan: Plan, bound: Position | null): Promise<UserRow[]> {
    const conditions = [...plan.conditions];
    if (plan.after) conditions.push(this.#beyond(plan, plan.after, 'after'));
    if (bound) conditions.push(this.#beyond(plan, bound, 'upTo'));
    return this.#rows<UserRow>(
      sql`select u.* from ${this.#from(plan)} ${where(conditions)} ${this.#orderBy(plan)} limit ${plan.limit}`,
    );
  }

  /**
   * The page among the source's users — looked up in its index, checked,
   * then sorted — or null when the source has more than `cap` users.
   */
  async #lookUp(plan: Plan, source: Source, cap: number): Promise<UserRow[] | null> {
    const conditions = [...plan.conditions];
    if (plan.after) conditions.push(this.#beyond(plan, plan.after, 'after'));
    if (this.#dialect === 'postgres') {
      // One statement: a bitmap scan reads every match before the first row, so counting apart would do it twice.
      // Materialized, the matches are found first whatever the planner thinks of walking the sort index.
      const rows = await this.#rows<UserRow & { gh_candidates: number | string }>(sql`
        with c as materialized (select * from users u where ${source.candidates} limit ${cap + 1})
        select t.gh_candidates, p.* from (select count(*) as gh_candidates from c) t
        left join lateral (
          select * from c u ${where(conditions)} ${this.#orderBy(plan)} limit ${plan.limit}
        ) p on true`);
      if (Number(rows[0]?.gh_candidates ?? 0) > cap) return null;
      return rows.flatMap(({ gh_candidates: _, ...row }) => (row.id === null ? [] : [row as UserRow]));
    }
    if (source.count) {
      const [count] = await this.#rows<{ n: number }>(
        sql`select count(*) as n from (${source.count} limit ${cap + 1}) c`,
      );
      if ((count?.n ?? 0) > cap) return null;
    }
    return this.#rows<UserRow>(
      sql`select u.* from (${source.candidates}) c cross join users u on u.rowid = c.r
        ${where(conditions)} ${this.#orderBy(plan)} limit ${plan.limit}`,
    );
  }

  async #rows<R>(query: RawBuilder<unknown>): Promise<R[]> {
    const compiled = query.compile(this.#db) as CompiledQuery<R>;
    this.#onQuery?.(compiled);
    return (await this.#db.executeQuery(compiled)).rows;
  }
}

function where(conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;
}

function decodeCursor(cursor: string, sort: UserSort, order: SortOrder, spec: SortSpec): Position {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,4000}$/.test(cursor)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidRequest({ cursor: INVALID_CURSOR });
  }
  const { s, o, k, i } = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (
    s !== sort ||
    o !== order ||
    !spec.valid(k) ||
    typeof i !== 'string' ||
    i.length === 0 ||
    i.length > 200
  ) {
    throw invalidRequest({ cursor: INVALID_CURSOR });
  }
  return { key: k, id: i };
}

/**
 * The least string greater than every string that starts with `text`
 * (code-point order, as both databases compare bytes of UTF-8): the last
 * character moved on by one. Null when there is none.
 */
export function successor(text: string): string | null {
  const points = [...text].map((c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = (points.pop() ?? 0) + 1;
    if (last <= 0x10ffff) {
      points.push(last === 0xd800 ? 0xe000 : last);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}
