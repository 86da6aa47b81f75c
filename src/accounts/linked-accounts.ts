/**
 * External identities linked to users (`auth.accounts`): the `accounts` table.
 *
 * An identity is keyed by (provider, subject), the subject being the
 * provider's stable id for its user, so the same email at two providers, or
 * the same subject string at two providers, are two identities. One user may
 * hold several identities, even two at the same provider.
 *
 * Provider tokens are stored only when given, and then sealed with the row id
 * and column as context: a copy of the table opens nothing, and a sealed token
 * moved to another row does not open either.
 */

import { createId, type Sealer } from '../crypto.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { type Executor, writeTransaction } from '../db/transaction.js';
import { readBool, readDate, readOptionalDate } from '../db/values.js';
import { AuthError } from '../errors.js';
import { isUsable } from '../passwords/index.js';

export type LinkedAccountId = `acc_${string}`;

export interface LinkedAccount {
  id: LinkedAccountId;
  userId: string;
  /** The provider's id in the configuration (`google`, `github`, …). */
  provider: string;
  /** The provider's stable id for its user (OpenID Connect's `sub`). */
  subject: string;
  /** The address the provider gave at the last sign-in, as it gave it. */
  email: string | null;
  /** Whether the provider asserted, at the last sign-in, that it verified that address. */
  emailVerified: boolean;
  createdAt: Date;
  lastUsedAt: Date;
}

/** What a provider answered about its user. */
export interface ExternalIdentity {
  provider: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

/** The provider's tokens, kept (sealed) only for providers configured to keep them. */
export interface ProviderTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  scope: string | null;
}

type AccountRow = {
  id: string;
  user_id: string;
  provider: string;
  subject: string;
  email: string | null;
  email_verified: unknown;
  created_at: unknown;
  last_used_at: unknown;
};

const COLUMNS = [
  'id',
  'user_id',
  'provider',
  'subject',
  'email',
  'email_verified',
  'created_at',
  'last_used_at',
] as const;

export class LinkedAccounts {
  readonly #database: Database;
  readonly #now: () => Date;
  readonly #sealer: Sealer | null;

  constructor(options: { database: Database; now: () => Date; sealer?: Sealer | null }) {
    this.#database = options.database;
    this.#now = options.now;
    this.#sealer = options.sealer ?? null;
  }

  /** The identity a provider's subject is linked as, or null. */
  async find(provider: string, subject: string): Promise<LinkedAccount | null> {
    const row = await this.#database.db
      .selectFrom('accounts')
      .select(COLUMNS)
      .where('provider', '=', provider)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row ? accountFromRow(row) : null;
  }

  /** A user's identities, oldest first. */
  async list(userId: string): Promise<LinkedAccount[]> {
    const rows = await this.#database.db
      .selectFrom('accounts')
      .select(COLUMNS)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(accountFromRow);
  }

  /**
   * Links an identity to a user. Pass `executor` to write in a transaction
   * already open (creating the user and linking it commit together). Throws
   * `conflict` when the identity is linked already (to anyone).
   */
  async link(
    userId: string,
    identity: ExternalIdentity,
    options: { tokens?: ProviderTokens | null; executor?: Executor } = {},
  ): Promise<LinkedAccount> {
    const now = this.#now();
    const id = createId('acc', now);
    const row = {
      id,
      user_id: userId,
      provider: identity.provider,
      subject: identity.subject,
      email: identity.email,
      email_verified: identity.emailVerified,
      ...this.#tokenColumns(id, options.tokens ?? null),
      created_at: now,
      last_used_at: now,
    };
    try {
      await (options.executor ?? this.#database.db).insertInto('accounts').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError('conflict', 'This identity is already linked to an account.', { cause: error });
      throw error;
    }
    return accountFromRow(row);
  }

  /** Records a sign-in with the identity: what the provider now says about the address, and fresh tokens. */
  async recordUse(account: LinkedAccount, identity: ExternalIdentity, tokens: ProviderTokens | null) {
    await this.#database.db
      .updateTable('accounts')
      .set({
        email: identity.email,
        email_verified: identity.emailVerified,
        last_used_at: this.#now(),
        ...(tokens ? this.#tokenColumns(account.id, tokens) : {}),
      })
      .where('id', '=', account.id)
      .execute();
  }

  /** The kept tokens of an identity, opened; null when none are kept (or the secret changed). */
  async tokens(id: string): Promise<ProviderTokens | null> {
    const row = await this.#database.db
      .selectFrom('accounts')
      .select(['access_token', 'refresh_token', 'token_expires_at', 'scope'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row?.access_token || !this.#sealer) return null;
    const accessToken = this.#sealer.open(row.access_token, `${id}:access_token`);
    if (accessToken === null) return null;
    return {
      accessToken,
      refreshToken: row.refresh_token ? this.#sealer.open(row.refresh_token, `${id}:refresh_token`) : null,
      expiresAt: readOptionalDate(row.token_expires_at),
      scope: row.scope,
    };
  }

  /**
   * Unlinks one of a user's identities — never the last way the user has to
   * sign in: they must keep a usable password, another identity or a
   * passkey. Throws `not_found` (not theirs) or `conflict` (the last way in).
   */
  async unlink(userId: string, id: string): Promise<LinkedAccount> {
    return writeTransaction(this.#database, async (trx) => {
      // The user's row, locked: two unlinks racing each see the other's effect.
      let owner = trx.selectFrom('users').select('password_hash').where('id', '=', userId);
      if (this.#database.dialect === 'postgres') owner = owner.forUpdate();
      const user = await owner.executeTakeFirst();
      const accounts = await trx
        .selectFrom('accounts')
        .select(COLUMNS)
        .where('user_id', '=', userId)
        .execute();
      const target = accounts.find((row) => row.id === id);
      if (!user || !target) throw new AuthError('not_found', 'There is no such linked account.');
      const lastWayIn =
        accounts.length === 1 &&
        !isUsable(user.password_hash) &&
        !(await trx.selectFrom('passkeys').select('id').where('user_id', '=', userId).executeTakeFirst());
      if (lastWayIn) {
        throw new AuthError(
          'conflict',
          'This is the only way you sign in: set a password or link another account before unlinking it.',
        );
      }
      await trx.deleteFrom('accounts').where('id', '=', id).execute();
      return accountFromRow(target);
    });
  }

  #tokenColumns(id: string, tokens: ProviderTokens | null) {
    if (!tokens || !this.#sealer) {
      return { access_token: null, refresh_token: null, token_expires_at: null, scope: null };
    }
    return {
      access_token: this.#sealer.seal(tokens.accessToken, `${id}:access_token`),
      refresh_token: tokens.refreshToken
        ? this.#sealer.seal(tokens.refreshToken, `${id}:refresh_token`)
        : null,
      token_expires_at: tokens.expiresAt,
      scope: tokens.scope,
    };
  }
}

function accountFromRow(row: AccountRow): LinkedAccount {
  return {
    id: row.id as LinkedAccountId,
    userId: row.user_id,
    provider: row.provider,
    subject: row.subject,
    email: row.email,
    emailVerified: readBool(row.email_verified),
    createdAt: readDate(row.created_at),
    lastUsedAt: readDate(row.last_used_at),
  };
}
