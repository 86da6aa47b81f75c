/**
 * Anonymous sessions: data kept for a visitor before they sign in (a cart, a
 * half-filled form), Django's session framework without a user. Off unless
 * `sessions.anonymous` is set. They live apart from user sessions so the
 * signed-in hot path never looks at them; at sign-in their data moves to the
 * new user session and the anonymous one is deleted (its id is never reused).
 */
import { createId, createSecretToken, sha256Hex } from '../crypto.js';
import type { Database } from '../db/database.js';
import { readDate, readJson } from '../db/values.js';
import { AuthError } from '../errors.js';
import { encodeSessionData, isSessionToken } from './session-data.js';
import type { SessionPolicy } from './sessions.js';

export type AnonymousSessionId = `ans_${string}`;

export interface AnonymousSession {
  id: AnonymousSessionId;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  data: Record<string, unknown>;
}

export class AnonymousSessions {
  readonly #database: Database;
  readonly #policy: SessionPolicy;
  readonly #now: () => Date;

  constructor(options: { database: Database; policy: SessionPolicy; now: () => Date }) {
    this.#database = options.database;
    this.#policy = options.policy;
    this.#now = options.now;
  }

  async create(data: Record<string, unknown> = {}): Promise<{ session: AnonymousSession; token: string }> {
    const encoded = encodeSessionData(data, this.#policy.maxDataBytes);
    const now = this.#now();
    const token = createSecretToken();
    const session: AnonymousSession = {
      id: createId('ans', now),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.#policy.absoluteTtlSeconds * 1000),
      data: JSON.parse(encoded),
    };
    await this.#database.db
      .insertInto('anonymous_sessions')
      .values({
        id: session.id,
        token_hash: sha256Hex(token),
        created_at: now,
        last_seen_at: now,
        expires_at: session.expiresAt,
        data: encoded,
      })
      .execute();
    return { session, token };
  }

  /** The live anonymous session of this token, or null. */
  async validate(token: unknown): Promise<AnonymousSession | null> {
    if (!isSessionToken(token)) return null;
    const row = await this.#database.db
      .selectFrom('anonymous_sessions')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row) return null;
    const now = this.#now();
    const session: AnonymousSession = {
      id: row.id as AnonymousSessionId,
      createdAt: readDate(row.created_at),
      lastSeenAt: readDate(row.last_seen_at),
      expiresAt: readDate(row.expires_at),
      data: (readJson(row.data) ?? {}) as Record<string, unknown>,
    };
    const idleExpiry = session.lastSeenAt.getTime() + this.#policy.idleTtlSeconds * 1000;
    if (now >= session.expiresAt || now.getTime() >= idleExpiry) {
      await this.revoke(session.id);
      return null;
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= this.#policy.touchIntervalSeconds * 1000) {
      await this.#database.db
        .updateTable('anonymous_sessions')
        .set({ last_seen_at: now })
        .where('id', '=', session.id)
        .execute();
      session.lastSeenAt = now;
    }
    return session;
  }

  async setData(id: string, data: Record<string, unknown>): Promise<void> {
    const encoded = encodeSessionData(data, this.#policy.maxDataBytes);
    const result = await this.#database.db
      .updateTable('anonymous_sessions')
      .set({ data: encoded })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new AuthError('not_found', 'There is no such session.');
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.#database.db
      .deleteFrom('anonymous_sessions')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Deletes the expired ones; returns how many. */
  async deleteExpired(): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('anonymous_sessions')
      .where('expires_at', '<=', this.#now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
