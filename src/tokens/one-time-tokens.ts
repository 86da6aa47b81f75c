/**
 * One-time tokens (`auth.tokens`): the secrets the mail flows send — password
 * reset, email verification, email change and magic links (256-bit link
 * tokens) and email sign-in codes (6 digits).
 *
 * - Only a hash is stored: SHA-256 of a link token (looked up by that hash), and
 *   SHA-256 of `id:code` for a code (looked up by address and purpose, never by
 *   the code alone, then compared in constant time).
 * - A token serves one purpose once: `consume` is a single
 *   `UPDATE … WHERE used_at IS NULL AND expires_at > now RETURNING`, so of two
 *   racing consumers exactly one gets the token.
 * - A code allows `MAX_CODE_ATTEMPTS` tries; each try is counted by the same
 *   statement that finds the code, so racing guesses cannot exceed the limit.
 *   A new code for the same address inherits the failures of the one it
 *   replaces (NIST SP 800-63B: a new code does not reset the count); once the
 *   limit is reached, new codes are born dead until the locked one expires.
 * - Password-reset and email-change tokens carry the user's session epoch at
 *   issue: a password change (or deactivation) bumps it and ends them. A new
 *   reset (or email-change) request replaces the user's earlier unused one.
 */
import { type SqlBool, sql } from 'kysely';
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import { normalizeEmail } from '../accounts/email.js';
import { type User, type UserId, userFromRow } from '../accounts/user.js';
import { constantTimeEqual, createId, createSecretToken, sha256Hex } from '../crypto.js';
import type { Database } from '../db/database.js';
import { type Executor, writeTransaction } from '../db/transaction.js';
import { readDate, readJson, readOptionalDate } from '../db/values.js';
import { AuthError, type FieldErrors, invalidRequest } from '../errors.js';
import { createNumericCode, isNumericCode, type RandomSource } from './codes.js';

export const TOKEN_PURPOSES = [
  'password_reset',
  'email_verification',
  'email_change',
  'magic_link',
  'email_otp',
  'mfa_email',
  'invitation',
] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];
export type TokenId = `ott_${string}`;

/** Reset 1 h, verification and email change 24 h, magic link 15 min, code 10 min, invitation 7 days. */
export const defaultTokenTtlSeconds: Readonly<Record<TokenPurpose, number>> = {
  password_reset: 3600,
  email_verification: 24 * 3600,
  email_change: 24 * 3600,
  magic_link: 15 * 60,
  email_otp: 10 * 60,
  mfa_email: 10 * 60,
  invitation: 7 * 24 * 3600,
};

/** Tries a code allows (right or wrong); after that it is dead even for the right code. */
export const MAX_CODE_ATTEMPTS = 5;
/** Largest `data`, as JSON bytes. */
export const MAX_TOKEN_DATA_BYTES = 2048;

/** Purposes whose secret is a numeric code checked by `verifyCode`; the others are link tokens for `consume`. */
const CODE_PURPOSES: ReadonlySet<string> = new Set<TokenPurpose>(['email_otp', 'mfa_email']);
/** Purposes that need a user. */
const USER_PURPOSES: ReadonlySet<string> = new Set<TokenPurpose>([
  'password_reset',
  'email_verification',
  'email_change',
  'mfa_email',
]);
/** Purposes that any password change (any bump of the user's session epoch) ends. */
const EPOCH_BOUND: ReadonlySet<string> = new Set<TokenPurpose>(['password_reset', 'email_change']);
/** Purposes of which only the latest unused one is valid: per user, or per address for codes. */
const SUPERSEDED_BY: Partial<Record<TokenPurpose, 'user_id' | 'email'>> = {
  password_reset: 'user_id',
  email_change: 'user_id',
  email_otp: 'email',
  mfa_email: 'email',
};

export interface TokenSettings {
  /** Lifetime per purpose, in seconds; see `defaultTokenTtlSeconds`. */
  ttlSeconds?: Partial<Record<TokenPurpose, number>>;
}

export interface OneTimeToken {
  id: TokenId;
  purpose: TokenPurpose;
  /** Null for a magic link or code sent to an address without an account. */
  userId: UserId | null;
  /** The address it was sent to; for `email_change`, the new address. */
  email: string;
  /** Small JSON the issuer attached, e.g. `{ redirectTo }`. */
  data: Record<string, unknown>;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** Tries made on a code. */
  attempts: number;
  /** The tenant it was issued in: it works there only. */
  tenantId: string;
}

/** A used token and its user as they are now (null when it was issued to an address only). */
export type ConsumedToken<F extends CustomFields = NoCustomFields> = OneTimeToken & { user: User<F> | null };

