/**
 * Fixed-window counters. The default store keeps them in the database, so a
 * restart does not hand an attacker a fresh budget and every instance on one
 * PostgreSQL shares the same counts. One upsert per hit: it starts a new
 * window when the old one has ended, otherwise adds to it, and returns the
 * result, so two instances counting at once cannot both see the old value.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { readDate } from '../../db/values.js';

export interface Counter {
  count: number;
  resetAt: Date;
}

export interface RateLimitStore {
  /** Counts one hit on `key` and returns the window's count so far (this hit included). */
  hit(key: string, windowSeconds: number, now: Date): Promise<Counter>;
  /** The live count of `key`, or null when its window has ended or never started. */
  peek(key: string, now: Date): Promise<Counter | null>;
  reset(key: string): Promise<void>;
}

/** How often ended windows are swept from the table. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export class DatabaseRateLimitStore implements RateLimitStore {
  readonly #database: Database;
  #lastSweep = 0;

  constructor(database: Database) {
    this.#database = database;
  }

  async hit(key: string, windowSeconds: number, now: Date): Promise<Counter> {
    const resetAt = new Date(now.getTime() + windowSeconds * 1000);
    const row = await this.#database.db
      .insertInto('rate_limits')
      .values({ key, count: 1, reset_at: resetAt })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          count: sql<number>`case when rate_limits.reset_at <= ${now} then 1 else rate_limits.count + 1 end`,
          reset_at: sql<Date>`case when rate_limits.reset_at <= ${now} then ${resetAt} else rate_limits.reset_at end`,
        }),
      )
      .returning(['count', 'reset_at'])
      .executeTakeFirstOrThrow();
    this.#sweepIfDue(now);
    return { count: Number(row.count), resetAt: readDate(row.reset_at) };
  }

  async peek(key: string, now: Date): Promise<Counter | null> {
    const row = await this.#database.db
      .selectFrom('rate_limits')
      .select(['count', 'reset_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    const resetAt = readDate(row.reset_at);
    return resetAt > now ? { count: Number(row.count), resetAt } : null;
  }

  async reset(key: string): Promise<void> {
    await this.#database.db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }

  #sweepIfDue(now: Date): void {
    if (now.getTime() - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now.getTime();
    this.#database.db
      .deleteFrom('rate_limits')
      .where('reset_at', '<=', now)
      .execute()
      .catch(() => {
        // A missed sweep only leaves dead rows for the next one.
      });
  }
}
