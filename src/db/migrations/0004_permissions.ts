import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Django's authorization model: permissions (`resource.action`), groups that
 * carry permissions (the roles), and the two ways a user holds a permission —
 * through a group or directly. Deleting a user, group or permission removes
 * its assignments with it.
 */
export const permissions: Migration = {
  version: 4,
  name: 'permissions_and_groups',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

    await db.schema
      .createTable('permissions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('codename', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('permissions_codename_key')
      .unique()
      .on('permissions')
      .column('codename')
      .execute();

    await db.schema
      .createTable('groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('groups_name_key').unique().on('groups').column('name').execute();

    await db.schema
      .createTable('group_permissions')
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('permission_id', 'text', (c) => c.notNull().references('permissions.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('group_permissions_pkey', ['group_id', 'permission_id'])
      .execute();
    await db.schema
      .createTable('user_groups')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('user_groups_pkey', ['user_id', 'group_id'])
      .execute();
    await db.schema.createIndex('user_groups_group_idx').on('user_groups').column('group_id').execute();
    await db.schema
      .createTable('user_permissions')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('permission_id', 'text', (c) => c.notNull().references('permissions.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('user_permissions_pkey', ['user_id', 'permission_id'])
      .execute();
  },
};
