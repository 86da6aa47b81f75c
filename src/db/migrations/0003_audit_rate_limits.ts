import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * What the HTTP API needs beyond users and sessions: the audit trail, durable
 * rate-limit counters (they survive restarts and are shared by every instance
 * on one PostgreSQL), and anonymous sessions (data kept before sign-in).
 */
export const auditAndRateLimits: Migration = {
  version: 3,
  name: 'audit_rate_limits_anonymous_sessions',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
    const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

    // No foreign keys: the trail of a user outlives the user.
    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', timestamp, (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('actor_id', 'text')
      .addColumn('tenant_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('details', json, (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .createIndex('audit_events_user_idx')
      .on('audit_events')
      .columns(['user_id', 'id'])
      .execute();
    await db.schema.createIndex('audit_events_type_idx').on('audit_events').columns(['type', 'id']).execute();

    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('reset_at', timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_reset_at_idx').on('rate_limits').column('reset_at').execute();

    await db.schema
      .createTable('anonymous_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('last_seen_at', timestamp, (c) => c.notNull())
      .addColumn('expires_at', timestamp, (c) => c.notNull())
      .addColumn('data', json, (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .createIndex('anonymous_sessions_token_hash_key')
      .unique()
      .on('anonymous_sessions')
      .column('token_hash')
      .execute();
    await db.schema
      .createIndex('anonymous_sessions_expires_at_idx')
      .on('anonymous_sessions')
      .column('expires_at')
      .execute();
  },
};
