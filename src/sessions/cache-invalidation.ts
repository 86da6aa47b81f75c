/**
 * What one instance tells the others when it changes something they may
 * hold in a cache: a session ended, a user changed (their sessions must be
 * read again), permissions changed. With one instance there is no channel
 * and nothing to tell; with Redis (`REDIS_URL`) the messages go through its
 * pub/sub (see `src/redis/`).
 */
export type CacheInvalidation =
  | { kind: 'session'; id: string }
  | { kind: 'user'; id: string; except?: string }
  | { kind: 'permissions' }
  /** A tenant's settings changed (its slug: the key instances cache it by). */
  | { kind: 'tenant'; slug: string }
  /** Everything may be stale (the channel was down and messages may have been missed). */
  | { kind: 'all' };

export interface InvalidationChannel {
  publish(message: CacheInvalidation): void;
  /** Messages from the other instances (never this one's own). */
  subscribe(listener: (message: CacheInvalidation) => void): void;
  /**
   * False while messages may be missed (the connection is down): a cache
   * must not be trusted then, and the database answers instead.
   */
  readonly healthy: boolean;
}
