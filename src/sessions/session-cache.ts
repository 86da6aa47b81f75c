/**
 * A bounded, in-process LRU of validated sessions, keyed by token hash, so a
 * request carrying a known session touches no database.
 *
 * It is only ever a copy: every write that can end a session or change its
 * user (revocation, password change, deactivation, profile update) removes
 * the affected entries, and an entry is still checked against its expiry
 * times on every hit. Removal scans the cache; at the default bound of 10,000
 * entries that costs well under a millisecond and happens only on such writes.
 */

export interface CacheEntry<S extends { id: string; userId: string }, U> {
  session: S;
  user: U;
  /** When the database last confirmed this entry (ms since the epoch). */
  cachedAt: number;
}

export class SessionCache<S extends { id: string; userId: string }, U> {
  readonly #entries = new Map<string, CacheEntry<S, U>>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(tokenHash: string): CacheEntry<S, U> | undefined {
    const entry = this.#entries.get(tokenHash);
    if (entry) {
      // Re-insert: Map iteration order is then least-recently-used first.
      this.#entries.delete(tokenHash);
      this.#entries.set(tokenHash, entry);
    }
    return entry;
  }

  set(tokenHash: string, entry: CacheEntry<S, U>): void {
    if (this.#capacity <= 0) return;
    this.#entries.delete(tokenHash);
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(tokenHash, entry);
  }

  delete(tokenHash: string): void {
    this.#entries.delete(tokenHash);
  }

  clear(): void {
    this.#entries.clear();
  }

  deleteSession(sessionId: string): void {
    this.#deleteWhere((entry) => entry.session.id === sessionId);
  }

  deleteUser(userId: string, exceptSessionId?: string): void {
    this.#deleteWhere((entry) => entry.session.userId === userId && entry.session.id !== exceptSessionId);
  }

  #deleteWhere(matches: (entry: CacheEntry<S, U>) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry)) this.#entries.delete(key);
  }
}
