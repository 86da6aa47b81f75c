import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * The mail outbox: one row per message, rendered when it is queued and sent
 * by whichever worker claims it. Being rows, messages survive restarts;
 * `locked_until` is the lease a worker holds while sending, so several
 * workers never send one message twice in the normal case. The bodies carry
 * live links and codes: they are dropped once a message is sent or given up.
 */
export const mailOutbox: Migration = {
  version: 9,
  name: 'mail_outbox',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

    await db.schema
      .createTable('mail_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('from_address', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('text_body', 'text')
      .addColumn('html_body', 'text')
      .addColumn('headers', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('transport', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', timestamp, (c) => c.notNull())
      .addColumn('locked_until', timestamp)
      .addColumn('lock_token', 'text')
      .addColumn('last_attempt_at', timestamp)
      .addColumn('last_error', 'text')
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('sent_at', timestamp)
      .execute();
    await db.schema
      .createIndex('mail_outbox_due_idx')
      .on('mail_outbox')
      .columns(['status', 'next_attempt_at'])
      .execute();
  },
};
