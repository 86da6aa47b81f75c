/**
 * The queries of the webhook outbox (`webhook_deliveries`).
 *
 * Claiming is one statement: an UPDATE of due rows — pending, next attempt
 * reached, not leased or lease expired — that sets a lease (`locked_until`)
 * and a fresh `lock_token` and returns the rows it took. SQLite runs writes
 * one at a time; on PostgreSQL the inner SELECT skips rows another worker has
 * locked and the outer WHERE repeats the conditions, which PostgreSQL
 * re-checks on a row another transaction changed meanwhile. Either way a row
 * goes to one worker per lease. A result is written only under the token that
 * claimed the row, so a worker whose lease ran out cannot overwrite the next one's.
 */
import type { Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import { claimDue } from '../db/leased-queue.js';
import type { WebhookDeliveriesTable } from '../db/schema.js';

export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface NewDelivery {
  id: string;
  webhook: string;
  eventId: string;
  eventType: string;
  payload: string;
}

export interface DeliveryQuery {
  status?: WebhookDeliveryStatus;
  webhook?: string;
  type?: string;
  /** The id of the last delivery of the previous page. */
  before?: string;
  limit?: number;
}

/** How an attempt ended, as stored. */
export interface AttemptResult {
  status: WebhookDeliveryStatus;
  at: Date;
  nextAttemptAt: Date | null;
  statusCode: number | null;
  error: string | null;
}

export class DeliveryStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Adds pending deliveries, due at once; an event already queued for a webhook is not queued again. */
  async enqueue(deliveries: readonly NewDelivery[], now: Date): Promise<void> {
    if (deliveries.length === 0) return;
    await this.#database.db
      .insertInto('webhook_deliveries')
      .values(
        deliveries.map((d) => ({
          id: d.id,
          webhook: d.webhook,
          event_id: d.eventId,
          event_type: d.eventType,
          payload: d.payload,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['event_id', 'webhook']).doNothing())
      .execute();
  }

  /** Leases up to `limit` due deliveries of the given webhooks until `leaseUntil`, counting the attempt. */
  claimDue(options: {
    webhooks: readonly string[];
    now: Date;
    leaseUntil: Date;
    token: string;
    limit: number;
  }): Promise<DeliveryRow[]> {
    const { webhooks, ...lease } = options;
    return claimDue<DeliveryRow>(this.#database, 'webhook_deliveries', {
      ...lease,
      only: { column: 'webhook', values: webhooks },
    });
  }

  /** Stores an attempt's outcome and releases the lease, if this claim still holds it. */
  async finish(id: string, token: string, result: AttemptResult): Promise<boolean> {
    const update = await this.#database.db
      .updateTable('webhook_deliveries')
      .set({
        status: result.status,
        last_attempt_at: result.at,
        last_status_code: result.statusCode,
        last_error: result.error,
        locked_until: null,
        lock_token: null,
        ...(result.nextAttemptAt ? { next_attempt_at: result.nextAttemptAt } : {}),
        ...(result.status === 'delivered' ? { delivered_at: result.at } : {}),
      })
      .where('id', '=', id)
      .where('lock_token', '=', token)
      .executeTakeFirst();
    return Number(update.numUpdatedRows) === 1;
  }

  async list(query: DeliveryQuery = {}): Promise<DeliveryRow[]> {
    let select = this.#database.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000));
    if (query.status) select = select.where('status', '=', query.status);
    if (query.webhook) select = select.where('webhook', '=', query.webhook);
    if (query.type) select = select.where('event_type', '=', query.type);
    if (query.before) select = select.where('id', '<', query.before);
    return select.execute();
  }

  async get(id: string): Promise<DeliveryRow | null> {
    const row = await this.#database.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Puts a failed delivery back in the queue, due at `now`; false if it is not (or no longer) failed. */
  async requeueFailed(id: string, now: Date): Promise<boolean> {
    const update = await this.#database.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now, locked_until: null, lock_token: null })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(update.numUpdatedRows) === 1;
  }

  /** Deletes deliveries delivered, or given up, before `cutoff`; returns how many. */
  async deleteFinishedBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('webhook_deliveries')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'delivered'), eb('delivered_at', '<', cutoff)]),
          eb.and([eb('status', '=', 'failed'), eb('last_attempt_at', '<', cutoff)]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
