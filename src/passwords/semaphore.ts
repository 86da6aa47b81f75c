/**
 * A counting semaphore that admits waiters in arrival order.
 *
 * Password hashes run on libuv's thread pool, which Node shares with file I/O,
 * DNS lookups and async crypto. Capping how many hashes run at once keeps a
 * burst of sign-ins from occupying every pool thread; first-in first-out keeps
 * a waiting request from being overtaken indefinitely.
 */
export class Semaphore {
  readonly #waiting: Array<() => void> = [];
  #available: number;

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new RangeError(`The concurrency limit must be a positive integer, got ${permits}.`);
    }
    this.#available = permits;
  }

  /** Runs `task` once a permit is free and gives the permit back however the task ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    // Hand the permit straight to the oldest waiter so a newcomer cannot take it in between.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#available++;
  }
}
