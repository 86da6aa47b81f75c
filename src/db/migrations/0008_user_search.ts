import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Indexes behind the admin user list (`auth.users.list`, `GET /auth/admin/users`,
 * see `accounts/user-store.ts`) so that it stays fast at a million users:
 *
 * - **sort keys** with `id` as tie-break, walked in either direction for keyset
 *   pagination: `(created_at, id)` and `(coalesce(last_login_at, <never>), id)`
 *   (a user who never signed in sorts as the oldest sign-in). The email sort uses
 *   the unique index of migration 1.
 * - **prefix search** (`match=prefix`) on the lower-cased email, username, first
 *   and last name. Emails and usernames are stored lower-case already, so their
 *   own columns are indexed; names through `lower(...)`.
 * - **contains search** (`match=contains`, 3 characters or more): trigrams.
 *   - SQLite: `users_search`, a contentless FTS5 table with
 *     `tokenize='trigram case_sensitive 1'` over the same lower-cased texts.
 *     `detail=column` (which texts have a trigram, not where) halves what it
 *     costs an import: the search asks for every trigram of the text and
 *     checks the candidates' texts, so it stays exact. Its rowids come from
 *     `users_search_keys` (an `INTEGER PRIMARY KEY` per user id): the `users`
 *     table has a text primary key, and its implicit rowid may change on `VACUUM`.
 *     Triggers on `users` keep both in step (insert, update of a searched
 *     column, delete); existing users are copied in here.
 *   - PostgreSQL: GIN `gin_trgm_ops` indexes (pg_trgm) on each searched text.
 *     The extension is created `WITH SCHEMA public` when missing (pg_trgm is a
 *     trusted extension: the database owner may create it) and its operator
 *     class is named with the schema it lives in, so the indexes build whatever
 *     the `search_path` (the test suites run in a schema of their own). If it
 *     cannot be created, the migration warns once (a Node process warning) and
 *     goes on without these indexes: contains search still works, as a scan.
 *     To add them later, create the extension and the `users_*_trgm_idx`
 *     indexes below by hand.
 * - **rare flags**: partial indexes of the staff, the superusers and the
 *   inactive users, so a filter on one of them finds its few users at once.
 */
export const userSearch: Migration = {
  version: 8,
  name: 'user_search',
  async up(db: Kysely<unknown>, dialect) {
    if (dialect === 'postgres') await postgres(db);
    else await sqlite(db);
  },
};

async function sqlite(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    sql`create index users_created_idx on users (created_at, id)`,
    sql`create index users_last_login_idx on users (coalesce(last_login_at, ''), id)`,
    sql`create index users_first_name_prefix_idx on users (lower(first_name))`,
    sql`create index users_last_name_prefix_idx on users (lower(last_name))`,
    sql`create index users_staff_idx on users (id) where is_staff`,
    sql`create index users_superuser_idx on users (id) where is_superuser`,
    sql`create index users_inactive_idx on users (id) where not is_active`,
    sql`create table users_search_keys (key integer primary key, user_id text not null unique)`,
    sql`create virtual table users_search using fts5(
      email, username, first_name, last_name,
      content='', contentless_delete=1, detail=column, tokenize='trigram case_sensitive 1'
    )`,
    sql`create trigger users_search_insert after insert on users begin
      insert into users_search_keys (user_id) values (new.id);
      insert into users_search (rowid, email, username, first_name, last_name)
      values (last_insert_rowid(), new.email, coalesce(new.username, ''), lower(new.first_name), lower(new.last_name));
    end`,
    sql`create trigger users_search_update after update of id, email, username, first_name, last_name on users begin
      update users_search_keys set user_id = new.id where user_id = old.id and old.id <> new.id;
      delete from users_search where rowid = (select key from users_search_keys where user_id = new.id);
      insert into users_search (rowid, email, username, first_name, last_name)
      values (
        (select key from users_search_keys where user_id = new.id),
        new.email, coalesce(new.username, ''), lower(new.first_name), lower(new.last_name)
      );
    end`,
    sql`create trigger users_search_delete after delete on users begin
      delete from users_search where rowid = (select key from users_search_keys where user_id = old.id);
      delete from users_search_keys where user_id = old.id;
    end`,
    // The users there already.
    sql`insert into users_search_keys (user_id) select id from users order by created_at, id`,
    sql`insert into users_search (rowid, email, username, first_name, last_name)
      select k.key, u.email, coalesce(u.username, ''), lower(u.first_name), lower(u.last_name)
      from users_search_keys k join users u on u.id = k.user_id`,
  ]) {
    await statement.execute(db);
  }
}

async function postgres(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    sql`create index users_created_idx on users (created_at, id)`,
    sql`create index users_last_login_idx on users ((coalesce(last_login_at, '-infinity'::timestamptz)), id)`,
    // text_pattern_ops: LIKE 'prefix%' can use these whatever the database's collation.
    sql`create index users_email_prefix_idx on users (email text_pattern_ops)`,
    sql`create index users_username_prefix_idx on users (username text_pattern_ops)`,
    sql`create index users_first_name_prefix_idx on users (lower(first_name) text_pattern_ops)`,
    sql`create index users_last_name_prefix_idx on users (lower(last_name) text_pattern_ops)`,
    sql`create index users_staff_idx on users (id) where is_staff`,
    sql`create index users_superuser_idx on users (id) where is_superuser`,
    sql`create index users_inactive_idx on users (id) where not is_active`,
  ]) {
    await statement.execute(db);
  }
  const schema = await trigramSchema(db);
  if (!schema) return;
  const opclass = sql`${sql.id(schema)}.gin_trgm_ops`;
  for (const [name, expression] of [
    ['users_email_trgm_idx', sql`email`],
    ['users_username_trgm_idx', sql`username`],
    ['users_first_name_trgm_idx', sql`lower(first_name)`],
    ['users_last_name_trgm_idx', sql`lower(last_name)`],
  ] as const) {
    await sql`create index ${sql.id(name)} on users using gin ((${expression}) ${opclass})`.execute(db);
  }
}

/**
 * The schema pg_trgm lives in, after creating it in `public` if it was not
 * installed; null (and a warning) when it cannot be. A savepoint keeps a
 * failure from aborting the migration's transaction.
 */
async function trigramSchema(db: Kysely<unknown>): Promise<string | null> {
  await sql`savepoint gatehouse_pg_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    await sql`release savepoint gatehouse_pg_trgm`.execute(db);
  } catch (error) {
    await sql`rollback to savepoint gatehouse_pg_trgm`.execute(db);
    const installed = await installedSchema(db);
    if (installed) return installed;
    process.emitWarning(
      `Gatehouse could not create the PostgreSQL extension pg_trgm (${(error as Error).message}). ` +
        'Searching users for text they contain will scan the users table instead of using trigram indexes. ' +
        'See src/db/migrations/0008_user_search.ts to add them later.',
      { code: 'GATEHOUSE_NO_PG_TRGM' },
    );
    return null;
  }
  return installedSchema(db);
}

async function installedSchema(db: Kysely<unknown>): Promise<string | null> {
  const { rows } = await sql<{ schema: string }>`
    select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_trgm'`.execute(db);
  return rows[0]?.schema ?? null;
}
