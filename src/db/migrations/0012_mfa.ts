import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Second factors and passkeys (see `src/methods/mfa/` and `src/methods/passkeys/`).
 *
 * - `mfa_factors`: a user's TOTP authenticator. The secret is sealed
 *   (AES-256-GCM under a key derived from the server secret); `confirmed_at`
 *   stays null until a first code proves the app holds it, and only then does
 *   the factor count. `last_step` is the latest 30-second step a code was
 *   accepted for: a code is accepted only for a later step, once.
 * - `recovery_codes`: look-up secrets, argon2id-hashed under a salt shared by
 *   one set (so a guess costs one hash whatever the set's size); `used_at`
 *   marks one spent.
 * - `mfa_challenges`: a sign-in whose first factor passed and whose second is
 *   awaited — found by the SHA-256 of the challenge handed to the client, never
 *   a session; `attempts` counts every try at the second factor.
 * - `passkeys`: WebAuthn credentials (public key, signature counter).
 * - `webauthn_challenges`: a ceremony's challenge, found by its SHA-256 (the
 *   browser signs over it), spent once, for one purpose and, when known, one user.
 * - `trusted_devices`: "remember this browser", found by the SHA-256 of the
 *   device cookie's secret; deleting the row forgets the browser.
 */
export const mfa: Migration = {
  version: 12,
  name: 'mfa',
  async up(db: Kysely<unknown>, dialect) {
    const timestamp = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
    const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

    await db.schema
      .createTable('mfa_factors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('confirmed_at', timestamp)
      .addColumn('last_used_at', timestamp)
      .execute();
    await db.schema
      .createIndex('mfa_factors_user_kind_key')
      .unique()
      .on('mfa_factors')
      .columns(['user_id', 'kind'])
      .execute();

    await db.schema
      .createTable('recovery_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('salt', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('used_at', timestamp)
      .execute();
    await db.schema.createIndex('recovery_codes_user_idx').on('recovery_codes').column('user_id').execute();

    await db.schema
      .createTable('mfa_challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('amr', json, (c) => c.notNull().defaultTo('[]'))
      .addColumn('data', json, (c) => c.notNull().defaultTo('{}'))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('expires_at', timestamp, (c) => c.notNull())
      .addColumn('used_at', timestamp)
      .execute();
    await db.schema
      .createIndex('mfa_challenges_token_hash_key')
      .unique()
      .on('mfa_challenges')
      .column('token_hash')
      .execute();
    await db.schema
      .createIndex('mfa_challenges_expires_at_idx')
      .on('mfa_challenges')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('credential_id', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('transports', json, (c) => c.notNull().defaultTo('[]'))
      .addColumn('device_type', 'text', (c) => c.notNull())
      .addColumn('backed_up', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
      .addColumn('aaguid', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('last_used_at', timestamp)
      .execute();
    await db.schema
      .createIndex('passkeys_credential_id_key')
      .unique()
      .on('passkeys')
      .column('credential_id')
      .execute();
    await db.schema.createIndex('passkeys_user_idx').on('passkeys').column('user_id').execute();

    await db.schema
      .createTable('webauthn_challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('challenge_hash', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('expires_at', timestamp, (c) => c.notNull())
      .addColumn('used_at', timestamp)
      .execute();
    await db.schema
      .createIndex('webauthn_challenges_challenge_hash_key')
      .unique()
      .on('webauthn_challenges')
      .column('challenge_hash')
      .execute();
    await db.schema
      .createIndex('webauthn_challenges_expires_at_idx')
      .on('webauthn_challenges')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('trusted_devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text')
      .addColumn('ip', 'text')
      .addColumn('created_at', timestamp, (c) => c.notNull())
      .addColumn('last_used_at', timestamp, (c) => c.notNull())
      .addColumn('expires_at', timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('trusted_devices_token_hash_key')
      .unique()
      .on('trusted_devices')
      .column('token_hash')
      .execute();
    await db.schema.createIndex('trusted_devices_user_idx').on('trusted_devices').column('user_id').execute();
  },
};
