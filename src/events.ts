/**
 * Typed signals, the analogue of Django's auth signals.
 *
 * Listeners run after the operation that emits the event has committed, in
 * the order they were added. A listener that throws (or whose promise rejects)
 * is logged and skipped: it never undoes or fails the operation, and the
 * remaining listeners still run. Async listeners are not awaited, so a slow
 * webhook cannot slow a sign-in.
 */
import type { Logger } from './logger.js';

export type Listener<P> = (payload: P) => void | Promise<void>;

/** The emitting side alone: what the domain modules are given. */
export interface Emitter<Events extends object> {
  emit<E extends keyof Events>(event: E, payload: Events[E]): void;
}

export class EventBus<Events extends object> implements Emitter<Events> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener as Listener<never>);
    return () => {
      listeners.delete(listener as Listener<never>);
    };
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const listeners = this.#listeners.get(event);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        const result = (listener as Listener<Events[E]>)(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.#report(event, error));
      } catch (error) {
        this.#report(event, error);
      }
    }
  }

  #report(event: keyof Events, error: unknown): void {
    this.#logger.error(
      { err: error, event: String(event) },
      'An event listener failed; the operation went on.',
    );
  }
}
