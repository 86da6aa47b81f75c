import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * The webhook outbox and delivery log: one row per (audit event, webhook),
 * written when the event is recorded and updated by whichever worker claims
 * it. Being rows, deliveries survive restarts; `locked_until` is the lease a
 * worker holds while sending, so several workers never send one row twice.
 */
export const webhooks: Migration = {
  version: 7,
  name: 'webhook_deliveries',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

    // No foreign key to audit_events: audit retention may delete the event before its delivery log is pruned.
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', timestamp, (c) => c.notNull())
      .addColumn('locked_until', timestamp)
      .addColumn('lock_token', 'text')
      .addColumn('last_attempt_at', timestamp)
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', timestamp)
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_event_id_key')
      .unique()
      .on('webhook_deliveries')
      .columns(['event_id', 'webhook'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_due_idx')
      .on('webhook_deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
  },
};
