import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Server-side sessions. Only the SHA-256 of a session's secret is stored, so a
 * leaked table cannot be replayed as cookies. `users.session_epoch` is bumped
 * to end every session of a user at once (password change, deactivation).
 */
export const sessions: Migration = {
  version: 2,
  name: 'sessions',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = dialect === 'postgres' ? 'timestamptz' : 'text';
    const json = dialect === 'postgres' ? 'jsonb' : 'text';

    await db.schema
      .alterTable('users')
      .addColumn('session_epoch', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('user_epoch', 'integer', (c) => c.notNull())
      .addColumn('created_at', sql.raw(timestamp), (c) => c.notNull())
      .addColumn('last_seen_at', sql.raw(timestamp), (c) => c.notNull())
      .addColumn('expires_at', sql.raw(timestamp), (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('amr', sql.raw(json), (c) => c.notNull().defaultTo('[]'))
      .addColumn('data', sql.raw(json), (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .createIndex('sessions_token_hash_key')
      .unique()
      .on('sessions')
      .column('token_hash')
      .execute();
    await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();
    await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();
  },
};
