/**
 * Server-side sessions (`auth.sessions`).
 *
 * A session is found by the SHA-256 of its 256-bit secret; the secret itself
 * is handed to the client once and never stored, so a copy of the table cannot
 * be replayed. A session ends at the first of: its absolute expiry, its idle
 * expiry (last use + idle window), its revocation, or a bump of its user's
 * session epoch (password change, deactivation), and never works for an
 * inactive user. Validation is served from an in-process cache on repeat
 * requests; every write that can end a session evicts it first.
 *
 * `last_seen_at` is written at most once per `touchIntervalSeconds`, so the
 * idle window is honoured to within that interval while reads stay reads.
 */
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import { type User, type UserId, userFromRow } from '../accounts/user.js';
import { createId, createSecretToken, sha256Hex } from '../crypto.js';
import type { Database } from '../db/database.js';
import { readDate, readJson } from '../db/values.js';
import { AuthError } from '../errors.js';
import { AnonymousSessions } from './anonymous-sessions.js';
import type { InvalidationChannel } from './cache-invalidation.js';
import { type CacheEntry, SessionCache } from './session-cache.js';
import { encodeSessionData, isSessionToken } from './session-data.js';
import { type SessionRow, SessionStore } from './session-store.js';

export type SessionId = `ses_${string}`;

export interface Session {
  id: SessionId;
  userId: UserId;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute expiry: no use extends it. */
  expiresAt: Date;
  /** When the session ends if it is not used before then. */
  idleExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** How the user authenticated (RFC 8176 values: `pwd`, `otp`, `mfa`, …). */
  amr: string[];
  /** Small JSON data the app keeps on the session. */
  data: Record<string, unknown>;
  /** Set when a staff member opened this session as the user: who, and the session to return to. */
  impersonator: { userId: UserId; sessionId: SessionId } | null;
  /** The tenant it was opened in (`default` unless the app has tenants): it is refused in any other. */
  tenantId: string;
}

export interface SessionPolicy {
  /** Lifetime from creation, whatever the use. Default 14 days. */
  absoluteTtlSeconds: number;
  /** Ends a session unused for this long. Default 2 days. */
  idleTtlSeconds: number;
  /** Least time between two writes of `last_seen_at`. Default 60 s. */
  touchIntervalSeconds: number;
  /** Largest `data`, as JSON bytes. Default 4096. */
  maxDataBytes: number;
  /** Validated sessions kept in memory. Default 10,000; 0 disables the cache. */
  cacheSize: number;
  /**
   * Longest time a cached validation is trusted before the database is asked
   * again. It bounds how long a revocation made by another instance can go
   * unnoticed by this one. Default 5 s.
   */
  cacheMaxAgeSeconds: number;
  /** Whether visitors get a session (with data) before they sign in. Default false. */
  anonymous: boolean;
}

export const defaultSessionPolicy: SessionPolicy = {
  absoluteTtlSeconds: 14 * 24 * 3600,
  idleTtlSeconds: 2 * 24 * 3600,
  touchIntervalSeconds: 60,
  maxDataBytes: 4096,
  cacheSize: 10_000,
  cacheMaxAgeSeconds: 5,
  anonymous: false,
};

export interface CreateSessionOptions {
  ip?: string | null;
  userAgent?: string | null;
  amr?: string[];
  data?: Record<string, unknown>;
  /** A staff member acting as the user (see the admin API's impersonation). */
  impersonator?: { userId: string; sessionId: string };
  /** A shorter lifetime than the policy's, e.g. for impersonation. */
  ttlSeconds?: number;
  /** The tenant the session belongs to; default `default`. */
  tenantId?: string;
}

export class Sessions<F extends CustomFields = NoCustomFields> {
  /** Sessions before sign-in; they exist only when `policy.anonymous` is on. */
  readonly anonymous: AnonymousSessions;
  readonly policy: SessionPolicy;
  readonly #store: SessionStore;
  readonly #cache: SessionCache<Session, User<F>>;
  readonly #policy: SessionPolicy;
  readonly #fields: F;
  readonly #now: () => Date;
  readonly #channel: InvalidationChannel | null;

