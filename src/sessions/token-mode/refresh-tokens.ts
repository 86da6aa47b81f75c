/**
 * Refresh tokens: opaque, 256-bit, stored as SHA-256, single use. Each use
 * spends the token and returns its successor; presenting a spent token is
 * theft (or a bug) and the caller ends the session, which deletes the whole
 * family with it.
 *
 * Mobile apps do send one token twice at once (a retry, two tabs, a race on
 * resume). For `graceSeconds` after a token is spent, presenting it again
 * returns the *same* successor — while that successor is unused — instead of
 * counting as reuse. The successor's secret is never stored: it is an HMAC of
 * the spent token under a key derived from the server secret, so only a
 * holder of the spent token can be given it again.
 */
import { createHmac } from 'node:crypto';
import { createId, createSecretToken, sha256Hex } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { writeTransaction } from '../../db/transaction.js';
import { readDate, readOptionalDate } from '../../db/values.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type RefreshOutcome =
  /** The token was good: here is the one to use next (the same one again inside the grace window). */
  | { kind: 'rotated'; sessionId: string; familyId: string; token: string; expiresAt: Date }
  /** A spent token came back outside the grace window (or after its successor was used): end the session. */
  | { kind: 'reused'; sessionId: string; familyId: string }
  /** Unknown, malformed or expired. */
  | { kind: 'invalid' };

export class RefreshTokens {
  readonly #database: Database;
  readonly #now: () => Date;
  readonly #successorKey: Buffer;
  readonly #graceMs: number;

  constructor(options: { database: Database; now: () => Date; successorKey: Buffer; graceSeconds: number }) {
    this.#database = options.database;
    this.#now = options.now;
    this.#successorKey = options.successorKey;
    this.#graceMs = options.graceSeconds * 1000;
  }

  /** Starts a family for the session; the token lives until `expiresAt` (the session's own end). */
  async issue(sessionId: string, expiresAt: Date): Promise<{ token: string; familyId: string }> {
    const now = this.#now();
    const token = createSecretToken();
    const id = createId('rft', now);
    await this.#database.db
      .insertInto('refresh_tokens')
      .values({
        id,
        family_id: id,
        session_id: sessionId,
        token_hash: sha256Hex(token),
        parent_id: null,
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return { token, familyId: id };
  }

  /** The session a token belongs to, without spending it (to check its tenant first); null if unknown. */
  async sessionOf(token: unknown): Promise<string | null> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
    const row = await this.#database.db
      .selectFrom('refresh_tokens')
      .select('session_id')
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    return row?.session_id ?? null;
  }

  /** Spends the token and returns its successor; see `RefreshOutcome`. */
  async rotate(token: unknown): Promise<RefreshOutcome> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return { kind: 'invalid' };
    const now = this.#now();
    const successor = this.#successorOf(token);
    return writeTransaction(this.#database, async (trx) => {
      const row = await trx
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', sha256Hex(token))
        .executeTakeFirst();
      if (!row || readDate(row.expires_at) <= now) return { kind: 'invalid' } as const;
      const family = { sessionId: row.session_id, familyId: row.family_id };
      const spent = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      const expiresAt = readDate(row.expires_at);
      if (Number(spent.numUpdatedRows) === 1) {
        await trx
          .insertInto('refresh_tokens')
          .values({
            id: createId('rft', now),
            family_id: row.family_id,
            session_id: row.session_id,
            token_hash: sha256Hex(successor),
            parent_id: row.id,
            created_at: now,
            expires_at: expiresAt,
          })
          .execute();
        return { kind: 'rotated', ...family, token: successor, expiresAt } as const;
      }
      // Spent already. Inside the grace window, while its successor is unused, answer as the first use did.
      const usedAt = readOptionalDate(row.used_at) ?? now;
      if (now.getTime() - usedAt.getTime() <= this.#graceMs) {
        const child = await trx
          .selectFrom('refresh_tokens')
          .select(['token_hash', 'used_at'])
          .where('parent_id', '=', row.id)
          .executeTakeFirst();
        if (child && child.used_at === null && child.token_hash === sha256Hex(successor))
          return { kind: 'rotated', ...family, token: successor, expiresAt } as const;
      }
      return { kind: 'reused', ...family } as const;
    });
  }

  /**
   * Deletes expired tokens (housekeeping); returns how many. Spent ones are
   * kept until then: a spent token presented at any time is still caught.
   */
  async deleteExpired(): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('refresh_tokens')
      .where('expires_at', '<=', this.#now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  #successorOf(token: string): string {
    return createHmac('sha256', this.#successorKey).update(token).digest('base64url');
  }
}
