import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Social sign-in (see `src/methods/oauth/`).
 *
 * `accounts` holds external identities linked to users: one row per
 * (provider, subject), the subject being the provider's stable user id (`sub`)
 * — never the email, which the provider may let its user change. Provider
 * tokens are kept only when a provider is configured to keep them, and then
 * sealed (AES-256-GCM under a key derived from the server secret).
 *
 * `oauth_transactions` holds a started authorization request until its
 * callback: looked up by the SHA-256 of a secret kept in a cookie of the
 * browser that started it; the `state`, `nonce` and PKCE verifier are derived
 * from that secret, so no row holds anything that completes a sign-in. A row
 * is spent by the callback (single use) and expires after ten minutes.
 */
export const socialAccounts: Migration = {
  version: 11,
  name: 'social_accounts',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('email_verified', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
      .addColumn('access_token', 'text')
      .addColumn('refresh_token', 'text')
      .addColumn('token_expires_at', timestamp)
      .addColumn('scope', 'text')
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('last_used_at', timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('accounts_provider_subject_key')
      .unique()
      .on('accounts')
      .columns(['provider', 'subject'])
      .execute();
    await db.schema.createIndex('accounts_user_idx').on('accounts').column('user_id').execute();

    await db.schema
      .createTable('oauth_transactions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('intent', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('session_id', 'text')
      .addColumn('redirect_to', 'text')
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('expires_at', timestamp, (c) => c.notNull())
      .addColumn('used_at', timestamp)
      .execute();
    await db.schema
      .createIndex('oauth_transactions_secret_hash_key')
      .unique()
      .on('oauth_transactions')
      .column('secret_hash')
      .execute();
    await db.schema
      .createIndex('oauth_transactions_expires_at_idx')
      .on('oauth_transactions')
      .column('expires_at')
      .execute();
  },
};