  constructor(options: {
    database: Database;
    fields: F;
    policy?: Partial<SessionPolicy>;
    now: () => Date;
    /**
     * With several instances: where ends of sessions and changes of users are
     * told to the others (and heard from them), so their caches follow within
     * the channel's latency. While it is down, the cache is bypassed.
     */
    invalidations?: InvalidationChannel;
  }) {
    this.#store = new SessionStore(options.database);
    this.#policy = { ...defaultSessionPolicy, ...options.policy };
    this.policy = this.#policy;
    this.anonymous = new AnonymousSessions({
      database: options.database,
      policy: this.#policy,
      now: options.now,
    });
    this.#cache = new SessionCache(this.#policy.cacheSize);
    this.#fields = options.fields;
    this.#now = options.now;
    this.#channel = options.invalidations ?? null;
    this.#channel?.subscribe((message) => {
      if (message.kind === 'session') this.#cache.deleteSession(message.id);
      else if (message.kind === 'user') this.#cache.deleteUser(message.id, message.except);
      else if (message.kind === 'all') this.#cache.clear();
    });
  }

  /**
   * Starts a session for the user and returns it with its token — the only
   * time the token exists outside the client. Refuses an inactive user.
   */
  async create(
    userId: string,
    options: CreateSessionOptions = {},
  ): Promise<{ session: Session; token: string }> {
    const data = this.#encodeData(options.data ?? {});
    const now = this.#now();
    const token = createSecretToken();
    // One statement: the row is inserted only for an active user, with that user's current epoch.
    const row = await this.#store.insertForActiveUser({
      id: createId('ses', now),
      token_hash: sha256Hex(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(
        now.getTime() + Math.min(options.ttlSeconds ?? Infinity, this.#policy.absoluteTtlSeconds) * 1000,
      ),
      ip: options.ip ?? null,
      user_agent: options.userAgent ?? null,
      amr: JSON.stringify(options.amr ?? []),
      data,
      impersonator_id: options.impersonator?.userId ?? null,
      impersonator_session_id: options.impersonator?.sessionId ?? null,
      tenant_id: options.tenantId ?? 'default',
    });
    if (!row) throw new AuthError('not_found', 'There is no such active user.');
    return { session: this.#fromRow(row), token };
  }

  /** The live session this token opens, with its user; null for anything else. */
  async validate(token: unknown): Promise<{ session: Session; user: User<F> } | null> {
    if (!isSessionToken(token)) return null;
    const tokenHash = sha256Hex(token);
    const now = this.#now();
    if (this.#channel && !this.#channel.healthy) return this.#uncached(tokenHash, now);
    const cached = this.#cache.get(tokenHash);
    const fresh = cached && now.getTime() - cached.cachedAt < this.#policy.cacheMaxAgeSeconds * 1000;
    if (cached && fresh && this.#isLive(cached.session, now)) {
      const current = (await this.#touchIfDue(tokenHash, cached, now)) ?? cached;
      return { session: current.session, user: current.user };
    }
    if (cached) this.#cache.delete(tokenHash);

    const live = await this.#liveOrDelete(await this.#store.findWithUser(tokenHash), now);
    if (!live) return null;
    const { session, user } = live;
    const entry = { session, user, cachedAt: now.getTime() };
    const touched = (await this.#touchIfDue(tokenHash, entry, now)) ?? entry;
    this.#cache.set(tokenHash, touched);
    return { session: touched.session, user: touched.user };
  }

  /** What `validate` answers from the database alone, while other instances' changes may not reach the cache. */
  async #uncached(tokenHash: string, now: Date): Promise<{ session: Session; user: User<F> } | null> {
    const live = await this.#liveOrDelete(await this.#store.findWithUser(tokenHash), now);
    if (!live) return null;
    const touched = await this.#touchIfDue(tokenHash, { ...live, cachedAt: now.getTime() }, now);
    return touched ? { session: touched.session, user: touched.user } : live;
  }

  /** The live session with this id and its user, or null (no token needed: for server-side use only). */
  async get(sessionId: string): Promise<{ session: Session; user: User<F> } | null> {
    return this.#liveOrDelete(await this.#store.findWithUser(sessionId, 'id'), this.#now());
  }

  /** A found session and its user if the session still works; an ended one is deleted. */
  async #liveOrDelete(
    found: { session: SessionRow; user: Record<string, unknown> } | undefined,
    now: Date,
  ): Promise<{ session: Session; user: User<F> } | null> {
    if (!found) return null;
    const session = this.#fromRow(found.session);
    const user = userFromRow(this.#fields, found.user);
    const epochMatches = Number(found.user.session_epoch) === found.session.user_epoch;
    if (!this.#isLive(session, now) || !epochMatches || !user.isActive) {
      await this.#store.delete(session.id);
      return null;
    }
    return { session, user };
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<Session[]> {
    const now = this.#now();
    return (await this.#store.listForUser(userId))
      .map((row) => this.#fromRow(row))
      .filter((s) => this.#isLive(s, now));
  }

  /** Ends one session at once; false if there was none. */
  async revoke(sessionId: string): Promise<boolean> {
    this.#cache.deleteSession(sessionId);
    const deleted = await this.#store.delete(sessionId);
    this.#channel?.publish({ kind: 'session', id: sessionId });
    return deleted;
  }

  /** Ends every session of the user (in one tenant, with `tenantId`), or every one but `except`; returns how many ended. */
  async revokeAllForUser(
    userId: string,
    options: { except?: string; tenantId?: string } = {},
  ): Promise<number> {
    this.#cache.deleteUser(userId, options.except);
    const deleted = await this.#store.deleteForUser(userId, options.except, options.tenantId);
    this.#channel?.publish({
      kind: 'user',
      id: userId,
      ...(options.except ? { except: options.except } : {}),
    });
    return deleted;
  }

  /** Replaces the session's data (bounded by `maxDataBytes`). */
  async setData(sessionId: string, data: Record<string, unknown>): Promise<void> {
    const encoded = this.#encodeData(data);
    this.#cache.deleteSession(sessionId);
    if (!(await this.#store.updateData(sessionId, encoded))) {
      throw new AuthError('not_found', 'There is no such session.');
    }
    this.#channel?.publish({ kind: 'session', id: sessionId });
  }

  /** Forgets what the cache holds for this user: call after any change to the user. */
  forgetUser(userId: string): void {
    this.#cache.deleteUser(userId);
    this.#channel?.publish({ kind: 'user', id: userId });
  }

  /** Deletes sessions past their absolute expiry; returns how many. */
  deleteExpired(): Promise<number> {
    return this.#store.deleteExpired(this.#now());
  }

  #isLive(session: Session, now: Date): boolean {
    return now < session.expiresAt && now < session.idleExpiresAt;
  }

  async #touchIfDue(tokenHash: string, entry: CacheEntry<Session, User<F>>, now: Date) {
    const { session } = entry;
    if (now.getTime() - session.lastSeenAt.getTime() < this.#policy.touchIntervalSeconds * 1000) return null;
    await this.#store.touch(session.id, now);
    const touched = {
      ...entry,
      session: { ...session, lastSeenAt: now, idleExpiresAt: this.#idleExpiry(now) },
    };
    this.#cache.set(tokenHash, touched);
    return touched;
  }

  #idleExpiry(lastSeenAt: Date): Date {
    return new Date(lastSeenAt.getTime() + this.#policy.idleTtlSeconds * 1000);
  }

  #encodeData(data: unknown): string {
    return encodeSessionData(data, this.#policy.maxDataBytes);
  }

  #fromRow(row: SessionRow): Session {
    const lastSeenAt = readDate(row.last_seen_at);
    const amr = readJson(row.amr);
    const data = readJson(row.data);
    return {
      id: row.id as SessionId,
      userId: row.user_id as UserId,
      createdAt: readDate(row.created_at),
      lastSeenAt,
      expiresAt: readDate(row.expires_at),
      idleExpiresAt: this.#idleExpiry(lastSeenAt),
      ip: row.ip,
      userAgent: row.user_agent,
      amr: Array.isArray(amr) ? amr.map(String) : [],
      data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {},
      impersonator: row.impersonator_id
        ? {
            userId: row.impersonator_id as UserId,
            sessionId: (row.impersonator_session_id ?? '') as SessionId,
          }
        : null,
      tenantId: row.tenant_id,
    };
  }
}