export interface IssueTokenInput {
  purpose: TokenPurpose;
  /** Required for password reset, email verification and email change. */
  userId?: string | null;
  /** Where the token is sent (normalised); for `email_change`, the new address. */
  email: string;
  data?: Record<string, unknown>;
  /** Overrides the purpose's configured lifetime. */
  ttlSeconds?: number;
  /** The tenant it is issued in (default: the default tenant); it is used there or nowhere. */
  tenantId?: string;
}

/** Where a token is being used: the tenant of the request (default: the default tenant). */
export interface TokenScope {
  tenantId?: string;
}

export interface IssuedToken {
  id: TokenId;
  /** The secret to send: a link token (43 characters) or, for `email_otp`, a 6-digit code. Never stored. */
  token: string;
  expiresAt: Date;
  /** Codes only: tries left, fewer than `MAX_CODE_ATTEMPTS` when failures were carried over (0: locked). */
  attemptsRemaining?: number;
}

type TokenRow = {
  id: string;
  purpose: string;
  token_hash: string;
  user_id: string | null;
  email: string;
  data: unknown;
  user_epoch: number | null;
  attempts: number;
  created_at: unknown;
  expires_at: unknown;
  used_at: unknown;
  tenant_id: string;
};

/** The default tenant's id (`tenants/` sits above this module, so the value is repeated here). */
const DEFAULT_TENANT = 'default';

const LINK_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Compared against when no code is found, so a miss costs what a wrong code does. */
const DUMMY_CODE_HASH = Buffer.from(sha256Hex('ott_none:000000'), 'hex');

export class OneTimeTokens<F extends CustomFields = NoCustomFields> {
  readonly #database: Database;
  readonly #fields: F;
  readonly #now: () => Date;
  readonly #ttl: Record<TokenPurpose, number>;
  readonly #random: RandomSource | undefined;

  constructor(options: {
    database: Database;
    fields: F;
    now: () => Date;
    settings?: TokenSettings;
    /** Bytes for codes; tests only. */
    random?: RandomSource;
  }) {
    this.#database = options.database;
    this.#fields = options.fields;
    this.#now = options.now;
    this.#ttl = { ...defaultTokenTtlSeconds, ...options.settings?.ttlSeconds };
    this.#random = options.random;
  }

  /** The configured lifetime of a purpose's tokens, in seconds. */
  ttlSeconds(purpose: TokenPurpose): number {
    return this.#ttl[purpose];
  }

  /**
   * Mints a token and stores its hash; returns the secret — the only time it
   * exists outside the mail. `not_found` when `userId` names no user.
   */
  async issue(input: IssueTokenInput): Promise<IssuedToken> {
    const { purpose } = input;
    const problems: FieldErrors = {};
    if (!isTokenPurpose(purpose)) problems.purpose = `Use one of ${TOKEN_PURPOSES.join(', ')}.`;
    const email = typeof input.email === 'string' ? normalizeEmail(input.email) : '';
    if (email === '') problems.email = 'Enter an email address.';
    const userId = input.userId ?? null;
    if (userId === null && USER_PURPOSES.has(purpose)) problems.userId = `A ${purpose} token needs a user.`;
    const ttl = input.ttlSeconds ?? this.#ttl[purpose];
    if (!(Number.isFinite(ttl) && ttl > 0)) problems.ttlSeconds = 'Use a positive number of seconds.';
    const data = encodeData(input.data ?? {}, problems);
    if (Object.keys(problems).length > 0) throw invalidRequest(problems);

    const now = this.#now();
    const id = createId('ott', now);
    const tenantId = input.tenantId ?? DEFAULT_TENANT;
    const isCode = CODE_PURPOSES.has(purpose);
    const token = isCode ? createNumericCode(this.#random) : createSecretToken();
    const row = {
      id,
      purpose,
      token_hash: isCode ? codeHash(id, token) : sha256Hex(token),
      user_id: userId,
      email,
      data,
      user_epoch: null as number | null,
      attempts: 0,
      created_at: now,
      expires_at: new Date(now.getTime() + ttl * 1000),
      tenant_id: tenantId,
    };
    const supersededBy = SUPERSEDED_BY[purpose];
    if (!supersededBy && userId === null) {
      await this.#database.db.insertInto('one_time_tokens').values(row).execute();
    } else {
      await writeTransaction(this.#database, async (trx) => {
        if (supersededBy)
          await this.#lock(trx, `${purpose}:${tenantId}:${supersededBy === 'email' ? email : userId}`);
        if (userId !== null) {
          const user = await trx
            .selectFrom('users')
            .select('session_epoch')
            .where('id', '=', userId)
            .executeTakeFirst();
          if (!user) throw new AuthError('not_found', 'There is no such user.');
          if (EPOCH_BOUND.has(purpose)) row.user_epoch = Number(user.session_epoch);
        }
        if (supersededBy) {
          const key = supersededBy === 'email' ? email : (userId as string);
          if (isCode) {
            // The failures of the code being replaced carry over: asking again does not buy more guesses.
            const live = await trx
              .selectFrom('one_time_tokens')
              .select(['attempts', 'expires_at'])
              .where('purpose', '=', purpose)
              .where('email', '=', email)
              .where('tenant_id', '=', tenantId)
              .where('used_at', 'is', null)
              .where('expires_at', '>', now)
              .orderBy('attempts', 'desc')
              .executeTakeFirst();
            if (live) {
              row.attempts = Math.min(Number(live.attempts), MAX_CODE_ATTEMPTS);
              // A locked address stays locked only until the locked code would have expired.
              const liveExpiry = readDate(live.expires_at);
              if (row.attempts >= MAX_CODE_ATTEMPTS && liveExpiry < row.expires_at)
                row.expires_at = liveExpiry;
            }
          }
          await trx
            .deleteFrom('one_time_tokens')
            .where('purpose', '=', purpose)
            .where(supersededBy, '=', key)
            .where('tenant_id', '=', tenantId)
            .where('used_at', 'is', null)
            .execute();
        }
        await trx.insertInto('one_time_tokens').values(row).execute();
      });
    }
    return {
      id,
      token,
      expiresAt: row.expires_at,
      ...(isCode ? { attemptsRemaining: MAX_CODE_ATTEMPTS - row.attempts } : {}),
    };
  }

