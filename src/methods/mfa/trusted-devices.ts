/**
 * Trusted devices: "remember this browser" after a second factor.
 *
 * The browser keeps a 256-bit secret in an `HttpOnly` cookie; the server keeps
 * its SHA-256, the owner and an expiry. A remembered browser skips the second
 * factor for that user only — the first factor is still asked — until the
 * row expires or is deleted (the user's device list, an MFA reset, a password
 * change). The cookie is worthless anywhere else: it is not a session and
 * names no user.
 */
import { createId, createSecretToken, sha256Hex } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { readDate } from '../../db/values.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface TrustedDevice {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

export class TrustedDevices {
  readonly #database: Database;
  readonly #now: () => Date;

  constructor(options: { database: Database; now: () => Date }) {
    this.#database = options.database;
    this.#now = options.now;
  }

  /** Remembers a browser for `days`; returns the cookie's secret. */
  async remember(
    userId: string,
    options: { days: number; ip: string | null; userAgent: string | null },
  ): Promise<{ token: string; expiresAt: Date }> {
    const now = this.#now();
    const token = createSecretToken();
    const expiresAt = new Date(now.getTime() + options.days * 86_400_000);
    await this.#database.db
      .insertInto('trusted_devices')
      .values({
        id: createId('dev', now),
        user_id: userId,
        token_hash: sha256Hex(token),
        user_agent: options.userAgent,
        ip: options.ip,
        created_at: now,
        last_used_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return { token, expiresAt };
  }

  /** Whether this cookie value remembers this user's browser (and notes the use). */
  async recognizes(userId: string, token: unknown): Promise<boolean> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return false;
    const now = this.#now();
    const result = await this.#database.db
      .updateTable('trusted_devices')
      .set({ last_used_at: now })
      .where('token_hash', '=', sha256Hex(token))
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The id of the live row this cookie value names for the user, or null. */
  async idOf(userId: string, token: string): Promise<string | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const row = await this.#database.db
      .selectFrom('trusted_devices')
      .select('id')
      .where('token_hash', '=', sha256Hex(token))
      .where('user_id', '=', userId)
      .where('expires_at', '>', this.#now())
      .executeTakeFirst();
    return row?.id ?? null;
  }

  async list(userId: string): Promise<TrustedDevice[]> {
    const rows = await this.#database.db
      .selectFrom('trusted_devices')
      .select(['id', 'user_agent', 'ip', 'created_at', 'last_used_at', 'expires_at'])
      .where('user_id', '=', userId)
      .where('expires_at', '>', this.#now())
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      userAgent: row.user_agent,
      ip: row.ip,
      createdAt: readDate(row.created_at),
      lastUsedAt: readDate(row.last_used_at),
      expiresAt: readDate(row.expires_at),
    }));
  }

  /** Forgets one of the user's devices; false if it was not theirs. */
  async forget(userId: string, id: string): Promise<boolean> {
    const result = await this.#database.db
      .deleteFrom('trusted_devices')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async forgetAll(userId: string): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('trusted_devices')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('trusted_devices')
      .where('expires_at', '<=', this.#now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
