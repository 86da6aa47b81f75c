import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Token mode for services (see `src/sessions/token-mode/`).
 *
 * - `signing_keys`: the keys access tokens are signed with. The private key
 *   is a JWK sealed under the server secret (AES-256-GCM, the key id as
 *   associated data); the public one is kept plain for the JWKS. The newest
 *   key whose `activates_at` has come signs until its `retired_at`; a key is
 *   published from its creation (a scheduled one an hour before it signs)
 *   until every token it signed has expired.
 * - `refresh_tokens`: opaque refresh tokens, found by the SHA-256 of the
 *   secret. One family per session exchanged for tokens; each use spends a
 *   token (`used_at`) and makes its child (`parent_id`). The rows go with
 *   their session (`on delete cascade`): ending the session kills the family.
 */
export const serviceTokens: Migration = {
  version: 14,
  name: 'service_tokens',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

    await db.schema
      .createTable('signing_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('activates_at', timestamp, (c) => c.notNull())
      .addColumn('retired_at', timestamp)
      .execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('parent_id', 'text')
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('expires_at', timestamp, (c) => c.notNull())
      .addColumn('used_at', timestamp)
      .execute();
    await db.schema
      .createIndex('refresh_tokens_session_idx')
      .on('refresh_tokens')
      .column('session_id')
      .execute();
    await db.schema
      .createIndex('refresh_tokens_parent_idx')
      .on('refresh_tokens')
      .column('parent_id')
      .execute();
  },
};
