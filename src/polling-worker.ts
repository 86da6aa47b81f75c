/**
 * The loop behind a durable queue's worker (the mail outbox, webhook
 * deliveries): run `work` at once, then every `pollIntervalMs`, sooner when
 * woken, never two runs at once; `maintenance` (pruning) at most every
 * `maintenanceIntervalMs`; `stop()` waits for what is in flight. Its timer
 * never keeps the process alive, and a failed run is reported, not thrown.
 */
export interface PollingWorkerOptions {
  pollIntervalMs: number;
  maintenanceIntervalMs: number;
  work(): Promise<unknown>;
  maintenance(): Promise<unknown>;
  onError(error: unknown): void;
  /** The clock that spaces maintenance (the app's, so tests can move it). */
  now(): number;
}

export class PollingWorker {
  readonly #options: PollingWorkerOptions;
  readonly #inflight = new Set<Promise<unknown>>();
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #timerDue = 0;
  #tick: Promise<void> | null = null;
  #wokenDuringTick = false;
  #lastMaintenance = Number.NEGATIVE_INFINITY;
  #generation = 0;

  constructor(options: PollingWorkerOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Bumped by `stop()`: a run under way compares it and claims no more work once it changed. */
  get generation(): number {
    return this.#generation;
  }

  /** Counts a run (scheduled or called directly) as in flight, so `stop()` waits for it. */
  track<T>(run: Promise<T>): Promise<T> {
    this.#inflight.add(run);
    const forget = () => this.#inflight.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** Starts the loop; false if it was running already. */
  start(): boolean {
    if (this.#running) return false;
    this.#running = true;
    this.#schedule(0);
    return true;
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#generation += 1;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([this.#tick, ...this.#inflight]);
  }

  /** Runs the work within `delayMs` (sooner than the next poll), or again right after the run under way. */
  wake(delayMs = 0): void {
    if (!this.#running) return;
    if (this.#tick) {
      this.#wokenDuringTick = true;
    } else if (this.#timer && this.#timerDue > Date.now() + delayMs) {
      clearTimeout(this.#timer);
      this.#schedule(delayMs);
    }
  }

  #schedule(delayMs: number): void {
    this.#timerDue = Date.now() + delayMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#tick = this.#runTick().finally(() => {
        this.#tick = null;
        if (!this.#running) return;
        const again = this.#wokenDuringTick;
        this.#wokenDuringTick = false;
        this.#schedule(again ? 0 : this.#options.pollIntervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #runTick(): Promise<void> {
    try {
      await this.#options.work();
      const now = this.#options.now();
      if (now - this.#lastMaintenance >= this.#options.maintenanceIntervalMs) {
        this.#lastMaintenance = now;
        await this.#options.maintenance();
      }
    } catch (error) {
      this.#options.onError(error);
    }
  }
}
