import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Tenants (see `src/tenants/`).
 *
 * - `tenants`: one row per organisation, found by its `slug`. `pool` says whose
 *   accounts sign in there: `shared` (the one user pool every shared tenant
 *   draws from; who may enter is said by `tenant_members`) or `isolated` (the
 *   tenant's own pool). `policy` is the tenant's login policy as JSON. The
 *   default tenant (`id = 'default'`) is created here: requests that name no
 *   tenant are its requests, and it owns the shared pool.
 * - `users.pool_id`: the tenant whose pool holds the account — `default` for
 *   the shared pool. Emails and usernames are unique within a pool, so the
 *   same address can be two unrelated accounts in two isolated tenants. The
 *   global unique indexes of migration 1 become per-pool ones; plain indexes
 *   on the email (with the id, the tie-break now that an address may repeat)
 *   and the username keep serving the admin list's sort and prefix search
 *   (migration 8).
 * - `tenant_members`: who belongs to which tenant; `tenant_member_groups`:
 *   the groups (roles) a member holds in that tenant only.
 * - `sessions.tenant_id`, `one_time_tokens.tenant_id`,
 *   `oauth_transactions.tenant_id`: the tenant a session, a mailed secret or
 *   a social sign-in was started in; none of them works in another.
 *
 * Adding a column with a constant default rewrites no rows on either dialect;
 * the index builds read the users table once each.
 */
export const tenants: Migration = {
  version: 13,
  name: 'tenants',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
    const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('pool', 'text', (c) => c.notNull())
      .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(sql`true`))
      .addColumn('logo_url', 'text')
      .addColumn('policy', json, (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('updated_at', timestamp, (c) => c.notNull())
      .execute();
    const now = new Date();
    await db
      .insertInto('tenants' as never)
      .values({
        id: 'default',
        slug: 'default',
        name: 'Default',
        pool: 'shared',
        policy: '{}',
        created_at: dialect === 'postgres' ? now : now.toISOString(),
        updated_at: dialect === 'postgres' ? now : now.toISOString(),
      } as never)
      .execute();

    await db.schema
      .alterTable('users')
      .addColumn('pool_id', 'text', (c) => c.notNull().defaultTo('default'))
      .execute();
    await db.schema.dropIndex('users_email_key').execute();
    await db.schema.dropIndex('users_username_key').execute();
    await db.schema
      .createIndex('users_pool_email_key')
      .unique()
      .on('users')
      .columns(['pool_id', 'email'])
      .execute();
    await db.schema
      .createIndex('users_pool_username_key')
      .unique()
      .on('users')
      .columns(['pool_id', 'username'])
      .execute();
    await db.schema.createIndex('users_email_idx').on('users').columns(['email', 'id']).execute();
    await db.schema.createIndex('users_username_idx').on('users').column('username').execute();

    await db.schema
      .createTable('tenant_members')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('tenant_members_pkey', ['tenant_id', 'user_id'])
      .execute();
    await db.schema.createIndex('tenant_members_user_idx').on('tenant_members').column('user_id').execute();

    await db.schema
      .createTable('tenant_member_groups')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('tenant_member_groups_pkey', ['tenant_id', 'user_id', 'group_id'])
      .addForeignKeyConstraint(
        'tenant_member_groups_member_fkey',
        ['tenant_id', 'user_id'],
        'tenant_members',
        ['tenant_id', 'user_id'],
        (c) => c.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('tenant_member_groups_user_idx')
      .on('tenant_member_groups')
      .columns(['user_id', 'tenant_id'])
      .execute();

    await db.schema
      .alterTable('sessions')
      .addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default'))
      .execute();
    await db.schema
      .alterTable('one_time_tokens')
      .addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default'))
      .execute();
    await db.schema
      .alterTable('oauth_transactions')
      .addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default'))
      .execute();
  },
};
