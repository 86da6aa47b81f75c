/**
 * Rate-limit counters in Redis (`rate-limiter-flexible`'s Redis limiter), for
 * several instances: one counter per key with the window as its expiry, one
 * round trip per hit. Counting only — `Throttle` decides what a count means,
 * so the limiter is given points it never runs out of.
 *
 * When Redis cannot be reached the store fails closed: every throttled route
 * (sign-in first) answers 503 `unavailable` with `Retry-After` rather than
 * letting attempts through uncounted.
 */
import type { Redis } from 'ioredis';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import { AuthError } from '../../errors.js';
import { whenOpened } from '../../redis/redis.js';
import type { Counter, RateLimitStore } from './rate-limit-store.js';

const RETRY_AFTER_SECONDS = 5;

export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  #limiter: Promise<RateLimiterRedis> | null = null;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async hit(key: string, windowSeconds: number, now: Date): Promise<Counter> {
    const limiter = await this.#limiterOf();
    const res = await limiter.consume(key, 1, { customDuration: windowSeconds }).catch(unavailable);
    return { count: res.consumedPoints, resetAt: new Date(now.getTime() + res.msBeforeNext) };
  }

  async peek(key: string, now: Date): Promise<Counter | null> {
    const limiter = await this.#limiterOf();
    const res = await limiter.get(key).catch(unavailable);
    return res ? { count: res.consumedPoints, resetAt: new Date(now.getTime() + res.msBeforeNext) } : null;
  }

  async reset(key: string): Promise<void> {
    const limiter = await this.#limiterOf();
    await limiter.delete(key).catch(unavailable);
  }

  /** Loaded at the first hit: a single instance never loads the package. */
  async #limiterOf(): Promise<RateLimiterRedis> {
    // A connection still being opened (the process just started) gets a moment; a lost one does not.
    await whenOpened(this.#redis, 1000);
    return this.#load();
  }

  #load(): Promise<RateLimiterRedis> {
    this.#limiter ??= import('rate-limiter-flexible').then(
      ({ RateLimiterRedis }) =>
        new RateLimiterRedis({
          storeClient: this.#redis,
          keyPrefix: `${this.#prefix}limit`,
          points: Number.MAX_SAFE_INTEGER,
          duration: 60,
          rejectIfRedisNotReady: true,
        }),
    );
    return this.#limiter;
  }
}

function unavailable(cause: unknown): never {
  throw new AuthError(
    'unavailable',
    'Signing in is paused for a moment (the rate limiter cannot be reached). Try again shortly.',
    {
      cause,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    },
  );
}
