/** Queries on `users`. Rows come back raw; `./user.ts` maps them to user objects. */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { Executor } from '../db/transaction.js';

export type UserRow = Record<string, unknown> & { id: string; password_hash: string | null };

export class UserStore {
  readonly #db: Executor;

  constructor(database: Database) {
    this.#db = database.db;
  }

  async insert(values: Record<string, unknown>, executor: Executor = this.#db): Promise<UserRow> {
    // Custom-field columns are not in the static schema, hence the cast.
    return (await executor
      .insertInto('users')
      .values(values as never)
      .returningAll()
      .executeTakeFirstOrThrow()) as UserRow;
  }

  async findBy(column: 'id' | 'email' | 'username', value: string): Promise<UserRow | undefined> {
    return (await this.#db.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst()) as
      | UserRow
      | undefined;
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

  /** Ids are time-ordered, so keyset pagination on `id` lists users oldest first and stays O(limit). */
  async list(options: {
    after?: string;
    limit: number;
    search?: string;
    isActive?: boolean;
    isStaff?: boolean;
  }): Promise<UserRow[]> {
    let query = this.#db.selectFrom('users').selectAll().orderBy('id').limit(options.limit);
    if (options.after) query = query.where('id', '>', options.after);
    if (options.isActive !== undefined) query = query.where('is_active', '=', options.isActive);
    if (options.isStaff !== undefined) query = query.where('is_staff', '=', options.isStaff);
    if (options.search) {
      // Case-insensitive "contains" on both dialects; a backslash escapes LIKE wildcards in the search text.
      const pattern = `%${options.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or(
          (['email', 'username', 'first_name', 'last_name'] as const).map(
            (column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    return (await query.execute()) as UserRow[];
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
