/**
 * Cache invalidations through Redis pub/sub: one channel, JSON messages, each
 * stamped with this instance's id so it ignores its own. The subscriber
 * connection's state is the channel's health: while it is down, messages
 * may be lost, so the caches step aside; when it is back, every listener is
 * told to drop everything it holds.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { CacheInvalidation, InvalidationChannel } from '../sessions/cache-invalidation.js';
import { whenOpened } from './redis.js';

export class RedisInvalidationChannel implements InvalidationChannel {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #logger: Logger;
  readonly #instance = randomUUID();
  readonly #listeners: ((message: CacheInvalidation) => void)[] = [];
  readonly #channel: string;
  readonly #pending = new Set<Promise<void>>();
  #healthy = false;

  constructor(options: { publisher: Redis; subscriber: Redis; logger: Logger; prefix: string }) {
    this.#channel = `${options.prefix}invalidations`;
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#logger = options.logger;
    this.#subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.#channel) this.#receive(text);
    });
    this.#subscriber.on('ready', () => this.#join());
    for (const event of ['close', 'end', 'reconnecting'] as const) {
      this.#subscriber.on(event, () => this.#lost());
    }
    if (this.#subscriber.status === 'ready') void this.#join();
  }

  get healthy(): boolean {
    return this.#healthy && this.#publisher.status === 'ready';
  }

  publish(message: CacheInvalidation): void {
    const text = JSON.stringify({ from: this.#instance, message });
    // A connection still being opened (a process that just started) gets a moment; a lost one does not.
    const sent: Promise<void> = whenOpened(this.#publisher, 2000)
      .then(() => this.#publisher.publish(this.#channel, text))
      .then(
        () => {},
        (error: unknown) => {
          this.#logger.warn({ err: error }, 'A cache invalidation could not be published to Redis.');
        },
      )
      .finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
  }

  /** Waits for what is being published (before closing: a short-lived process such as the CLI). */
  async flush(): Promise<void> {
    await Promise.all(this.#pending);
  }

  subscribe(listener: (message: CacheInvalidation) => void): void {
    this.#listeners.push(listener);
  }

  async #join(): Promise<void> {
    try {
      await this.#subscriber.subscribe(this.#channel);
      // Whatever was said while this instance was not listening is lost: start from nothing.
      this.#deliver({ kind: 'all' });
      this.#healthy = true;
    } catch (error) {
      this.#logger.warn({ err: error }, 'Could not subscribe to cache invalidations on Redis.');
    }
  }

  #lost(): void {
    if (this.#healthy) this.#logger.warn({}, 'Redis is unreachable: caches are bypassed until it is back.');
    this.#healthy = false;
  }

  #receive(text: string): void {
    try {
      const { from, message } = JSON.parse(text) as { from: string; message: CacheInvalidation };
      if (from !== this.#instance) this.#deliver(message);
    } catch {
      this.#logger.warn(
        {},
        'An unreadable cache invalidation arrived on Redis; everything cached is dropped.',
      );
      this.#deliver({ kind: 'all' });
    }
  }

  #deliver(message: CacheInvalidation): void {
    for (const listener of this.#listeners) listener(message);
  }
}
