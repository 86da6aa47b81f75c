/**
 * Authorization requests between their start and their callback
 * (`oauth_transactions`).
 *
 * Starting one mints a 256-bit secret that goes into a cookie of the browser
 * that started it; the row is found by the secret's SHA-256. The `state`, the
 * `nonce` and the PKCE verifier are derived from the secret (HMAC with a
 * label), so they are never stored, and a callback delivered to another
 * browser — one without the cookie — has nothing to check them against.
 * Taking a transaction spends it in one `UPDATE … RETURNING`: of two callbacks
 * racing with the same cookie, one gets it.
 */
import { constantTimeEqual, createId, createSecretToken, deriveToken, sha256Hex } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { readDate } from '../../db/values.js';

/** How long a started sign-in waits for its callback. */
export const TRANSACTION_TTL_SECONDS = 600;

export type OAuthIntent = 'sign_in' | 'link';

export interface OAuthTransaction {
  id: string;
  provider: string;
  intent: OAuthIntent;
  /** `link`: the user, and the session, that asked to link. */
  userId: string | null;
  sessionId: string | null;
  /** Where to send the browser afterwards (already checked against the trusted origins). */
  redirectTo: string | null;
  /** The tenant the sign-in started in: it ends there, whichever URL the provider calls back. */
  tenantId: string;
  expiresAt: Date;
}

/** The values an authorization request carries, derived from the transaction's secret. */
export interface TransactionChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export function checksFor(secret: string): TransactionChecks {
  return {
    state: deriveToken(secret, 'oauth state'),
    nonce: deriveToken(secret, 'oauth nonce'),
    codeVerifier: deriveToken(secret, 'oauth pkce verifier'),
  };
}

/** Whether a callback's `state` is the one derived from the secret (constant time). */
export function stateMatches(secret: string, state: string | null): boolean {
  if (state === null) return false;
  return constantTimeEqual(Buffer.from(checksFor(secret).state), Buffer.from(state));
}

export class OAuthTransactions {
  readonly #database: Database;
  readonly #now: () => Date;

  constructor(options: { database: Database; now: () => Date }) {
    this.#database = options.database;
    this.#now = options.now;
  }

  async begin(input: {
    provider: string;
    intent: OAuthIntent;
    userId?: string | null;
    sessionId?: string | null;
    redirectTo?: string | null;
    tenantId?: string;
  }): Promise<{ secret: string; checks: TransactionChecks; transaction: OAuthTransaction }> {
    const now = this.#now();
    const secret = createSecretToken();
    const transaction: OAuthTransaction = {
      id: createId('oat', now),
      provider: input.provider,
      intent: input.intent,
      userId: input.userId ?? null,
      sessionId: input.sessionId ?? null,
      redirectTo: input.redirectTo ?? null,
      tenantId: input.tenantId ?? 'default',
      expiresAt: new Date(now.getTime() + TRANSACTION_TTL_SECONDS * 1000),
    };
    await this.#database.db
      .insertInto('oauth_transactions')
      .values({
        id: transaction.id,
        secret_hash: sha256Hex(secret),
        provider: transaction.provider,
        intent: transaction.intent,
        user_id: transaction.userId,
        session_id: transaction.sessionId,
        redirect_to: transaction.redirectTo,
        tenant_id: transaction.tenantId,
        created_at: now,
        expires_at: transaction.expiresAt,
      })
      .execute();
    return { secret, checks: checksFor(secret), transaction };
  }

  /**
   * Spends the transaction of a secret for a provider: null when there is
   * none, it was spent, it expired, or it was started for another provider.
   */
  async take(provider: string, secret: string): Promise<OAuthTransaction | null> {
    const now = this.#now();
    const row = await this.#database.db
      .updateTable('oauth_transactions')
      .set({ used_at: now })
      .where('secret_hash', '=', sha256Hex(secret))
      .where('provider', '=', provider)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning([
        'id',
        'provider',
        'intent',
        'user_id',
        'session_id',
        'redirect_to',
        'tenant_id',
        'expires_at',
      ])
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      provider: row.provider,
      intent: row.intent === 'link' ? 'link' : 'sign_in',
      userId: row.user_id,
      sessionId: row.session_id,
      redirectTo: row.redirect_to,
      tenantId: row.tenant_id,
      expiresAt: readDate(row.expires_at),
    };
  }

  /** Deletes spent and expired transactions (housekeeping). */
  async deleteExpired(): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('oauth_transactions')
      .where((eb) => eb.or([eb('expires_at', '<=', this.#now()), eb('used_at', 'is not', null)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
