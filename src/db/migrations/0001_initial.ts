import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/** Users and the registry of custom user-field columns. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = dialect === 'postgres' ? 'timestamptz' : 'text';
    const json = dialect === 'postgres' ? 'jsonb' : 'text';

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('email_verified_at', sql.raw(timestamp))
      .addColumn('username', 'text')
      .addColumn('password_hash', 'text')
      .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(sql`true`))
      .addColumn('is_staff', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
      .addColumn('is_superuser', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
      .addColumn('last_login_at', sql.raw(timestamp))
      .addColumn('created_at', sql.raw(timestamp), (c) => c.notNull())
      .addColumn('updated_at', sql.raw(timestamp), (c) => c.notNull())
      .addColumn('metadata', sql.raw(json), (c) => c.notNull().defaultTo('{}'))
      .execute();
    // Emails and usernames are stored normalised (trimmed, NFKC, lower-case),
    // so plain unique indexes make them unique case-insensitively.
    await db.schema.createIndex('users_email_key').unique().on('users').column('email').execute();
    await db.schema.createIndex('users_username_key').unique().on('users').column('username').execute();

    await db.schema
      .createTable('gatehouse_user_fields')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('column_name', 'text', (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('added_at', sql.raw(timestamp), (c) => c.notNull())
      .execute();
  },
};
