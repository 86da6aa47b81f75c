/**
 * The Redis connections of one instance, when `REDIS_URL` (or `redis.url`)
 * is set: one for commands and publishing, one for subscribing (a Redis
 * connection that subscribes can do nothing else). Commands fail at once
 * while Redis is unreachable (no offline queue): callers decide what a
 * missing Redis means — caches step aside, sign-in limits refuse.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
  /** What every key and channel name of this deployment starts with. */
  prefix: string;
  close(): Promise<void>;
}

export function connectRedis(url: string, prefix: string, logger: Logger): RedisConnections {
  const options = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Reconnect soon, then every second at most: a restarted Redis is back within a second.
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
  };
  const commands = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
  let warned = false;
  for (const connection of [commands, subscriber]) {
    connection.on('error', (error: Error) => {
      if (!warned) logger.warn({ err: error }, 'Redis connection error; retrying.');
      warned = true;
    });
    connection.on('ready', () => {
      warned = false;
    });
  }
  return {
    commands,
    subscriber,
    prefix,
    async close() {
      await Promise.all([commands.quit().catch(() => {}), subscriber.quit().catch(() => {})]);
    },
  };
}

/**
 * Resolves once a connection that is still being opened (the process just
 * started) is ready, or after `waitMs`; at once for one that is ready or lost.
 */
export function whenOpened(redis: Redis, waitMs: number): Promise<void> {
  if (!['connecting', 'connect', 'wait'].includes(redis.status)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