  /**
   * Uses a link token: the token with its user if it is of this purpose,
   * unused, unexpired and (for reset and email change) issued since the user's
   * last password change; null otherwise. Once only: of racing calls, one wins.
   * An email-verification token also needs the user's address to be the one
   * it was sent to.
   */
  async consume(
    purpose: TokenPurpose,
    token: unknown,
    scope: TokenScope = {},
  ): Promise<ConsumedToken<F> | null> {
    const now = this.#now();
    const row = (await this.#database.db
      .updateTable('one_time_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', this.#linkHash(purpose, token))
      .where('purpose', '=', String(purpose))
      .where('tenant_id', '=', scope.tenantId ?? DEFAULT_TENANT)
      .where(usable(now))
      .returningAll()
      .executeTakeFirst()) as TokenRow | undefined;
    const user = await this.#user(row?.user_id ?? null);
    return row ? { ...tokenFromRow(row), user } : null;
  }

  /** What `consume` would return, without using the token (e.g. to show a reset form before it is submitted). */
  async peek(
    purpose: TokenPurpose,
    token: unknown,
    scope: TokenScope = {},
  ): Promise<ConsumedToken<F> | null> {
    const now = this.#now();
    const row = (await this.#database.db
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('token_hash', '=', this.#linkHash(purpose, token))
      .where('purpose', '=', String(purpose))
      .where('tenant_id', '=', scope.tenantId ?? DEFAULT_TENANT)
      .where(usable(now))
      .executeTakeFirst()) as TokenRow | undefined;
    const user = await this.#user(row?.user_id ?? null);
    return row ? { ...tokenFromRow(row), user } : null;
  }

  /**
   * Checks a code sent to `email` for `purpose` and uses it if right. Every
   * try counts, right or wrong; after `MAX_CODE_ATTEMPTS` the code is dead.
   * Null for a wrong, dead, expired, used or unknown code.
   */
  async verifyCode(
    email: string,
    purpose: TokenPurpose,
    code: unknown,
    scope: TokenScope = {},
  ): Promise<ConsumedToken<F> | null> {
    if (!CODE_PURPOSES.has(purpose) || typeof email !== 'string' || !isNumericCode(code)) return null;
    const address = normalizeEmail(email);
    const now = this.#now();
    // Counting the try is what finds the code: no more than MAX_CODE_ATTEMPTS tries ever see it.
    const tried = (await this.#database.db
      .updateTable('one_time_tokens')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('email', '=', address)
      .where('purpose', '=', purpose)
      .where('tenant_id', '=', scope.tenantId ?? DEFAULT_TENANT)
      .where('attempts', '<', MAX_CODE_ATTEMPTS)
      .where(usable(now))
      .returningAll()
      .execute()) as TokenRow[];
    let match: TokenRow | undefined;
    for (const row of tried) {
      if (constantTimeEqual(Buffer.from(codeHash(row.id, code), 'hex'), Buffer.from(row.token_hash, 'hex')))
        match = row;
    }
    if (tried.length === 0)
      constantTimeEqual(Buffer.from(codeHash('ott_none', code), 'hex'), DUMMY_CODE_HASH);
    if (!match) return null;
    const used = (await this.#database.db
      .updateTable('one_time_tokens')
      .set({ used_at: now })
      .where('id', '=', match.id)
      .where(usable(now))
      .returningAll()
      .executeTakeFirst()) as TokenRow | undefined;
    if (!used) return null;
    return { ...tokenFromRow(used), user: await this.#user(used.user_id) };
  }

  /** The unused, unexpired tokens of a purpose issued in a tenant, newest first (at most `limit`). */
  async pending(purpose: TokenPurpose, scope: TokenScope = {}, limit = 100): Promise<OneTimeToken[]> {
    const rows = (await this.#database.db
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('purpose', '=', purpose)
      .where('tenant_id', '=', scope.tenantId ?? DEFAULT_TENANT)
      .where(usable(this.#now()))
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute()) as TokenRow[];
    return rows.map(tokenFromRow);
  }

  /** Deletes one token by id (of this purpose, in this tenant); false if there was none. */
  async revoke(id: string, purpose: TokenPurpose, scope: TokenScope = {}): Promise<boolean> {
    const result = await this.#database.db
      .deleteFrom('one_time_tokens')
      .where('id', '=', id)
      .where('purpose', '=', purpose)
      .where('tenant_id', '=', scope.tenantId ?? DEFAULT_TENANT)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Deletes the user's tokens (of one purpose, or all); returns how many. */
  async revokeAll(userId: string, purpose?: TokenPurpose): Promise<number> {
    let query = this.#database.db.deleteFrom('one_time_tokens').where('user_id', '=', userId);
    if (purpose) query = query.where('purpose', '=', purpose);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  /** Deletes tokens past their expiry, used or not; returns how many. */
  async deleteExpired(): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('one_time_tokens')
      .where('expires_at', '<=', this.#now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The hash to look a link token up by; anything malformed becomes a fresh random token that matches nothing. */
  #linkHash(purpose: TokenPurpose, token: unknown): string {
    const valid = isTokenPurpose(purpose) && !CODE_PURPOSES.has(purpose) && isLinkToken(token);
    // The same hashing and the same query either way: a miss costs what a hit does.
    return sha256Hex(valid ? token : createSecretToken());
  }

  /** The user's current row; the query runs even without a user, so a miss costs what a hit does. */
  async #user(userId: string | null): Promise<User<F> | null> {
    const row = await this.#database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId ?? '')
      .executeTakeFirst();
    return row && userId !== null ? userFromRow(this.#fields, row as Record<string, unknown>) : null;
  }

  /** Serialises issues of one superseding key across processes (SQLite's BEGIN IMMEDIATE already does). */
  async #lock(trx: Executor, key: string): Promise<void> {
    if (this.#database.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`gatehouse:ott:${key}`}, 0))`.execute(trx);
    }
  }
}

export function isTokenPurpose(value: unknown): value is TokenPurpose {
  return typeof value === 'string' && (TOKEN_PURPOSES as readonly string[]).includes(value);
}

function isLinkToken(token: unknown): token is string {
  return typeof token === 'string' && LINK_TOKEN_SHAPE.test(token);
}

function codeHash(id: string, code: string): string {
  return sha256Hex(`${id}:${code}`);
}

/**
 * Unused, unexpired, issued since the user's last password change when the
 * purpose is epoch-bound, and — for email verification — sent to the address
 * the user still has.
 */
function usable(now: Date) {
  return sql<SqlBool>`(
    used_at is null
    and expires_at > ${now}
    and (user_epoch is null
      or user_epoch = (select u.session_epoch from users u where u.id = one_time_tokens.user_id))
    and (purpose <> 'email_verification' or user_id is null
      or email = (select u.email from users u where u.id = one_time_tokens.user_id))
  )`;
}

function encodeData(data: unknown, problems: FieldErrors): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.data = 'Token data is a JSON object.';
    return '{}';
  }
  const encoded = JSON.stringify(data);
  if (Buffer.byteLength(encoded) > MAX_TOKEN_DATA_BYTES) {
    problems.data = `Token data is limited to ${MAX_TOKEN_DATA_BYTES} bytes of JSON.`;
  }
  return encoded;
}

function tokenFromRow(row: TokenRow): OneTimeToken {
  const data = readJson(row.data);
  return {
    id: row.id as TokenId,
    purpose: row.purpose as TokenPurpose,
    userId: row.user_id as UserId | null,
    email: row.email,
    data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {},
    createdAt: readDate(row.created_at),
    expiresAt: readDate(row.expires_at),
    usedAt: readOptionalDate(row.used_at),
    attempts: Number(row.attempts),
    tenantId: row.tenant_id,
  };
}
