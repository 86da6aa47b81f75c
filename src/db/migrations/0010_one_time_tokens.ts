import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Single-use secrets sent by mail: password reset, email verification, email
 * change, magic links and email one-time codes (see `src/tokens/`). Only the
 * SHA-256 of a link token is stored (of `id:code` for a code), so a copy of the
 * table opens nothing. `user_epoch` holds the user's session epoch at issue
 * for the purposes a password change must end (reset, email change); a token
 * whose epoch no longer matches is refused. `user_id` is null for a magic link
 * or code sent to an address that has no account yet.
 */
export const oneTimeTokens: Migration = {
  version: 10,
  name: 'one_time_tokens',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
    const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

    await db.schema
      .createTable('one_time_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('data', json, (c) => c.notNull().defaultTo('{}'))
      .addColumn('user_epoch', 'integer')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('expires_at', timestamp, (c) => c.notNull())
      .addColumn('used_at', timestamp)
      .execute();
    await db.schema
      .createIndex('one_time_tokens_token_hash_key')
      .unique()
      .on('one_time_tokens')
      .column('token_hash')
      .execute();
    await db.schema
      .createIndex('one_time_tokens_user_idx')
      .on('one_time_tokens')
      .columns(['user_id', 'purpose'])
      .execute();
    await db.schema
      .createIndex('one_time_tokens_email_idx')
      .on('one_time_tokens')
      .columns(['email', 'purpose'])
      .execute();
    await db.schema
      .createIndex('one_time_tokens_expires_at_idx')
      .on('one_time_tokens')
      .column('expires_at')
      .execute();
  },
};
