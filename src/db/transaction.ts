/**
 * Write transactions that behave the same on both dialects.
 *
 * On SQLite a plain `BEGIN` is deferred: it takes the write lock only at its
 * first write, and if another process committed in between, the upgrade fails
 * at once with SQLITE_BUSY (the busy timeout cannot help). `BEGIN IMMEDIATE`
 * takes the lock up front, so concurrent writers queue instead of failing.
 * Kysely's SQLite driver holds its single connection for the whole callback,
 * so nothing else in this process interleaves with the transaction.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import type { DatabaseSchema } from './schema.js';

export type Executor = Kysely<DatabaseSchema>;

export async function writeTransaction<T>(
  database: Database,
  work: (trx: Executor) => Promise<T>,
): Promise<T> {
  if (database.dialect === 'postgres') return database.db.transaction().execute(work);
  return database.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
