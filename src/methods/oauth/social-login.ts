/**
 * Social sign-in (`auth.oauth`): starting an authorization request, checking
 * its callback, and deciding which user the provider's identity is.
 *
 * The decision, for an identity not yet linked:
 * - an account with the same address is linked to automatically only when the
 *   provider asserts it verified the address **and** the account's address is
 *   verified — otherwise whoever registered the address first (or whoever
 *   controls a provider that does not verify addresses) could take the other
 *   side's account. Anything less is refused with `conflict`: the owner signs
 *   in the usual way and links the provider from their account page;
 * - no account with that address: a new one, when sign-up is open.
 */
import type { CustomFields } from '../../accounts/custom-fields.js';
import { parseEmail } from '../../accounts/email.js';
import type {
  ExternalIdentity,
  LinkedAccount,
  LinkedAccounts,
  ProviderTokens,
} from '../../accounts/linked-accounts.js';
import type { User } from '../../accounts/user.js';
import type { Users } from '../../accounts/users.js';
import type { Database } from '../../db/database.js';
import { AuthError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { ProviderClient, ProviderRefusal } from './provider-client.js';
import { defineProvider, type OAuthProviderConfig, type ProviderDefinition } from './providers.js';
import {
  checksFor,
  type OAuthIntent,
  type OAuthTransaction,
  OAuthTransactions,
  stateMatches,
  type TransactionChecks,
} from './transactions.js';

export interface OAuthConfig {
  /** The providers by id; the id is the path segment (`/auth/oauth/{id}`) and the key identities are stored under. */
  providers?: Readonly<Record<string, OAuthProviderConfig>>;
}

/** A checked callback: the transaction it ends and who the provider says the user is. */
export interface CompletedCallback {
  transaction: OAuthTransaction;
  provider: ProviderDefinition;
  identity: ExternalIdentity & { profile: Record<string, unknown> };
  /** The provider's tokens, for a provider that keeps them; null otherwise. */
  tokens: ProviderTokens | null;
}

/** Which user a sign-in with a not-yet-linked identity is, or that a new one is due. */
export type SignInDecision<F extends CustomFields> =
  | { kind: 'returning'; user: User<F>; account: LinkedAccount }
  | { kind: 'link_by_email'; user: User<F> }
  | { kind: 'sign_up'; email: string };

const START_AGAIN =
  'This sign-in was not started in this browser, was used already or took too long. Start again.';

export class SocialLogin<F extends CustomFields> {
  readonly transactions: OAuthTransactions;
  readonly #providers: Map<string, { definition: ProviderDefinition; client: ProviderClient }>;
  readonly #users: Users<F>;
  readonly #accounts: LinkedAccounts;
  readonly #logger: Logger;

  constructor(options: {
    database: Database;
    now: () => Date;
    config: OAuthConfig | undefined;
    /** The callback URL registered at each provider. */
    redirectUri: (providerId: string) => string;
    users: Users<F>;
    accounts: LinkedAccounts;
    logger: Logger;
  }) {
    this.transactions = new OAuthTransactions(options);
    this.#users = options.users;
    this.#accounts = options.accounts;
    this.#logger = options.logger;
    this.#providers = new Map(
      Object.entries(options.config?.providers ?? {}).map(([id, config]) => {
        const definition = defineProvider(id, config, options.now);
        return [
          id,
          { definition, client: new ProviderClient(definition, options.redirectUri(id), options.now) },
        ];
      }),
    );
  }

  /** The configured providers, in configuration order. */
  list(): { id: string; name: string }[] {
    return [...this.#providers.values()].map(({ definition }) => ({
      id: definition.id,
      name: definition.name,
    }));
  }

  /** Where starting any provider's sign-in sends the browser (for pages' CSP `form-action`). */
  authorizationOrigins(): string[] {
    return [...new Set([...this.#providers.values()].flatMap(({ client }) => client.origins()))];
  }

  provider(id: string): ProviderDefinition | null {
    return this.#providers.get(id)?.definition ?? null;
  }

  /**
   * Starts an authorization request: the URL to send the browser to, and the
   * secret to keep in its cookie until the callback. `not_found` for an
   * unknown provider; `unavailable` when the provider cannot be reached.
   */
  async begin(
    providerId: string,
    input: {
      intent: OAuthIntent;
      userId?: string;
      sessionId?: string;
      redirectTo?: string | null;
      tenantId?: string;
    },
  ): Promise<{ url: URL; secret: string; expiresAt: Date }> {
    const entry = this.#entry(providerId);
    try {
      // The provider's metadata first: no transaction is stored for a provider that is down.
      await entry.client.ready();
    } catch (error) {
      this.#logger.warn({ err: error, provider: providerId }, 'The provider could not be reached.');
      throw new AuthError('unavailable', `${entry.definition.name} cannot be reached. Try again later.`, {
        cause: error,
      });
    }
    const { secret, checks, transaction } = await this.transactions.begin({ provider: providerId, ...input });
    const url = await entry.client.authorizationUrl(checks);
    return { url, secret, expiresAt: transaction.expiresAt };
  }

  /**
   * The first half of a callback: the cookie's secret and the `state` derived
   * from it spend the transaction (for the provider it was started for).
   * Throws `oauth_failed` when there is none to spend.
   */
  async take(
    providerId: string,
    secret: string | null,
    state: string | null,
  ): Promise<{ transaction: OAuthTransaction; checks: TransactionChecks }> {
    this.#entry(providerId);
    const transaction =
      secret !== null && stateMatches(secret, state)
        ? await this.transactions.take(providerId, secret)
        : null;
    if (!transaction || secret === null) throw new AuthError('oauth_failed', START_AGAIN);
    return { transaction, checks: checksFor(secret) };
  }

  /**
   * The second half: the provider's answer checked (its error, the code
   * exchanged with the verifier, the ID token) and read. Throws `oauth_failed`.
   */
  async exchange(
    transaction: OAuthTransaction,
    checks: TransactionChecks,
    query: URLSearchParams,
  ): Promise<CompletedCallback> {
    const { definition, client } = this.#entry(transaction.provider);
    try {
      const { identity, tokens } = await client.callback(query, checks);
      return {
        transaction,
        provider: definition,
        identity: { provider: transaction.provider, ...identity },
        tokens: definition.storeTokens ? tokens : null,
      };
    } catch (error) {
      if (error instanceof ProviderRefusal) {
        const message =
          error.code === 'access_denied'
            ? `You did not let ${definition.name} sign you in.`
            : `${definition.name} could not sign you in. Try again.`;
        throw new AuthError('oauth_failed', message, { cause: error });
      }
      this.#logger.warn(
        { err: error, provider: transaction.provider },
        'A social sign-in callback was refused.',
      );
      throw new AuthError('oauth_failed', `Signing in with ${definition.name} failed. Start again.`, {
        cause: error,
      });
    }
  }

  /**
   * Which user an identity signs in (see the module comment). Throws
   * `forbidden` (inactive user, sign-up closed), `conflict` (an account has
   * the address but may not be linked to automatically) or `oauth_failed`
   * (a new account is due and the provider gave no usable address).
   */
  async decide(
    callback: CompletedCallback,
    options: { signUpOpen: boolean; pool?: string },
  ): Promise<SignInDecision<F>> {
    const { identity, provider } = callback;
    const linked = await this.#accounts.find(identity.provider, identity.subject);
    if (linked) {
      const user = await this.#users.get(linked.userId);
      if (!user?.isActive) throw new AuthError('forbidden', 'This account is disabled.');
      return { kind: 'returning', user, account: linked };
    }
    const parsed = identity.email !== null ? parseEmail(identity.email) : null;
    const email = parsed && 'email' in parsed ? parsed.email : null;
    const existing =
      email !== null ? await this.#users.getByEmail(email, options.pool ? { pool: options.pool } : {}) : null;
    if (existing) {
      if (!existing.isActive) throw new AuthError('forbidden', 'This account is disabled.');
      if (provider.linkByEmail && identity.emailVerified && existing.emailVerified) {
        return { kind: 'link_by_email', user: existing };
      }
      throw new AuthError(
        'conflict',
        `An account already uses this email address. Sign in to it another way, then link ${provider.name} from your account page.`,
      );
    }
    if (!options.signUpOpen || !provider.signUp) {
      throw new AuthError(
        'forbidden',
        `No account is linked to this ${provider.name} account, and sign-up is closed.`,
      );
    }
    if (email === null) {
      throw new AuthError(
        'oauth_failed',
        `${provider.name} did not share an email address, which an account needs.`,
      );
    }
    return { kind: 'sign_up', email };
  }

  #entry(providerId: string) {
    const entry = this.#providers.get(providerId);
    if (!entry) throw new AuthError('not_found', 'There is no such sign-in provider.');
    return entry;
  }
}
