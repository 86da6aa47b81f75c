import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Marks the permissions `gatehouse migrate` made from the configured
 * resources, so that one whose resource has left the config can be reported
 * (never silently deleted), while permissions made at run time are left alone.
 */
export const declaredPermissions: Migration = {
  version: 5,
  name: 'declared_permissions',
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('permissions')
      .addColumn('declared', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
      .execute();
  },
};
