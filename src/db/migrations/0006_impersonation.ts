import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Impersonation: a session a staff member opened as another user names that
 * staff member and the session to return to (deleting the staff member ends
 * it). Audit events are also looked up by actor, and pruned by age.
 */
export const impersonation: Migration = {
  version: 6,
  name: 'impersonation',
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('sessions')
      .addColumn('impersonator_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .execute();
    await db.schema.alterTable('sessions').addColumn('impersonator_session_id', 'text').execute();
    await db.schema
      .createIndex('audit_events_actor_idx')
      .on('audit_events')
      .columns(['actor_id', 'id'])
      .execute();
    await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
  },
};
