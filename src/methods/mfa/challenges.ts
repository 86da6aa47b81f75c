/**
 * MFA challenges: a sign-in whose first factor passed, waiting for the second.
 *
 * The client holds a 256-bit secret; only its SHA-256 is stored. A challenge
 * is not a session and opens nothing but the second-factor routes. It lives
 * five minutes, allows `MAX_CHALLENGE_ATTEMPTS` tries (each counted by the
 * statement that finds it, so racing tries cannot exceed the limit) and is
 * spent once by the try that succeeds.
 */
import { sql } from 'kysely';
import { createId, createSecretToken, sha256Hex } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { readDate, readJson } from '../../db/values.js';

export const MAX_CHALLENGE_ATTEMPTS = 5;
export const CHALLENGE_TTL_SECONDS = 300;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface MfaChallenge {
  id: string;
  userId: string;
  /** How the first factor was proved (`pwd`, `otp`, `oauth`, …). */
  amr: string[];
  /** What the sign-in carries to its end: where it was headed, and the method's audit details. */
  data: Record<string, unknown>;
  attempts: number;
  expiresAt: Date;
}

export class MfaChallenges {
  readonly #database: Database;
  readonly #now: () => Date;

  constructor(options: { database: Database; now: () => Date }) {
    this.#database = options.database;
    this.#now = options.now;
  }

  async issue(
    userId: string,
    options: { amr: string[]; data?: Record<string, unknown> },
  ): Promise<{ token: string; expiresAt: Date }> {
    const now = this.#now();
    const token = createSecretToken();
    const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000);
    await this.#database.db
      .insertInto('mfa_challenges')
      .values({
        id: createId('mfc', now),
        token_hash: sha256Hex(token),
        user_id: userId,
        amr: JSON.stringify(options.amr),
        data: JSON.stringify(options.data ?? {}),
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return { token, expiresAt };
  }

  /** The live challenge without counting a try (to send an email code or passkey options for it). */
  async peek(token: unknown): Promise<MfaChallenge | null> {
    if (!isChallengeToken(token)) return null;
    const row = await this.#database.db
      .selectFrom('mfa_challenges')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', this.#now())
      .where('attempts', '<', MAX_CHALLENGE_ATTEMPTS)
      .executeTakeFirst();
    return row ? challengeFromRow(row) : null;
  }

  /** Counts one try at the challenge and returns it, or null when it is spent, expired or out of tries. */
  async attempt(token: unknown): Promise<MfaChallenge | null> {
    if (!isChallengeToken(token)) return null;
    const row = await this.#database.db
      .updateTable('mfa_challenges')
      .set({ attempts: sql`attempts + 1` })
      .where('token_hash', '=', sha256Hex(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', this.#now())
      .where('attempts', '<', MAX_CHALLENGE_ATTEMPTS)
      .returningAll()
      .executeTakeFirst();
    return row ? challengeFromRow(row) : null;
  }

  /** Spends the challenge; false if another request already did. */
  async complete(id: string): Promise<boolean> {
    const result = await this.#database.db
      .updateTable('mfa_challenges')
      .set({ used_at: this.#now() })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteExpired(): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('mfa_challenges')
      .where('expires_at', '<=', this.#now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

export function isChallengeToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_SHAPE.test(value);
}

function challengeFromRow(row: {
  id: string;
  user_id: string;
  amr: unknown;
  data: unknown;
  attempts: number;
  expires_at: unknown;
}): MfaChallenge {
  const amr = readJson(row.amr);
  const data = readJson(row.data);
  return {
    id: row.id,
    userId: row.user_id,
    amr: Array.isArray(amr) ? amr.map(String) : [],
    data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {},
    attempts: Number(row.attempts),
    expiresAt: readDate(row.expires_at),
  };
}
